"""scan_folder and probe_folder on real directories."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from emby_processor.watcher import scanner
from emby_processor.watcher.filters import is_ignored_dir_name
from emby_processor.watcher.scanner import probe_folder, scan_folder

from .conftest import write


def paths(root: Path, **kwargs: object) -> set[str]:
    return {entry.path for entry in scan_folder(root, **kwargs)}  # type: ignore[arg-type]


def test_nested_folders_with_size_and_mtime(tmp_path: Path) -> None:
    deep = write(tmp_path / "a" / "b" / "c" / "ABP-123.mp4", b"12345", mtime_ns=1_500_000_000_123)
    write(tmp_path / "top.mkv")
    found = {entry.path: entry for entry in scan_folder(tmp_path)}
    assert set(found) == {str(deep), str(tmp_path / "top.mkv")}
    assert found[str(deep)].size == 5
    assert found[str(deep)].mtime_ns == 1_500_000_000_123


def test_skip_dir_prunes_the_walk(tmp_path: Path) -> None:
    write(tmp_path / "@eaDir" / "x.mp4")
    write(tmp_path / ".git" / "y.mp4")
    kept = write(tmp_path / "ok" / "z.mp4")
    assert paths(tmp_path, skip_dir=is_ignored_dir_name) == {str(kept)}


def test_symlinked_folders_not_followed_so_loops_end(tmp_path: Path) -> None:
    real = write(tmp_path / "a" / "ABP-1.mp4")
    os.symlink(tmp_path, tmp_path / "a" / "loop")
    os.symlink(tmp_path / "a", tmp_path / "alias")
    assert paths(tmp_path) == {str(real)}


def test_dangling_symlink_and_fifo_skipped(tmp_path: Path) -> None:
    os.symlink(tmp_path / "gone.mp4", tmp_path / "dangling.mp4")
    os.mkfifo(tmp_path / "pipe.mp4")
    kept = write(tmp_path / "x.mp4")
    assert paths(tmp_path) == {str(kept)}


def test_unreadable_folder_and_vanishing_file_tolerated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path / "locked" / "a.mp4")
    vanishing = write(tmp_path / "b.mp4")
    kept = write(tmp_path / "c.mp4")
    real_scandir = os.scandir

    class Entries:
        """Lists the real folder, but one file disappears between listing and stat."""

        def __init__(self, folder: str) -> None:
            self._inner = real_scandir(folder)

        def __enter__(self) -> Entries:
            return self

        def __exit__(self, *exc: object) -> None:
            self._inner.close()

        def __iter__(self):  # type: ignore[no-untyped-def]
            for entry in self._inner:
                if entry.path == str(vanishing):
                    os.unlink(entry.path)
                yield entry

    def fake_scandir(folder: str) -> Entries:
        if folder.endswith("locked"):
            raise PermissionError(13, "Permission denied", folder)
        return Entries(folder)

    monkeypatch.setattr(scanner.os, "scandir", fake_scandir)
    assert paths(tmp_path) == {str(kept)}


def test_probe_folder(tmp_path: Path) -> None:
    assert probe_folder(tmp_path)[0] == "ok"
    assert probe_folder(tmp_path / "nope")[0] == "missing"
    assert probe_folder(write(tmp_path / "file"))[0] == "missing"
    assert probe_folder(tmp_path / "file" / "below")[0] == "missing"


def test_probe_folder_not_readable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # chmod cannot take access away from root, so ask the access check directly
    monkeypatch.setattr(scanner.os, "access", lambda *_args: False)
    assert probe_folder(tmp_path) == ("not readable", None)
