"""Health, stats, cleanup, worker control, metrics and the error shape."""

from __future__ import annotations

import sqlite3
import time

import httpx
import pytest

from emby_processor.db import QueueDB
from emby_processor.errors import StoreError, UpstreamError
from tests.api.conftest import WRITE
from tests.api.seed import Spec, make
from tests.api.test_metrics import samples

pytestmark = pytest.mark.anyio


async def test_health_document(client: httpx.AsyncClient, db: QueueDB) -> None:
    for name in ("FileProcessor", "EmbyUpdater", "RetryHandler", "Watcher"):
        db.beat(name, "idle", processed=3, failed=1)
    response = await client.get("/api/health")
    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "healthy", body["checks"]
    assert body["workers"] == {"FileProcessor": "idle", "EmbyUpdater": "idle",
                               "RetryHandler": "idle", "Watcher": "idle"}
    assert body["database"] == "connected" and body["database_size_bytes"] > 0
    assert body["uptime"] and body["version"]
    assert body["checks"]["emby"]["status"] == "ok"
    assert body["checks"]["emby"]["details"]["version"] == "4.8"
    assert {"database", "workers", "library", "disk:data", "disk:library",
            "stuck_items"} <= set(body["checks"])
    assert any(name.startswith("watch:") for name in body["checks"])
    assert body["worker_details"]["FileProcessor"]["processed"] == 3


async def test_health_without_workers_is_unhealthy(client: httpx.AsyncClient) -> None:
    body = (await client.get("/api/health")).json()
    assert body["status"] == "unhealthy"
    assert set(body["workers"].values()) == {"stopped"}
    assert body["checks"]["workers"]["status"] == "error"


async def test_stats(client: httpx.AsyncClient, ids: dict[str, int]) -> None:
    body = (await client.get("/api/stats")).json()
    assert body == {
        "total": 7, "completed": 2, "pending": 2, "processing": 1, "error": 2,
        "needs_attention": 2, "retrying": 0, "ignored": 0,
        "by_actress": {"Hitomi": 2, "Kaede Fua": 2, "Yua Mikami": 1},
    }
    top = (await client.get("/api/stats", params={"top": 1})).json()
    assert top["by_actress"] == {"Hitomi": 2}
    assert (await client.get("/api/stats", params={"top": -1})).status_code == 422


async def test_stats_follow_every_change(client: httpx.AsyncClient, db: QueueDB,
                                         ids: dict[str, int]) -> None:
    async def stats() -> dict[str, int]:
        body = (await client.get("/api/stats")).json()
        body.pop("by_actress")
        return {key: int(value) for key, value in body.items()}

    def truth() -> dict[str, int]:
        with sqlite3.connect(db.path) as conn:
            rows = dict(conn.execute("SELECT status, count(*) FROM items GROUP BY status"))
            retrying = conn.execute(
                "SELECT count(*) FROM items WHERE status = 'error'"
                " AND error_kind = 'transient' AND next_attempt_at IS NOT NULL").fetchone()[0]
            ignored = conn.execute("SELECT count(*) FROM ignored_files").fetchone()[0]
        counts = {s: rows.get(s, 0) for s in ("completed", "pending", "processing", "error")}
        return {"total": sum(counts.values()), **counts, "retrying": retrying,
                "needs_attention": counts["error"] - retrying, "ignored": ignored}

    assert await stats() == truth()
    make(db, Spec("/watch/NEW-001.mp4"))  # insert
    assert await stats() == truth()
    await client.post(f"/api/queue/{ids['/watch/TEST-123.mp4']}/retry", headers=WRITE)
    assert await stats() == truth()  # status change
    await client.delete(f"/api/queue/{ids['/watch/SSIS-001.mkv']}", headers=WRITE)
    assert await stats() == truth()  # delete (the file is ignored)
    assert (await stats())["ignored"] == 1
    await client.post("/api/cleanup", json={"older_than_days": 0})
    assert (await stats())["completed"] == 0
    assert await stats() == truth()  # cleanup
    by_actress = (await client.get("/api/stats")).json()["by_actress"]
    assert by_actress == {"Yua Mikami": 1}


async def test_cleanup_defaults_and_body(client: httpx.AsyncClient, db: QueueDB,
                                         ids: dict[str, int]) -> None:
    def answer(response: httpx.Response) -> dict[str, object]:
        body = response.json()  # what 0.1 answered, and whether the job is over
        return {key: body[key] for key in ("deleted", "older_than_days", "done")}

    kept = await client.post("/api/cleanup", headers=WRITE)
    assert answer(kept) == {"deleted": 0, "older_than_days": 30, "done": True}
    with sqlite3.connect(db.path) as conn:  # age one completed item by 40 days
        conn.execute("UPDATE items SET completed_at = '2000-01-01T00:00:00.000000Z'"
                     " WHERE id = ?", (ids["/watch/ABP-123.mp4"],))
    old = await client.post("/api/cleanup", headers=WRITE)
    assert answer(old) == {"deleted": 1, "older_than_days": 30, "done": True}
    rest = await client.post("/api/cleanup", json={"older_than_days": 0})
    assert answer(rest) == {"deleted": 1, "older_than_days": 0, "done": True}
    assert db.stats()["total"] == 5  # pending, processing, error untouched
    status = (await client.get("/api/cleanup")).json()
    assert status["state"] == "done" and status["deleted"] == 1 and status["total"] == 1
    for bad in ({"older_than_days": -1}, {"older_than_days": "x"}, {"days": 3}):
        response = await client.post("/api/cleanup", json=bad)
        assert response.status_code == 422, bad
        assert response.json()["errors"][0]["field"].startswith("body")


async def test_a_long_cleanup_answers_at_once_and_reports_its_progress(
    client: httpx.AsyncClient, db: QueueDB, monkeypatch: pytest.MonkeyPatch
) -> None:
    from emby_processor.api.routes import system

    assert (await client.get("/api/cleanup")).json()["state"] == "none"
    old = "2000-01-01T00:00:00.000000Z"
    with sqlite3.connect(db.path) as conn:
        conn.executemany(
            "INSERT INTO items (file_path, file_size, file_mtime_ns, status, stage, created_at,"
            " updated_at, completed_at) VALUES (?, 1, 1, 'completed', 'done', ?, ?, ?)",
            [(f"/watch/OLD-{n:05}.mp4", old, old, old) for n in range(3000)])
    monkeypatch.setattr(system, "CLEANUP_WAIT_SECONDS", 0.0)
    first = (await client.post("/api/cleanup", json={"older_than_days": 1})).json()
    assert first["total"] == 3000 and first["older_than_days"] == 1
    again = (await client.post("/api/cleanup", json={"older_than_days": 5})).json()
    assert again["job"] == first["job"] or again["done"]  # one job at a time
    seen = [first["deleted"]]
    deadline = time.monotonic() + 60
    while not (status := (await client.get("/api/cleanup")).json())["done"]:
        assert status["state"] == "running" and time.monotonic() < deadline
        seen.append(status["deleted"])
    assert status["state"] == "done" and status["deleted"] == 3000
    assert seen == sorted(seen)  # progress only grows
    assert db.stats()["completed"] == 0


async def test_pause_resume_scan(client: httpx.AsyncClient, db: QueueDB) -> None:
    assert (await client.post("/api/workers/pause", headers=WRITE)).json() == {"paused": True}
    assert db.get_control("paused") == "1"
    assert (await client.get("/api/health")).json()["paused"] is True
    assert (await client.post("/api/workers/resume", headers=WRITE)).json() == {"paused": False}
    assert db.get_control("paused") == "0"
    scan = (await client.post("/api/scan", headers=WRITE)).json()
    assert scan["scan_requested_at"].endswith("Z")
    assert db.get_control("scan_requested_at") == scan["scan_requested_at"]


async def test_metrics(client: httpx.AsyncClient, db: QueueDB, ids: dict[str, int]) -> None:
    db.beat("FileProcessor", "running", processed=7, failed=2)
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    values = samples(response.text)  # every line parses, whatever the label order
    assert values["emby_processor_items", (("status", "error"),)] == 2
    assert values["emby_processor_items", (("status", "completed"),)] == 2
    assert values["emby_processor_worker_processed_total", (("worker", "FileProcessor"),)] == 7
    assert values["emby_processor_worker_failed_total", (("worker", "FileProcessor"),)] == 2
    assert values["emby_processor_worker_up",
                  (("state", "stopped"), ("worker", "EmbyUpdater"))] == 0


async def test_unknown_route_and_method_are_json(client: httpx.AsyncClient) -> None:
    missing = await client.get("/api/nothing")
    assert missing.status_code == 404 and missing.json() == {"detail": "Not Found"}
    wrong = await client.put("/api/stats", headers=WRITE)
    assert wrong.status_code == 405 and wrong.json() == {"detail": "Method Not Allowed"}
    static = await client.get("/static/vendor/bootstrap/css/nothing.css")
    assert static.status_code == 404 and static.json() == {"detail": "Not Found"}


@pytest.mark.parametrize(("error", "status", "text"), [
    (StoreError("the queue database is closed"), 503, "the queue database is closed"),
    (sqlite3.OperationalError("database is locked"), 503, "database error: database is locked"),
    (UpstreamError("emby", "timed out"), 503, "emby: timed out"),
    (RuntimeError("secret internals"), 500, "internal server error; the log has the details"),
])
async def test_failures_map_to_json(client: httpx.AsyncClient, db: QueueDB,
                                    monkeypatch: pytest.MonkeyPatch, error: Exception,
                                    status: int, text: str) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise error

    monkeypatch.setattr(db, "stats", broken)
    response = await client.get("/api/stats")
    assert response.status_code == status
    assert response.json() == {"detail": text}
    assert "Traceback" not in response.text and "secret" not in response.text


async def test_health_reports_a_broken_database(client: httpx.AsyncClient, db: QueueDB,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    def down() -> None:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(db, "ping", down)
    body = (await client.get("/api/health")).json()
    assert body["status"] == "unhealthy"
    assert body["database"] == "error: disk I/O error"
    assert body["workers"] == {}
