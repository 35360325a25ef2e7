"""What a worker is: a small ``step()`` driven in a loop by the supervisor.

A worker never sleeps on its own and never owns the stop flag; it does one unit of work per step
and says whether it found any, so the supervisor can decide whether to loop at once or wait.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Protocol

from emby_processor.vocabulary import WorkerState


class Worker(Protocol):
    #: the kind of worker (``vocabulary.WORKER_KINDS``)
    kind: str

    def step(self) -> int | bool:
        """Do one unit of work; truthy when there was work (the loop runs again at once)."""
        ...

    def close(self) -> None:
        """Give back whatever the worker holds (called once, after its last step)."""
        ...


@dataclass
class WorkerStats:
    """Live counters of one worker thread, read by the heartbeat writer."""

    processed: int = 0
    failed: int = 0
    current_item: int | None = None
    state: WorkerState = "starting"
    message: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def busy(self, item_id: int) -> None:
        with self.lock:
            self.current_item = item_id
            self.state = "running"

    def done(self, *, failed: bool = False) -> None:
        with self.lock:
            self.current_item = None
            if failed:
                self.failed += 1
            else:
                self.processed += 1


class Control(Protocol):
    """What a worker may ask of the supervisor that drives it."""

    stop_event: threading.Event

    def paused(self) -> bool: ...
