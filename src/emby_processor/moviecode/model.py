"""Result types of the movie-code parser."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class MovieCode:
    """A product code read from a file name.

    ``code`` is canonical (docs/moviecode.md): upper-case label, hyphen, number as written but
    at least three digits (``ABP-012``), or the family's own form (``FC2-1234567``,
    ``HEYZO-1234``, ``062620-001``, ``N1234``).  ``part`` (cd1, -2, part3, -A/-B …),
    ``subtitles`` (Chinese-subtitle markers) and ``uncensored`` (leak markers) are never part of
    the code.
    """

    code: str
    part: int | None = None
    subtitles: bool = False
    uncensored: bool = False


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why a name parsed the way it did (for ``emby-processor parse`` and the parse tester).

    ``family`` is the name of the family entry that matched (``"standard"``, ``"fc2"``, …) or
    ``""`` when nothing matched; ``rule`` is that family's one-line description, ``matched`` the
    text the code was read from, ``source`` which path component it came from (``"filename"``,
    ``"folder"``, ``"grandparent"``) and ``notes`` the decisions taken on the way (prefix dropped,
    suffix read as subtitles, …).
    """

    name: str
    result: MovieCode | None
    family: str = ""
    rule: str = ""
    matched: str = ""
    source: str = ""
    notes: tuple[str, ...] = ()
