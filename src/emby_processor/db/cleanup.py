"""Cleanup of old completed items: short batches, and progress that any process can read.

A batch deletes a number of items with their events and actresses in one transaction, and
takes as many items as fit in about ``BATCH_SECONDS`` of work (measured on the batches before
it), so the workers' writes wait at most that long. It runs on a connection of its own without
foreign-key cascades (the batch deletes the children itself, by set, instead of once per item)
while holding the process's write turn. The job's progress is a row of the ``control`` table,
written in the transaction of each batch: the dashboard reads it from whatever process it runs
in (``GET /api/cleanup``).
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
import time
from dataclasses import asdict, dataclass
from typing import Any, Literal

from emby_processor.db.base import StoreBase
from emby_processor.errors import StoreError
from emby_processor.timeutil import iso_in, now_iso, parse_iso, utcnow

CLEANUP_KEY = "cleanup"
#: a batch holds the write turn about this long
BATCH_SECONDS = 0.05
_FIRST_BATCH, _MIN_BATCH, _MAX_BATCH = 250, 50, 20_000
#: a running job whose progress has not moved for this long was stopped (its process died)
STALE_SECONDS = 60.0

CleanupState = Literal["running", "done", "failed", "interrupted"]
#: the next batch, oldest first by the completed-items index (an ORDER BY would make SQLite
#: sort every completed item instead)
CHOOSE_BATCH = (
    "SELECT id FROM items INDEXED BY items_completed"
    " WHERE status = 'completed' AND completed_at < ? LIMIT ?"
)


@dataclass
class CleanupProgress:
    """One cleanup job, as ``GET /api/cleanup`` shows it."""

    job: str
    state: CleanupState
    older_than_days: float
    #: completed items old enough when the job started
    total: int
    deleted: int
    started_at: str
    updated_at: str
    finished_at: str | None = None
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "done": self.state != "running"}


class Housekeeping(StoreBase):
    def cleanup_count(self, older_than_days: float) -> int:
        """How many completed items are older than ``older_than_days`` (an index range count)."""
        rows = self._read(
            "SELECT count(*) FROM items INDEXED BY items_completed"
            " WHERE status = 'completed' AND completed_at < ?",
            (iso_in(-older_than_days * 86400),),
        )
        return int(rows[0][0])

    def start_cleanup(self, older_than_days: float, job: str) -> CleanupProgress:
        """Record a cleanup job as running (what ``cleanup_status`` shows until it is done)."""
        now = now_iso()
        progress = CleanupProgress(job, "running", older_than_days,
                                   self.cleanup_count(older_than_days), 0, now, now)
        self._save_progress(progress)
        return progress

    def cleanup(
        self, older_than_days: float, *, progress: CleanupProgress | None = None,
        stop: threading.Event | None = None, batch_seconds: float = BATCH_SECONDS,
    ) -> int:
        """Delete completed items (and their events) older than N days, in short batches;
        returns how many. ``progress`` (from ``start_cleanup``) is kept up to date in the
        database; ``stop`` ends the job between two batches."""
        cutoff = iso_in(-older_than_days * 86400)
        try:
            conn = self._pool.open_connection()
        except BaseException as error:
            self._cleanup_failed(progress, error)
            raise
        conn.execute("PRAGMA foreign_keys = OFF")  # the batch deletes the children itself
        try:
            return self._cleanup_batches(conn, cutoff, progress, stop, batch_seconds)
        except BaseException as error:
            self._cleanup_failed(progress, error)
            raise
        finally:
            self._pool.forget(conn)
            conn.close()

    def _cleanup_failed(self, progress: CleanupProgress | None, error: BaseException) -> None:
        if progress is None:
            return
        progress.state, progress.error = "failed", str(error)
        progress.finished_at = progress.updated_at = now_iso()
        with contextlib.suppress(sqlite3.Error, StoreError):
            self._save_progress(progress)

    def _cleanup_batches(
        self, conn: sqlite3.Connection, cutoff: str, progress: CleanupProgress | None,
        stop: threading.Event | None, batch_seconds: float,
    ) -> int:
        deleted, size = 0, _FIRST_BATCH
        while True:
            started = time.monotonic()
            with self._pool.writer.exclusive():
                count = self._cleanup_batch(conn, cutoff, size, deleted, progress)
            deleted += count
            finished = count < size or (stop is not None and stop.is_set())
            if finished:
                if progress is not None:
                    progress.state = "done"
                    progress.finished_at = progress.updated_at = now_iso()
                    self._save_progress(progress)
                return deleted
            took = max(time.monotonic() - started, 1e-4)
            size = min(max(int(size * batch_seconds / took), _MIN_BATCH), _MAX_BATCH)
            time.sleep(0)  # let the threads that waited for the write turn have it

    def _cleanup_batch(
        self, conn: sqlite3.Connection, cutoff: str, size: int, before: int,
        progress: CleanupProgress | None,
    ) -> int:
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                ids = json.dumps([row[0] for row in conn.execute(CHOOSE_BATCH, (cutoff, size))])
                chosen = "(SELECT value FROM json_each(?))"
                conn.execute(f"DELETE FROM item_events WHERE item_id IN {chosen}", (ids,))
                conn.execute(f"DELETE FROM item_actresses WHERE item_id IN {chosen}", (ids,))
                count = conn.execute(f"DELETE FROM items WHERE id IN {chosen}", (ids,)).rowcount
                if progress is not None:
                    progress.deleted = before + count
                    progress.updated_at = now_iso()
                    _write_progress(conn, progress)
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        except sqlite3.Error as error:
            self._pool.failed(error)
            raise
        self._pool.committed()
        return int(count)

    def _save_progress(self, progress: CleanupProgress) -> None:
        with self._pool.write() as conn:
            _write_progress(conn, progress)

    def cleanup_status(self) -> CleanupProgress | None:
        """The running or the last cleanup job; one whose process stopped mid-way is
        ``interrupted``."""
        rows = self._read("SELECT value FROM control WHERE key = ?", (CLEANUP_KEY,))
        if not rows:
            return None
        try:
            progress = CleanupProgress(**json.loads(rows[0][0]))
        except (ValueError, TypeError):
            return None
        if progress.state == "running":
            idle = (utcnow() - parse_iso(progress.updated_at)).total_seconds()
            if idle > STALE_SECONDS:
                progress.state = "interrupted"
        return progress


def _write_progress(conn: sqlite3.Connection, progress: CleanupProgress) -> None:
    conn.execute(
        "INSERT INTO control (key, value) VALUES (?, ?)"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (CLEANUP_KEY, json.dumps(asdict(progress))),
    )
