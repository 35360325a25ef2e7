"""What a person asks of many items at once from the page: retry, re-fetch metadata, ignore
(and un-ignore, the undo of ignoring).

Each item gets exactly what its own button would do, and only when its button would be offered
(``catalogue.item_actions``): a bulk retry leaves alone what a retry cannot fix (no code, a
duplicate, an uncertain match…), a bulk re-fetch what has no code, and nothing touches an item a
worker holds. The work runs in write transactions of at most ``BATCH`` items each, so the
workers are never kept waiting long; every item's state is read again inside its transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from emby_processor.catalogue import item_actions
from emby_processor.db.base import StoreBase
from emby_processor.db.decisions import bump_ignored, ignore_row, prune_released
from emby_processor.db.filters import QueueFilter, build_where
from emby_processor.timeutil import now_iso

#: what the page can do to many items at once
BulkAction = Literal["retry", "reprocess", "ignore"]
#: items changed in one write transaction
BATCH = 200

__all__ = ["BATCH", "BulkAction", "BulkActions", "BulkResult"]


@dataclass
class BulkResult:
    action: BulkAction
    #: how many items were asked for (ids given, or items matching the filter)
    requested: int = 0
    #: the items changed
    changed: list[int] = field(default_factory=list)
    #: the ignored-file ids an ignore made (what un-ignoring them takes back)
    ignored: list[int] = field(default_factory=list)

    @property
    def skipped(self) -> int:
        return self.requested - len(self.changed)


_Apply = Callable[[sqlite3.Connection, sqlite3.Row, str, BulkResult], None]


class BulkActions(StoreBase):
    def matching_ids(self, flt: QueueFilter, limit: int) -> list[int]:
        """The ids of the items matching the filter, oldest first, at most ``limit``."""
        source, where, params = build_where(flt)
        rows = self._read(
            f"SELECT items.id FROM {source} WHERE {where} ORDER BY items.id LIMIT ?",
            [*params, limit])
        return [int(row[0]) for row in rows]

    def bulk(self, action: BulkAction, ids: Sequence[int]) -> BulkResult:
        """Do ``action`` to each of ``ids`` whose own buttons offer it; the rest are skipped."""
        apply = _APPLY[action]
        unique = list(dict.fromkeys(ids))
        result = BulkResult(action, requested=len(unique))
        for start in range(0, len(unique), BATCH):
            chunk = unique[start:start + BATCH]
            now = now_iso()
            with self._pool.write() as conn:
                rows = conn.execute(
                    f"SELECT * FROM items WHERE id IN ({', '.join('?' * len(chunk))}) ORDER BY id",
                    chunk,
                ).fetchall()
                before = len(result.ignored)
                for row in rows:
                    if action in _offered(row):
                        apply(conn, row, now, result)
                        result.changed.append(int(row["id"]))
                if len(result.ignored) > before:
                    bump_ignored(conn)
        return result

    def unignore_many(self, ignored_ids: Sequence[int]) -> list[int]:
        """Take files off the ignored list (the undo of a bulk ignore); returns the ids that
        were still ignored. The watcher queues each again as a new item."""
        unique = list(dict.fromkeys(ignored_ids))
        released: list[int] = []
        for start in range(0, len(unique), BATCH):
            chunk = unique[start:start + BATCH]
            with self._pool.write() as conn:
                version = bump_ignored(conn)
                rows = conn.execute(
                    "UPDATE ignored_files SET released = ? WHERE released IS NULL"
                    f" AND id IN ({', '.join('?' * len(chunk))}) RETURNING id",
                    [version, *chunk],
                ).fetchall()
                released.extend(int(row[0]) for row in rows)
                prune_released(conn, version)
        return released


def _offered(row: sqlite3.Row) -> list[str]:
    return list(item_actions(status=row["status"], cause=row["error_cause"],
                             code=row["movie_code"], filed=row["library_path"] is not None))


def _retry(conn: sqlite3.Connection, row: sqlite3.Row, now: str, result: BulkResult) -> None:
    # another try, as Retry all gives: not a decision about this one item, so fields locked on
    # the media server stay as they are (person_asked is left alone)
    conn.execute(
        "UPDATE items SET status = 'pending', next_attempt_at = ?, updated_at = ?,"
        " emby_wait_started_at = NULL WHERE id = ? AND status = 'error'", (now, now, row["id"]))
    conn.execute(
        "INSERT INTO item_events (item_id, at, stage, outcome, message) VALUES (?, ?, ?, ?, ?)",
        (row["id"], now, row["stage"], "retry", "retry requested (with other selected items)"))


def _reprocess(conn: sqlite3.Connection, row: sqlite3.Row, now: str,
               result: BulkResult) -> None:
    # what Re-fetch metadata does for one item (actions.reprocess)
    conn.execute(
        "UPDATE items SET status = 'pending', stage = 'metadata', refresh_metadata = 1,"
        " person_asked = 1, next_attempt_at = ?, updated_at = ?, error_message = NULL,"
        " error_kind = NULL, error_cause = NULL, retry_count = 0, emby_wait_started_at = NULL"
        " WHERE id = ? AND status <> 'processing'", (now, now, row["id"]))
    conn.execute(
        "INSERT INTO item_events (item_id, at, stage, outcome, message) VALUES (?, ?, ?, ?, ?)",
        (row["id"], now, "metadata", "reprocess",
         "metadata re-fetch requested (with other selected items)"))


def _ignore(conn: sqlite3.Connection, row: sqlite3.Row, now: str, result: BulkResult) -> None:
    result.ignored.append(int(ignore_row(conn, row)["id"]))


_APPLY: dict[BulkAction, _Apply] = {"retry": _retry, "reprocess": _reprocess, "ignore": _ignore}
