"""Movie-code parser: file name -> :class:`MovieCode` (docs/moviecode.md).

>>> parse_movie_code("[Thz.la]abp-123-C.mp4")
MovieCode(code='ABP-123', part=None, subtitles=True, uncensored=False)

The families it knows are the data table in :mod:`emby_processor.moviecode.families`; the
rules are described in ``docs/moviecode.md``.
"""

from __future__ import annotations

from .cid import cid_to_code
from .families import FAMILIES
from .family import Family
from .model import Explanation, MovieCode
from .parser import canonical_code, explain, parse_movie_code

__all__ = [
    "FAMILIES",
    "Explanation",
    "Family",
    "MovieCode",
    "canonical_code",
    "cid_to_code",
    "explain",
    "parse_movie_code",
]
