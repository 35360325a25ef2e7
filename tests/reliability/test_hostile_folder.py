"""The hostile watch folder (``hostile_folder.py``) against the parts that read it.

Sidecars: in organise mode ``none`` the poster or fanart beside a video is uploaded to the media
server as its Primary image. A sidecar that is a symlink (to ``/proc/self/environ`` or a secrets
file), a FIFO, a 1 GiB sparse file or bytes that are no image is never read into memory and never
uploaded: the cover is downloaded instead.
"""

from __future__ import annotations

import time
import tracemalloc
from pathlib import Path

import pytest

from emby_processor.metadata import MovieMetadata
from emby_processor.service import cover_reader
from tests.fakes.images import TINY_JPEG
from tests.reliability.hostile_folder import SECRET, HostileFolder, build

DOWNLOADED = (TINY_JPEG, "image/jpeg")


class FakeImages:
    """Stands in for the image downloader: records what was asked, answers a tiny JPEG."""

    def __init__(self) -> None:
        self.urls: list[str] = []

    def fetch(self, url: str) -> tuple[bytes, str]:
        self.urls.append(url)
        return DOWNLOADED


@pytest.fixture
def folder(tmp_path: Path) -> HostileFolder:
    return build(tmp_path / "watch")


def _metadata(code: str) -> MovieMetadata:
    return MovieMetadata(code=code, title="t", cover_url=f"http://img.invalid/{code}.jpg")


@pytest.mark.parametrize("name", ["ABP-001.mp4", "ABP-002.mp4", "ABP-003.mp4", "ABP-004.mp4"])
def test_hostile_sidecars_are_never_uploaded(folder: HostileFolder, name: str) -> None:
    images = FakeImages()
    read = cover_reader(images)  # type: ignore[arg-type]
    tracemalloc.start()
    started = time.monotonic()
    try:
        cover = read(folder.video(name), _metadata(name[:7]))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert cover == DOWNLOADED, f"{folder.videos[name]}: the local file was used"
    assert images.urls == [f"http://img.invalid/{name[:7]}.jpg"]
    assert peak < 25 * 2**20, f"{folder.videos[name]}: {peak / 2**20:.0f} MB read"
    assert time.monotonic() - started < 5


def test_secrets_never_leave_through_a_sidecar(folder: HostileFolder) -> None:
    read = cover_reader(FakeImages())  # type: ignore[arg-type]
    for name in folder.videos:
        cover = read(folder.video(name), _metadata("ABP-000"))
        assert cover is None or SECRET not in cover[0]
        assert cover is None or b"PATH=" not in cover[0]


def test_a_real_image_under_a_jpg_name_is_used_with_its_own_type(folder: HostileFolder) -> None:
    images = FakeImages()
    cover = cover_reader(images)(folder.video("ABP-005.mp4"), _metadata("ABP-005"))  # type: ignore[arg-type]
    assert cover is not None
    assert cover[1] == "image/png" and cover[0].startswith(b"\x89PNG")
    assert images.urls == []
