"""Text that can be stored, sent and shown: no lone surrogates, no terminal control codes.

Python hands out file names it cannot decode as UTF-8 with each bad byte turned into a lone
surrogate (``\\udc80``–``\\udcff``, PEP 383). That string is right for the file system and wrong
everywhere else: SQLite, JSON and the browser refuse it. Shift-JIS downloads are the common case,
so undecodable bytes are shown as Shift-JIS (Windows code page 932) when they decode as such, and
as ``\\xNN`` escapes when not. Other lone surrogates (from ``\\ud800`` in an upstream's JSON)
become U+FFFD.

- :func:`readable`: the text without surrogates, for storing and showing (control codes kept).
- :func:`safe_line`: also escapes control codes and bidirectional overrides, for log lines and
  other one-line displays where ``ESC[31m`` or ``U+202E`` would mislead a reader.
- :func:`display_path`: a file system path as a person should see it.
- :func:`safe_json`: a JSON-like value with every string made readable.
"""

from __future__ import annotations

import re
from typing import Any

#: a run of escaped bytes, with the ASCII bytes that can be the second byte of a Shift-JIS pair
_ESCAPED_RUN = re.compile("[\udc80-\udcff][\udc80-\udcff\x40-\x7e]*")
_SURROGATE = re.compile("[\ud800-\udfff]")
#: C0 controls except tab and newline, DEL, C1 controls, bidirectional embeddings and isolates
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")
_SURROGATE_OR_UNSAFE = re.compile(f"{_SURROGATE.pattern}|{_UNSAFE.pattern}")


def readable(text: str) -> str:
    """``text`` with escaped bytes decoded (Shift-JIS, else ``\\xNN``), other surrogates U+FFFD."""
    if _SURROGATE.search(text) is None:
        return text
    decoded = _ESCAPED_RUN.sub(_decode_run, text)
    return _SURROGATE.sub("\ufffd", decoded)


def safe_line(text: str) -> str:
    """:func:`readable`, with control codes shown as ``\\xNN`` / ``\\uNNNN`` escapes."""
    if _SURROGATE_OR_UNSAFE.search(text) is None:
        return text
    return _UNSAFE.sub(_escape_char, readable(text))


def display_path(path: str) -> str:
    """A path as it should be shown (a name may hold any byte but ``/`` and NUL)."""
    return safe_line(path)


def is_storable(text: str) -> bool:
    """True when ``text`` encodes as UTF-8 (SQLite, JSON) as it is."""
    return _SURROGATE.search(text) is None


def safe_json(value: Any) -> Any:
    """``value`` (dicts, lists, strings, numbers) with every string :func:`readable`."""
    if isinstance(value, str):
        return readable(value)
    if isinstance(value, dict):
        return {readable(str(k)): safe_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [safe_json(v) for v in value]
    return value


def _decode_run(match: re.Match[str]) -> str:
    run = match.group()
    raw = bytes(ord(c) - 0xDC00 if c >= "\udc80" else ord(c) for c in run)
    try:
        decoded = raw.decode("cp932")
    except UnicodeDecodeError:
        decoded = None
    if decoded is None or _PRIVATE_USE.search(decoded):  # cp932 maps stray bytes to U+F8Fx
        return "".join(f"\\x{b:02x}" if b >= 0x80 else chr(b) for b in raw)
    return decoded


def _escape_char(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"
