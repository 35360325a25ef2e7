"""Reading what follows a code: part number, subtitle flag, uncensored flag.

Rules (see docs/moviecode.md, "Suffix rules"):

* Letters glued to the number: ``C``/``CH`` subtitles, ``U`` uncensored, ``UC`` both,
  ``A``/``B``/``D`` parts 1/2/4, ``CD2``/``PT2``/``PART2`` parts; delivery suffixes (``R``,
  ``F``, ``L``, ``HHB``, ``RE01``, ``BOD``, ``TK`` …) are dropped.
* Then the *suffix region*: the separated tokens right after the code, up to the first token that
  is neither a flag, a part nor known noise (1080p, FHD, x264, studio words, years …).  In it,
  ``C``/``CH``/``SUB`` mean subtitles, ``U``/``UNCENSORED``/``LEAK`` uncensored, ``UC`` both, a
  1-2 digit number (1..50) is the part, ``A``/``B``/``D`` are parts 1/2/4 when nothing but
  noise follows them.  A lone ``C`` is always subtitles, never part 3.
* Explicit part words (``cd2``, ``disc 1``, ``part2``, ``pt1``) count anywhere after the code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .noise import SUFFIX_NOISE, SUFFIX_NOISE_RE

MAX_PART = 50
_LETTER_PARTS = {"A": 1, "B": 2, "D": 4}
_SUBS = frozenset(
    {"C", "CH", "CHS", "CHT", "CS", "SC", "SUB", "SUBS", "SUBBED", "CHNSUB", "CHSUB", "CHINESE",
     "CHINESESUB", "CHINESESUBS", "CHINESESUBTITLE", "CHINESESUBTITLES", "SUBTITLE", "SUBTITLES"}
)
_UNC = frozenset({"U", "UNCEN", "UNCENSORED", "LEAK", "LEAKED", "HACK", "HACKED", "UNC"})
_BOTH = frozenset({"UC", "CU", "UCH"})
_PART_WORDS = frozenset({"CD", "DISC", "DISK", "PART", "PT", "DVD"})

_GLUED_RE = re.compile(r"[A-Z0-9]+", re.ASCII)
_GLUED_MEANING_RE = re.compile(
    r"(?P<part>(?:CD|PT|PART|DISC|DISK|DVD)(?P<pn>\d{1,2}))|(?P<both>UC|CU|UCH)|(?P<c>C|CH|CS|SC)"
    r"|(?P<u>U)|(?P<letter>[ABD])"
    r"|(?P<drop>R|F|L|TK|BOD|DOD|SO|HHB\d?|RE\d{1,2}|R18|F?HD\d?|XXX|DL|HHBS?\d?)",
    re.ASCII,
)
_TOKEN_RE = re.compile(
    r"\d{1,2}\.\d{1,2}K(?![A-Z0-9])|[A-Z0-9]+|[^\x00-\x7f]+", re.ASCII
)
_EXPLICIT_PART_RE = re.compile(
    r"(?<![A-Z0-9])(?:CD|DISC|DISK|PART|PT|DVD)[-_\s.]?(\d{1,2})(?!\d)", re.ASCII
)


@dataclass(slots=True)
class Suffix:
    """What the text after a code says."""

    part: int | None = None
    subtitles: bool = False
    uncensored: bool = False
    notes: list[str] = field(default_factory=list)


def _is_noise(token: str) -> bool:
    if token.isdigit():
        return len(token) >= 3  # 1080, 2019, 001: never a part, skipped
    return token in SUFFIX_NOISE or SUFFIX_NOISE_RE.fullmatch(token) is not None


def _is_marker(token: str) -> bool:
    return token in _SUBS or token in _UNC or token in _BOTH or token in _PART_WORDS


def known_glued(glued: str) -> bool:
    """Whether letters glued to a code number are a known suffix (``C``, ``CD1``, ``HHB`` …)."""
    return _GLUED_MEANING_RE.fullmatch(glued) is not None or _is_noise(glued)


def _read_glued(glued: str, out: Suffix) -> None:
    m = _GLUED_MEANING_RE.fullmatch(glued)
    if m is None:
        return
    if m["part"]:
        out.part = int(m["pn"]) or None
        out.notes.append(f"glued {glued!r} → part")
    elif m["both"]:
        out.subtitles = out.uncensored = True
        out.notes.append(f"glued {glued!r} → uncensored + subtitles")
    elif m["c"]:
        out.subtitles = True
        out.notes.append(f"glued {glued!r} → subtitles")
    elif m["u"]:
        out.uncensored = True
        out.notes.append(f"glued {glued!r} → uncensored")
    elif m["letter"]:
        out.part = _LETTER_PARTS[glued]
        out.notes.append(f"glued letter {glued!r} → part {out.part}")


def read_suffix(text: str, end: int) -> Suffix:
    """Read part / subtitles / uncensored from ``text[end:]`` (upper-cased text after a code)."""
    out = Suffix()
    tail = text[end : end + 200]
    if not tail:
        return out
    pos = 0
    glued = _GLUED_RE.match(tail)
    if glued is not None:
        _read_glued(glued.group(), out)
        pos = glued.end()
    tokens = _TOKEN_RE.findall(tail, pos)
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        if tok in _SUBS:
            out.subtitles = True
            out.notes.append(f"{tok!r} → subtitles")
        elif tok in _UNC:
            out.uncensored = True
            out.notes.append(f"{tok!r} → uncensored")
        elif tok in _BOTH:
            out.subtitles = out.uncensored = True
            out.notes.append(f"{tok!r} → uncensored + subtitles")
        elif tok in _PART_WORDS and nxt.isdigit() and len(nxt) <= 2:
            if out.part is None and 0 < int(nxt) <= MAX_PART:
                out.part = int(nxt)
                out.notes.append(f"{tok} {nxt} → part")
            i += 1
        elif tok.isdigit() and len(tok) <= 2:
            # a bare number is a part only at the end of the region (not in "2019-05-05")
            ends = not nxt or _is_noise(nxt) or _is_marker(nxt) or not nxt.isascii()
            after_number = i > 0 and tokens[i - 1].isdigit()
            if out.part is None and ends and not after_number and 0 < int(tok) <= MAX_PART:
                out.part = int(tok)
                out.notes.append(f"trailing number {tok} → part")
        elif tok in _LETTER_PARTS and (not nxt or _is_noise(nxt) or _is_marker(nxt)):
            if out.part is None:
                out.part = _LETTER_PARTS[tok]
                out.notes.append(f"letter {tok} → part {out.part}")
        elif (m := _GLUED_MEANING_RE.fullmatch(tok)) is not None and m["part"]:
            if out.part is None and 0 < int(m["pn"]) <= MAX_PART:
                out.part = int(m["pn"])
                out.notes.append(f"{tok!r} → part")
        elif not _is_noise(tok):
            break
        i += 1
    if out.part is None:
        m = _EXPLICIT_PART_RE.search(tail, pos)
        if m is not None and 0 < int(m[1]) <= MAX_PART:
            out.part = int(m[1])
            out.notes.append(f"{m.group()!r} → part")
    return out
