"""The text behind ``emby-processor parse``."""

from __future__ import annotations

from emby_processor.cli_parse import format_parse_results


def test_format_parse_results() -> None:
    out = format_parse_results(
        ["[Thz.la]abp-123-C.mp4", "IMG_1234.mp4", "/w/FC2-PPV-1234567/CD2.mp4"]
    )
    blocks = out.split("\n\n")
    assert len(blocks) == 3
    assert "code:  ABP-123" in blocks[0]
    assert "flags: subtitles" in blocks[0]
    assert "rule:  standard" in blocks[0]
    assert blocks[1] == "IMG_1234.mp4\n  no code"
    assert "code:  FC2-1234567" in blocks[2]
    assert "part:  2" in blocks[2]
    assert "in the folder name" in blocks[2]


def test_empty_list() -> None:
    assert format_parse_results([]) == ""
