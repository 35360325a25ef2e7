"""Files coming into the queue: enqueue (idempotent by path, size and mtime), and what the
watcher asks before it queues (is a worker holding this path? did the organizer put it there?).

Paths go through ``db/text.py``: a name that is not UTF-8 is stored as its exact bytes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from emby_processor.db.base import StoreBase
from emby_processor.db.models import QueueItem
from emby_processor.db.text import path_param
from emby_processor.safetext import display_path
from emby_processor.timeutil import now_iso


class Intake(StoreBase):
    def enqueue(
        self, file_path: str, file_size: int, file_mtime_ns: int
    ) -> tuple[QueueItem, bool]:
        """Add a file once; the same path, size and mtime again returns the existing item.

        While a worker holds an item for the same path (an older version of the file, being
        copied right now perhaps), nothing is added: that item is returned, with another size or
        mtime. The caller asks again once it is released (``busy_with``).
        """
        with self._pool.write() as conn:
            return self._enqueue(conn, file_path, file_size, file_mtime_ns, now_iso())

    def enqueue_many(
        self, files: Iterable[tuple[str, int, int]], *, backlog: bool = False
    ) -> list[tuple[QueueItem, bool]]:
        """``enqueue`` for each of a batch, in one transaction (what one watcher step found).

        ``backlog``: the files are a backlog (a first import of a whole folder); workers take
        them only when no new file is due."""
        now = now_iso()
        priority = 1 if backlog else 0
        with self._pool.write() as conn:
            return [self._enqueue(conn, path, size, mtime, now, priority)
                    for path, size, mtime in files]

    def _enqueue(
        self, conn: sqlite3.Connection, file_path: str, size: int, mtime_ns: int, now: str,
        priority: int = 0,
    ) -> tuple[QueueItem, bool]:
        stored = path_param(file_path)
        # one statement for the common case: added unless a worker holds the path or this
        # version is already queued; the snapshot is built from what was written, not read back
        row = conn.execute(
            "INSERT INTO items (file_path, file_size, file_mtime_ns, status, stage,"
            " next_attempt_at, created_at, updated_at, priority)"
            " SELECT ?1, ?2, ?3, 'pending', 'identify', ?4, ?4, ?4, ?5 WHERE NOT EXISTS"
            " (SELECT 1 FROM items WHERE file_path = ?1 AND status = 'processing')"
            " ON CONFLICT (file_path, file_size, file_mtime_ns) DO NOTHING RETURNING id",
            (stored, size, mtime_ns, now, priority),
        ).fetchone()
        if row is not None:
            item_id = int(row[0])
            self._event(conn, item_id, "identify", "queued", f"found {display_path(file_path)}",
                        at=now)
            return QueueItem(item_id, file_path, size, mtime_ns, "pending", "identify",
                             next_attempt_at=now, created_at=now, updated_at=now), True
        busy = _busy_with(conn, file_path)
        if busy is not None:
            return busy, False
        found = conn.execute(
            "SELECT * FROM items WHERE file_path = ? AND file_size = ? AND file_mtime_ns = ?",
            (stored, size, mtime_ns),
        ).fetchone()
        return QueueItem.from_row(found), False

    def busy_with(self, file_path: str) -> QueueItem | None:
        """The item a worker holds for this path right now, if any (a read, no lock)."""
        rows = self._read(
            "SELECT * FROM items WHERE file_path = ? AND status = 'processing' ORDER BY id LIMIT 1",
            (path_param(file_path),),
        )
        return QueueItem.from_row(rows[0]) if rows else None

    def is_library_file(self, path: str) -> bool:
        """True when the organizer put this file there (so the watcher leaves it alone)."""
        return bool(
            self._read("SELECT 1 FROM items WHERE library_path = ? LIMIT 1", (path_param(path),))
        )


def _busy_with(conn: sqlite3.Connection, file_path: str) -> QueueItem | None:
    row = conn.execute(
        "SELECT * FROM items WHERE file_path = ? AND status = 'processing' ORDER BY id LIMIT 1",
        (path_param(file_path),),
    ).fetchone()
    return QueueItem.from_row(row) if row is not None else None
