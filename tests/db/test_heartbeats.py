"""Heartbeats keyed by worker kind and process, merged by kind for every reader."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from emby_processor.db import QueueDB
from emby_processor.db.connection import connect
from emby_processor.db.schema import migrate
from emby_processor.timeutil import iso_in


def test_rows_of_an_older_database_survive_the_upgrade(tmp_path: Path) -> None:
    path = tmp_path / "q.db"
    conn = connect(path)
    migrate(conn, target=6)
    conn.execute(
        "INSERT INTO workers (name, state, processed, failed, pid, started_at, beat_at)"
        " VALUES ('FileProcessor', 'stopped', 7, 1, 42, '2026-01-01T00:00:00Z',"
        " '2026-01-01T00:00:00Z')"
    )
    conn.close()
    db = QueueDB(path).open()
    try:
        [beat] = db.heartbeats()
        assert (beat.name, beat.state, beat.processed, beat.pid) == ("FileProcessor", "stopped",
                                                                      7, 42)
    finally:
        db.close()


def test_live_rows_win_and_their_counts_add_up(tmp_path: Path) -> None:
    one = QueueDB(tmp_path / "q.db", process="one").open()
    two = QueueDB(tmp_path / "q.db", process="two").open()
    try:
        one.beat("FileProcessor", "running", processed=3, current_item=5)
        two.beat("FileProcessor", "idle", processed=4)
        [beat] = one.heartbeats()
        assert beat.state in ("running", "idle") and (beat.processed, beat.failed) == (7, 0)
        one.beat("FileProcessor", "stopped", processed=3)
        [beat] = one.heartbeats()
        assert (beat.state, beat.process) == ("idle", "two")
        two.beat("FileProcessor", "idle", processed=5)  # a live beat drops stopped rows
        assert _rows(tmp_path) == [("FileProcessor", "two")]
        two.beat("FileProcessor", "stopped")
        [beat] = one.heartbeats()
        assert beat.state == "stopped"  # nobody runs it: the last row says so
    finally:
        one.close()
        two.close()


def test_rows_of_a_killed_process_are_dropped_after_an_hour(tmp_path: Path) -> None:
    db = QueueDB(tmp_path / "q.db", process="alive").open()
    try:
        with sqlite3.connect(tmp_path / "q.db") as conn:
            conn.execute(
                "INSERT INTO workers (name, process, state, pid, started_at, beat_at)"
                " VALUES ('EmbyUpdater', 'killed', 'running', 1, ?, ?)",
                (iso_in(-7200), iso_in(-7200)),
            )
        db.beat("EmbyUpdater", "idle")
        assert _rows(tmp_path) == [("EmbyUpdater", "alive")]
    finally:
        db.close()


def _rows(tmp_path: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(tmp_path / "q.db") as conn:
        return conn.execute("SELECT name, process FROM workers ORDER BY name, process").fetchall()
