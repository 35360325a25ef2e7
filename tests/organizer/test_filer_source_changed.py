"""A source that changes while it is copied across file systems is never deleted.

Before the source of a cross-device move is removed, its size, ``mtime_ns`` and inode are
compared with what was copied; a changed source keeps both files (the copy at the target, the
source where it was) and fails with cause ``source_changed``. Hardlink mode refused across file
systems leaves no empty folders behind.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from emby_processor.errors import PermanentError, ProcessingError
from emby_processor.organizer import filer
from emby_processor.organizer.filer import MoveIntent, Step, execute, plan

from .conftest import temp_files
from .fsfaults import patch_fs

DATA = os.urandom(300_000)


@pytest.fixture
def video(dirs: tuple[Path, Path]) -> Path:
    path = dirs[0] / "abp-123.mp4"
    path.write_bytes(DATA)
    os.utime(path, ns=(1_600_000_000_000_000_000, 1_600_000_000_000_000_000))
    return path


@pytest.fixture
def target(dirs: tuple[Path, Path]) -> Path:
    return dirs[1] / "見本花子" / "ABP-123" / "ABP-123.mp4"


def _write_during_copy(monkeypatch: pytest.MonkeyPatch, source: Path) -> None:
    """The download tool writes into the source while the copy runs (same size)."""
    real = shutil.copyfileobj

    def copy(src: Any, dst: Any, length: int = 0) -> None:
        dst.write(src.read(1000))
        with open(source, "r+b") as fh:
            fh.write(b"\xff" * 1000)  # rewrites the start: same size, new mtime
        real(src, dst, length or 1 << 20)

    monkeypatch.setattr(filer.shutil, "copyfileobj", copy)


@pytest.mark.parametrize("mode", ["move", "copy"])
def test_source_written_during_the_copy_keeps_both(
    video: Path, target: Path, dirs: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch,
    mode: str,
) -> None:
    patch_fs(monkeypatch, far=dirs[1])
    _write_during_copy(monkeypatch, video)
    intent = plan(video, target, mode)  # type: ignore[arg-type]
    with pytest.raises(ProcessingError) as raised:
        execute(intent)
    assert raised.value.cause == "source_changed"
    assert raised.value.kind == "permanent"
    assert video.read_bytes()[:1000] == b"\xff" * 1000  # the newer source is kept
    assert target.read_bytes()[:1000] == DATA[:1000]  # and the copy that was made
    assert temp_files(dirs[0], dirs[1]) == []
    assert str(video) in str(raised.value) and str(target) in str(raised.value)


def test_source_replaced_before_removal_is_kept(
    video: Path, target: Path, dirs: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Same size, same mtime, another inode: only the inode tells."""
    patch_fs(monkeypatch, far=dirs[1])
    stamp = video.stat().st_mtime_ns
    other = os.urandom(len(DATA))

    def on_step(intent: MoveIntent) -> None:
        if intent.step is Step.REMOVE_SOURCE:
            replacement = video.with_name("replacement")
            replacement.write_bytes(other)
            os.utime(replacement, ns=(stamp, stamp))
            os.replace(replacement, video)

    with pytest.raises(ProcessingError) as raised:
        execute(plan(video, target, "move"), on_step=on_step)
    assert raised.value.cause == "source_changed"
    assert video.read_bytes() == other and target.read_bytes() == DATA


def test_unchanged_source_is_still_moved(
    video: Path, target: Path, dirs: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    patch_fs(monkeypatch, far=dirs[1])
    execute(plan(video, target, "move"))
    assert not video.exists() and target.read_bytes() == DATA


def test_intent_records_what_the_source_was(video: Path, target: Path) -> None:
    intent = plan(video, target, "move")
    info = video.stat()
    again = MoveIntent.from_json(intent.to_json())
    assert (again.source_mtime_ns, again.source_inode) == (info.st_mtime_ns, info.st_ino)
    # intents saved by earlier versions have neither, and still load
    old = intent.to_json().replace(f', "source_mtime_ns": {info.st_mtime_ns}', "")
    assert MoveIntent.from_json(old).source_mtime_ns is None


def test_recover_does_not_remove_a_changed_source(
    video: Path, target: Path, dirs: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crash just before removing the source; the source changed while the process was down."""
    patch_fs(monkeypatch, far=dirs[1])
    saved: list[str] = []

    class Killed(BaseException):
        pass

    def on_step(intent: MoveIntent) -> None:
        saved.append(intent.to_json())
        if intent.step is Step.REMOVE_SOURCE:
            raise Killed

    with pytest.raises(Killed):
        execute(plan(video, target, "move"), on_step=on_step)
    with open(video, "r+b") as fh:
        fh.write(b"changed")
    outcome = filer.recover(MoveIntent.from_json(saved[-1]))
    assert video.exists() and target.read_bytes() == DATA
    assert any("changed" in action for action in outcome.actions)


def test_hardlink_across_file_systems_leaves_no_empty_folders(
    video: Path, target: Path, dirs: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    patch_fs(monkeypatch, far=dirs[1])
    (dirs[1] / "kept").mkdir()  # folders that were there before stay
    with pytest.raises(PermanentError, match="another file system"):
        execute(plan(video, target, "hardlink"))
    assert sorted(p.name for p in dirs[1].iterdir()) == ["kept"]
    assert video.read_bytes() == DATA
