"""Kill the filer at every step, then recover: exactly one complete copy, no temp files left.

A crash is simulated by ``on_step`` raising :class:`Crash` (a BaseException nothing catches),
either right after the new step was persisted (the action did not run) or right before (the
previous action ran but was not recorded). The persisted JSON is what a restart would read.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from emby_processor.organizer.filer import MoveIntent, RecoveryOutcome, execute, plan, recover

from .conftest import sha256, temp_files
from .fsfaults import Crash, patch_fs

DATA = os.urandom(200_000)
SCENARIOS = {
    # name: (mode, library on another device, no hard links)
    "move": ("move", False, False),
    "move-nolink": ("move", False, True),
    "move-xdev": ("move", True, False),
    "move-xdev-nolink": ("move", True, True),
    "copy": ("copy", False, False),
    "copy-nolink": ("copy", False, True),
    "hardlink": ("hardlink", False, False),
}


class Setup:
    def __init__(self, root: Path, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
        self.mode, xdev, no_links = SCENARIOS[name]
        self.watch, self.library = root / "watch", root / "library"
        self.watch.mkdir(parents=True)
        self.library.mkdir()
        self.source = self.watch / "abp-123.mp4"
        self.source.write_bytes(DATA)
        self.digest = sha256(self.source)
        self.target = self.library / "A" / "ABP-123" / "ABP-123.mp4"
        patch_fs(monkeypatch, far=self.library if xdev else None, no_links=no_links)

    def plan(self) -> MoveIntent:
        return plan(self.source, self.target, self.mode)  # type: ignore[arg-type]

    def check(self, outcome: RecoveryOutcome) -> None:
        """Exactly one complete copy where the outcome says; nothing half-done anywhere."""
        assert temp_files(self.watch, self.library) == [], outcome
        copies = [p for p in (self.source, self.target) if p.exists()]
        for path in copies:
            assert sha256(path) == self.digest, (path, outcome)
        if outcome.result == "completed":
            assert outcome.path == self.target and self.target.exists()
            assert self.source.exists() == (self.mode != "move")
        else:
            assert outcome.result == "rolled_back", outcome
            assert outcome.path == self.source
            assert copies == [self.source]
        if self.mode == "hardlink" and len(copies) == 2:
            assert os.path.samefile(self.source, self.target)


def count_steps(tmp_path: Path, name: str, monkeypatch: pytest.MonkeyPatch) -> int:
    setup = Setup(tmp_path / "dry", name, monkeypatch)
    steps: list[str] = []
    execute(setup.plan(), on_step=lambda i: steps.append(i.step.value))
    return len(steps)


def crashing(k: int, persist_first: bool, store: list[str]) -> Callable[[MoveIntent], None]:
    calls = 0

    def on_step(intent: MoveIntent) -> None:
        nonlocal calls
        calls += 1
        if calls == k and not persist_first:
            raise Crash
        store.append(intent.to_json())
        if calls == k:
            raise Crash

    return on_step


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_crash_at_every_step_then_recover(
    tmp_path: Path, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    total = count_steps(tmp_path, name, monkeypatch)
    assert total >= 2
    for k in range(1, total + 1):
        for persist_first in (True, False):
            setup = Setup(tmp_path / f"{k}-{persist_first}", name, monkeypatch)
            intent = setup.plan()
            saved = [intent.to_json()]  # the worker persists the intent before execute
            with pytest.raises(Crash):
                execute(intent, on_step=crashing(k, persist_first, saved))
            outcome = recover(MoveIntent.from_json(saved[-1]))
            setup.check(outcome)
            # idempotent: a second crash-restart replays the same stale record
            again = recover(MoveIntent.from_json(saved[-1]))
            assert again.result == outcome.result
            setup.check(again)


@pytest.mark.parametrize("name", ["move-xdev", "copy", "move-xdev-nolink"])
def test_crash_in_the_middle_of_the_copy(
    tmp_path: Path, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    setup = Setup(tmp_path, name, monkeypatch)

    def half(src: object, dst: object, length: int = 0) -> None:
        dst.write(DATA[: len(DATA) // 2])  # type: ignore[attr-defined]
        dst.flush()  # type: ignore[attr-defined]
        raise Crash

    monkeypatch.setattr(shutil, "copyfileobj", half)
    saved: list[str] = []
    with pytest.raises(Crash):
        execute(setup.plan(), on_step=lambda i: saved.append(i.to_json()))
    assert MoveIntent.from_json(saved[-1]).step.value == "copy"
    outcome = recover(MoveIntent.from_json(saved[-1]))
    setup.check(outcome)
    assert outcome.result == "rolled_back" and any("removed temp" in a for a in outcome.actions)


def test_crash_between_placeholder_and_rename(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    setup = Setup(tmp_path, "move-nolink", monkeypatch)
    patched_rename = os.rename

    def rename(src: object, dst: object) -> None:
        if Path(str(dst)) == setup.target:
            assert setup.target.stat().st_size == 0  # our placeholder is there
            raise Crash
        patched_rename(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "rename", rename)
    saved: list[str] = []
    with pytest.raises(Crash):
        execute(setup.plan(), on_step=lambda i: saved.append(i.to_json()))
    monkeypatch.setattr(os, "rename", patched_rename)
    outcome = recover(MoveIntent.from_json(saved[-1]))
    assert outcome.result == "completed"
    setup.check(outcome)


def test_recover_leaves_a_strangers_target_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    setup = Setup(tmp_path, "move", monkeypatch)
    saved: list[str] = []
    with pytest.raises(Crash):
        execute(setup.plan(), on_step=crashing(1, True, saved))  # publish announced, not run
    setup.target.write_bytes(b"someone else's file")
    outcome = recover(MoveIntent.from_json(saved[-1]))
    assert outcome.result == "rolled_back"
    assert setup.target.read_bytes() == b"someone else's file"
    assert sha256(setup.source) == setup.digest


def test_recover_when_user_deleted_the_target(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    setup = Setup(tmp_path, "move-xdev", monkeypatch)
    saved: list[str] = []
    with pytest.raises(Crash):  # crash just before the source is removed
        execute(setup.plan(), on_step=crashing(5, True, saved))
    assert MoveIntent.from_json(saved[-1]).step.value == "remove_source"
    setup.target.unlink()
    outcome = recover(MoveIntent.from_json(saved[-1]))
    assert outcome.result == "rolled_back" and sha256(setup.source) == setup.digest


def test_recover_keeps_a_complete_temp_when_the_source_vanished(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    setup = Setup(tmp_path, "move-xdev", monkeypatch)
    saved: list[str] = []
    with pytest.raises(Crash):  # crash before publishing the verified temp copy
        execute(setup.plan(), on_step=crashing(3, False, saved))
    intent = MoveIntent.from_json(saved[-1])
    assert intent.step.value == "copy" and intent.temp.exists()
    setup.source.unlink()
    outcome = recover(intent)
    assert outcome.result == "source_missing" and outcome.path == intent.temp
    assert sha256(intent.temp) == setup.digest  # the only copy is never deleted


def test_recover_nothing_anywhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    setup = Setup(tmp_path, "move", monkeypatch)
    intent = setup.plan()
    setup.source.unlink()
    assert recover(intent).result == "source_missing"


def test_recover_records_progress(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    setup = Setup(tmp_path, "move-xdev", monkeypatch)
    saved: list[str] = []
    with pytest.raises(Crash):
        execute(setup.plan(), on_step=crashing(4, True, saved))  # remove_temp announced
    steps: list[str] = []
    outcome = recover(MoveIntent.from_json(saved[-1]), on_step=lambda i: steps.append(i.step))
    assert outcome.completed and steps == ["remove_temp", "remove_source", "done"]


def test_recover_removes_placeholder_when_source_vanished(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    setup = Setup(tmp_path, "move-nolink", monkeypatch)
    saved: list[str] = []
    with pytest.raises(Crash):
        execute(setup.plan(), on_step=crashing(1, True, saved))
    setup.target.parent.mkdir(parents=True, exist_ok=True)
    setup.target.touch()  # as if the placeholder was made just before the crash
    setup.source.unlink()
    outcome = recover(MoveIntent.from_json(saved[-1]))
    assert outcome.result == "source_missing" and not setup.target.exists()


def test_hardlink_recovery_never_removes_an_empty_stranger(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    setup = Setup(tmp_path, "hardlink", monkeypatch)
    saved: list[str] = []
    with pytest.raises(Crash):
        execute(setup.plan(), on_step=crashing(1, True, saved))
    setup.target.parent.mkdir(parents=True, exist_ok=True)
    setup.target.touch()
    outcome = recover(MoveIntent.from_json(saved[-1]))
    assert outcome.result == "rolled_back" and setup.target.exists()
