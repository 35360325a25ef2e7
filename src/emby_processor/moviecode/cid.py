"""Number formatting and DMM content-id (cid) conversion.

DMM content ids are lower-case, unhyphenated and zero-padded to five digits, optionally with a
channel prefix (``118abw00001``, ``4sone00860``, ``h_1472smkcx003``) and a trailing delivery
suffix (``hhb``, ``re01``, ``bod``, ``tk``, ``r``).  Converting one to a code drops the prefix and
suffix and strips the padding down to at least three digits.
"""

from __future__ import annotations

import re

CID_RE = re.compile(
    r"(?:h_\d{2,4})?\d{0,4}(?P<label>[a-z]{2,8})(?P<num>\d{2,5})(?P<suffix>[a-z]{0,4}\d{0,2})",
    re.ASCII | re.IGNORECASE,
)


def format_number(num: str) -> str:
    """Return the code number for ``num`` as written, padded to three digits.

    A five-digit (or longer) number with leading zeros is DMM padding: it is stripped down to at
    least three digits (``00012`` -> ``012``, ``01234`` -> ``1234``).  Shorter numbers keep their
    zeros (``0123`` stays, ``12`` becomes ``012``).
    """
    if len(num) >= 5 and num[0] == "0":
        num = num.lstrip("0")
    return num.zfill(3)


#: Numeric DMM channel prefixes that no digit-prefixed amateur label (``259LUXU``, ``300MIUM``)
#: uses, seen in real content ids: ``1`` (SOD group: ``1fsdss``, ``1sdab``), ``4`` (``4sone``),
#: ``13`` (``13dsvr``), ``48`` (``48midv``), ``118`` (Prestige: ``118abf030``, ``118abw00001``),
#: ``436`` (another channel's ``436abf00030``).  With one of them the prefix is a channel even
#: when the number is not zero-padded (``118abf030`` -> ``ABF-030``).
DMM_CHANNELS: frozenset[str] = frozenset({"1", "4", "13", "48", "118", "436"})


def is_padded_content_id(h_prefix: str | None, prefix: str | None, sep: str, num: str) -> bool:
    """Written like a DMM content id: an ``h_NNN`` prefix, or a number zero-padded to five."""
    if h_prefix:
        return True
    return len(num) == 5 and num[0] == "0" and (sep == "" or prefix is not None)


def is_content_id(h_prefix: str | None, prefix: str | None, sep: str, num: str) -> bool:
    """Whether a label/number match is a DMM content id rather than a DVD id."""
    return prefix in DMM_CHANNELS or is_padded_content_id(h_prefix, prefix, sep, num)


def cid_to_code(cid: str) -> str | None:
    """Convert a DMM content id to a canonical code, or ``None`` if it is not one.

    >>> cid_to_code("118abw00001")
    'ABW-001'
    >>> cid_to_code("h_068mxgs1184bod")
    'MXGS-1184'
    """
    m = CID_RE.fullmatch(cid.strip())
    if m is None:
        return None
    return f"{m['label'].upper()}-{format_number(m['num'])}"
