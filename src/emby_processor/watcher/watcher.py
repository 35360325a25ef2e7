"""The watcher: finds settled video files in the watch folders and queues each version once.

Two sources feed it. File-system events make a new file show up seconds after it stops changing;
a full rescan at start, every ``SCAN_INTERVAL_SECONDS`` and on request from the dashboard catches
what events miss (network shares, restarts, event overflow). Either way a path is only a hint:
every decision is made from a fresh ``stat``, and the queue's path + size + mtime key makes
queueing idempotent, so seeing a file twice never makes two items. What one step finds goes into
the queue in one transaction.

A file is marked handled only once it is in the queue. One that cannot be queued stays unhandled:
a database that refuses writes (disk full, read-only) pauses queueing for ``STORE_RETRY_SECONDS``
and then rescans; when a batch fails for another reason its files are queued one by one, and a
failure of one file is logged once and tried again at the next full scan, while the others go on.
A path a worker holds is not queued again until it lets go, even if the file changed meanwhile;
an ignored path (``ignored.py``) never. Names that are not UTF-8 are used as given (``db/text.py``).
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from emby_processor.config import Settings
from emby_processor.db import QueueDB, QueueItem
from emby_processor.errors import StoreError
from emby_processor.organizer.intent import MoveIntent
from emby_processor.safetext import display_path, safe_line
from emby_processor.timeutil import parse_iso, utcnow
from emby_processor.watcher.events import EventFeed
from emby_processor.watcher.eventside import EventSide
from emby_processor.watcher.filters import (
    Exists,
    has_partial_sibling,
    is_candidate_name,
    is_ignored_dir_name,
    is_under,
)
from emby_processor.watcher.folders import FolderMonitor
from emby_processor.watcher.ignored import IgnoredPaths
from emby_processor.watcher.scanner import (
    FileStat,
    probe_folder,
    scan_folder,
    stat_file,
)
from emby_processor.watcher.settle import SettleTracker

logger = logging.getLogger(__name__)

SCAN_REQUEST_KEY = "scan_requested_at"
#: a step that finds more files than this queues them as a backlog (new files go first)
BACKLOG_FILES = 20
#: after the database refused a write, queueing rests this long (at most a scan interval)
STORE_RETRY_SECONDS = 10.0
_STORE_ERRORS = (sqlite3.Error, StoreError)


class Watcher(EventSide):
    """A supervisor-driven worker: call ``step()`` about once a second, ``close()`` at the end."""

    kind = "Watcher"

    def __init__(
        self,
        settings: Settings,
        db: QueueDB,
        *,
        clock: Callable[[], float] = time.monotonic,
        use_events: bool = True,
        on_queued: Callable[[int], None] = lambda count: None,
    ) -> None:
        self._db = db
        #: told how many files were queued (wakes idle workers of this process)
        self._on_queued = on_queued
        self._clock = clock
        self._use_events = use_events
        self._folders = FolderMonitor(settings.watch_dirs)
        self._extensions = frozenset(settings.video_extensions)
        self._min_size = settings.min_file_size_bytes
        library = settings.library_dir
        self._library = Path(os.path.abspath(library)) if library is not None else None
        self._scan_interval = settings.scan_interval_seconds
        self._settle = SettleTracker(settings.file_settle_seconds, clock)
        #: candidates seen but not yet settled (or blocked by a download marker): re-checked
        #: every step, so they are queued without waiting for the next full rescan
        self._pending: set[str] = set()
        self._last_scan: float | None = None
        self._last_scan_wall: datetime | None = None
        self._honoured_request: str | None = None
        self._rescan_needed = False
        self._feed: EventFeed | None = None
        self._feed_roots: tuple[Path, ...] = ()
        self._feed_retry_at = 0.0
        #: while set and in the future, queueing waits for the database to take writes again
        self._store_retry_at: float | None = None
        #: the reason the database refused the last write, until a write works again
        self.store_problem: str | None = None
        #: path -> (size, mtime_ns) of the version that failed, so each is logged once
        self._failed: dict[str, tuple[int, int]] = {}
        self._ignored = IgnoredPaths(db)

    # public ------------------------------------------------------------------------------
    def step(self) -> int:
        """One round: folders, events, a rescan when due, pending files. Returns items queued."""
        self._sync_ignored()
        returned = self._folders.refresh()
        if self._use_events:
            self._sync_events(bool(returned))
            self._take_events()
        observed: set[str] = set()
        if self._scan_due():
            ready = self._full_scan(observed)
        else:
            ready = [entry for root in returned for entry in self._scan_root(root, observed)]
        return self._queue([*ready, *self._check_pending(observed)])

    def folder_status(self) -> dict[str, str]:
        """Each watch folder's status now (safe to call from any thread)."""
        return {str(root): probe_folder(root)[0] for root in self._folders.roots}

    def wait_until_watching(self, timeout: float) -> bool:
        """True once file-system events are live (tests use it instead of sleeping)."""
        feed = self._feed
        return feed is not None and feed.wait_ready(timeout)

    # scans -------------------------------------------------------------------------------
    def _scan_due(self) -> bool:
        if self._store_resting():
            return False
        if self._last_scan is None or self._rescan_needed:
            return True
        if self._clock() - self._last_scan >= self._scan_interval:
            return True
        return self._scan_requested()

    def _scan_requested(self) -> bool:
        """The dashboard's "rescan now": a time in the control table newer than our last scan."""
        try:
            requested = self._db.get_control(SCAN_REQUEST_KEY)
        except _STORE_ERRORS as error:
            self._store_failed(error)
            return False
        if not requested or requested == self._honoured_request:
            return False
        self._honoured_request = requested  # each request value triggers at most one scan
        try:
            moment = parse_iso(requested)
        except ValueError:
            logger.warning("ignoring %s=%r: not an ISO time", SCAN_REQUEST_KEY, requested)
            return False
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return self._last_scan_wall is None or moment > self._last_scan_wall

    def _full_scan(self, observed: set[str]) -> list[FileStat]:
        self._last_scan, self._last_scan_wall = self._clock(), utcnow()
        self._rescan_needed = False
        scanned = self._folders.ok_roots()
        ready = [entry for root in scanned for entry in self._scan_root(root, observed)]
        # forget files gone since the last scan, but not those in folders we could not look
        # into: a share coming back must find its files' settle state as it left it
        unseen = [root for root in self._folders.roots if root not in scanned]
        dropped = self._settle.prune(
            lambda path: path in observed
            or path in self._pending
            or any(is_under(Path(path), root) for root in unseen)
        )
        logger.debug(
            "scanned %d folder(s): %d to queue, %d settling, %d forgotten",
            len(scanned), len(ready), len(self._pending), dropped,
        )
        return ready

    def _scan_root(self, root: Path, observed: set[str]) -> list[FileStat]:
        # the whole listing first, so download markers can be matched without more stat calls
        found = list(scan_folder(root, skip_dir=is_ignored_dir_name))
        present = {entry.path for entry in found}
        ready: list[FileStat] = []
        for entry in found:
            path = Path(entry.path)
            if is_candidate_name(path, self._extensions, root):
                observed.add(entry.path)
                if self._try(entry, path, root, present.__contains__):
                    ready.append(entry)
        return ready

    def _check_pending(self, observed: set[str]) -> list[FileStat]:
        ready: list[FileStat] = []
        for key in list(self._pending - observed):
            root = self._folders.root_of(key)
            if root is None or not self._folders.is_ok(root):
                continue  # keep its state until the folder is back
            entry = stat_file(key)
            if entry is None:
                self._pending.discard(key)
                self._settle.forget(key)
                continue
            if self._try(entry, Path(key), root, os.path.lexists):
                ready.append(entry)
        return ready

    def _sync_ignored(self) -> None:
        """A path a person took off the ignored list is looked at again at once."""
        try:
            released = self._ignored.refresh()
        except _STORE_ERRORS as error:
            logger.debug("cannot read the ignored files now: %s", safe_line(str(error)))
            return
        for path in released:
            self._settle.reconsider(path)
            self._pending.add(path)

    # failures ----------------------------------------------------------------------------
    def _try(self, entry: FileStat, path: Path, root: Path, exists: Exists) -> bool:
        """``_consider`` one file; its failure never stops the others or marks it handled."""
        try:
            return self._consider(entry, path, root, exists)
        except _STORE_ERRORS as error:
            self._store_failed(error, [entry])
        except Exception as error:  # one odd file must not stop the watcher
            self._file_failed(entry, error)
        return False

    def _file_failed(self, entry: FileStat, error: Exception) -> None:
        self._pending.discard(entry.path)  # retried at the next full scan, not every step
        version = (entry.size, entry.mtime_ns)
        if self._failed.get(entry.path) != version:
            self._failed[entry.path] = version
            logger.warning("not queued, tried again at the next scan: %s: %s",
                           display_path(entry.path), safe_line(repr(error)))

    def _store_failed(self, error: Exception, entries: Sequence[FileStat] = ()) -> None:
        self._pending.update(entry.path for entry in entries)  # looked at again after the rest
        reason = safe_line(str(error))
        if self.store_problem is None:
            logger.warning(
                "cannot queue files: the database refused a write (%s); trying again in %.0f s",
                reason, self._rest_seconds,
            )
        self.store_problem = reason
        self._store_retry_at = self._clock() + self._rest_seconds
        self._rescan_needed = True  # what was found meanwhile is looked at again

    @property
    def _rest_seconds(self) -> float:
        return min(STORE_RETRY_SECONDS, self._scan_interval)

    def _store_resting(self) -> bool:
        return self._store_retry_at is not None and self._clock() < self._store_retry_at

    def _store_works(self) -> None:
        if self.store_problem is not None:
            logger.info("the database takes writes again; queueing resumed")
        self.store_problem = None
        self._store_retry_at = None

    # decisions ---------------------------------------------------------------------------
    def _consider(self, entry: FileStat, path: Path, root: Path, exists: Exists) -> bool:
        """True when the file is ready to be queued (``_queue`` queues it, then marks it)."""
        key = entry.path
        settled = self._settle.observe(key, entry.size, entry.mtime_ns)
        if self._settle.is_handled(key):
            self._pending.discard(key)
            return False
        if not settled:
            self._pending.add(key)
            return False
        if has_partial_sibling(path, exists) or self._store_resting():
            self._pending.add(key)  # still downloading, or the database rests; look again
            return False
        # the name rules held when the scan or the event put the path here
        if is_under(path, self._library) and self._organizer_owns(path):
            logger.debug("not queued (written by the organizer): %s", display_path(key))
        elif key in self._ignored:
            logger.debug("not queued (ignored by a person): %s", display_path(key))
        elif entry.size < self._min_size:
            logger.debug("not queued (smaller than MIN_FILE_SIZE_MB): %s", display_path(key))
        elif (busy := self._db.busy_with(key)) is not None and not _same_version(busy, entry):
            self._pending.add(key)  # a worker holds an older version: not a second item
            logger.debug("waits for item %d to be let go: %s", busy.id, display_path(key))
            return False
        else:
            return True
        self._handled(key)
        return False

    def _handled(self, key: str) -> None:
        self._pending.discard(key)
        self._settle.mark_handled(key)
        self._failed.pop(key, None)

    def _organizer_owns(self, path: Path) -> bool:
        """Filed by the organizer, or being filed right now (its intent names the target)."""
        text = str(path)
        return self._db.is_library_file(text) or text in self._intent_targets()

    def _intent_targets(self) -> set[str]:
        targets = set()
        for item_id, intent in self._db.pending_intents():
            try:
                targets.add(str(MoveIntent.from_json(intent).target))
            except ValueError as error:
                logger.debug("item %s: unreadable move intent (%s)", item_id, error)
        return targets

    # queueing ----------------------------------------------------------------------------
    def _queue(self, entries: list[FileStat]) -> int:
        """Queue what this step found, in one transaction (one by one when a file breaks it).

        More than ``BACKLOG_FILES`` at once (a first import, a folder copied in) is a backlog:
        queued in path order, taken by the workers after any new file, and logged as one line.
        """
        if not entries:
            return 0
        backlog = len(entries) > BACKLOG_FILES
        if backlog:
            entries = sorted(entries, key=lambda entry: entry.path)
        try:
            results = self._db.enqueue_many([(e.path, e.size, e.mtime_ns) for e in entries],
                                            backlog=backlog)
        except _STORE_ERRORS as error:
            self._store_failed(error, entries)
            return 0
        except Exception:
            return sum(self._queue_one(entry) for entry in entries)
        self._store_works()
        queued = sum(self._queued(entry, item, created, quiet=backlog)
                     for entry, (item, created) in zip(entries, results, strict=True))
        if backlog and queued:
            logger.info("queued %d files at once as a backlog: new files go first", queued)
        if queued:
            self._on_queued(queued)
        return queued

    def _queue_one(self, entry: FileStat) -> int:
        try:
            item, created = self._db.enqueue(entry.path, entry.size, entry.mtime_ns)
        except _STORE_ERRORS as error:
            self._store_failed(error, [entry])
        except Exception as error:
            self._file_failed(entry, error)
        else:
            self._store_works()
            if created:
                self._on_queued(1)
            return self._queued(entry, item, created)
        return 0

    def _queued(self, entry: FileStat, item: QueueItem, created: bool, *,
                quiet: bool = False) -> int:
        if not created and not _same_version(item, entry):
            self._pending.add(entry.path)  # claimed since the look: ask again later
            return 0
        self._handled(entry.path)
        if created:
            logger.log(logging.DEBUG if quiet else logging.INFO, "queued %s",
                       display_path(entry.path), extra={"item_id": item.id})
            return 1
        logger.debug("already queued as item %d: %s", item.id, display_path(entry.path))
        return 0


def _same_version(item: QueueItem, entry: FileStat) -> bool:
    return (item.file_size, item.file_mtime_ns) == (entry.size, entry.mtime_ns)
