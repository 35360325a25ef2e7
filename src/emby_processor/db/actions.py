"""What a person asks of the queue from the dashboard: retry, re-fetch, delete (clean up is
``cleanup.py``)."""

from __future__ import annotations

from emby_processor.catalogue import NOT_RETRYABLE
from emby_processor.db.base import StoreBase
from emby_processor.db.filters import QueueFilter, build_where
from emby_processor.db.models import QueueItem
from emby_processor.errors import StoreError
from emby_processor.timeutil import now_iso


class ItemNotFound(StoreError):
    pass


class ItemConflict(StoreError):
    pass


class ItemActions(StoreBase):
    def retry(self, item_id: int) -> QueueItem:
        """A person asks for another try: error item back to pending at its failed stage, now.

        A person asking for this one item counts as asking for it to be written: its next
        media-server step may overwrite fields locked on the server (``person_asked``)."""
        now = now_iso()
        with self._pool.write() as conn:
            row = conn.execute(
                "UPDATE items SET status = 'pending', next_attempt_at = ?, updated_at = ?,"
                " emby_wait_started_at = NULL, person_asked = 1"
                " WHERE id = ? AND status = 'error' RETURNING *",
                (now, now, item_id),
            ).fetchone()
            if row is None:
                current = conn.execute("SELECT status FROM items WHERE id = ?", (item_id,))
                found = current.fetchone()
                if found is None:
                    raise ItemNotFound(f"item {item_id} does not exist")
                raise ItemConflict(
                    f"item {item_id} is {found['status']}, only items in error can be retried"
                )
            self._event(conn, item_id, row["stage"], "retry", "retry requested")
        return QueueItem.from_row(row)

    def retry_matching(self, flt: QueueFilter) -> int:
        """Retry the error items matching a filter that a retry can fix; returns how many.

        With a cause in the filter, the items with that cause (a person fixed what stopped
        them); without one, the transient errors only: items that need a person (no code, a
        duplicate, an uncertain match…) are not re-run blindly. Another automatic try for
        each, not a decision about any one of them: locked fields stay as they are."""
        status = flt.status if flt.status in ("needs_attention", "retrying") else "error"
        source, where, params = build_where(QueueFilter(**{**flt.__dict__, "status": status}))
        if flt.cause is None:
            where += " AND items.error_kind = 'transient'"
        blocked = sorted(NOT_RETRYABLE)
        where += f" AND coalesce(items.error_cause, '') NOT IN ({', '.join('?' * len(blocked))})"
        now = now_iso()
        sql = (
            "UPDATE items SET status = 'pending', next_attempt_at = ?, updated_at = ?,"
            " emby_wait_started_at = NULL"
            f" WHERE id IN (SELECT items.id FROM {source} WHERE {where})"
        )
        with self._pool.write() as conn:
            cur = conn.execute(sql, [now, now, *params, *blocked])
        return cur.rowcount

    def reprocess(self, item_id: int) -> QueueItem:
        """Re-fetch metadata (skipping caches) and push it to the media server again."""
        now = now_iso()
        with self._pool.write() as conn:
            row = conn.execute("SELECT * FROM items WHERE id = ?", (item_id,)).fetchone()
            if row is None:
                raise ItemNotFound(f"item {item_id} does not exist")
            if row["status"] == "processing":
                raise ItemConflict(f"item {item_id} is being processed right now; try again")
            if not row["movie_code"] and row["stage"] == "identify":
                raise ItemConflict(f"item {item_id} has no movie code to look up")
            # an item not yet organised re-runs from metadata; one already filed keeps its place
            stage = "metadata"
            row = conn.execute(
                "UPDATE items SET status = 'pending', stage = ?, refresh_metadata = 1,"
                " person_asked = 1, next_attempt_at = ?, updated_at = ?,"
                " error_message = NULL, error_kind = NULL, error_cause = NULL, retry_count = 0,"
                " emby_wait_started_at = NULL"
                " WHERE id = ? RETURNING *",
                (stage, now, now, item_id),
            ).fetchone()
            self._event(conn, item_id, stage, "reprocess", "metadata re-fetch requested")
        return QueueItem.from_row(row)

    def delete(self, item_id: int) -> None:
        """Forget an item and its events; one a worker holds right now is refused."""
        with self._pool.write() as conn:
            cur = conn.execute(
                "DELETE FROM items WHERE id = ? AND status <> 'processing'", (item_id,)
            )
            if cur.rowcount == 0:
                found = conn.execute("SELECT 1 FROM items WHERE id = ?", (item_id,)).fetchone()
                if found is None:
                    raise ItemNotFound(f"item {item_id} does not exist")
                raise ItemConflict(f"item {item_id} is being processed right now; try again")
