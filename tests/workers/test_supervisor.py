"""The supervisor drives worker loops, restarts a worker that raised, and stops in time."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.pipeline.stack import wait_for

from emby_processor.db import QueueDB
from emby_processor.errors import PermanentError, TransientError
from emby_processor.workers.backoff import RetryPolicy
from emby_processor.workers.base import WorkerStats
from emby_processor.workers.supervisor import Supervisor, WorkerSpec


@pytest.fixture
def db(tmp_path: Path) -> Iterator[QueueDB]:
    store = QueueDB(tmp_path / "q.db").open()
    yield store
    store.close()


class Flaky:
    """Raises on its first steps, then counts."""

    kind = "Flaky"
    instances = 0

    def __init__(self, stats: WorkerStats, crashes: int) -> None:
        Flaky.instances += 1
        self.stats = stats
        self.crashes = crashes

    def step(self) -> bool:
        if Flaky.instances <= self.crashes:
            raise RuntimeError("boom")
        with self.stats.lock:
            self.stats.processed += 1
        return False

    def close(self) -> None:
        pass


def test_a_worker_that_raised_is_restarted(db: QueueDB) -> None:
    Flaky.instances = 0
    spec = WorkerSpec("Flaky", lambda owner, stats: Flaky(stats, crashes=2), idle_seconds=0.01)
    supervisor = Supervisor(db, [spec], heartbeat_seconds=0.05, restart_delay=0.01)
    supervisor.start()
    try:
        wait_for(lambda: Flaky.instances >= 3, 10, "two restarts")
        wait_for(lambda: any(b.name == "Flaky" and b.processed > 0 for b in db.heartbeats()),
                 10, "the restarted worker works and its heartbeat says so")
        assert all(supervisor.alive().values())
    finally:
        supervisor.stop(timeout=2)
    assert [b.state for b in db.heartbeats() if b.name == "Flaky"] == ["stopped"]


class Holder:
    """Claims one item and then blocks, like a worker stuck on a slow upstream."""

    kind = "Holder"

    def __init__(self, db: QueueDB, owner: str, stats: WorkerStats) -> None:
        self.db, self.owner, self.stats = db, owner, stats
        self.release = threading.Event()

    def step(self) -> bool:
        item = self.db.claim("file", self.owner)
        if item is not None:
            self.stats.busy(item.id)
            self.release.wait(30)
        return False

    def close(self) -> None:
        pass


def test_stop_returns_in_time_and_releases_items_still_held(db: QueueDB) -> None:
    item, _ = db.enqueue("/w/ABP-001.mp4", 1, 1)
    spec = WorkerSpec("Holder", lambda owner, stats: Holder(db, owner, stats), idle_seconds=0.01)
    supervisor = Supervisor(db, [spec], heartbeat_seconds=0.05)
    supervisor.start()
    wait_for(lambda: db.require(item.id).status == "processing", 10, "claimed")
    started = time.monotonic()
    supervisor.stop(timeout=1.0)
    assert time.monotonic() - started < 3
    back = db.require(item.id)
    assert back.status == "pending" and back.lease_owner is None


def test_pause_is_read_from_the_database(db: QueueDB) -> None:
    steps: list[int] = []

    class Counter:
        kind = "Counter"

        def __init__(self, supervisor: Supervisor) -> None:
            self.supervisor = supervisor

        def step(self) -> bool:
            if not self.supervisor.paused():
                steps.append(1)
            return False

        def close(self) -> None:
            pass

    holder: list[Supervisor] = []
    spec = WorkerSpec("Counter", lambda owner, stats: Counter(holder[0]), idle_seconds=0.01)
    supervisor = Supervisor(db, [spec], heartbeat_seconds=0.05)
    holder.append(supervisor)
    db.set_control("paused", "1")
    supervisor.start()
    try:
        wait_for(lambda: [b for b in db.heartbeats() if b.state == "paused"], 10, "paused beat")
        assert steps == []
        db.set_control("paused", "0")
        wait_for(lambda: steps, 10, "resumed")
    finally:
        supervisor.stop(timeout=2)


def test_backoff_doubles_is_capped_jittered_and_honours_retry_after_up_to_the_cap() -> None:
    policy = RetryPolicy(max_retries=3, base_seconds=10, max_seconds=35, jitter=0.2)
    delays = [policy.delay(n) for n in (1, 2, 3, 4)]
    for delay, raw in zip(delays, (10, 20, 35, 35), strict=True):
        assert raw * 0.8 <= delay <= raw * 1.2
    assert policy.delay(1, retry_after=30) == 30
    # an upstream's wait is honoured up to RETRY_BACKOFF_MAX_SECONDS, and only a real number
    assert policy.delay(1, retry_after=100) == 35
    assert 8 <= policy.delay(1, retry_after=float("inf")) <= 12
    assert 8 <= policy.delay(1, retry_after=float("nan")) <= 12
    assert policy.next_retry(TransientError("x"), failures_before=0) is not None
    assert policy.next_retry(TransientError("x"), failures_before=3) is None
    assert policy.next_retry(PermanentError("x"), failures_before=0) is None
