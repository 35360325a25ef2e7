"""GET /api/history: counted by the database as items change, on a real SQLite file."""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from emby_processor.db import NewEvent, QueueDB
from emby_processor.db.schema import migrate
from tests.api.seed import Spec, make

#: the migration that adds the history counters (and fills them from the events already kept)
HISTORY_MIGRATION = 8

pytestmark = pytest.mark.anyio
OWNER = "history-test/worker-1"


def file_one(db: QueueDB, n: int, metadata_ms: float = 400.0) -> int:
    """One item through every stage, with timed steps, as the workers record them."""
    item, _ = db.enqueue(f"/watch/ABP-{n:03d}.mp4", 1000, n)
    assert db.claim("file", OWNER) is not None
    db.advance(item.id, OWNER, "metadata", hold=True,
               event=NewEvent("identify", "ok", "code", 2.0))
    db.advance(item.id, OWNER, "organize", hold=True,
               event=NewEvent("metadata", "ok", "found", metadata_ms))
    db.update_fields(item.id, OWNER, event=NewEvent("organize", "ok", "filed", 30.0))
    db.advance(item.id, OWNER, "emby")
    assert db.claim("emby", OWNER) is not None
    db.advance(item.id, OWNER, "done", emby_id=str(n),
               event=NewEvent("emby", "ok", "written", 1500.0))
    return int(item.id)


def fail_one(db: QueueDB, n: int, *, retry_in: float | None, kind: str = "transient") -> int:
    item, _ = db.enqueue(f"/watch/BAD-{n:03d}.mp4", 1000, 10_000 + n)
    assert db.claim("file", OWNER) is not None
    db.fail(item.id, OWNER, message="metadata: timed out", kind=kind, retry_in=retry_in,
            cause="provider_unreachable")
    return int(item.id)


async def test_a_run_of_items_shows_in_the_current_hour(
    client: httpx.AsyncClient, db: QueueDB
) -> None:
    for n in range(5):
        file_one(db, n, metadata_ms=100.0 * (n + 1))  # 100 … 500 ms: the median is 300
    fail_one(db, 1, retry_in=None, kind="permanent")
    fail_one(db, 2, retry_in=None)  # retries used up: a person decides
    fail_one(db, 3, retry_in=60)
    make(db, Spec("/watch/WAIT-001.mp4"))  # backlog

    body = (await client.get("/api/history", params={"range": "24h"})).json()

    assert body["unit"] == "hour" and len(body["buckets"]) == 24
    now = body["buckets"][-1]
    assert (now["completed"], now["needs_attention"], now["retrying"]) == (5, 2, 1)
    assert sum(b["completed"] for b in body["buckets"][:-1]) == 0
    assert body["totals"] == {"completed": 5, "needs_attention": 2, "retrying": 1}
    assert body["outcomes"] == ["completed", "needs_attention", "retrying"]
    stages = {s["stage"]: s for s in body["stages"]}
    assert stages["metadata"]["count"] == 5
    assert 300 / 1.1 < stages["metadata"]["median_ms"] < 300 * 1.1
    assert 1500 / 1.1 < stages["emby"]["median_ms"] < 1500 * 1.1
    assert stages["total"]["count"] == 5
    backlog = body["backlog"]
    assert backlog["pending"] == 1 and backlog["total"] == 1
    assert backlog["rate_per_hour"] >= 5 and backlog["eta_seconds"] is not None
    assert body["last_completed_at"].endswith("Z")


def test_the_eta_of_an_import_follows_the_pace_since_it_began(db: QueueDB) -> None:
    """3,000 files queued, 120 of them filed over the two minutes the import has run: the pace
    is 3,600 an hour, so the rest takes about 48 minutes (not 24 hours at 120 an hour)."""
    now = datetime.now(UTC)
    db.enqueue_many([(f"/watch/IMP-{n:04d}.mp4", 1, n) for n in range(3000)], backlog=True)
    with sqlite3.connect(db.path) as conn:
        for n in range(120):
            at = (now - timedelta(seconds=120 - n)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            conn.execute("UPDATE items SET status = 'completed', stage = 'done', completed_at = ?"
                         " WHERE id = ?", (at, n + 1))
    backlog = db.history("24h")["backlog"]
    assert backlog["total"] == 2880
    assert 3400 < backlog["rate_per_hour"] < 3700
    assert 45 * 60 < backlog["eta_seconds"] < 51 * 60


async def test_an_idle_queue_has_no_eta_and_no_medians(client: httpx.AsyncClient) -> None:
    body = (await client.get("/api/history", params={"range": "30d"})).json()
    assert body["unit"] == "day" and len(body["buckets"]) == 30
    assert body["backlog"] == {"pending": 0, "processing": 0, "total": 0, "rate_per_hour": 0,
                               "eta_seconds": None, "eta_at": None}
    assert all(s["median_ms"] is None for s in body["stages"])
    assert body["last_completed_at"] is None


async def test_an_unknown_range_is_a_422(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/history", params={"range": "1y"})
    assert response.status_code == 422 and "range" in response.json()["detail"]


def _complete_at(db: QueueDB, item_id: int, when: str) -> None:
    """Finish an item at a chosen time (the triggers read the row's own updated_at)."""
    with sqlite3.connect(db.path) as conn:
        conn.execute("UPDATE items SET status = 'completed', stage = 'done', updated_at = ?,"
                     " completed_at = ? WHERE id = ?", (when, when, item_id))


def test_days_begin_at_local_midnight(db: QueueDB) -> None:
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    day = (today - timedelta(days=2)).strftime("%Y-%m-%d")
    next_day = (today - timedelta(days=1)).strftime("%Y-%m-%d")
    ids = [make(db, Spec(f"/watch/DAY-{n}.mp4")) for n in range(3)]
    _complete_at(db, ids[0], f"{day}T14:30:00.000000Z")  # Tokyo: 23:30 that day
    _complete_at(db, ids[1], f"{day}T15:10:00.000000Z")  # Tokyo: 00:10 the next day
    _complete_at(db, ids[2], f"{next_day}T02:00:00.000000Z")
    now = today - timedelta(days=1) + timedelta(hours=3)

    tokyo = db.history("7d", utc_offset_minutes=540, now=now)
    days = {b["start"]: b["completed"] for b in tokyo["buckets"]}
    before = (today - timedelta(days=3)).strftime("%Y-%m-%d")
    assert days[f"{before}T15:00:00Z"] == 1 and days[f"{day}T15:00:00Z"] == 2
    utc = db.history("7d", now=now)
    days = {b["start"]: b["completed"] for b in utc["buckets"]}
    assert days[f"{day}T00:00:00Z"] == 2 and days[f"{next_day}T00:00:00Z"] == 1


def test_history_outlives_cleanup(db: QueueDB) -> None:
    file_one(db, 1)
    assert db.cleanup(-1) == 1  # every completed item, whatever its age
    assert db.history("24h")["totals"]["completed"] == 1


def test_upgrade_fills_history_from_the_events_already_kept(tmp_path: Path) -> None:
    path = tmp_path / "queue.db"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, target=HISTORY_MIGRATION - 1)
    hour = datetime.now(UTC).strftime("%Y-%m-%dT%H")
    at = f"{hour}:05:00.000000Z"
    conn.execute(
        "INSERT INTO items (id, file_path, file_size, file_mtime_ns, status, stage, created_at,"
        " updated_at, completed_at) VALUES (1, '/w/a.mp4', 1, 1, 'completed', 'done', ?, ?, ?)",
        (f"{hour}:00:00.000000Z", at, at))
    events = [
        ("metadata", "ok", 800.0, None),
        ("emby", "ok", 1200.0, None),
        ("metadata", "error", 50.0, '{"kind": "transient", "retry_in_seconds": 60}'),
        ("metadata", "error", 50.0, '{"kind": "permanent", "retry_in_seconds": null}'),
    ]
    conn.executemany(
        "INSERT INTO item_events (item_id, at, stage, outcome, message, duration_ms, payload)"
        " VALUES (1, ?, ?, ?, 'x', ?, ?)", [(at, *e) for e in events])
    conn.close()

    db = QueueDB(path).open()
    try:
        body = db.history("24h")
    finally:
        db.close()
    assert body["totals"] == {"completed": 1, "needs_attention": 1, "retrying": 1}
    stages = {s["stage"]: s for s in body["stages"]}
    assert 800 / 1.1 < stages["metadata"]["median_ms"] < 800 * 1.1
    assert stages["metadata"]["count"] == 1  # failed steps are not timed
    assert 300_000 / 1.1 < stages["total"]["median_ms"] < 300_000 * 1.1  # found 5 min before


def test_history_reads_touch_no_item_rows(db: QueueDB) -> None:
    """The reads are served by the counters and one index seek, never a scan of items."""
    file_one(db, 1)
    traced: list[str] = []
    conn = db._pool.get()
    conn.set_trace_callback(traced.append)
    try:
        db.history("30d")
    finally:
        conn.set_trace_callback(None)
    for sql in traced:
        plan = [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql)]
        scans = [line for line in plan if line.startswith("SCAN") and "INDEX" not in line
                 and "subquery" not in line and "history" not in line
                 and "status_counts" not in line]
        assert not scans, (sql, plan)
        # nor a walk over every item of a status (a million completed items at 1,000,000)
        walks = [line for line in plan if re.search(r"INDEX items_status\w* \(status=\?\)$", line)]
        assert not walks, (sql, plan)
