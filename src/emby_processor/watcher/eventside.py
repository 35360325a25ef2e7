"""The watcher's side of file-system events: one event thread over the folders that exist, and
what its events add to the files to look at (``watcher.py`` decides what to queue)."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path

from emby_processor.watcher.events import EventFeed
from emby_processor.watcher.filters import is_candidate_name, is_ignored_dir_name, is_partial_marker
from emby_processor.watcher.folders import FolderMonitor
from emby_processor.watcher.scanner import scan_folder

logger = logging.getLogger("emby_processor.watcher.watcher")


class EventSide:
    """State the ``Watcher`` sets up in its constructor."""

    _folders: FolderMonitor
    _clock: Callable[[], float]
    _scan_interval: float
    _extensions: frozenset[str]
    _pending: set[str]
    _rescan_needed: bool
    _feed: EventFeed | None
    _feed_roots: tuple[Path, ...]
    _feed_retry_at: float

    def close(self) -> None:
        """Stop the event thread (within 2 s). A later ``step()`` would start it again."""
        feed, self._feed = self._feed, None
        if feed is not None:
            feed.close(timeout=2.0)

    def _sync_events(self, folders_changed: bool) -> None:
        """Keep one event thread over exactly the folders that exist now."""
        wanted = tuple(self._folders.ok_roots())
        now = self._clock()
        feed = self._feed
        if feed is not None:
            if feed.alive and feed.roots == wanted and not folders_changed:
                return
            # it said why when it stopped; restarting it every step would only repeat that
            crashed = not feed.alive and feed.roots == wanted and not folders_changed
            # a watch on a vanished or remounted folder follows the old inode, not the path
            self._take_events()
            self.close()
            self._feed_retry_at = now + self._scan_interval if crashed else 0.0
        elif folders_changed or wanted != self._feed_roots:
            self._feed_retry_at = 0.0
        if wanted and now >= self._feed_retry_at:
            self._feed_roots = wanted
            self._feed = EventFeed(wanted).start()

    def _take_events(self) -> None:
        if self._feed is None:
            return
        changes, overflowed = self._feed.drain()
        if overflowed:
            logger.info("too many file-system events at once; rescanning instead")
            self._rescan_needed = True
        for path, appeared in changes.items():
            self._note_event(os.path.abspath(path), appeared)

    def _note_event(self, path: str, appeared: bool) -> None:
        root = self._folders.root_of(path)
        if root is None or not self._folders.is_ok(root):
            return
        if is_candidate_name(Path(path), self._extensions, root):
            self._pending.add(path)
        elif is_partial_marker(path):
            # a download marker changed or went away: the real file may be complete now
            self._note_event(path[: path.rfind(".")], appeared=False)
        elif appeared and os.path.isdir(path) and not os.path.islink(path):
            if any(map(is_ignored_dir_name, Path(path).relative_to(root).parts)):
                return
            for found in scan_folder(Path(path), skip_dir=is_ignored_dir_name):
                if is_candidate_name(Path(found.path), self._extensions, root):
                    self._pending.add(found.path)

