"""The watcher never drops a file: it is marked handled only once it is queued.

- A Shift-JIS file name (not UTF-8) is queued; the item keeps the name exactly as the file system
  has it (the worker can open it) and the queue shows it readably.
- One file that cannot be queued does not stop the others, and is queued later.
- A database that refuses writes (disk full, read-only) is retried: the file is queued once the
  store works again, without waiting for the file to change.
- A path that a worker holds is not queued again when the file changes meanwhile (a second item
  for a file still being copied); the new version is queued once the worker lets go.
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path
from typing import Any

from emby_processor.db import QueueDB
from emby_processor.watcher import Watcher

from .conftest import FakeClock, MakeSettings, items, queued_paths, write

SJIS_NAME = os.fsdecode("[字幕]ABP-123 ファイル.mp4".encode("cp932"))


class FlakyStore:
    """A QueueDB whose enqueue fails for the paths (or all paths) the test names; a batch fails
    as a whole when one of its paths does (it is one transaction)."""

    def __init__(self, db: QueueDB) -> None:
        self.db = db
        self.fail_for: set[str] = set()
        self.fail_all: Exception | None = None
        self.attempts = 0

    def enqueue(self, path: str, *args: Any, **kwargs: Any) -> Any:
        self.attempts += 1
        if self.fail_all is not None:
            raise self.fail_all
        if any(part in path for part in self.fail_for):
            raise RuntimeError(f"cannot queue {path}")
        return self.db.enqueue(path, *args, **kwargs)

    def enqueue_many(self, files: Any, **kwargs: Any) -> Any:
        files = list(files)
        self.attempts += 1
        if self.fail_all is not None:
            raise self.fail_all
        if any(part in path for path, _, _ in files for part in self.fail_for):
            raise RuntimeError("cannot queue this batch")
        return self.db.enqueue_many(files, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.db, name)


def make_watcher(make_settings: MakeSettings, db: Any, clock: FakeClock) -> Watcher:
    settings = make_settings(file_settle_seconds=0, scan_interval_seconds=60)
    return Watcher(settings, db, clock=clock, use_events=False)


def test_a_shift_jis_name_is_queued_losslessly_and_shown_readably(
    watch: Path, make_settings: MakeSettings, db: QueueDB, clock: FakeClock
) -> None:
    video = write(watch / SJIS_NAME)
    write(watch / "ABP-200.mp4")
    watcher = make_watcher(make_settings, db, clock)
    assert watcher.step() == 2
    by_name = {Path(item.file_path).name: item for item in items(db)}
    item = by_name[SJIS_NAME]
    assert item.file_path == str(video) and os.path.exists(item.file_path)
    assert item.summary()["file_path"] == str(watch / "[字幕]ABP-123 ファイル.mp4")
    json.dumps(item.to_dict(), ensure_ascii=False).encode("utf-8")  # what the API sends
    assert "ファイル" in db.events(item.id)[0].message
    clock.advance(61)
    assert watcher.step() == 0  # the same file again is the same item
    assert len(items(db)) == 2


def test_one_failing_file_does_not_stop_the_others(
    watch: Path, make_settings: MakeSettings, db: QueueDB, clock: FakeClock
) -> None:
    for name in ("ABP-1.mp4", "ABP-2.mp4", "ABP-3.mp4"):
        write(watch / name)
    store = FlakyStore(db)
    store.fail_for = {"ABP-2"}
    watcher = make_watcher(make_settings, store, clock)
    assert watcher.step() == 2
    store.fail_for = set()
    clock.advance(61)  # the next full scan tries it again
    assert watcher.step() == 1
    assert sorted(Path(p).name for p in queued_paths(db)) == ["ABP-1.mp4", "ABP-2.mp4",
                                                              "ABP-3.mp4"]


def test_a_store_that_refuses_writes_is_retried(
    watch: Path, make_settings: MakeSettings, db: QueueDB, clock: FakeClock
) -> None:
    write(watch / "ABP-1.mp4")
    store = FlakyStore(db)
    store.fail_all = sqlite3.OperationalError("database or disk is full")
    watcher = make_watcher(make_settings, store, clock)
    assert watcher.step() == 0
    attempts = store.attempts
    for _ in range(5):  # no storm of failing writes while the disk is full
        clock.advance(0.5)
        watcher.step()
    assert store.attempts <= attempts + 1
    store.fail_all = None
    clock.advance(61)
    assert watcher.step() == 1
    assert [Path(p).name for p in queued_paths(db)] == ["ABP-1.mp4"]


def test_a_path_still_being_worked_on_is_not_queued_twice(
    watch: Path, make_settings: MakeSettings, db: QueueDB, clock: FakeClock
) -> None:
    video = write(watch / "ABP-1.mp4", mtime_ns=1_600_000_000_000_000_000)
    watcher = make_watcher(make_settings, db, clock)
    assert watcher.step() == 1
    first = db.claim("file", "worker-1")
    assert first is not None
    write(video, b"video, rewritten while it is being copied")
    clock.advance(61)
    assert watcher.step() == 0
    assert len(items(db)) == 1
    clock.advance(61)
    assert watcher.step() == 0
    db.advance(first.id, "worker-1", "emby")  # released: the new version is a new item, at once
    assert watcher.step() == 1
    rewritten = len(b"video, rewritten while it is being copied")
    assert [item.file_size for item in items(db)] == [5, rewritten]
