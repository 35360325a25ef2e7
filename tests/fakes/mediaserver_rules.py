"""How real Emby and Jellyfin servers treat what they are given, as small pure functions.

The fake media server (``tests/fakes/emby.py``) applies these when the matching switch is on.
Each rule names the server source it follows (see docs/compatibility.md for the versions):

- :func:`stack_parts`: Jellyfin's file stacking (``Emby.Naming/Common/NamingOptions.cs``
  ``VideoFileStackingRules`` and ``Emby.Naming/Video/StackResolver.cs``, 10.8 and later; Emby
  derives from the same naming code);
- :func:`split_joined`: Genres, Studios and Tags are stored joined with ``|`` and split on read
  (``BaseItemRepository.cs``);
- :class:`SharedNames`: Emby's genres, studios and tags are shared items-by-name, so a name comes
  back in the casing the server met first;
- :func:`rating_value` and :func:`can_see`: ``ItemIsVisible`` for a single-item GET as a user
  limited to some libraries or with a parental limit;
- :data:`JELLYFIN_VERSIONS`: which routes and auth forms each Jellyfin version has.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

# Jellyfin 10.8+ VideoFileStackingRules, verbatim (compiled case-insensitive, as FileStackRule
# does): the part word is required, the number is digits (rule 1) or a letter a-d (rule 2).
_STACK_RULES = (
    (re.compile(
        r"^(?P<filename>.*?)(?:(?<=[\]\)\}])|[ _.-]+)[\(\[]?(?P<parttype>cd|dvd|part|pt|dis[ck])"
        r"[ _.-]*(?P<number>[0-9]+)[\)\]]?(?:\.[^.]+)?$", re.IGNORECASE), True),
    (re.compile(
        r"^(?P<filename>.*?)(?:(?<=[\]\)\}])|[ _.-]+)[\(\[]?(?P<parttype>cd|dvd|part|pt|dis[ck])"
        r"[ _.-]*(?P<number>[a-d])[\)\]]?(?:\.[^.]+)?$", re.IGNORECASE), False),
)


def file_name(path: str) -> str:
    return re.split(r"[\\/]", path)[-1]


def folder_of(path: str) -> str:
    name = file_name(path)
    return path[: len(path) - len(name)].rstrip("/\\")


def stack_parts(paths: Iterable[str]) -> list[tuple[str, list[str]]]:
    """The stacks among files of one folder: ``(stack name, part paths)``, first part first.

    As ``StackResolver.Resolve``: files in path order; a file joins the stack named by its
    ``filename`` group when the part type matches (case-insensitively) and its part number is
    new; a stack needs two parts. The movie's ``Path`` is the first part, the rest are its
    ``AdditionalParts``.
    """
    stacks: dict[str, dict[str, Any]] = {}
    for path in sorted(paths):
        name = file_name(path)
        for rule, numerical in _STACK_RULES:
            m = rule.match(name)
            if m is None:
                continue
            stack = stacks.setdefault(
                m["filename"], {"type": m["parttype"], "numerical": numerical, "parts": {}}
            )
            if stack["parts"]:
                if (m["parttype"].casefold() != stack["type"].casefold()
                        or m["number"] in stack["parts"]):
                    continue
                if numerical != stack["numerical"]:
                    break
            stack["parts"][m["number"]] = path
            break
    return [(name, list(s["parts"].values())) for name, s in stacks.items()
            if len(s["parts"]) >= 2]


def split_joined(values: Iterable[str]) -> list[str]:
    """Values as Jellyfin reads back what it stored joined with ``|``: ``A|B`` is ``A``, ``B``."""
    return [part for value in values for part in value.split("|") if part]


class SharedNames:
    """Emby's items-by-name: one genre/studio/tag per name whatever its case, named as first met.

    Writing ``big tits`` to an item links the existing ``Big Tits`` genre, so that is what the
    item shows afterwards; duplicates that differ only in case collapse into one link.
    """

    def __init__(self) -> None:
        self._names: dict[tuple[str, str], str] = {}

    def canonical(self, kind: str, names: Iterable[str]) -> list[str]:
        out: list[str] = []
        for name in names:
            known = self._names.setdefault((kind, name.casefold()), name)
            if known not in out:
                out.append(known)
        return out


#: ratings the fake knows how to rank (Jellyfin's ratings files rank JP-18+ and XXX as 18)
_NAMED_RATINGS = {"XXX": 18, "X": 18, "NC-17": 17, "R": 17, "PG-13": 13, "PG": 10, "G": 0}


def rating_value(rating: str | None) -> int | None:
    """The age an official rating stands for (``JP-18+`` -> 18); None when unrated or unknown."""
    if not rating:
        return None
    if rating.upper() in _NAMED_RATINGS:
        return _NAMED_RATINGS[rating.upper()]
    digits = re.search(r"\d+", rating)
    return int(digits.group()) if digits else None


def can_see(policy: Mapping[str, Any], library_id: str | None, rating: str | None) -> bool:
    """``ItemIsVisible`` for one user: their libraries, then their parental limit.

    ``EnableAllFolders`` false limits the user to ``EnabledFolders`` (library ids);
    ``MaxParentalRating`` hides every item rated above it (unrated items stay visible).
    """
    if not policy.get("EnableAllFolders", True) and library_id not in (
        policy.get("EnabledFolders") or []
    ):
        return False
    limit, value = policy.get("MaxParentalRating"), rating_value(rating)
    return limit is None or value is None or value <= int(limit)


@dataclass(frozen=True)
class JellyfinVersion:
    """What differs between the Jellyfin versions the service supports."""

    version: str  # what /System/Info/Public reports
    #: ``GET /Items/{id}`` exists (added in 10.9; 10.8 has only /Users/{userId}/Items/{id})
    item_route: bool
    #: a leading ``/emby`` is stripped from request paths (10.x does; 12.0 does not)
    strips_emby: bool
    #: legacy auth (``X-Emby-Token``, ``api_key``) accepted by default (off by default in 12.0)
    legacy_auth: bool


JELLYFIN_VERSIONS: dict[str, JellyfinVersion] = {
    "10.8": JellyfinVersion("10.8.13", item_route=False, strips_emby=True, legacy_auth=True),
    "10.9": JellyfinVersion("10.9.11", item_route=True, strips_emby=True, legacy_auth=True),
    "10.10": JellyfinVersion("10.10.7", item_route=True, strips_emby=True, legacy_auth=True),
    "10.11": JellyfinVersion("10.11.11", item_route=True, strips_emby=True, legacy_auth=True),
    "12": JellyfinVersion("12.0.0", item_route=True, strips_emby=False, legacy_auth=False),
}
