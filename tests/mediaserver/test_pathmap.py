from __future__ import annotations

import pytest

from emby_processor.mediaserver.pathmap import PathMap


def test_blank_text_is_the_identity_map() -> None:
    empty = PathMap.parse("  ")
    assert not empty
    assert empty.to_server("/library/a.mp4") == "/library/a.mp4"


def test_maps_both_ways_on_segment_boundaries() -> None:
    pm = PathMap.parse("/library=/mnt/media")
    assert pm.to_server("/library/A/ABP-123.mp4") == "/mnt/media/A/ABP-123.mp4"
    assert pm.to_server("/library") == "/mnt/media"
    assert pm.to_server("/library2/x.mp4") == "/library2/x.mp4"  # not a segment boundary
    assert pm.to_local("/mnt/media/A/ABP-123.mp4") == "/library/A/ABP-123.mp4"
    assert pm.to_local("/mnt/mediaX/a.mp4") == "/mnt/mediaX/a.mp4"


def test_longest_prefix_wins_whatever_the_order() -> None:
    pm = PathMap.parse("/data=/srv, /data/jav/=/jav/")
    assert pm.to_server("/data/jav/x.mp4") == "/jav/x.mp4"
    assert pm.to_server("/data/other/x.mp4") == "/srv/other/x.mp4"


def test_windows_server_prefix_converts_separators() -> None:
    pm = PathMap.parse(r"/library=D:\Media\JAV,/share=\\nas\videos")
    assert pm.to_server("/library/見本花子/ABP-123.mp4") == r"D:\Media\JAV\見本花子\ABP-123.mp4"
    assert pm.to_server("/share/a/b.mkv") == r"\\nas\videos\a\b.mkv"
    # Windows paths come back case-insensitively and with either separator.
    assert pm.to_local(r"d:\media\jav\x\y.mp4") == "/library/x/y.mp4"
    assert pm.to_local("D:/Media/JAV/x.mp4") == "/library/x.mp4"


def test_root_prefixes() -> None:
    assert PathMap.parse("/=/srv").to_server("/a/b.mp4") == "/srv/a/b.mp4"
    assert PathMap.parse(r"/data=C:\\").to_server("/data/a/b.mp4") == r"C:\a\b.mp4"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("/library", "no '='"),
        ("=/mnt/media", "empty local side"),
        ("/library=", "empty server side"),
        ("/a=/x,/a/=/y", "twice"),
        ("library=/mnt", "not an absolute path"),
        ("/library=media", "not an absolute path"),
    ],
)
def test_malformed_input_is_rejected_clearly(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message) as info:
        PathMap.parse(text)
    assert "EMBY_PATH_MAP" in str(info.value)


def test_server_paths_compare_as_the_server_may_spell_them() -> None:
    from emby_processor.mediaserver.pathmap import same_server_path

    assert same_server_path("D:\\Media\\JAV\\ABP-123.mp4", "d:/media/jav/abp-123.mp4")
    assert same_server_path("\\\\nas\\share\\A.mp4", "\\\\NAS\\Share\\a.mp4")
    # a POSIX server's file system tells case apart; the Unicode form it may not keep
    assert not same_server_path("/mnt/media/ABP-123.mp4", "/mnt/media/abp-123.mp4")
    assert same_server_path("/mnt/media/ガ.mp4", "/mnt/media/カ\u3099.mp4")
