"""What the parts of ``QueueDB`` share: the connection pool and a read helper."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from emby_processor.db.connection import ConnectionPool


class StoreBase:
    _pool: ConnectionPool

    def _read(self, sql: str, params: Sequence[object] = ()) -> list[sqlite3.Row]:
        return self._pool.get().execute(sql, params).fetchall()
