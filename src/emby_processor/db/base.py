"""What the parts of ``QueueDB`` share: the connection pool, a read helper and the timeline
entry written inside a transaction."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from emby_processor.db.connection import ConnectionPool
from emby_processor.db.text import json_param, text_param
from emby_processor.timeutil import now_iso


class StoreBase:
    _pool: ConnectionPool
    #: this store's name in the heartbeat rows (host, pid and a token: unique per process)
    process: str

    def _read(self, sql: str, params: Sequence[object] = ()) -> list[sqlite3.Row]:
        return self._pool.read(sql, params)

    def _event(
        self, conn: sqlite3.Connection, item_id: int, stage: str, outcome: str, message: str,
        duration_ms: float | None = None, payload: dict[str, Any] | None = None,
        *, at: str | None = None,
    ) -> None:
        conn.execute(
            "INSERT INTO item_events (item_id, at, stage, outcome, message, duration_ms, payload)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (item_id, at or now_iso(), stage, outcome, text_param(message), duration_ms,
             json_param(payload) if payload else None),
        )
