"""What the parts of ``QueueDB`` share: the connection pool, a read helper, event rows."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import Any

from emby_processor.db.connection import ConnectionPool
from emby_processor.timeutil import now_iso


class StoreBase:
    _pool: ConnectionPool

    def _read(self, sql: str, params: Sequence[object] = ()) -> list[sqlite3.Row]:
        return self._pool.get().execute(sql, params).fetchall()

    def _event(
        self, conn: sqlite3.Connection, item_id: int, stage: str, outcome: str, message: str,
        duration_ms: float | None = None, payload: dict[str, Any] | None = None,
    ) -> None:
        conn.execute(
            "INSERT INTO item_events (item_id, at, stage, outcome, message, duration_ms, payload)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (item_id, now_iso(), stage, outcome, message, duration_ms,
             json.dumps(payload, ensure_ascii=False, default=str) if payload else None),
        )
