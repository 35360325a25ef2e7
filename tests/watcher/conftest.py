"""Shared pieces for the watcher tests: a real queue database, settings, a controllable clock."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from emby_processor.config import Settings
from emby_processor.db import QueueDB, QueueFilter, QueueItem


class FakeClock:
    """A monotonic clock that moves only when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def db(tmp_path: Path) -> Iterator[QueueDB]:
    store = QueueDB(tmp_path / "q.db").open()
    yield store
    store.close()


@pytest.fixture
def watch(tmp_path: Path) -> Path:
    folder = tmp_path / "watch"
    folder.mkdir()
    return folder


MakeSettings = Callable[..., Settings]


@pytest.fixture
def make_settings(tmp_path: Path, watch: Path) -> MakeSettings:
    def make(**overrides: object) -> Settings:
        values: dict[str, object] = {
            "watch_dirs": [watch],
            "data_dir": tmp_path / "data",
            "file_settle_seconds": 30,
            "scan_interval_seconds": 300,
        }
        values.update(overrides)
        return Settings(_env_file=None, **values)  # type: ignore[call-arg]

    return make


def write(path: Path, data: bytes = b"video", *, mtime_ns: int | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    if mtime_ns is not None:
        os.utime(path, ns=(mtime_ns, mtime_ns))
    return path


def items(db: QueueDB) -> list[QueueItem]:
    found, _total = db.list_items(QueueFilter(), sort="oldest", limit=1000)
    return found


def queued_paths(db: QueueDB) -> list[str]:
    return [item.file_path for item in items(db)]
