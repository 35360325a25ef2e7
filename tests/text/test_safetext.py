"""Safe text: file names from Shift-JIS downloads are shown as what they say, and nothing that
leaves the process (SQLite, JSON, a terminal) ever meets a lone surrogate or a control code."""

from __future__ import annotations

import json
import os

from hypothesis import given
from hypothesis import strategies as st

from emby_processor.safetext import display_path, is_storable, readable, safe_json, safe_line


def escaped(text: str, codec: str = "cp932") -> str:
    """The str Python gives for a name written in ``codec`` on a UTF-8 file system."""
    return os.fsdecode(text.encode(codec))


def test_shift_jis_names_read_as_japanese() -> None:
    for name in ("ファイル名.mp4", "ソ十表能.mkv", "ｱｲｳ半角.mp4", "[字幕] 見本-123.mp4"):
        path = escaped(f"/watch/{name}")
        assert not is_storable(path)
        assert display_path(path) == f"/watch/{name}"


def test_bytes_that_are_no_shift_jis_are_escaped() -> None:
    assert display_path(os.fsdecode(b"/w/caf\xe9.mp4")) == "/w/caf\\xe9.mp4"
    assert display_path(os.fsdecode(b"/w/\xff\xfe.mp4")) == "/w/\\xff\\xfe.mp4"


def test_other_lone_surrogates_become_replacement_characters() -> None:
    assert readable("a\ud800b\udfffc") == "a\ufffdb\ufffdc"


def test_control_codes_are_shown_not_obeyed() -> None:
    assert safe_line("a\x1b[31mb\x00c\u202ed\r") == "a\\x1b[31mb\\x00c\\u202ed\\x0d"
    assert safe_line("two\nlines\tand a tab") == "two\nlines\tand a tab"
    assert readable("keeps \x1b in stored text") == "keeps \x1b in stored text"


def test_safe_json_reaches_every_string() -> None:
    value = {"path": escaped("/w/名.mp4"), "list": ["\ud800", 1, None], "\udcff": True}
    cleaned = safe_json(value)
    json.dumps(cleaned, ensure_ascii=False).encode("utf-8")  # does not raise
    assert cleaned["path"] == "/w/名.mp4"


@given(st.binary(max_size=64))
def test_any_bytes_give_storable_text(raw: bytes) -> None:
    name = os.fsdecode(raw.replace(b"/", b"").replace(b"\x00", b""))
    for text in (readable(name), safe_line(name), display_path(name)):
        text.encode("utf-8")  # never raises
        assert is_storable(text)
    if is_storable(name):
        assert readable(name) == name  # valid names are never touched


@given(st.text())
def test_valid_text_without_controls_is_untouched(text: str) -> None:
    if is_storable(text) and safe_line(text) == text:
        assert readable(text) == text
