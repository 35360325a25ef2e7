"""plan/execute on one file system, across file systems, and never overwriting."""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

import pytest

from emby_processor.errors import (
    PermanentError,
    SourceMissingError,
    TargetExistsError,
    TransientError,
)
from emby_processor.organizer.filer import MoveIntent, Step, execute, plan
from emby_processor.organizer.fsutil import TEMP_SUFFIX

from .conftest import sha256, temp_files
from .fsfaults import patch_fs

DATA = os.urandom(300_000)


@pytest.fixture
def video(dirs: tuple[Path, Path]) -> Path:
    path = dirs[0] / "abp-123.mp4"
    path.write_bytes(DATA)
    return path


@pytest.fixture
def target(dirs: tuple[Path, Path]) -> Path:
    return dirs[1] / "見本花子" / "ABP-123" / "ABP-123.mp4"


def run(intent: MoveIntent) -> list[str]:
    steps: list[str] = []
    assert execute(intent, on_step=lambda i: steps.append(i.step.value)) == intent.target
    return steps


# --- plan ------------------------------------------------------------------------------------


def test_plan_describes_without_touching(video: Path, target: Path) -> None:
    intent = plan(video, target, "move")
    assert (intent.mode, intent.source, intent.target) == ("move", video, target)
    assert intent.expected_size == len(DATA) and intent.step is Step.PLANNED
    assert intent.temp.parent == target.parent
    assert intent.temp.name.startswith(".ABP-123.mp4.") and intent.temp.name.endswith(TEMP_SUFFIX)
    assert not target.parent.exists()


def test_plan_temp_name_fits_for_long_targets(video: Path, dirs: tuple[Path, Path]) -> None:
    target = dirs[1] / ("あ" * 83 + ".mp4")  # 253 bytes
    intent = plan(video, target, "copy")
    assert len(intent.temp.name.encode()) <= 255
    assert intent.temp != plan(video, target, "copy").temp  # unique per intent


def test_plan_missing_source(target: Path, dirs: tuple[Path, Path]) -> None:
    with pytest.raises(SourceMissingError, match="missing"):
        plan(dirs[0] / "gone.mp4", target, "move")


def test_plan_source_is_directory(target: Path, dirs: tuple[Path, Path]) -> None:
    with pytest.raises(PermanentError, match="not a regular file"):
        plan(dirs[0], target, "move")


def test_plan_refuses_symlink_source(video: Path, target: Path) -> None:
    link = video.with_name("link.mp4")
    link.symlink_to(video)
    with pytest.raises(PermanentError, match="symbolic link"):
        plan(link, target, "move")


def test_execute_needs_a_fresh_intent(video: Path, target: Path) -> None:
    intent = plan(video, target, "move")
    execute(intent)
    with pytest.raises(ValueError, match="fresh intent"):
        execute(intent)


def test_target_folder_blocked_by_a_file_is_permanent(video: Path, dirs: tuple[Path, Path]) -> None:
    (dirs[1] / "blocker").write_bytes(b"x")
    intent = plan(video, dirs[1] / "blocker" / "ABP-123.mp4", "move")
    with pytest.raises(PermanentError):
        execute(intent)
    assert video.read_bytes() == DATA and (dirs[1] / "blocker").read_bytes() == b"x"


def test_plan_unknown_mode(video: Path, target: Path) -> None:
    with pytest.raises(ValueError, match="mode"):
        plan(video, target, "symlink")  # type: ignore[arg-type]


@pytest.mark.parametrize("mode", ["move", "hardlink", "copy"])
def test_plan_refuses_existing_target(video: Path, target: Path, mode: str) -> None:
    target.parent.mkdir(parents=True)
    target.write_bytes(b"the user's file")
    with pytest.raises(TargetExistsError) as info:
        plan(video, target, mode)  # type: ignore[arg-type]
    assert str(target) in str(info.value) and str(video) in str(info.value)
    assert target.read_bytes() == b"the user's file" and video.read_bytes() == DATA


def test_plan_refuses_dangling_symlink_target(video: Path, target: Path) -> None:
    target.parent.mkdir(parents=True)
    target.symlink_to(target.parent / "nowhere")
    with pytest.raises(TargetExistsError):
        plan(video, target, "move")


# --- one file system -------------------------------------------------------------------------


def test_move_same_fs_keeps_inode(video: Path, target: Path) -> None:
    inode = video.stat().st_ino
    intent = plan(video, target, "move")
    assert run(intent) == ["publish", "remove_source", "done"]
    assert not video.exists() and target.read_bytes() == DATA
    assert target.stat().st_ino == inode and target.stat().st_nlink == 1
    assert temp_files(video.parent, target.parent) == []


def test_move_without_hard_links(
    video: Path, target: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    patch_fs(monkeypatch, no_links=True)
    inode = video.stat().st_ino
    assert run(plan(video, target, "move")) == ["publish", "remove_source", "done"]
    assert not video.exists() and target.stat().st_ino == inode


def test_hardlink(video: Path, target: Path) -> None:
    assert run(plan(video, target, "hardlink")) == ["publish", "done"]
    assert os.path.samefile(video, target) and video.read_bytes() == DATA


def test_hardlink_unsupported_is_permanent(
    video: Path, target: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    patch_fs(monkeypatch, no_links=True)
    intent = plan(video, target, "hardlink")
    with pytest.raises(PermanentError, match="cannot hard-link"):
        execute(intent)
    assert intent.step is Step.ROLLED_BACK and not target.exists()


def test_copy(video: Path, target: Path) -> None:
    assert run(plan(video, target, "copy")) == ["copy", "publish", "remove_temp", "done"]
    assert video.read_bytes() == DATA and target.read_bytes() == DATA
    assert not os.path.samefile(video, target)
    assert temp_files(target.parent) == []


def test_copy_without_hard_links(
    video: Path, target: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    patch_fs(monkeypatch, no_links=True)
    run(plan(video, target, "copy"))
    assert target.read_bytes() == DATA and temp_files(target.parent) == []


# --- never overwrite -------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["move", "hardlink", "copy"])
@pytest.mark.parametrize("no_links", [False, True])
def test_target_appearing_after_plan_is_never_overwritten(
    video: Path, target: Path, mode: str, no_links: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    patch_fs(monkeypatch, no_links=no_links)
    intent = plan(video, target, mode)  # type: ignore[arg-type]
    target.parent.mkdir(parents=True)
    target.write_bytes(b"arrived meanwhile")
    with pytest.raises((TargetExistsError, PermanentError)) as info:
        execute(intent)
    if mode != "hardlink" or not no_links:
        assert isinstance(info.value, TargetExistsError)
        assert str(target) in str(info.value) and str(video) in str(info.value)
    assert target.read_bytes() == b"arrived meanwhile"
    assert video.read_bytes() == DATA
    assert intent.step is Step.ROLLED_BACK
    assert temp_files(target.parent) == []


def test_source_gone_before_execute(video: Path, target: Path) -> None:
    intent = plan(video, target, "move")
    video.unlink()
    with pytest.raises(SourceMissingError):
        execute(intent)


def test_source_changed_size_is_transient(video: Path, target: Path) -> None:
    intent = plan(video, target, "copy")
    with video.open("ab") as fh:
        fh.write(b"still downloading")
    with pytest.raises(TransientError, match="changed size"):
        execute(intent)
    assert not target.exists()


def test_source_not_removable_rolls_back(
    video: Path, target: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_unlink = os.unlink

    def unlink(path: object, *args: object, **kwargs: object) -> None:
        if Path(str(path)) == video:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        real_unlink(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "unlink", unlink)
    intent = plan(video, target, "move")
    with pytest.raises(PermanentError, match="Permission denied"):
        execute(intent)
    assert video.read_bytes() == DATA and not target.exists()
    assert intent.step is Step.ROLLED_BACK


def test_disk_full_during_copy_is_transient_and_cleaned(
    video: Path, target: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    def full(src: object, dst: object, length: int = 0) -> None:
        dst.write(b"partial")  # type: ignore[attr-defined]
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(shutil, "copyfileobj", full)
    intent = plan(video, target, "copy")
    with pytest.raises(TransientError, match="No space"):
        execute(intent)
    assert temp_files(target.parent) == [] and not target.exists()


# --- across file systems ---------------------------------------------------------------------


def test_cross_device_move_simulated(
    video: Path, target: Path, dirs: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    patch_fs(monkeypatch, far=dirs[1])
    intent = plan(video, target, "move")
    steps = run(intent)
    assert steps == ["publish", "copy", "publish", "remove_temp", "remove_source", "done"]
    assert intent.cross_device
    assert not video.exists() and target.read_bytes() == DATA
    assert temp_files(dirs[0], dirs[1]) == []


def test_cross_device_move_without_links_simulated(
    video: Path, target: Path, dirs: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    patch_fs(monkeypatch, far=dirs[1], no_links=True)
    run(plan(video, target, "move"))
    assert not video.exists() and target.read_bytes() == DATA
    assert temp_files(dirs[0], dirs[1]) == []


def test_cross_device_hardlink_is_permanent(
    video: Path, target: Path, dirs: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    patch_fs(monkeypatch, far=dirs[1])
    with pytest.raises(PermanentError, match="another file system"):
        execute(plan(video, target, "hardlink"))
    assert video.read_bytes() == DATA and not target.exists()


def _other_device_dir() -> Path | None:
    shm = Path("/dev/shm")
    try:
        if shm.is_dir() and os.access(shm, os.W_OK):
            if shm.stat().st_dev != Path(tempfile.gettempdir()).stat().st_dev:
                return shm
    except OSError:
        return None
    return None


@pytest.mark.skipif(_other_device_dir() is None, reason="no second file system (/dev/shm)")
@pytest.mark.parametrize("mode", ["move", "copy"])
def test_cross_device_real(video: Path, dirs: tuple[Path, Path], mode: str) -> None:
    shm = _other_device_dir()
    assert shm is not None
    with tempfile.TemporaryDirectory(dir=shm) as far:
        target = Path(far) / "lib" / "ABP-123.mp4"
        digest = sha256(video)
        intent = plan(video, target, mode)  # type: ignore[arg-type]
        execute(intent)
        assert intent.cross_device == (mode == "move")
        assert sha256(target) == digest
        assert video.exists() == (mode == "copy")
        assert temp_files(Path(far)) == []
    with tempfile.TemporaryDirectory(dir=shm) as far:
        # and the other way round: from the small file system into the library
        source = Path(far) / "ABP-124.mp4"
        source.write_bytes(DATA)
        target = dirs[1] / "ABP-124.mp4"
        execute(plan(source, target, "move"))
        assert target.read_bytes() == DATA and not source.exists()
    with tempfile.TemporaryDirectory(dir=shm) as far:
        source = Path(far) / "ABP-125.mp4"
        source.write_bytes(DATA)
        with pytest.raises(PermanentError, match="another file system"):
            execute(plan(source, dirs[1] / "x.mp4", "hardlink"))


# --- the intent record -----------------------------------------------------------------------


def test_intent_json_round_trip(video: Path, target: Path) -> None:
    intent = plan(video, target, "copy")
    intent.step, intent.cross_device = Step.PUBLISH, True
    again = MoveIntent.from_json(intent.to_json())
    assert again == intent


def test_intent_json_undecodable_name(tmp_path: Path) -> None:
    name = os.fsdecode(b"bad-\xff-name.mp4")  # a surrogate escape, as os.listdir returns it
    intent = MoveIntent("move", tmp_path / name, tmp_path / "t.mp4", tmp_path / ".t", 1)
    text = intent.to_json()
    text.encode("ascii")
    assert MoveIntent.from_json(text).source == tmp_path / name


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[]",
        '{"version": 1}',
        '{"version": 9, "mode": "move"}',
        '{"version": 1, "mode": "rename", "source": "/a", "target": "/b", "temp": "/c",'
        ' "expected_size": 1, "step": "planned"}',
        '{"version": 1, "mode": "move", "source": "/a", "target": "/b", "temp": "/c",'
        ' "expected_size": -1, "step": "planned"}',
        '{"version": 1, "mode": "move", "source": "/a", "target": "/b", "temp": "/c",'
        ' "expected_size": 1, "step": "flying"}',
        '{"version": 1, "mode": "move", "source": 5, "target": "/b", "temp": "/c",'
        ' "expected_size": 1, "step": "planned"}',
    ],
)
def test_intent_json_malformed(text: str) -> None:
    with pytest.raises(ValueError):
        MoveIntent.from_json(text)
