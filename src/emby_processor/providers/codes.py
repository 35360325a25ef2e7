"""Comparing product codes and DMM content ids the way providers print them.

Providers write the same code differently (``ABP-123``, ``abp123``, ``ABP-0123``,
``FC2-PPV-1234567``); a record is only trusted when its code compares equal to the one we asked
for, so every provider and the chain use these two functions and nothing ad hoc.
"""

from __future__ import annotations

import re

_FC2_PPV = re.compile(r"^FC2[-_ ]*PPV[-_ ]*", re.IGNORECASE)
_SEPARATORS = re.compile(r"[^0-9A-Z]+")
_NUMBER_TOKEN = re.compile(r"0*(\d+)([A-Z]*)")
_COMPACT = re.compile(r"(\d*[A-Z]+)0*(\d+)([A-Z]*)")
# DMM content ids: optional channel prefix (``118``, ``h_1472``), letters, zero-padded number,
# then suffixes we ignore (``re01``, ``tk``, ``bod``)
_CID = re.compile(r"(?:h_\d+)?\d*([a-z]+)0*(\d+)", re.IGNORECASE)
_CODE_SERIES = re.compile(r"\d*([A-Z]+)[-_ ]*0*(\d+)[A-Z]?", re.IGNORECASE)


def normalize_code(code: str) -> str:
    """A comparison key: ``abp-0123`` and ``ABP123`` give ``ABP123``; digit prefixes stay."""
    text = _FC2_PPV.sub("FC2-", code.strip().upper())
    parts = [p for p in _SEPARATORS.split(text) if p]
    if not parts:
        return ""
    if len(parts) > 1:
        # the number after the last separator is compared by value, so ``ABP-012`` == ``ABP-12``
        number = _NUMBER_TOKEN.fullmatch(parts[-1])
        if number:
            return "".join(parts[:-1]) + str(int(number[1])) + number[2]
        return "".join(parts)
    compact = _COMPACT.fullmatch(parts[0])
    if compact:
        return compact[1] + str(int(compact[2])) + compact[3]
    return parts[0]


def codes_match(a: str, b: str) -> bool:
    key = normalize_code(a)
    return bool(key) and key == normalize_code(b)


def cid_series_number(content_id: str) -> tuple[str, int] | None:
    """``118abp00123`` -> ``("ABP", 123)``; None when the id has no label+number shape."""
    match = _CID.match(content_id.strip())
    if not match:
        return None
    return match[1].upper(), int(match[2])


def code_series_number(code: str) -> tuple[str, int] | None:
    """``259LUXU-1234`` -> ``("LUXU", 1234)``: what a content id of this code must contain."""
    text = _FC2_PPV.sub("FC2-", code.strip())
    match = _CODE_SERIES.fullmatch(text)
    if not match:
        return None
    return match[1].upper(), int(match[2])


def cid_matches_code(content_id: str, code: str) -> bool:
    wanted = code_series_number(code)
    return wanted is not None and cid_series_number(content_id) == wanted
