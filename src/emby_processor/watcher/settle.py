"""Settle tracking: a file is ready once its size and mtime have stopped changing.

Neither size nor mtime alone is enough: preallocating download clients fix the size up front and
only move the mtime, while ``cp -p`` and rsync keep an old mtime while the size grows.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class _State:
    size: int
    mtime_ns: int
    unchanged_since: float
    handled: bool = False


class SettleTracker:
    """Per-path settle state. Not thread-safe: one watcher thread owns it."""

    def __init__(
        self, settle_seconds: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.settle_seconds = settle_seconds
        self._clock = clock
        self._states: dict[str, _State] = {}

    def observe(self, path: str, size: int, mtime_ns: int) -> bool:
        """Record what the file looks like now; True once it has been unchanged long enough."""
        now = self._clock()
        state = self._states.get(path)
        if state is None or state.size != size or state.mtime_ns != mtime_ns:
            # a change means new content: whatever was decided about the old one no longer holds
            state = _State(size, mtime_ns, now)
            self._states[path] = state
        return now - state.unchanged_since >= self.settle_seconds

    def mark_handled(self, path: str) -> None:
        """The current version of the file has been dealt with (queued or rejected for good)."""
        state = self._states.get(path)
        if state is not None:
            state.handled = True

    def reconsider(self, path: str) -> None:
        """Whatever was decided about the file no longer holds (it was un-ignored)."""
        state = self._states.get(path)
        if state is not None:
            state.handled = False

    def is_handled(self, path: str) -> bool:
        state = self._states.get(path)
        return state is not None and state.handled

    def forget(self, path: str) -> None:
        self._states.pop(path, None)

    def prune(self, keep: Callable[[str], bool]) -> int:
        """Drop the paths ``keep`` rejects (gone since the last full scan); return how many."""
        gone = [path for path in self._states if not keep(path)]
        for path in gone:
            del self._states[path]
        return len(gone)

    def __len__(self) -> int:
        return len(self._states)

    def __contains__(self, path: object) -> bool:
        return path in self._states
