"""What a code family is: its entry in the table (``families.py``) and the candidate it reads."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

SPECIFIC = 0  # a studio / family-specific shape: beats any generic match
GENERIC = 1  # a generic LABEL-NUMBER (or bare date) shape


class Canon(NamedTuple):
    """A candidate code read from one match (a NamedTuple: cheap to create)."""

    code: str
    rank: int = SPECIFIC
    quality: int = 0  # separator as written: 0 '-', 1 '_', 2 glued, 3 space (lower is better)
    end: int = -1  # where the suffix starts, when not at the end of the match
    note: str = ""


Canonicaliser = Callable[[re.Match[str], str], Canon | None]


@dataclass(frozen=True, slots=True)
class Family:
    """One family of codes."""

    name: str
    description: str
    pattern: re.Pattern[str]
    canonicalise: Canonicaliser
    examples: tuple[tuple[str, str], ...]
    # Upper-case substrings of which one must occur for the family to be tried; () = always.
    triggers: tuple[str, ...] = ()


NOT_GLUED = r"(?<![A-Z0-9])"  # not glued to a preceding letter or digit
SEPARATOR = r"[-_\s]"  # a separator


def ascii_pattern(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.ASCII)


def fixed(template: str, *, pad: int = 0) -> Canonicaliser:
    """Canonicaliser that formats the match's groups into ``template`` (upper-cased)."""

    def canon(m: re.Match[str], _original: str) -> Canon | None:
        groups = [g for g in m.groups() if g is not None]
        if pad and groups:
            groups[-1] = groups[-1].zfill(pad)
        return Canon(template.format(*groups))

    return canon
