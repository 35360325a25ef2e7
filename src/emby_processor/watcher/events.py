"""File-system events from watchfiles, collected on a background thread.

Events only say "look at this path soon"; the watcher re-stats every path itself, so lost,
duplicated or reordered events cannot cause a wrong decision, only a later one (the periodic
rescan is the safety net).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

import watchfiles

logger = logging.getLogger(__name__)

#: how long watchfiles gathers changes before handing them over
DEBOUNCE_MS = 300
#: how often watchfiles yields even without changes (marks the watch as live)
TIMEOUT_MS = 500
#: beyond this many distinct paths, asking for a full rescan is cheaper than keeping them
MAX_PENDING_PATHS = 100_000


class EventFeed:
    """One watchfiles thread over a fixed set of folders; restart it to change the set."""

    def __init__(self, roots: Sequence[Path]) -> None:
        self.roots = tuple(roots)
        #: changed path -> whether it (re)appeared; an added folder has to be walked, because
        #: moving a whole folder in produces one event for the folder and none for its files
        self._paths: dict[str, bool] = {}
        self._overflowed = False
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name="watcher-events", daemon=True
        )

    def start(self) -> EventFeed:
        self._thread.start()
        return self

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def wait_ready(self, timeout: float) -> bool:
        """True once the OS watches are in place (events from then on are not missed)."""
        return self._ready.wait(timeout)

    def drain(self) -> tuple[dict[str, bool], bool]:
        """Paths changed since the last call (-> appeared?), and whether some were dropped."""
        with self._lock:
            paths, self._paths = self._paths, {}
            overflowed, self._overflowed = self._overflowed, False
        return paths, overflowed

    def close(self, timeout: float = 2.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        try:
            for changes in watchfiles.watch(
                *self.roots,
                watch_filter=None,  # our own filters decide; the default drops `~` names
                debounce=DEBOUNCE_MS,
                stop_event=self._stop,
                rust_timeout=TIMEOUT_MS,
                yield_on_timeout=True,
                raise_interrupt=False,
                ignore_permission_denied=True,
            ):
                # the watches exist before the first yield, timeout or not
                self._ready.set()
                if changes:
                    self._add(changes)
        except Exception as error:  # inotify limits, a root vanishing mid-start, …
            logger.warning(
                "file-system events stopped for %s (%s); periodic rescans continue",
                ", ".join(map(str, self.roots)), error,
            )

    def _add(self, changes: Iterable[tuple[watchfiles.Change, str]]) -> None:
        with self._lock:
            if self._overflowed:
                return
            for change, path in changes:
                added = change == watchfiles.Change.added
                self._paths[path] = self._paths.get(path, False) or added
            if len(self._paths) > MAX_PENDING_PATHS:
                self._paths.clear()
                self._overflowed = True
