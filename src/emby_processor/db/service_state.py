"""Rows about the service rather than items: heartbeats, controls and /metrics figures."""

from __future__ import annotations

import os

from emby_processor.db.base import StoreBase
from emby_processor.db.models import Heartbeat
from emby_processor.timeutil import now_iso


class ServiceState(StoreBase):
    # figures for /metrics ----------------------------------------------------------------
    def count_upstream_error(self, service: str) -> None:
        with self._pool.write() as conn:
            conn.execute(
                "INSERT INTO upstream_errors (service, count) VALUES (?, 1)"
                " ON CONFLICT (service) DO UPDATE SET count = count + 1",
                (service,),
            )

    def upstream_errors(self) -> dict[str, int]:
        return {r["service"]: r["count"] for r in self._read("SELECT * FROM upstream_errors")}

    def event_stats(self) -> list[tuple[str, str, int, float]]:
        """(stage, outcome, count, total milliseconds) of every timed step so far."""
        rows = self._read("SELECT stage, outcome, count, total_ms FROM event_stats")
        return [(r["stage"], r["outcome"], r["count"], r["total_ms"]) for r in rows]

    # workers and controls ----------------------------------------------------------------
    def beat(
        self, name: str, state: str, *, current_item: int | None = None, processed: int = 0,
        failed: int = 0, message: str | None = None, started_at: str | None = None,
    ) -> None:
        now = now_iso()
        with self._pool.write() as conn:
            conn.execute(
                "INSERT INTO workers (name, state, current_item, processed, failed, pid, message,"
                " started_at, beat_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (name) DO UPDATE SET state = excluded.state,"
                " current_item = excluded.current_item, processed = excluded.processed,"
                " failed = excluded.failed, pid = excluded.pid, message = excluded.message,"
                " started_at = excluded.started_at, beat_at = excluded.beat_at",
                (name, state, current_item, processed, failed, os.getpid(), message,
                 started_at or now, now),
            )

    def heartbeats(self) -> list[Heartbeat]:
        return [Heartbeat.from_row(row) for row in self._read("SELECT * FROM workers")]

    def set_control(self, key: str, value: str) -> None:
        with self._pool.write() as conn:
            conn.execute(
                "INSERT INTO control (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    def get_control(self, key: str) -> str | None:
        rows = self._read("SELECT value FROM control WHERE key = ?", (key,))
        return rows[0][0] if rows else None
