"""Reading a poster or fanart beside a video: only regular files, under the cap, real images."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from emby_processor.organizer import localimage
from emby_processor.organizer.localimage import LocalImageRefused, local_cover, read_local_image
from tests.fakes.images import TINY_JPEG, TINY_PNG


def test_a_jpeg_is_read_with_its_type(tmp_path: Path) -> None:
    path = tmp_path / "a-poster.jpg"
    path.write_bytes(TINY_JPEG)
    assert read_local_image(path) == (TINY_JPEG, "image/jpeg")


def test_the_bytes_decide_the_type_not_the_name(tmp_path: Path) -> None:
    path = tmp_path / "a-poster.jpg"
    path.write_bytes(TINY_PNG)
    assert read_local_image(path) == (TINY_PNG, "image/png")


@pytest.mark.parametrize("make, reason", [
    (lambda p, t: os.symlink(t / "real.jpg", p), "symbolic link"),
    (lambda p, t: os.mkfifo(p), "not a regular file"),
    (lambda p, t: p.mkdir(), "not a regular file"),
    (lambda p, t: p.write_bytes(b"API_TOKEN=x\n"), "not an image"),
    (lambda p, t: p.write_bytes(TINY_JPEG + b"\0" * 200), "over 100"),
])
def test_refused(tmp_path: Path, make: object, reason: str) -> None:
    (tmp_path / "real.jpg").write_bytes(TINY_JPEG)
    path = tmp_path / "a-poster.jpg"
    make(path, tmp_path)  # type: ignore[operator]
    with pytest.raises(LocalImageRefused, match=reason):
        read_local_image(path, max_bytes=100 if "over" in reason else 20 << 20)


def test_a_name_that_is_no_image_name_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a-poster.env"
    path.write_bytes(TINY_JPEG)
    with pytest.raises(LocalImageRefused, match="not named as an image"):
        read_local_image(path)


def test_missing_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        read_local_image(tmp_path / "a-poster.jpg")


def test_swapped_for_a_link_after_the_look_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "a-poster.jpg"
    path.write_bytes(TINY_JPEG)
    secret = tmp_path / "secret"
    secret.write_bytes(TINY_JPEG)
    real_lstat = os.lstat

    def lstat_then_swap(p: object, *args: object, **kwargs: object) -> os.stat_result:
        info = real_lstat(p)  # type: ignore[arg-type]
        path.unlink()
        os.symlink(secret, path)  # the race: a link where the file was
        return info

    monkeypatch.setattr(localimage.os, "lstat", lstat_then_swap)
    with pytest.raises(LocalImageRefused, match="symbolic link"):
        read_local_image(path)


def test_replaced_by_another_file_after_the_look_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "a-poster.jpg"
    path.write_bytes(TINY_JPEG)
    real_lstat = os.lstat

    def lstat_then_replace(p: object, *args: object, **kwargs: object) -> os.stat_result:
        info = real_lstat(p)  # type: ignore[arg-type]
        other = tmp_path / "other.jpg"
        other.write_bytes(TINY_PNG)
        os.replace(other, path)
        return info

    monkeypatch.setattr(localimage.os, "lstat", lstat_then_replace)
    with pytest.raises(LocalImageRefused, match="replaced"):
        read_local_image(path)


def test_local_cover_prefers_the_poster_and_skips_what_is_refused(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    video = tmp_path / "ABP-123.mp4"
    video.write_bytes(b"video")
    assert local_cover(video) is None
    (tmp_path / "ABP-123-fanart.jpg").write_bytes(TINY_PNG)
    os.symlink("/proc/self/environ", tmp_path / "ABP-123-poster.jpg")
    with caplog.at_level(logging.WARNING):
        assert local_cover(video) == (TINY_PNG, "image/png")
    assert "poster image beside ABP-123.mp4 not used: ABP-123-poster.jpg is a symbolic link" \
        in caplog.text
    (tmp_path / "ABP-123-poster.jpg").unlink()
    (tmp_path / "ABP-123-poster.jpg").write_bytes(TINY_JPEG)
    assert local_cover(video) == (TINY_JPEG, "image/jpeg")
