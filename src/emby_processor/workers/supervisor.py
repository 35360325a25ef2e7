"""The supervisor: owns the stop flag, drives every worker's loop, restarts a worker that raised,
writes heartbeats and renews the leases of items in flight, and joins everything on shutdown.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from emby_processor.db import QueueDB
from emby_processor.timeutil import now_iso
from emby_processor.vocabulary import WorkerState
from emby_processor.workers.base import Worker, WorkerStats

logger = logging.getLogger("emby_processor.supervisor")

WorkerFactory = Callable[[str, WorkerStats], Worker]


@dataclass
class WorkerSpec:
    """One kind of worker: how to build it and how many threads run it."""

    kind: str
    factory: WorkerFactory
    threads: int = 1
    idle_seconds: float = 1.0
    #: how an idle thread waits (``Doorbell.wait``: until woken, at most idle_seconds);
    #: None: a plain timer
    wait: Callable[[float], object] | None = None


@dataclass
class _Slot:
    spec: WorkerSpec
    index: int
    owner: str
    stats: WorkerStats = field(default_factory=WorkerStats)
    thread: threading.Thread | None = None
    worker: Worker | None = None
    restarts: int = 0


class Supervisor:
    def __init__(
        self, db: QueueDB, specs: list[WorkerSpec], *, heartbeat_seconds: float = 2.0,
        restart_delay: float = 1.0, wake: Callable[[], None] = lambda: None,
    ) -> None:
        self.db = db
        #: wakes every idle worker (their doorbells), so they see the stop at once
        self.wake = wake
        self.specs = specs
        self.heartbeat_seconds = heartbeat_seconds
        self.restart_delay = restart_delay
        self.stop_event = threading.Event()
        self.run_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.started_at = now_iso()
        self._paused = False
        self._slots = [
            _Slot(spec, n, f"{self.run_id}/{spec.kind}-{n}")
            for spec in specs for n in range(1, spec.threads + 1)
        ]
        self._monitor: threading.Thread | None = None

    # control, read by the workers ------------------------------------------------------------
    def paused(self) -> bool:
        return self._paused

    def _read_controls(self) -> None:
        try:
            self._paused = self.db.get_control("paused") == "1"
        except Exception:  # a busy database must not stop the heartbeat
            logger.debug("could not read controls", exc_info=True)

    # lifecycle --------------------------------------------------------------------------------
    def start(self) -> None:
        self._read_controls()
        for slot in self._slots:
            self._start_slot(slot)
        self.write_heartbeats()
        self._monitor = threading.Thread(target=self._monitor_loop, name="supervisor", daemon=True)
        self._monitor.start()
        logger.info("workers started: %s", ", ".join(
            f"{spec.kind}×{spec.threads}" for spec in self.specs))

    def _start_slot(self, slot: _Slot) -> None:
        slot.worker = slot.spec.factory(slot.owner, slot.stats)
        slot.stats.state = "idle"
        slot.thread = threading.Thread(
            target=self._run, args=(slot,), name=f"{slot.spec.kind}-{slot.index}", daemon=True
        )
        slot.thread.start()

    def _run(self, slot: _Slot) -> None:
        worker = slot.worker
        assert worker is not None
        try:
            while not self.stop_event.is_set():
                did_work = worker.step()
                if not did_work:
                    slot.stats.state = "paused" if self._paused else "idle"
                    if slot.spec.wait is None or self._paused:
                        self.stop_event.wait(slot.spec.idle_seconds)
                    else:
                        slot.spec.wait(slot.spec.idle_seconds)
        except Exception as error:
            slot.stats.state = "crashed"
            slot.stats.message = f"crashed: {error!r}"
            logger.exception("%s-%d crashed; it will be restarted", slot.spec.kind, slot.index)
        finally:
            try:
                worker.close()
            except Exception:
                logger.exception("%s-%d failed to close", slot.spec.kind, slot.index)

    def _monitor_loop(self) -> None:
        while not self.stop_event.wait(self.heartbeat_seconds):
            self._read_controls()
            for slot in self._slots:
                thread = slot.thread
                if thread is not None and not thread.is_alive() and not self.stop_event.is_set():
                    slot.restarts += 1
                    delay = min(self.restart_delay * slot.restarts, 30.0)
                    logger.warning("restarting %s-%d (restart %d)", slot.spec.kind, slot.index,
                                   slot.restarts)
                    if self.stop_event.wait(delay):
                        break
                    self._start_slot(slot)
            self._renew_leases()
            self.write_heartbeats()

    def _renew_leases(self) -> None:
        for slot in self._slots:
            item_id = slot.stats.current_item
            if item_id is not None:
                try:
                    self.db.renew_lease(item_id, slot.owner)
                except Exception:
                    logger.debug("lease renewal failed", exc_info=True)

    def write_heartbeats(self, final_state: WorkerState | None = None) -> None:
        for spec in self.specs:
            slots = [s for s in self._slots if s.spec is spec]
            busy = [s.stats.current_item for s in slots if s.stats.current_item is not None]
            messages = [s.stats.message for s in slots if s.stats.message]
            state: WorkerState
            if final_state:
                state = final_state
            elif self._paused:
                state = "paused"
            elif busy:
                state = "running"
            else:
                state = "idle"
            try:
                self.db.beat(
                    spec.kind, state, current_item=busy[0] if busy else None,
                    processed=sum(s.stats.processed for s in slots),
                    failed=sum(s.stats.failed for s in slots),
                    message=messages[0] if messages else None, started_at=self.started_at,
                )
            except Exception:
                logger.debug("heartbeat write failed", exc_info=True)

    def stop(self, timeout: float = 8.0) -> None:
        """Stop claiming, let in-flight steps end and release what is still held, in ``timeout``."""
        self.stop_event.set()
        self.wake()
        deadline = time.monotonic() + timeout
        for slot in self._slots:
            if slot.thread is not None:
                slot.thread.join(max(deadline - time.monotonic(), 0.05))
        if self._monitor is not None:
            self._monitor.join(max(deadline - time.monotonic(), 0.05))
        stuck = [s for s in self._slots if s.thread is not None and s.thread.is_alive()]
        for slot in stuck:
            logger.warning("%s-%d still busy at shutdown; its item is released",
                           slot.spec.kind, slot.index)
        released = self.db.release_owner(self.run_id + "/")
        if released:
            logger.info("released %d items still in flight", released)
        self.write_heartbeats(final_state="stopped")

    def alive(self) -> dict[str, bool]:
        return {s.owner: bool(s.thread and s.thread.is_alive()) for s in self._slots}
