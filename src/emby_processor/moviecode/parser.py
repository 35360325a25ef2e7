"""The parsing algorithm: clean the name, collect candidates from every family, pick one.

Plausibility rule when a name holds more than one candidate (docs/moviecode.md):

1. a code in the file name beats one in the folder name (the folder is only read when the file
   name has none);
2. a family-specific match (FC2, HEYZO, Caribbeancom with its studio word, …) beats a generic
   ``LABEL-NUMBER`` or bare-date match;
3. among generic matches, the separator as written decides: ``-`` beats ``_`` beats glued beats
   space (``abp123 XYZ-456`` -> ``XYZ-456``);
4. then the first one in the name.

Noise labels (``IMG``, ``HD``, ``PPV``, site names …) and domains are removed before step 1, so
``hhd800.com@abp123`` never yields ``HHD-800``.
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

from .families import FAMILIES, UNKNOWN_GLUED_PENALTY
from .family import Canon, Family
from .model import Explanation, MovieCode
from .noise import (
    CONTROL_RE,
    COPY_MARKER_RE,
    DOMAIN_RE,
    EXTENSIONS,
    PART_WORDS,
    SUBS_ANYWHERE_RE,
    UNC_ANYWHERE_RE,
    UNC_ASCII_HINTS,
)
from .suffix import read_suffix

MAX_COMPONENT = 512  # only the last 512 characters of a path component are read
MAX_INPUT = 8192  # only the last 8 KiB of the input are split into components

_DASHES = str.maketrans({c: "-" for c in "‐‑‒–—―−﹣－ー"} | {"　": " ", "＿": "_"})
_PART_ONLY_RE = re.compile(
    r"(?:CD|DISC|DISK|PART|PT|DVD)?[-_\s.]?(\d{1,2})|([AB])", re.ASCII | re.IGNORECASE
)
_UNC_HINT_RE = re.compile("|".join(UNC_ASCII_HINTS))
_COPY_HINTS = ("副本", "复制", "コピー")


def _strip_extension(base: str) -> str:
    for _ in range(2):
        dot = base.rfind(".")
        if dot <= 0 or base[dot + 1 :].lower() not in EXTENSIONS:
            break
        base = base[:dot]
    return base


_ASCII_UPPER = {c: c - 32 for c in range(ord("a"), ord("z") + 1)}


def _clean(text: str) -> tuple[str, str]:
    """Normalise one path component: width, dashes, control chars, copy marker, domains.

    Returns the cleaned text and the same text with ASCII letters upper-cased (same length).
    """
    text = text[-MAX_COMPONENT:]
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text.translate(_DASHES)).translate(_DASHES)
    if not text.isprintable():
        text = CONTROL_RE.sub(" ", text)
    if text.endswith(")") or "opy" in text or "OPY" in text or (
        not text.isascii() and any(h in text for h in _COPY_HINTS)
    ):
        text = COPY_MARKER_RE.sub("", text)
    if "." in text:
        text = DOMAIN_RE.sub(" ", text)
    return text, text.upper() if text.isascii() else text.translate(_ASCII_UPPER)


# One regex for every family's trigger words, so that a name is scanned once to learn which
# keyword-gated families to try; families without triggers are always tried.
_TRIGGERS: dict[str, frozenset[int]] = {}
for _index, _family in enumerate(FAMILIES):
    for _trigger in _family.triggers:
        _TRIGGERS[_trigger] = _TRIGGERS.get(_trigger, frozenset()) | {_index}
_TRIGGER_RE = re.compile(
    "|".join(re.escape(t) for t in sorted(_TRIGGERS, key=len, reverse=True)),
    re.ASCII,
)
_ALWAYS = tuple(i for i, f in enumerate(FAMILIES) if not f.triggers)


def _families_for(upper: str) -> tuple[int, ...] | list[int]:
    words = _TRIGGER_RE.findall(upper)
    if not words:
        return _ALWAYS
    wanted = set(_ALWAYS)
    for word in words:
        wanted |= _TRIGGERS[word]
    return sorted(wanted)


def _best(upper: str, original: str) -> tuple[Canon, re.Match[str], Family] | None:
    best: tuple[int, int, int, int] | None = None
    found: tuple[Canon, re.Match[str], Family] | None = None
    for index in _families_for(upper):
        family = FAMILIES[index]
        search = family.pattern.search
        m = search(upper)
        while m is not None:
            canon = family.canonicalise(m, original)
            if canon is None:  # rejected (noise label …)
                m = search(upper, m.start() + 1)
                continue
            key = (canon.rank, canon.quality, m.start(), index)
            if best is None or key < best:
                best, found = key, (canon, m, family)
            # a candidate with unknown letters glued to its number may hide a better one that
            # overlaps it ("MGS-259LUXU-1234"): rescan from the next character, not its end
            m = search(upper, m.end() if canon.quality < UNKNOWN_GLUED_PENALTY else m.start() + 1)
    return found


class _Found(NamedTuple):
    """What one path component gave (an Explanation without the input name)."""

    result: MovieCode
    family: Family
    matched: str
    source: str
    notes: list[str]


def _component(text: str, source: str) -> _Found | None:
    original, upper = _clean(text)
    hit = _best(upper, original)
    if hit is None:
        return None
    canon, m, family = hit
    suffix = read_suffix(upper, canon.end if canon.end >= 0 else m.end())
    notes = suffix.notes
    if canon.note:
        notes.insert(0, canon.note)
    subtitles, uncensored, part = suffix.subtitles, suffix.uncensored, suffix.part
    if not upper.isascii():
        if not subtitles and SUBS_ANYWHERE_RE.search(upper):
            subtitles = True
            notes.append("Chinese-subtitle word → subtitles")
        if part is None:
            for word, number in PART_WORDS.items():
                if word in upper:
                    part = number
                    notes.append(f"{word} → part {number}")
                    break
    if (
        not uncensored
        and (not upper.isascii() or _UNC_HINT_RE.search(upper) is not None)
        and UNC_ANYWHERE_RE.search(upper)
    ):
        uncensored = True
        notes.append("leak word → uncensored")
    result = MovieCode(canon.code, part, subtitles, uncensored)
    return _Found(result, family, original[m.start() : m.end()], source, notes)


def _part_only(text: str) -> int | None:
    """The part number of a name that is nothing but a part marker (``CD1``, ``2``, ``B``)."""
    m = _PART_ONLY_RE.fullmatch(text.strip())
    if m is None:
        return None
    if m[2]:
        return 1 if m[2].upper() == "A" else 2
    number = int(m[1])
    return number if 0 < number <= 50 else None


def _from_folder(folder: str, source: str, part: int | None, child: str) -> _Found | None:
    found = _component(folder, source)
    if found is None or part is None:
        return found
    result = found.result
    found.notes.append(f"part {part} from {child!r}")
    return found._replace(
        result=MovieCode(result.code, part, result.subtitles, result.uncensored)
    )


def _find(name: str) -> _Found | None:
    if not isinstance(name, str):
        return None
    name = name[-MAX_INPUT:]
    if "/" in name or "\\" in name:
        parts = [p for p in name.replace("\\", "/").split("/") if p.strip()]
    else:
        parts = [name] if name.strip() else []
    if not parts:
        return None
    stem = _strip_extension(parts[-1].strip())
    found = _component(stem, "filename")
    if found is not None or len(parts) < 2:
        return found
    part = _part_only(stem)
    found = _from_folder(parts[-2], "folder", part, stem)
    if found is not None or len(parts) < 3:
        return found
    folder_part = _part_only(parts[-2])
    if folder_part is None:
        return None
    return _from_folder(parts[-3], "grandparent", part or folder_part, parts[-2])


def explain(name: str) -> Explanation:
    """Parse ``name`` (a file name or a path) and say which rule matched.  Never raises."""
    shown = name if isinstance(name, str) else ""
    try:
        found = _find(name)
    except Exception:  # pragma: no cover - defensive: the parser must never raise
        found = None
    if found is None:
        return Explanation(shown, None)
    family = found.family
    return Explanation(
        shown, found.result, family.name, family.description, found.matched, found.source,
        tuple(found.notes),
    )


def parse_movie_code(name: str) -> MovieCode | None:
    """Read the movie code from a file name or path; ``None`` when there is none.

    Pure and total: no I/O, never raises, whatever the string.
    """
    try:
        found = _find(name)
    except Exception:  # pragma: no cover - defensive: the parser must never raise
        return None
    return None if found is None else found.result


def canonical_code(code: str) -> str | None:
    """The canonical form of a code (``abp00012`` -> ``ABP-012``), ``None`` if it is not one."""
    result = parse_movie_code(code)
    return None if result is None else result.code
