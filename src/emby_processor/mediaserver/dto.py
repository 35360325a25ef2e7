"""What we write into the media server's item DTO, and how its readback is judged (pure).

``POST /Items/{id}`` is a full replace: anything missing or null is cleared, and Jellyfin fails
outright on a missing Tags/ProviderIds/Genres. So every update starts from the full DTO the server
just gave us (``build_update``) and changes only what we own; the publish stage reads the item
back afterwards and ``verify`` names every field the server did not keep, because a server that
silently ignores a field would otherwise look like success (docs/mediaserver.md).
"""

from __future__ import annotations

import copy
import re
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
#: what a ``|`` inside a genre, studio or tag becomes: the servers store these lists joined with
#: ``|`` and split them on read (Jellyfin's BaseItemRepository), so ``A|B`` would come back as two
PIPE_REPLACEMENT = " / "
_PIPE = re.compile(r"\s*\|\s*")
#: the DTO fields each lockable field name protects (both servers' MetadataFields names;
#: Emby 4.x also locks SortName, OriginalTitle and the ratings)
_LOCK_COVERS: dict[str, tuple[str, ...]] = {
    "Name": ("Name",), "SortName": ("ForcedSortName",), "OriginalTitle": ("OriginalTitle",),
    "Overview": ("Overview",), "Genres": ("Genres",), "Studios": ("Studios",),
    "Tags": ("Tags", "TagItems"), "Cast": ("People",), "OfficialRating": ("OfficialRating",),
}
#: the fields we write; with ``LockData`` every one of them is locked
_LIST_FIELDS = frozenset({*_ARRAY_FIELDS, "Genres", "Studios", "People", "TagItems"})
OWNED_FIELDS = (
    "Name", "ForcedSortName", "OriginalTitle", "Overview", "PremiereDate", "ProductionYear",
    "Studios", "Genres", "Tags", "TagItems", "People", "ProviderIds", "OfficialRating",
)


def _unique(values: Iterable[str | None]) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    for value in values:
        text = _PIPE.sub(PIPE_REPLACEMENT, (value or "").strip().strip("|").strip())
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


def display_name(metadata: MovieMetadata) -> str:
    """``CODE title``. Never a part: the servers stack a movie's parts into one item."""
    title = metadata.title.strip()
    if title.upper().startswith(metadata.code.upper()):
        return title
    return f"{metadata.code} {title}".strip()


def build_update(
    dto: dict[str, Any], metadata: MovieMetadata, dialect: Dialect
) -> dict[str, Any]:
    """The full DTO to post: the server's own ``dto`` with our fields set and locked.

    A field we have no value for keeps what the server has, so a thinner metadata record never
    erases richer data. Existing tags and provider ids are kept and ours added; a ``|`` inside
    a genre, studio or tag becomes ``PIPE_REPLACEMENT``. The fields the item already has locked
    are kept by ``keep_locked`` unless a person asked.
    """
    out = copy.deepcopy(dto)
    for key in _ARRAY_FIELDS:
        if key in out and out[key] is None:
            out[key] = []
    out["Name"] = display_name(metadata)
    # Set deliberately: Emby echoes SortName here, which would freeze the file-name sort key.
    out["ForcedSortName"] = metadata.code
    if metadata.original_title:
        out["OriginalTitle"] = metadata.original_title
    if metadata.plot:
        out["Overview"] = metadata.plot
    if metadata.release_date:
        out["PremiereDate"] = f"{metadata.release_date.isoformat()}T00:00:00.0000000Z"
    year = metadata.year or (metadata.release_date.year if metadata.release_date else None)
    if year:
        out["ProductionYear"] = year
    if _unique([metadata.maker]):
        out["Studios"] = [{"Name": name} for name in _unique([metadata.maker])]
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
    out["LockedFields"] = _unique([*(str(f) for f in dto.get("LockedFields") or []),
                                   *LOCKED_FIELDS])
    out["LockData"] = True
    out["OfficialRating"] = OFFICIAL_RATING
    for key in ("Genres", "Studios", "People"):
        if not isinstance(out.get(key), list):
            out[key] = []
    return out


def locked_fields(dto: dict[str, Any]) -> set[str]:
    """The fields of ours that the item has locked on the server: every one with ``LockData``,
    else those its ``LockedFields`` name."""
    if dto.get("LockData"):
        return set(OWNED_FIELDS)
    names = [str(name) for name in dto.get("LockedFields") or []]
    return {key for name in names for key in _LOCK_COVERS.get(name, ())}


def keep_locked(
    current: dict[str, Any], sent: dict[str, Any]
) -> tuple[dict[str, Any], list[str]]:
    """``sent`` with every field the ``current`` item has locked put back as the server has it,
    and the names of those whose value we would have changed (for a warning)."""
    locked = locked_fields(current)
    out = dict(sent)
    changed: list[str] = []
    for key in OWNED_FIELDS:
        if key not in locked or (key not in current and key not in sent):
            continue
        theirs = copy.deepcopy(current.get(key))
        if theirs is None:
            theirs = {} if key == "ProviderIds" else [] if key in _LIST_FIELDS else None
        held = {key: tag_names(current) if key == "Tags" else theirs}
        if key != "TagItems" and differences({key: sent.get(key)}, held, None):
            changed.append(key)
        out[key] = theirs
    if "Tags" in locked and "TagItems" in current and "Tags" in out:
        out["Tags"] = tag_names(current)  # Emby answers Tags null and keeps them in TagItems
    return out, changed


def _text(value: Any) -> str | None:
    return str(value).strip() if value not in (None, "") else None


def _fold(values: Iterable[str]) -> list[str]:
    """A name list as the servers may hand it back: split on ``|``, in any case, once each."""
    return sorted({part.strip().casefold() for value in values for part in str(value).split("|")
                   if part.strip()})


def _names(values: Any, key: str = "Name") -> list[str]:
    return _fold(str(v.get(key)) for v in values or [] if isinstance(v, dict))


def _cast(people: Any) -> list[tuple[str, str]]:
    return sorted({(str(p.get("Name")).casefold(), str(p.get("Type"))) for p in people or []
                   if isinstance(p, dict)})


def _held_tags(dto: dict[str, Any], dialect: Dialect | None) -> list[str]:
    if dialect is not None and dialect.tags_field == "TagItems":
        return _names(dto.get("TagItems"))
    return _fold(tag_names(dto))


def differences(
    sent: dict[str, Any], readback: dict[str, Any], dialect: Dialect | None
) -> list[tuple[str, Any, Any]]:
    """``(field, written, held)`` for every field of ``sent`` the server does not hold.

    A field kept in another form counts as written: text without surrounding blanks, the sort
    name in any case, a date at any precision (the calendar day is what we set), genres,
    studios, tags and the cast in any case, split on ``|`` and without duplicates, provider id
    keys in any case.
    """
    found: list[tuple[str, Any, Any]] = []

    def check(name: str, ours: Any, theirs: Any, same: bool | None = None) -> None:
        if name in sent and not (ours == theirs if same is None else same):
            found.append((name, sent.get(name), readback.get(name)))

    for key in _STRING_FIELDS:
        ours, theirs = _text(sent.get(key)), _text(readback.get(key))
        if key == "ForcedSortName":  # Emby's sort names: case is not ours to insist on
            ours, theirs = (ours or "").casefold() or None, (theirs or "").casefold() or None
        check(key, ours, theirs)
    check("PremiereDate", (_text(sent.get("PremiereDate")) or "")[:10] or None,
          (_text(readback.get("PremiereDate")) or "")[:10] or None)
    check("ProductionYear", sent.get("ProductionYear"), readback.get("ProductionYear"))
    check("LockData", bool(sent.get("LockData")), bool(readback.get("LockData")))
    check("Genres", _fold(sent.get("Genres") or []), _fold(readback.get("Genres") or []))
    if "Tags" in sent:
        ours_tags = _fold(sent.get("Tags") or [])
        if ours_tags != _held_tags(readback, dialect):
            found.append(("Tags", sent.get("Tags"), tag_names(readback)))
    check("Studios", _names(sent.get("Studios")), _names(readback.get("Studios")))
    check("People", _cast(sent.get("People")), _cast(readback.get("People")))
    check("LockedFields", _fold(sent.get("LockedFields") or []),
          _fold(readback.get("LockedFields") or []))
    held = {str(k).casefold(): v for k, v in (readback.get("ProviderIds") or {}).items()}
    for key, value in (sent.get("ProviderIds") or {}).items():
        if value and held.get(key.casefold()) != value:
            found.append((f"ProviderIds.{key}", value, held.get(key.casefold())))
    return found


def verify(sent: dict[str, Any], readback: dict[str, Any], dialect: Dialect) -> list[str]:
    """What the server does not hold the way we sent it, one readable line per field."""
    return [f"{name}: wrote {ours!r}, the server holds {theirs!r}"
            for name, ours, theirs in differences(sent, readback, dialect)]
