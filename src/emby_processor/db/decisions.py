"""What a person decides about an item from the page: ignore its file (and take that back), set
its code by hand, settle a duplicate. Each is one write transaction with its timeline entry.

Ignoring a file forgets its item and lists the path in ``ignored_files``; the watcher never
queues an ignored path. Every change of that list counts up the control key
``IGNORED_VERSION_KEY``, so a watcher in any process reloads the list; an un-ignored row keeps
the number of the change that released it, so the watcher looks again at every file released
since it last looked, even one whose ignoring it never saw.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Literal

from emby_processor.db.actions import ItemConflict, ItemNotFound
from emby_processor.db.base import StoreBase
from emby_processor.db.models import QueueItem
from emby_processor.db.text import path_param, path_value
from emby_processor.timeutil import now_iso
from emby_processor.vocabulary import CauseCode

#: counts the changes of the ignored list (the watcher compares it every step)
IGNORED_VERSION_KEY = "ignored_version"
#: un-ignored rows kept for watchers that have not looked yet (the newest this many)
_RELEASED_KEPT = 1000

#: how a duplicate is settled: keep the library's copy (ignore the new file), replace it (the
#: library's copy moves aside) or keep both (the new one under a suffixed name)
Keep = Literal["library", "new", "both"]
Resolution = Literal["replace", "keep_both"]
_RESOLUTIONS: dict[Keep, Resolution] = {"new": "replace", "both": "keep_both"}


@dataclass(frozen=True)
class IgnoredFile:
    id: int
    file_path: str
    file_size: int | None
    file_mtime_ns: int | None
    movie_code: str | None
    cause: CauseCode | None
    ignored_at: str

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> IgnoredFile:
        return cls(row["id"], path_value(row["file_path"]) or "", row["file_size"],
                   row["file_mtime_ns"], row["movie_code"], row["cause"], row["ignored_at"])


class Decisions(StoreBase):
    # ignoring ------------------------------------------------------------------------------
    def ignore(self, item_id: int) -> IgnoredFile:
        """Forget the item and never queue its file's path again (until un-ignored)."""
        with self._pool.write() as conn:
            ignored = ignore_row(conn, _held(conn, item_id))
            bump_ignored(conn)
        return IgnoredFile.from_row(ignored)

    def unignore(self, ignored_id: int) -> IgnoredFile:
        """Take the file off the ignored list: the watcher queues it again."""
        with self._pool.write() as conn:
            version = bump_ignored(conn)
            row = conn.execute(
                "UPDATE ignored_files SET released = ? WHERE id = ? AND released IS NULL"
                " RETURNING *", (version, ignored_id),
            ).fetchone()
            if row is None:
                raise ItemNotFound(f"no ignored file has id {ignored_id}")
            prune_released(conn, version)
        return IgnoredFile.from_row(row)

    def ignored(self, *, page: int = 1, limit: int = 50) -> tuple[list[IgnoredFile], int]:
        """The ignored files, the most recently ignored first, and how many there are."""
        rows = self._read(
            "SELECT * FROM ignored_files WHERE released IS NULL ORDER BY id DESC LIMIT ? OFFSET ?",
            (limit, (page - 1) * limit))
        total = self.ignored_count()
        return [IgnoredFile.from_row(row) for row in rows], total

    def ignored_count(self) -> int:
        return int(self._read(
            "SELECT count(*) FROM ignored_files WHERE released IS NULL")[0][0])

    def ignored_paths(self) -> set[str]:
        rows = self._read("SELECT file_path FROM ignored_files WHERE released IS NULL")
        return {path_value(row[0]) or "" for row in rows}

    def released_paths(self, since: int) -> set[str]:
        """The paths un-ignored by a change after ``since``."""
        rows = self._read("SELECT file_path FROM ignored_files WHERE released > ?", (since,))
        return {path_value(row[0]) or "" for row in rows}

    def ignored_version(self) -> int:
        """The number of changes of the ignored list so far."""
        rows = self._read("SELECT value FROM control WHERE key = ?", (IGNORED_VERSION_KEY,))
        return int(rows[0][0]) if rows else 0

    # setting the code ----------------------------------------------------------------------
    def set_code(self, item_id: int, code: str, *, part: int | None = None) -> QueueItem:
        """A person names the code: the item looks its metadata up again from there (and, as a
        person asked for it, may overwrite fields locked on the media server)."""
        now = now_iso()
        with self._pool.write() as conn:
            row = _held(conn, item_id)
            if row["library_path"] is not None or row["status"] == "completed":
                raise ItemConflict(f"item {item_id} is already filed under its code")
            before = row["movie_code"]
            row = conn.execute(
                "UPDATE items SET movie_code = ?, part = coalesce(?, part), code_rule = 'manual',"
                " title = NULL, metadata_json = NULL, status = 'pending', stage = 'metadata',"
                " refresh_metadata = 1, person_asked = 1, next_attempt_at = ?, updated_at = ?,"
                " error_message = NULL, error_kind = NULL, error_cause = NULL, retry_count = 0,"
                " emby_wait_started_at = NULL WHERE id = ? RETURNING *",
                (code, part, now, now, item_id),
            ).fetchone()
            self._drop_actresses(conn, item_id)
            was = f" (was {before})" if before and before != code else ""
            self._event(conn, item_id, "identify", "code_set", f"code set by hand: {code}{was}")
        return QueueItem.from_row(row)

    def _drop_actresses(self, conn: sqlite3.Connection, item_id: int) -> None:
        conn.execute("DELETE FROM item_actresses WHERE item_id = ?", (item_id,))
        conn.execute("UPDATE items SET actress = NULL, actresses = NULL WHERE id = ?", (item_id,))

    # duplicates ----------------------------------------------------------------------------
    def settle_duplicate(self, item_id: int, keep: Keep) -> QueueItem | IgnoredFile:
        """Settle a ``target_exists`` item: ``library`` ignores the new file; ``new`` and
        ``both`` send it back to the organize stage with the choice recorded."""
        if keep == "library":
            self._require_duplicate(item_id)
            return self.ignore(item_id)
        resolution = _RESOLUTIONS[keep]
        now = now_iso()
        with self._pool.write() as conn:
            found = _held(conn, item_id)
            if found["status"] != "error" or found["error_cause"] != "target_exists":
                raise ItemConflict(f"item {item_id} is not waiting for a duplicate to be settled")
            row = conn.execute(
                "UPDATE items SET resolution = ?, person_asked = 1, status = 'pending',"
                " stage = 'organize', next_attempt_at = ?, updated_at = ?, error_message = NULL,"
                " error_kind = NULL, error_cause = NULL, retry_count = 0 WHERE id = ? RETURNING *",
                (resolution, now, now, item_id),
            ).fetchone()
            what = {"replace": "replace the library's copy (it moves aside)",
                    "keep_both": "keep both, the new one under a suffixed name"}[resolution]
            self._event(conn, item_id, "organize", "decided", f"duplicate settled: {what}")
        return QueueItem.from_row(row)

    def _require_duplicate(self, item_id: int) -> None:
        rows = self._read("SELECT status, error_cause FROM items WHERE id = ?", (item_id,))
        if not rows:
            raise ItemNotFound(f"item {item_id} does not exist")
        if rows[0]["status"] != "error" or rows[0]["error_cause"] != "target_exists":
            raise ItemConflict(f"item {item_id} is not waiting for a duplicate to be settled")

    def library_item(self, path: str) -> QueueItem | None:
        """The newest item whose video was filed at ``path`` (the library's copy of a duplicate)."""
        rows = self._read("SELECT * FROM items WHERE library_path = ? ORDER BY id DESC LIMIT 1",
                          (path_param(path),))
        return QueueItem.from_row(rows[0]) if rows else None


def _held(conn: sqlite3.Connection, item_id: int) -> sqlite3.Row:
    """The item's row; refused while a worker holds it."""
    row: sqlite3.Row | None = conn.execute(
        "SELECT * FROM items WHERE id = ?", (item_id,)).fetchone()
    if row is None:
        raise ItemNotFound(f"item {item_id} does not exist")
    if row["status"] == "processing":
        raise ItemConflict(f"item {item_id} is being processed right now; try again")
    return row


def ignore_row(conn: sqlite3.Connection, row: sqlite3.Row) -> sqlite3.Row:
    """List the item's file as ignored and forget the item (the caller counts the change)."""
    ignored: sqlite3.Row = conn.execute(
        "INSERT INTO ignored_files (file_path, file_size, file_mtime_ns, movie_code,"
        " cause, ignored_at) VALUES (?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (file_path) DO UPDATE SET file_size = excluded.file_size,"
        " file_mtime_ns = excluded.file_mtime_ns, movie_code = excluded.movie_code,"
        " cause = excluded.cause, ignored_at = excluded.ignored_at, released = NULL"
        " RETURNING *",
        (row["file_path"], row["file_size"], row["file_mtime_ns"], row["movie_code"],
         row["error_cause"] if row["status"] == "error" else None, now_iso()),
    ).fetchone()
    conn.execute("DELETE FROM items WHERE id = ?", (row["id"],))
    return ignored


def prune_released(conn: sqlite3.Connection, version: int) -> None:
    """Forget un-ignored rows older than the newest ``_RELEASED_KEPT`` changes."""
    conn.execute("DELETE FROM ignored_files WHERE released <= ?", (version - _RELEASED_KEPT,))


def bump_ignored(conn: sqlite3.Connection) -> int:
    """Count one change of the ignored list; returns its number."""
    row = conn.execute(
        "INSERT INTO control (key, value) VALUES (?, '1')"
        " ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1 RETURNING value",
        (IGNORED_VERSION_KEY,),
    ).fetchone()
    return int(row[0])
