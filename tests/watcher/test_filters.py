"""Each rule that decides whether a file in a watch folder is worth queueing, on real files.

(The rule about files the organizer put into the library needs the queue: see
``test_watcher.py::test_library_inside_watch_folder``.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from emby_processor.config import DEFAULT_EXTENSIONS
from emby_processor.watcher.filters import (
    has_partial_sibling,
    is_candidate_name,
    is_ignored_dir_name,
)

from .conftest import write

EXTENSIONS = DEFAULT_EXTENSIONS.split(",")


def candidate(path: Path, root: Path) -> bool:
    """As the watcher decides once a file has settled: its name, then download markers."""
    return is_candidate_name(path, EXTENSIONS, root) and not has_partial_sibling(path)


@pytest.mark.parametrize("name", ["ABP-123.mp4", "ABP-123.MKV", "abp-123.Mp4", "x.iso", "y.ts"])
def test_video_extensions_case_insensitive(tmp_path: Path, name: str) -> None:
    assert candidate(write(tmp_path / name), tmp_path)


@pytest.mark.parametrize("name", ["ABP-123.nfo", "ABP-123.jpg", "ABP-123", "ABP-123.mp4.txt"])
def test_other_extensions_ignored(tmp_path: Path, name: str) -> None:
    assert not candidate(write(tmp_path / name), tmp_path)


@pytest.mark.parametrize(
    "relative", [".ABP-123.mp4", "._ABP-123.mp4", ".hidden/ABP-123.mp4", "a/.b/c/ABP-123.mp4"]
)
def test_hidden_files_and_folders_ignored(tmp_path: Path, relative: str) -> None:
    assert not candidate(write(tmp_path / relative), tmp_path)


def test_hidden_watch_root_itself_is_fine(tmp_path: Path) -> None:
    root = tmp_path / ".downloads"
    assert candidate(write(root / "sub" / "ABP-123.mp4"), root)


@pytest.mark.parametrize(
    "marker",
    [".part", ".partial", ".!qB", ".!ut", ".crdownload", ".tmp", ".download", ".aria2", ".td"],
)
def test_partial_download_sibling_blocks(tmp_path: Path, marker: str) -> None:
    video = write(tmp_path / "ABP-123.mp4")
    write(tmp_path / f"ABP-123.mp4{marker}")
    assert not candidate(video, tmp_path)
    (tmp_path / f"ABP-123.mp4{marker}").unlink()
    assert candidate(video, tmp_path)


@pytest.mark.parametrize("name", ["ABP-123.mp4.part", "ABP-123.mp4.!qB", "ABP-123.mp4.crdownload"])
def test_partial_download_files_themselves_ignored(tmp_path: Path, name: str) -> None:
    assert not candidate(write(tmp_path / name), tmp_path)


def test_tilde_prefix_ignored(tmp_path: Path) -> None:
    assert not candidate(write(tmp_path / "~ABP-123.mp4"), tmp_path)


def test_browser_download_bundle_ignored(tmp_path: Path) -> None:
    assert not candidate(write(tmp_path / "ABP-123.mp4.download" / "ABP-123.mp4"), tmp_path)


def test_own_temp_files_ignored(tmp_path: Path) -> None:
    assert not candidate(write(tmp_path / ".ABP-123.mp4.x1y2.emby-processor-tmp"), tmp_path)
    # even with a video-looking ending before it and no leading dot
    assert not candidate(write(tmp_path / "ABP-123.mp4.emby-processor-tmp"), tmp_path)


@pytest.mark.parametrize(
    "folder", ["@eaDir", "#recycle", "$RECYCLE.BIN", "#snapshot", "@Recycle", "lost+found"]
)
def test_nas_junk_folders_ignored(tmp_path: Path, folder: str) -> None:
    assert not candidate(write(tmp_path / "share" / folder / "ABP-123.mp4"), tmp_path)
    assert is_ignored_dir_name(folder)
    assert is_ignored_dir_name(folder.upper())
