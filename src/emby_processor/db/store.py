"""``QueueDB``: the durable queue of items, their events, worker heartbeats and controls.

Every state change is one short write transaction. Claims are a single ``UPDATE … RETURNING``
so two threads or two processes can never take the same item, and every claim carries a lease
that expires if its holder dies.
"""

from __future__ import annotations

import contextlib
import os
import socket
import sqlite3
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from emby_processor.db.actions import ItemActions, ItemConflict, ItemNotFound
from emby_processor.db.bulk import BulkActions
from emby_processor.db.candidates import CandidateActions, UnknownCandidate
from emby_processor.db.channels import ChannelRecords
from emby_processor.db.cleanup import Housekeeping
from emby_processor.db.connection import ConnectionPool
from emby_processor.db.decisions import Decisions
from emby_processor.db.export import Export
from emby_processor.db.history import HistoryReads
from emby_processor.db.intake import Intake
from emby_processor.db.models import (
    ItemEvent,
    Lane,
    NewEvent,
    QueueItem,
    Stage,
    Status,
)
from emby_processor.db.reads import QueueReads
from emby_processor.db.schema import migrate
from emby_processor.db.service_state import ServiceState
from emby_processor.db.text import PATH_COLUMNS, json_param, path_param, text_param
from emby_processor.errors import StoreError
from emby_processor.item import unique_names
from emby_processor.timeutil import iso_in, now_iso
from emby_processor.vocabulary import CauseCode, ErrorKind

__all__ = ["UPDATABLE", "ItemConflict", "ItemNotFound", "QueueDB", "UnknownCandidate"]

#: columns a worker may set on an item it holds
UPDATABLE = frozenset(
    {
        "movie_code", "part", "subtitles", "uncensored", "code_rule", "title", "metadata_json",
        "library_path", "server_path", "organize_intent", "emby_id", "emby_wait_started_at",
        "refresh_metadata", "warnings", "file_path", "person_asked", "resolution",
        "candidates_json",
    }
)


class QueueDB(Intake, QueueReads, Export, ItemActions, BulkActions, Housekeeping, Decisions,
              ServiceState, HistoryReads, CandidateActions, ChannelRecords):
    """The queue store. Safe to share between threads; open one per process.

    This module holds the item lifecycle as the workers drive it (claim, advance, defer, fail,
    leases); enqueueing is in ``intake.py``, what a person asks for (retry, re-fetch, delete)
    in ``actions.py``, cleanup in ``cleanup.py``, the CSV export's reads in ``export.py``,
    what a person decides (ignore, set a code, settle a duplicate) in ``decisions.py``, the
    same for many items at once in ``bulk.py``, the dashboard's reads in ``reads.py`` (its
    history in ``history.py``), heartbeats, controls and figures in ``service_state.py``, the
    candidates of an uncertain match and a person's choice in ``candidates.py``, and the DMM
    channels seen in ``channels.py``.
    """

    def __init__(
        self, path: Path | str, *, lease_seconds: float = 300, process: str | None = None
    ) -> None:
        self.path = Path(path)
        self.lease_seconds = lease_seconds
        self.process = process or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._pool = ConnectionPool(self.path)

    # lifecycle ---------------------------------------------------------------------------
    def open(self) -> QueueDB:
        if str(self.path) != ":memory:":
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise StoreError(f"cannot create {self.path.parent}: {error}") from error
        try:
            conn = self._pool.get()
            migrate(conn)
            conn.execute("SELECT count(*) FROM status_counts").fetchone()
        except sqlite3.DatabaseError as error:
            raise StoreError(f"the queue database {self.path} is unusable: {error}") from error
        except RuntimeError as error:
            raise StoreError(str(error)) from error
        return self

    def close(self) -> None:
        self._pool.close()

    def ping(self) -> None:
        self._read("SELECT count(*) FROM status_counts")

    def problem(self) -> str | None:
        """Why the database cannot be trusted right now (file gone, replaced, read-only, writes
        failing), in a sentence; None when all is well. Cheap: a stat and no query."""
        return self._pool.problem()

    def file_size(self) -> int:
        total = 0
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(OSError):
                total += os.path.getsize(str(self.path) + suffix)
        return total

    # items -------------------------------------------------------------------------------
    def other_parts(self, item: QueueItem) -> list[QueueItem]:
        """The other parts of the same movie in the queue (for a part item; else none)."""
        if not item.movie_code or item.part is None:
            return []
        rows = self._read(
            "SELECT * FROM items WHERE movie_code = ? AND id <> ? AND part IS NOT NULL"
            " ORDER BY part, id LIMIT 50",
            (item.movie_code, item.id),
        )
        return [QueueItem.from_row(row) for row in rows]

    def get(self, item_id: int) -> QueueItem | None:
        rows = self._read("SELECT * FROM items WHERE id = ?", (item_id,))
        return QueueItem.from_row(rows[0]) if rows else None

    def require(self, item_id: int) -> QueueItem:
        item = self.get(item_id)
        if item is None:
            raise ItemNotFound(f"item {item_id} does not exist")
        return item

    def claim(self, lane: Lane, owner: str) -> QueueItem | None:
        """Take the next due item of a lane, atomically, with a lease: new files first, then
        the backlog (``priority`` 1), each oldest due first."""
        now = now_iso()
        if not self._read(_ANY_DUE, (lane, now)):
            return None  # nothing due: no write turn taken (idle workers poll this)
        with self._pool.write() as conn:
            row = conn.execute(_CLAIM, (owner, iso_in(self.lease_seconds), now, lane, now)
                               ).fetchone()
        return QueueItem.from_row(row) if row is not None else None

    def renew_lease(self, item_id: int, owner: str) -> bool:
        with self._pool.write() as conn:
            cur = conn.execute(
                "UPDATE items SET lease_expires_at = ? WHERE id = ? AND lease_owner = ?"
                " AND status = 'processing'",
                (iso_in(self.lease_seconds), item_id, owner),
            )
        return cur.rowcount == 1

    def update_fields(
        self, item_id: int, owner: str | None = None, *, event: NewEvent | None = None,
        actresses: Iterable[str] | None = None, **fields: Any,
    ) -> None:
        """Set data columns of an item (while holding its lease, when ``owner`` is given);
        ``actresses`` replaces its actresses (the first one is the display actress)."""
        with self._pool.write() as conn:
            self._set(conn, item_id, owner, fields, event, actresses)

    def _set(
        self, conn: sqlite3.Connection, item_id: int, owner: str | None, fields: dict[str, Any],
        event: NewEvent | None = None, actresses: Iterable[str] | None = None,
        state: dict[str, Any] | None = None,
    ) -> None:
        """One UPDATE of the item: ``fields`` (checked against UPDATABLE), the display actress
        when ``actresses`` is given, and ``state`` (status, stage, lease … set by the store
        itself); then its actresses and its event. Guarded by the lease when ``owner`` is given.
        """
        unknown = set(fields) - UPDATABLE
        if unknown:
            raise ValueError(f"not updatable: {sorted(unknown)}")
        values = {k: _encode(k, v) for k, v in fields.items()}
        names: list[str] | None = None
        if actresses is not None:
            names = unique_names([text_param(name) for name in actresses])
            values["actress"] = names[0] if names else None
            values["actresses"] = json_param(names)
        values.update(state or {})
        values.setdefault("updated_at", now_iso())
        assignments = ", ".join(f"{key} = :{key}" for key in values)
        guard = " AND lease_owner = :owner AND status = 'processing'" if owner else ""
        cur = conn.execute(
            f"UPDATE items SET {assignments} WHERE id = :id{guard}",
            {**values, "id": item_id, "owner": owner},
        )
        if cur.rowcount != 1:
            raise ItemConflict(f"item {item_id} is no longer held by {owner}")
        if names is not None:
            _replace_actresses(conn, item_id, names)
        if event is not None:
            self._event(conn, item_id, *event)

    def _set_actresses(self, conn: sqlite3.Connection, item_id: int, names: list[str]) -> None:
        """Replace the item's actresses (the first one is the display actress), in ``conn``'s
        transaction, for writes that set the rest of the item themselves."""
        names = unique_names([text_param(name) for name in names])
        conn.execute("UPDATE items SET actress = ?, actresses = ? WHERE id = ?",
                     (names[0] if names else None, json_param(names), item_id))
        _replace_actresses(conn, item_id, names)

    def advance(
        self, item_id: int, owner: str, stage: Stage, *, hold: bool = False,
        event: NewEvent | None = None, actresses: Iterable[str] | None = None, **fields: Any,
    ) -> None:
        """The held item finished a step, in one transaction: ``fields`` (and ``actresses``)
        set, ``event`` added, error cleared, now at ``stage``.

        ``hold`` keeps the lease (the worker goes straight on to ``stage``); otherwise the item
        is released as pending at ``stage``, or completed at ``done``."""
        state: dict[str, Any] = {"stage": stage, "error_message": None, "error_kind": None,
                                 "error_cause": None}
        if not hold:
            now = now_iso()
            status: Status = "completed" if stage == "done" else "pending"
            state.update(status=status, lease_owner=None, lease_expires_at=None,
                         next_attempt_at=now, updated_at=now)
            if status == "completed":
                state["completed_at"] = now
        with self._pool.write() as conn:
            self._set(conn, item_id, owner, fields, event, actresses, state)

    def defer(
        self, item_id: int, owner: str, delay: float, *, event: NewEvent | None = None,
        **fields: Any,
    ) -> None:
        """Put a held item back as pending, due again in ``delay`` seconds (waiting, no error)."""
        state = {"status": "pending", "lease_owner": None, "lease_expires_at": None,
                 "next_attempt_at": iso_in(delay)}
        with self._pool.write() as conn:
            self._set(conn, item_id, owner, fields, event, state=state)

    def release(self, item_id: int, owner: str) -> None:
        """Give a held item back untouched (shutdown)."""
        self.defer(item_id, owner, 0)

    def fail(
        self, item_id: int, owner: str, *, message: str, kind: ErrorKind,
        retry_in: float | None, cause: CauseCode = "internal",
        duration_ms: float | None = None, payload: dict[str, Any] | None = None,
        fields: dict[str, Any] | None = None,
    ) -> QueueItem:
        """Mark a held item failed at its current stage; ``retry_in`` None = a person decides.

        ``fields`` (stage state to undo) and the error on the item's timeline are written in
        the same transaction."""
        now = now_iso()
        with self._pool.write() as conn:
            if fields:
                self._set(conn, item_id, owner, fields)
            row = conn.execute(
                "UPDATE items SET status = 'error', error_message = ?, error_kind = ?,"
                " error_cause = ?, retry_count = retry_count + 1, next_attempt_at = ?,"
                " lease_owner = NULL, lease_expires_at = NULL, updated_at = ?"
                " WHERE id = ? AND lease_owner = ? AND status = 'processing' RETURNING *",
                (text_param(message), kind, cause,
                 iso_in(retry_in) if retry_in is not None else None, now, item_id, owner),
            ).fetchone()
            if row is None:
                raise ItemConflict(f"item {item_id} is no longer held by {owner}")
            self._event(conn, item_id, row["stage"], "error", message, duration_ms, payload)
        return QueueItem.from_row(row)

    def requeue_expired_leases(self) -> list[int]:
        """Items whose holder died go back to pending at the stage they were in."""
        now = now_iso()
        with self._pool.write() as conn:
            rows = conn.execute(
                "UPDATE items SET status = 'pending', lease_owner = NULL, lease_expires_at = NULL,"
                " next_attempt_at = ?, updated_at = ?"
                " WHERE status = 'processing' AND lease_expires_at < ? RETURNING id, stage",
                (now, now, now),
            ).fetchall()
            for row in rows:
                self._event(conn, row["id"], row["stage"], "recovered", "lease expired, requeued")
        return [row["id"] for row in rows]

    def release_owner(self, owner_prefix: str) -> int:
        """At start-up: items held by an earlier run of this process go back to pending."""
        now = now_iso()
        with self._pool.write() as conn:
            cur = conn.execute(
                "UPDATE items SET status = 'pending', lease_owner = NULL, lease_expires_at = NULL,"
                " next_attempt_at = ?, updated_at = ?"
                " WHERE status = 'processing' AND lease_owner LIKE ? ESCAPE '\\'",
                (now, now, owner_prefix.replace("%", "\\%").replace("_", "\\_") + "%"),
            )
        return cur.rowcount

    def held_by(self) -> list[str]:
        """The distinct lease owners of items in processing (to find holders that died)."""
        rows = self._read(
            "SELECT DISTINCT lease_owner FROM items WHERE status = 'processing'"
            " AND lease_owner IS NOT NULL"
        )
        return [row[0] for row in rows]

    def promote_retries(self, max_retries: int) -> list[int]:
        """Transient errors whose backoff has passed go back to pending at their stage."""
        now = now_iso()
        with self._pool.write() as conn:
            rows = conn.execute(
                "UPDATE items SET status = 'pending', updated_at = ?"
                " WHERE status = 'error' AND error_kind = 'transient' AND next_attempt_at <= ?"
                " AND retry_count <= ? RETURNING id, stage, retry_count",
                (now, now, max_retries),
            ).fetchall()
            for row in rows:
                self._event(
                    conn, row["id"], row["stage"], "retry",
                    f"automatic retry {row['retry_count']} of {max_retries}",
                )
        return [row["id"] for row in rows]

    def pending_intents(self) -> list[tuple[int, str]]:
        rows = self._read(
            "SELECT id, organize_intent FROM items WHERE organize_intent IS NOT NULL"
        )
        return [(row["id"], row["organize_intent"]) for row in rows]

    # events ------------------------------------------------------------------------------
    def events(self, item_id: int, limit: int = 500) -> list[ItemEvent]:
        rows = self._read(
            "SELECT * FROM (SELECT * FROM item_events WHERE item_id = ? ORDER BY id DESC LIMIT ?)"
            " ORDER BY id",
            (item_id, limit),
        )
        return [ItemEvent.from_row(row) for row in rows]


#: is any item of the lane due? (a read on the claim index)
_ANY_DUE = ("SELECT 1 FROM items WHERE status = 'pending' AND lane = ? AND priority IN (0, 1)"
            " AND next_attempt_at <= ? LIMIT 1")
#: one index seek per tier: the oldest due new file, else the oldest due backlog item
_TIER = ("(SELECT id FROM items WHERE status = 'pending' AND lane = ?4 AND priority = {}"
         " AND next_attempt_at <= ?5 ORDER BY next_attempt_at, id LIMIT 1)")
_CLAIM = (
    "UPDATE items SET status = 'processing', lease_owner = ?1, lease_expires_at = ?2,"
    f" updated_at = ?3 WHERE id = coalesce({_TIER.format(0)}, {_TIER.format(1)}) RETURNING *"
)


def _replace_actresses(conn: sqlite3.Connection, item_id: int, names: list[str]) -> None:
    conn.execute("DELETE FROM item_actresses WHERE item_id = ?", (item_id,))
    conn.executemany(
        "INSERT INTO item_actresses (item_id, name) VALUES (?, ?)",
        [(item_id, name) for name in names],
    )


def _encode(key: str, value: Any) -> Any:
    if key in ("warnings", "actresses"):
        return json_param(list(value or []))
    if isinstance(value, bool):
        return int(value)
    if key in PATH_COLUMNS and isinstance(value, str):
        return path_param(value)
    return text_param(value)
