"""Doorbells: idle workers of a lane sleep until work for the lane appears in this process.

A worker that found nothing to claim waits on its lane's doorbell instead of a plain timer; a
part of this process that makes an item due in that lane (the watcher queueing files, a worker
handing an item to the next lane, the retry handler) rings it, and one waiting worker wakes at
once. Work from another process (the dashboard's retry button when it runs apart) is found by
the timer, as before: the wait never lasts longer than the worker's idle interval.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping

from emby_processor.vocabulary import Lane, Stage, lane_of

#: rings kept for workers not waiting yet (more would only make idle workers look in vain)
MAX_KEPT_RINGS = 64


class Doorbell:
    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._rings = 0
        self._closed = False

    def ring(self, times: int = 1) -> None:
        """Wake up to ``times`` waiting workers (a ring with nobody waiting is kept for the
        next one who comes to wait)."""
        with self._cond:
            self._rings = min(self._rings + times, MAX_KEPT_RINGS)
            self._cond.notify(times)

    def wait(self, timeout: float) -> bool:
        """Until a ring (True) or ``timeout`` seconds (False)."""
        with self._cond:
            if not self._rings and not self._closed:
                self._cond.wait(timeout)
            if self._rings:
                self._rings -= 1
                return True
            return False

    def wake_all(self) -> None:
        """Everyone waiting goes on, and nobody waits any more (shutdown)."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()


class Doorbells:
    """One doorbell per lane."""

    def __init__(self, lanes: tuple[Lane, ...] = ("file", "emby")) -> None:
        self.lanes: Mapping[Lane, Doorbell] = {lane: Doorbell() for lane in lanes}

    def ring(self, lane: Lane, times: int = 1) -> None:
        bell = self.lanes.get(lane)
        if bell is not None:
            bell.ring(times)

    def ring_stage(self, stage: Stage, times: int = 1) -> None:
        """Ring the lane that ``stage`` belongs to (nothing for ``done``)."""
        lane = lane_of(stage)
        if lane is not None:
            self.ring(lane, times)

    def ring_all(self, times: int = 1) -> None:
        for bell in self.lanes.values():
            bell.ring(times)

    def wake_all(self) -> None:
        for bell in self.lanes.values():
            bell.wake_all()
