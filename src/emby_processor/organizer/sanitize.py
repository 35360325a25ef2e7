"""Turn arbitrary text (file names, scraped titles) into one safe path segment.

Rules, applied to every segment of a rendered library path:

- Unicode NFC, so the same title always gives the same bytes.
- Control characters (C0, DEL, C1), lone surrogates and invisible format characters are removed:
  bidi overrides/isolates/marks (U+202A–U+202E, U+2066–U+2069, U+200E/F, U+061C), zero-width
  spaces, BOM, tag characters. ZWJ/ZWNJ stay (emoji sequences and Persian/Indic text need them).
- Any whitespace (tabs, newlines, U+2028, ideographic space…) becomes one ASCII space; runs
  collapse and the ends are trimmed.
- ``/ \\ : * ? " < > |`` (path separators and what Windows/SMB shares reject) are replaced by
  their full-width forms (``／ ＼ ： ＊ ？ ＂ ＜ ＞ ｜``): readable, and legal everywhere.
- Leading dots and spaces are dropped (a leading dot would hide the folder from Emby and from our
  own watcher; this also disposes of ``.`` and ``..``). A leading ``-`` becomes ``_`` so a path
  segment is never read as an option by shell tools.
- Trailing dots and spaces are dropped (Windows strips them silently, which breaks round trips).
- Windows reserved device names (CON, PRN, AUX, NUL, COM0–9, LPT0–9, CONIN$, CONOUT$, also with an
  extension such as ``nul.mp4``) get a ``_`` appended to the base name.
- An empty result becomes ``Unknown``.
"""

from __future__ import annotations

import unicodedata

PLACEHOLDER = "Unknown"

_FULLWIDTH = {
    "/": "／",
    "\\": "＼",
    ":": "：",
    "*": "＊",
    "?": "？",
    '"': "＂",
    "<": "＜",
    ">": "＞",
    "|": "｜",
}
FORBIDDEN_CHARS = frozenset(_FULLWIDTH)
#: format characters that carry meaning in real text; every other Cf character is dropped
_KEEP_FORMAT = frozenset({"\u200c", "\u200d"})
_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
    | {f"{dev}{n}" for dev in ("COM", "LPT") for n in [*"0123456789", "¹", "²", "³"]}
)


def clean_text(text: str) -> str:
    """Clean a value: :func:`clean_chars`, then whitespace runs collapsed and ends trimmed."""
    return _collapse(clean_chars(text))


def clean_chars(text: str) -> str:
    """Character-level cleaning only (template literals keep their spaces as written).

    Does not apply the segment-edge rules; use :func:`finish_stem` on the assembled segment.
    """
    text = unicodedata.normalize("NFC", text)
    out: list[str] = []
    for ch in text:
        if ch in _FULLWIDTH:
            out.append(_FULLWIDTH[ch])
            continue
        category = unicodedata.category(ch)
        if ch.isspace() or category in ("Zs", "Zl", "Zp"):
            out.append(" ")
        elif category in ("Cc", "Cs") or (category == "Cf" and ch not in _KEEP_FORMAT):
            continue
        else:
            out.append(ch)
    return "".join(out)


def _collapse(text: str) -> str:
    return " ".join(part for part in text.split(" ") if part)


def finish_stem(stem: str, suffix: str = "") -> tuple[str, str]:
    """Apply the edge rules to a segment split as ``stem + suffix`` (suffix = file extension).

    Returns the fixed ``(stem, suffix)``; the stem is never empty.
    """
    stem = _collapse(stem).lstrip(" .")
    if stem.startswith("-"):
        stem = "_" + stem[1:]
    suffix = suffix.rstrip(" .")
    if not suffix:
        stem = stem.rstrip(" .")
    if not stem:
        stem = PLACEHOLDER
    base = (stem + suffix).split(".", 1)[0].rstrip(" ")
    if base.upper() in _RESERVED:
        stem = base + "_" + stem[len(base) :]
    return stem, suffix


def is_safe_segment(segment: str) -> bool:
    """The invariant every rendered segment satisfies (used by tests and assertions)."""
    if not segment or segment != segment.strip(" ") or segment.endswith("."):
        return False
    if segment.startswith((".", "-")):
        return False
    if any(ch in FORBIDDEN_CHARS for ch in segment):
        return False
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in segment):
        return False
    return segment.split(".", 1)[0].rstrip(" ").upper() not in _RESERVED
