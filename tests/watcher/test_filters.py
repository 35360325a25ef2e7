"""Each rule of ``is_candidate``, on real files."""

from __future__ import annotations

from pathlib import Path

import pytest

from emby_processor.config import DEFAULT_EXTENSIONS
from emby_processor.db import QueueDB
from emby_processor.watcher.filters import is_candidate, is_ignored_dir_name

from .conftest import write

EXTENSIONS = DEFAULT_EXTENSIONS.split(",")


def candidate(path: Path, root: Path, **kwargs: object) -> bool:
    return is_candidate(path, EXTENSIONS, root=root, **kwargs)  # type: ignore[arg-type]


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


def test_library_files_known_to_db_ignored(tmp_path: Path, db: QueueDB) -> None:
    library = tmp_path / "library"
    filed = write(library / "Actress" / "ABP-123" / "ABP-123.mp4")
    dropped = write(library / "Actress" / "ABP-456" / "ABP-456.mp4")
    item, _ = db.enqueue(str(tmp_path / "ABP-123.mp4"), 5, 1)
    db.update_fields(item.id, library_path=str(filed))

    def check(path: Path) -> bool:
        return candidate(path, tmp_path, library_dir=library, is_library_file=lambda p: (
            db.is_library_file(str(p))
        ))

    assert not check(filed)
    assert check(dropped)  # put there by hand, not by the organizer


def test_library_rule_needs_the_file_inside_the_library(tmp_path: Path) -> None:
    video = write(tmp_path / "in" / "ABP-123.mp4")
    assert candidate(
        video, tmp_path, library_dir=tmp_path / "library", is_library_file=lambda _p: True
    )
