"""Rows about the service rather than items: heartbeats, controls and /metrics figures."""

from __future__ import annotations

import os
from dataclasses import replace

from emby_processor.db.base import StoreBase
from emby_processor.db.models import Heartbeat
from emby_processor.db.text import text_param
from emby_processor.timeutil import iso_in, now_iso

#: states of a worker that is there (paused counts: a person asked for it)
LIVE_STATES = frozenset({"running", "idle", "paused", "starting"})
#: a process whose heartbeat is this old is gone (killed); another process drops its rows
GONE_AFTER_SECONDS = 3600


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
        """This process's heartbeat for worker kind ``name`` (one row per kind and process).

        Rows of other processes that stopped, or that have not beaten for an hour (killed),
        are dropped here, so the table holds the processes that run and the last ones that ran.
        """
        now = now_iso()
        with self._pool.write() as conn:
            conn.execute(
                "INSERT INTO workers (name, process, state, current_item, processed, failed, pid,"
                " message, started_at, beat_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (name, process) DO UPDATE SET state = excluded.state,"
                " current_item = excluded.current_item, processed = excluded.processed,"
                " failed = excluded.failed, pid = excluded.pid, message = excluded.message,"
                " started_at = excluded.started_at, beat_at = excluded.beat_at",
                (name, self.process, state, current_item, processed, failed, os.getpid(),
                 text_param(message), started_at or now, now),
            )
            if state in LIVE_STATES:
                conn.execute(
                    "DELETE FROM workers WHERE name = ? AND process <> ?"
                    " AND (state = 'stopped' OR beat_at < ?)",
                    (name, self.process, iso_in(-GONE_AFTER_SECONDS)),
                )

    def heartbeats(self) -> list[Heartbeat]:
        """One heartbeat per worker kind, merged over the processes that run it: the freshest
        live row (counts summed over the live rows), else the latest row of any state."""
        by_kind: dict[str, list[Heartbeat]] = {}
        for row in self._read("SELECT * FROM workers ORDER BY beat_at DESC"):
            beat = Heartbeat.from_row(row)
            by_kind.setdefault(beat.name, []).append(beat)
        merged = []
        for beats in by_kind.values():
            live = [beat for beat in beats if beat.state in LIVE_STATES]
            chosen = (live or beats)[0]
            if len(live) > 1:
                chosen = replace(chosen, processed=sum(b.processed for b in live),
                                 failed=sum(b.failed for b in live))
            merged.append(chosen)
        return sorted(merged, key=lambda beat: beat.name)

    def set_control(self, key: str, value: str) -> None:
        with self._pool.write() as conn:
            conn.execute(
                "INSERT INTO control (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    def controls(self, prefix: str) -> dict[str, str]:
        """Every control key that starts with ``prefix``, with its value."""
        rows = self._read("SELECT key, value FROM control WHERE key >= ? AND key < ?",
                          (prefix, prefix + "\uffff"))
        return {row["key"]: row["value"] for row in rows}

    def get_control(self, key: str) -> str | None:
        rows = self._read("SELECT value FROM control WHERE key = ?", (key,))
        return rows[0][0] if rows else None
