"""Which files of a folder the media server stacks into one movie (docs/mediaserver.md).

Jellyfin (and Emby, which shares the naming code's origin) treat ``<name>-cd1``, ``-cd2``,
``-part1``, ``-pt2``, ``-disc1``, ``-dvd2`` (or ``-cda``…``-cdd``) in one folder as *one* movie:
its ``Path`` is the first part, the others are its additional parts, and no item exists for
their own paths. The rules below are Jellyfin's ``VideoFileStackingRules`` (10.8 and later,
``Emby.Naming/Common/NamingOptions.cs``), applied the way ``StackResolver.Resolve`` applies them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

# The part word is required; the number is digits (numerical) or a letter a-d.
_RULES = (
    (re.compile(
        r"^(?P<filename>.*?)(?:(?<=[\]\)\}])|[ _.-]+)[\(\[]?(?P<parttype>cd|dvd|part|pt|dis[ck])"
        r"[ _.-]*(?P<number>[0-9]+)[\)\]]?(?:\.[^.]+)?$", re.IGNORECASE), True),
    (re.compile(
        r"^(?P<filename>.*?)(?:(?<=[\]\)\}])|[ _.-]+)[\(\[]?(?P<parttype>cd|dvd|part|pt|dis[ck])"
        r"[ _.-]*(?P<number>[a-d])[\)\]]?(?:\.[^.]+)?$", re.IGNORECASE), False),
)


@dataclass
class _Stack:
    part_type: str
    numerical: bool
    parts: dict[str, str] = field(default_factory=dict)  # part number -> file name


def stack_of(own: str, names: Iterable[str]) -> list[str]:
    """The file names the server stacks with ``own`` (itself included), first part first;
    ``[own]`` when it is stacked with nothing. ``names`` are the folder's video files."""
    stacks: dict[str, _Stack] = {}
    for name in sorted({*names, own}):
        for rule, numerical in _RULES:
            match = rule.match(name)
            if match is None:
                continue
            stack = stacks.setdefault(match["filename"], _Stack(match["parttype"], numerical))
            if stack.parts:
                if (match["parttype"].casefold() != stack.part_type.casefold()
                        or match["number"] in stack.parts):
                    continue
                if numerical != stack.numerical:
                    break
            stack.parts[match["number"]] = name
            break
    for stack in stacks.values():
        members = list(stack.parts.values())
        if own in members and len(members) >= 2:
            return members
    return [own]
