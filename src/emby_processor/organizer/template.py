"""``LIBRARY_TEMPLATE`` → a safe relative path inside the library.

The template is ``str.format`` syntax with named fields only, split on ``/`` into path segments
*before* any value is substituted, so a ``/`` in a title can never create a directory. Fields:

=============  ================================================================================
``code``       canonical product code (``ABP-123``)
``title``      title as the provider gave it
``actress``    first actress, or ``Unknown``
``actresses``  up to three actresses joined with ``", "``, then ``", …"``; ``Unknown`` if none
``maker``      studio; ``label``, ``series`` likewise (empty when unknown)
``year``       release year (empty when unknown)
``part``       ``-cd1``, ``-cd2``… for multi-part movies, empty otherwise; it must come right
               before ``{ext}`` (added there when the template has none)
``ext``        the video's extension with its dot, lower-cased (``.mp4``)
=============  ================================================================================

A format spec is allowed (``{title:.40}``); conversions (``!r``), attribute or index access and
nested fields are not. The template must be relative, use ``/`` as separator, have no empty,
``.`` or ``..`` segments, and end with ``{ext}``. Emby and Jellyfin stack a movie's parts into
one movie only when the part ends the file name in one folder (``ABP-123-cd1.mp4``,
``ABP-123-cd2.mp4``; Jellyfin's ``VideoFileStackingRules``), so ``{part}`` may only stand right
before ``{ext}``, and a template without it gets it there for a part.

Each segment is then made safe (see :mod:`.sanitize`) and fitted into 255 bytes of UTF-8. When
a segment is too long, the longest free-text field in it (title, actresses, actress, maker,
label, series) is shortened first and ends with ``…``; code, part, year and ext are kept, so
``-cd1`` and ``-cd2`` never collide; a part is given the room of ``-cd99``, so every part of a
movie is shortened alike and the servers still see one stack. The file name keeps 11 bytes
spare so that ``<stem>-fanart.jpg`` still fits.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from functools import lru_cache
from pathlib import PurePosixPath

from emby_processor.metadata import MovieMetadata, Person

from .fsutil import NAME_MAX, truncate_utf8, utf8_len
from .sanitize import PLACEHOLDER, clean_chars, clean_text, finish_stem

DEFAULT_TEMPLATE = "{actress}/{code}/{code}{part}{ext}"
FIELDS = (
    "code",
    "title",
    "actress",
    "actresses",
    "maker",
    "label",
    "series",
    "year",
    "part",
    "ext",
)
_SHORTENABLE = frozenset({"title", "actresses", "actress", "maker", "label", "series"})
MAX_ACTRESSES = 3
#: the longest sidecar suffix; the video's stem leaves room for it
SIDECAR_RESERVE = utf8_len("-fanart.jpg")
_MAX_EXT_BYTES = 16
#: the room a part takes in a file name, whatever its number (parts of one movie shorten alike)
_PART_ROOM = utf8_len("-cd99")
_ELLIPSIS = "…"


@dataclass(frozen=True)
class _Piece:
    literal: str = ""
    field: str | None = None
    spec: str = ""


_Segment = tuple[_Piece, ...]


@lru_cache(maxsize=16)
def _compile(template: str) -> tuple[_Segment, ...]:
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise ValueError(f"invalid LIBRARY_TEMPLATE {template!r}: {exc}") from None
    segments: list[list[_Piece]] = [[]]
    for literal, field, spec, conversion in parsed:
        if "\\" in literal:
            raise ValueError(f"LIBRARY_TEMPLATE {template!r}: use '/' as the path separator")
        first, *rest = literal.split("/")
        segments[-1].append(_Piece(literal=first))
        segments.extend([_Piece(literal=text)] for text in rest)
        if field is None:
            continue
        if field not in FIELDS:
            raise ValueError(
                f"LIBRARY_TEMPLATE: unknown field {{{field}}}; known fields: {', '.join(FIELDS)}"
            )
        if conversion:
            raise ValueError(f"LIBRARY_TEMPLATE: conversion !{conversion} is not supported")
        if spec and ("{" in spec or "}" in spec):
            raise ValueError("LIBRARY_TEMPLATE: nested fields in a format spec are not supported")
        segments[-1].append(_Piece(field=field, spec=spec or ""))
    compiled = tuple(tuple(p for p in seg if p.field or p.literal) for seg in segments)
    _check_shape(template, compiled)
    return compiled


def _check_shape(template: str, segments: tuple[_Segment, ...]) -> None:
    for seg in segments:
        if not seg:
            raise ValueError(
                f"LIBRARY_TEMPLATE {template!r}: must be relative, without empty segments"
            )
        if all(p.field is None for p in seg) and seg[0].literal.strip() in (".", ".."):
            raise ValueError(f"LIBRARY_TEMPLATE {template!r}: '.' and '..' are not allowed")
    if segments[-1][-1] != _Piece(field="ext"):
        raise ValueError(f"LIBRARY_TEMPLATE {template!r}: must end with {{ext}}")
    parts = [(i, j) for i, seg in enumerate(segments) for j, p in enumerate(seg)
             if p.field == "part"]
    if parts and parts != [(len(segments) - 1, len(segments[-1]) - 2)]:
        raise ValueError(
            f"LIBRARY_TEMPLATE {template!r}: {{part}} must come right before {{ext}}: Emby and"
            " Jellyfin stack the parts of a movie into one only when the part ends the file"
            " name (ABP-123-cd1.mp4, ABP-123-cd2.mp4)"
        )


@lru_cache(maxsize=16)
def _with_part(template: str) -> tuple[_Segment, ...]:
    """The template's segments with ``{part}`` right before ``{ext}`` (added if missing)."""
    segments = _compile(template)
    if any(p.field == "part" for p in segments[-1]):
        return segments
    last = segments[-1]
    return (*segments[:-1], (*last[:-1], _Piece(field="part"), last[-1]))


def validate_template(template: str) -> None:
    """Raise ValueError (naming the problem) if ``template`` cannot be used."""
    _compile(template)
    sample = MovieMetadata(
        code="ABC-123", title="Sample", actresses=[Person(name="Sample")], year=2020
    )
    try:
        render_target(template, sample, code="ABC-123", part=1, ext=".mp4")
    except (ValueError, TypeError) as exc:
        raise ValueError(f"LIBRARY_TEMPLATE {template!r}: {exc}") from None


def render_target(
    template: str, metadata: MovieMetadata, *, code: str, part: int | None, ext: str
) -> PurePosixPath:
    """The target path of one video, relative to the library; every segment safe."""
    segments = _compile(template) if part is None else _with_part(template)
    values = field_values(metadata, code=code, part=part, ext=ext)
    last = len(segments) - 1
    return PurePosixPath(
        *(_render_segment(seg, values, is_file=i == last) for i, seg in enumerate(segments))
    )


def field_values(
    metadata: MovieMetadata, *, code: str, part: int | None, ext: str
) -> dict[str, str]:
    names = [n for n in (clean_text(p.name) for p in metadata.actresses) if n]
    actresses = ", ".join(names[:MAX_ACTRESSES])
    if len(names) > MAX_ACTRESSES:
        actresses += ", " + _ELLIPSIS
    year = metadata.year or (metadata.release_date.year if metadata.release_date else None)
    ext = clean_text(ext).lower()
    if ext and not ext.startswith("."):
        ext = "." + ext
    return {
        "code": clean_text(code),
        "title": clean_text(metadata.title),
        "actress": names[0] if names else PLACEHOLDER,
        "actresses": actresses or PLACEHOLDER,
        "maker": clean_text(metadata.maker or ""),
        "label": clean_text(metadata.label or ""),
        "series": clean_text(metadata.series or ""),
        "year": str(year) if year else "",
        "part": f"-cd{part}" if part is not None else "",
        "ext": truncate_utf8(ext, _MAX_EXT_BYTES),
    }


def _render_segment(seg: _Segment, values: dict[str, str], *, is_file: bool) -> str:
    texts: list[str] = []
    shortenable: list[bool] = []
    part_room = 0
    for piece in seg:
        if piece.field is None:
            texts.append(clean_chars(piece.literal))
            shortenable.append(False)
        else:
            # the spec may pad with any fill character, so clean after formatting
            texts.append(clean_chars(format(values[piece.field], piece.spec)))
            shortenable.append(piece.field in _SHORTENABLE)
            if piece.field == "part" and texts[-1]:
                part_room = max(0, _PART_ROOM - utf8_len(texts[-1]))
    suffix = ""
    if is_file:
        suffix = texts.pop()
        shortenable.pop()
    budget = NAME_MAX - utf8_len(suffix)
    if is_file:
        budget = min(budget, NAME_MAX - SIDECAR_RESERVE) - part_room
    while True:
        stem, fixed_suffix = finish_stem(_fit(texts, shortenable, budget), suffix)
        over = utf8_len(stem) - budget
        if over <= 0:
            return stem + fixed_suffix
        budget -= over  # finishing added a byte (reserved-name fix): fit again, tighter


def _fit(texts: list[str], shortenable: list[bool], budget: int) -> str:
    texts = list(texts)
    while (over := sum(map(utf8_len, texts)) - budget) > 0:
        candidates = [i for i, ok in enumerate(shortenable) if ok and texts[i]]
        if not candidates:
            return truncate_utf8("".join(texts), budget)
        i = max(candidates, key=lambda j: utf8_len(texts[j]))
        keep = utf8_len(texts[i]) - over - utf8_len(_ELLIPSIS)
        cut = truncate_utf8(texts[i], keep).rstrip(" ,") if keep > 0 else ""
        texts[i] = cut + _ELLIPSIS if cut else ""
    return "".join(texts)
