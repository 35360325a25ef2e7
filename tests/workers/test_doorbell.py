"""Idle workers start on new work at once when this process makes it due, and stop at once."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.pipeline.stack import wait_for

from emby_processor.db import QueueDB
from emby_processor.workers.base import WorkerStats
from emby_processor.workers.doorbell import Doorbells
from emby_processor.workers.supervisor import Supervisor, WorkerSpec

#: far longer than any wait the test allows: only the doorbell can wake the workers in time
IDLE = 60.0


@pytest.fixture
def db(tmp_path: Path) -> Iterator[QueueDB]:
    store = QueueDB(tmp_path / "q.db").open()
    yield store
    store.close()


class Claimer:
    """A worker that claims file-lane items and completes them."""

    kind = "FileProcessor"

    def __init__(self, db: QueueDB, owner: str, done: list[int]) -> None:
        self.db, self.owner, self.done = db, owner, done

    def step(self) -> bool:
        item = self.db.claim("file", self.owner)
        if item is None:
            return False
        self.db.advance(item.id, self.owner, "done")
        self.done.append(item.id)
        return True

    def close(self) -> None:
        pass


def test_idle_workers_wake_when_work_appears_and_when_stopped(db: QueueDB) -> None:
    bells = Doorbells()
    done: list[int] = []

    def make(owner: str, stats: WorkerStats) -> Claimer:
        return Claimer(db, owner, done)

    spec = WorkerSpec("FileProcessor", make, threads=3, idle_seconds=IDLE,
                      wait=bells.lanes["file"].wait)
    supervisor = Supervisor(db, [spec], heartbeat_seconds=0.05, wake=bells.wake_all)
    supervisor.start()
    try:
        wait_for(lambda: all(b.state == "idle" for b in db.heartbeats()), 10, "all idle")
        for n in range(5):
            db.enqueue(f"/watch/ABP-{n}.mp4", n, n)
        bells.ring("file", 5)
        wait_for(lambda: len(done) == 5, 10, "the items taken long before the idle interval")
    finally:
        started = time.monotonic()
        supervisor.stop(timeout=IDLE)
        assert time.monotonic() - started < 5  # nobody sleeps out the idle interval


def test_a_ring_before_anyone_waits_is_not_lost() -> None:
    bells = Doorbells()
    bells.ring("emby")
    woke: list[bool] = []
    thread = threading.Thread(target=lambda: woke.append(bells.lanes["emby"].wait(IDLE)))
    thread.start()
    thread.join(10)
    assert woke == [True]
