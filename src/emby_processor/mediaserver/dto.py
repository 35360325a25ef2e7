"""What we write into the media server's item DTO, and how its readback is judged (pure).

``POST /Items/{id}`` is a full replace: anything missing or null is cleared, and Jellyfin fails
outright on a missing Tags/ProviderIds/Genres. So every update starts from the full DTO the server
just gave us (``build_update``) and changes only what we own; the publish stage reads the item
back afterwards and ``verify`` names every field the server did not keep, because a server that
silently ignores a field would otherwise look like success (docs/mediaserver.md).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from emby_processor.mediaserver.dialect import Dialect
from emby_processor.metadata import CONTENT_ID_KEY, MovieMetadata, provider_ids

OFFICIAL_RATING = "JP-18+"
#: the lockable fields both servers know; anything else is rejected or ignored by one of them
LOCKED_FIELDS = ("Name", "Overview", "Genres", "Studios", "Cast", "Tags", "OfficialRating")
#: array fields a server may hand back as null but must never receive as null
_ARRAY_FIELDS = (
    "Genres", "Tags", "Studios", "People", "LockedFields", "Taglines", "ProductionLocations",
    "RemoteTrailers", "GenreItems",
)
_STRING_FIELDS = ("Name", "OriginalTitle", "ForcedSortName", "Overview", "OfficialRating")


def _unique(values: Iterable[str | None]) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    for value in values:
        text = (value or "").strip()
        if text and text.casefold() not in seen:
            seen.add(text.casefold())
            out.append(text)
    return out


def tag_names(dto: dict[str, Any]) -> list[str]:
    """Tags as either server reports them (Emby: TagItems, with Tags null)."""
    tags = dto.get("Tags")
    if isinstance(tags, list) and tags:
        return [str(t) for t in tags]
    items = dto.get("TagItems")
    if isinstance(items, list):
        return [str(t["Name"]) for t in items if isinstance(t, dict) and t.get("Name")]
    return []


#: keys under which earlier versions (their ``.nfo``, read by Jellyfin) stored one of our ids
_OLD_KEYS = {"dmm": CONTENT_ID_KEY}


def _provider_ids(existing: Any, metadata: MovieMetadata) -> dict[str, str]:
    """The server's ids with ours set under their one key (the ``.nfo`` uses the same); an id
    of ours that an old ``.nfo`` left under another key is dropped, not kept twice."""
    ids = {str(k): str(v) for k, v in (existing or {}).items() if v not in (None, "")}
    ours = provider_ids(metadata)
    for old, key in _OLD_KEYS.items():
        if key in ours and ids.get(old) == ours[key]:
            del ids[old]
    ids.update(ours)
    return ids


def display_name(metadata: MovieMetadata, part: int | None) -> str:
    title = metadata.title.strip()
    if title.upper().startswith(metadata.code.upper()):
        name = title
    else:
        name = f"{metadata.code} {title}".strip()
    return f"{name} (Part {part})" if part else name


def build_update(
    dto: dict[str, Any], metadata: MovieMetadata, dialect: Dialect, *, part: int | None
) -> dict[str, Any]:
    """The full DTO to post: the server's own ``dto`` with our fields set and locked.

    A field we have no value for keeps what the server has, so a thinner metadata record never
    erases richer data. Existing tags and provider ids are kept and ours added.
    """
    out = copy.deepcopy(dto)
    for key in _ARRAY_FIELDS:
        if key in out and out[key] is None:
            out[key] = []
    out["Name"] = display_name(metadata, part)
    # Set deliberately: Emby echoes SortName here, which would freeze the file-name sort key.
    out["ForcedSortName"] = f"{metadata.code} Part {part:02d}" if part else metadata.code
    if metadata.original_title:
        out["OriginalTitle"] = metadata.original_title
    if metadata.plot:
        out["Overview"] = metadata.plot
    if metadata.release_date:
        out["PremiereDate"] = f"{metadata.release_date.isoformat()}T00:00:00.0000000Z"
    year = metadata.year or (metadata.release_date.year if metadata.release_date else None)
    if year:
        out["ProductionYear"] = year
    if metadata.maker:
        out["Studios"] = [{"Name": metadata.maker}]
    if metadata.genres:
        out["Genres"] = _unique(metadata.genres)
    tags = _unique([*tag_names(dto), metadata.label, metadata.series, metadata.maker])
    out["Tags"] = tags
    if dialect.tags_field == "TagItems":
        out["TagItems"] = [{"Name": tag} for tag in tags]
    people = [{"Name": n, "Type": "Actor", "Role": ""} for n in _unique(metadata.actress_names)]
    people += [{"Name": n, "Type": "Director", "Role": ""} for n in _unique(metadata.directors)]
    if people:
        out["People"] = people
    out["ProviderIds"] = _provider_ids(dto.get("ProviderIds"), metadata)
    out["LockedFields"] = list(LOCKED_FIELDS)
    out["LockData"] = True
    out["OfficialRating"] = OFFICIAL_RATING
    for key in ("Genres", "Studios", "People"):
        if not isinstance(out.get(key), list):
            out[key] = []
    return out


def _text(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def _names(values: Any, key: str = "Name") -> list[Any]:
    return sorted(str(v.get(key)) for v in values or [] if isinstance(v, dict))


def _cast(people: Any) -> list[tuple[str, str]]:
    return sorted((str(p.get("Name")), str(p.get("Type"))) for p in people or []
                  if isinstance(p, dict))


def verify(sent: dict[str, Any], readback: dict[str, Any], dialect: Dialect) -> list[str]:
    """What the server does not hold the way we sent it, one readable line per field."""
    problems: list[str] = []

    def check(name: str, ours: Any, theirs: Any) -> None:
        if ours != theirs:
            problems.append(f"{name}: sent {ours!r}, server has {theirs!r}")

    for key in _STRING_FIELDS:
        check(key, _text(sent.get(key)), _text(readback.get(key)))
    # Servers re-serialise dates with their own precision; the calendar day is what we set.
    check("PremiereDate", (_text(sent.get("PremiereDate")) or "")[:10] or None,
          (_text(readback.get("PremiereDate")) or "")[:10] or None)
    check("ProductionYear", sent.get("ProductionYear"), readback.get("ProductionYear"))
    check("LockData", bool(sent.get("LockData")), bool(readback.get("LockData")))
    check("Genres", sorted(sent.get("Genres") or []), sorted(readback.get("Genres") or []))
    held_tags = readback.get(dialect.tags_field) or []
    if dialect.tags_field == "TagItems":
        held_tags = _names(held_tags)
    check("Tags", sorted(sent.get("Tags") or []), sorted(str(t) for t in held_tags))
    check("Studios", _names(sent.get("Studios")), _names(readback.get("Studios")))
    check("People", _cast(sent.get("People")), _cast(readback.get("People")))
    check("LockedFields", sorted(str(f) for f in sent.get("LockedFields") or []),
          sorted(str(f) for f in readback.get("LockedFields") or []))
    held = {str(k).casefold(): v for k, v in (readback.get("ProviderIds") or {}).items()}
    for key, value in (sent.get("ProviderIds") or {}).items():
        if value and held.get(key.casefold()) != value:
            problems.append(f"ProviderIds.{key}: sent {value!r}, server has "
                            f"{held.get(key.casefold())!r}")
    return problems
