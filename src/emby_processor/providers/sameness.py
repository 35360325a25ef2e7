"""Whether two answers describe the same movie (docs/providers.md, 4.4).

Providers write one movie differently: MetaTube's title is DMM's Japanese one, r18.dev's English
one with the Japanese as the original title; DMM masks words (``中●し``); a title may start with
the code or be cut short; makers and names come in Japanese or in romaji. So two answers are

- ``same`` when one content id (compared without padding), a similar title (any of title and
  original title, code and punctuation ignored; equal, one inside the other, or 85 % alike), or
  the same release date together with the same maker or a shared actress (any of her names);
- ``different`` when they are not the same and their titles, or their release dates, differ;
- ``unknown`` when there is too little to tell (no title, no date on one side).
"""

from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher
from typing import Literal

from emby_processor.metadata import MovieMetadata
from emby_processor.providers.codes import cid_series_number, code_series_number

Verdict = Literal["same", "different", "unknown"]

#: how alike two titles must be (difflib's ratio) to be one title
TITLE_RATIO = 0.85
#: the shorter title must be this long to count when it is inside the other
MIN_CONTAINED = 8
_NOT_WORD = re.compile(r"[\W_]+")
_CID_PREFIX = re.compile(r"^(h_\d+|\d*)")


def compare(a: MovieMetadata, b: MovieMetadata) -> Verdict:
    if _cid_key(a) is not None and _cid_key(a) == _cid_key(b):
        return "same"
    titles = same_title(a, b)
    if titles:
        return "same"
    dated = a.release_date is not None and b.release_date is not None
    if dated and a.release_date == b.release_date and (_same_maker(a, b) or _shared_cast(a, b)):
        return "same"
    if titles is False or (dated and a.release_date != b.release_date):
        return "different"
    return "unknown"


def same_title(a: MovieMetadata, b: MovieMetadata) -> bool | None:
    """True when a title of one is a title of the other; None when one side has no title."""
    ours, theirs = _titles(a), _titles(b)
    if not ours or not theirs:
        return None
    return any(_alike(x, y) for x in ours for y in theirs)


def _titles(m: MovieMetadata) -> list[str]:
    code = _code_pattern(m.code)
    found = []
    for title in (m.title, m.original_title):
        if title:
            text = unicodedata.normalize("NFKC", title).casefold()
            if code is not None:
                text = code.sub(" ", text)
            text = _NOT_WORD.sub("", text)
            if text:
                found.append(text)
    return found


def _code_pattern(code: str) -> re.Pattern[str] | None:
    parsed = code_series_number(code)
    if parsed is None:
        return None
    label, number = parsed
    return re.compile(rf"\d*{re.escape(label.casefold())}[-_\s]*0*{number}(?!\d)")


def _alike(x: str, y: str) -> bool:
    if x == y:
        return True
    short, long = sorted((x, y), key=len)
    if len(short) >= MIN_CONTAINED and short in long:
        return True
    return SequenceMatcher(None, x[:300], y[:300]).ratio() >= TITLE_RATIO


def _cid_key(m: MovieMetadata) -> tuple[str, str, int] | None:
    cid = m.content_id or m.external_ids.get("dmm_cid")
    if not cid:
        return None
    parsed = cid_series_number(cid)
    prefix = _CID_PREFIX.match(cid.strip().lower())
    if parsed is None or prefix is None:
        return None
    return prefix[1], parsed[0], parsed[1]


def _norm(text: str) -> str:
    return _NOT_WORD.sub("", unicodedata.normalize("NFKC", text).casefold())


def _same_maker(a: MovieMetadata, b: MovieMetadata) -> bool:
    return bool(a.maker and b.maker and _norm(a.maker) == _norm(b.maker))


def _names(m: MovieMetadata) -> set[str]:
    names: set[str] = set()
    for person in m.actresses:
        for name in (person.name, person.name_ja, person.name_romaji, person.name_kana,
                     *person.aliases):
            if name:
                words = unicodedata.normalize("NFKC", name).casefold().split()
                names.add(_norm("".join(sorted(words))))
    names.discard("")
    return names


def _shared_cast(a: MovieMetadata, b: MovieMetadata) -> bool:
    return bool(_names(a) & _names(b))
