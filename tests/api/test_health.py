"""HealthMonitor: the status rule, worker states from heartbeats, local and cached checks."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from emby_processor.config import Settings
from emby_processor.db import QueueDB
from emby_processor.errors import PermanentError, UpstreamAuthError, UpstreamError
from emby_processor.health import (
    CheckResult,
    HealthMonitor,
    build_upstream_checks,
    emby_check,
    judge,
    overall_status,
    provider_check,
)
from emby_processor.mediaserver.users import Reader
from emby_processor.vocabulary import CAUSES
from tests.api.conftest import WRITE, fake_emby, make_settings
from tests.api.seed import Spec, make

EXPECTED = ("FileProcessor", "EmbyUpdater", "RetryHandler")


def beat_all(db: QueueDB, state: str = "idle") -> None:
    for name in EXPECTED:
        db.beat(name, state)


def age_heartbeat(db: QueueDB, name: str, seconds_ago: int) -> None:
    with sqlite3.connect(db.path) as conn:
        conn.execute("UPDATE workers SET beat_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?)"
                     " WHERE name = ?", (f"-{seconds_ago} seconds", name))


def test_rule_critical_errors_make_unhealthy() -> None:
    ok = CheckResult("emby", "ok", "")
    assert overall_status([ok]) == "healthy"
    for critical in ("database", "workers", "disk:data"):
        assert overall_status([ok, CheckResult(critical, "error", "")]) == "unhealthy"


def test_rule_degraded_only_when_a_capability_is_lost() -> None:
    ok = CheckResult("emby", "ok", "")
    # a warning loses nothing: Emby not configured or not checked yet, items past their lease
    assert overall_status([CheckResult("emby", "warning", "not configured")]) == "healthy"
    assert overall_status([ok, CheckResult("stuck_items", "warning", "")]) == "healthy"
    # the media server unreachable, a worker stalled, a watch folder gone: lost
    assert overall_status([CheckResult("emby", "error", "")]) == "degraded"
    assert overall_status([CheckResult("workers", "warning", "")]) == "degraded"
    assert overall_status([ok, CheckResult("watch:/w", "error", "")]) == "degraded"
    # one provider blocked while another answers: nothing lost; every remote one down: lost
    blocked = CheckResult("provider:r18dev", "error", "blocked (HTTP 403)")
    meta_ok = CheckResult("provider:metatube", "ok", "")
    meta_down = CheckResult("provider:metatube", "error", "unreachable")
    nfo = CheckResult("provider:nfo", "ok", "reads .nfo files")
    assert overall_status([ok, blocked, meta_ok, nfo]) == "healthy"
    status, reasons = judge([ok, blocked, meta_down, nfo])
    assert status == "degraded" and {r.name for r in reasons} == {blocked.name, meta_down.name}


def test_a_blocked_provider_is_a_warning_that_says_who_still_answers(
    settings: Settings, db: QueueDB
) -> None:
    beat_all(db)
    checks = {
        "emby": fake_emby,
        "provider:metatube": lambda: CheckResult("provider:metatube", "ok", "answers"),
        "provider:r18dev": lambda: CheckResult("provider:r18dev", "error", "blocked (HTTP 403)"),
    }
    monitor = HealthMonitor(settings, db, upstream_checks=checks)
    monitor.refresh_now()
    report = monitor.report()
    assert (report["status"], report["reasons"]) == ("healthy", [])
    r18 = report["checks"]["provider:r18dev"]
    assert r18["status"] == "warning"
    assert r18["message"] == "blocked (HTTP 403) (metatube still answers)"


def test_worker_states(health: HealthMonitor, db: QueueDB) -> None:
    item = make(db, Spec("/watch/SSIS-001.mp4", "processing", code="SSIS-001"))
    db.beat("FileProcessor", "running", current_item=item)
    db.beat("EmbyUpdater", "idle")
    db.beat("RetryHandler", "idle")
    db.beat("Watcher", "idle")
    report = health.report()
    assert report["workers"] == {"FileProcessor": "running", "EmbyUpdater": "idle",
                                 "RetryHandler": "idle", "Watcher": "idle"}
    assert report["worker_details"]["FileProcessor"]["doing"] == f"working on #{item} SSIS-001"
    assert report["worker_details"]["EmbyUpdater"]["doing"] == "waiting for work"
    assert (report["status"], report["reasons"]) == ("healthy", [])
    age_heartbeat(db, "EmbyUpdater", 120)
    report = health.report()
    assert report["workers"]["EmbyUpdater"] == "stalled"
    assert report["status"] == "degraded"
    assert "EmbyUpdater stalled" in report["checks"]["workers"]["message"]
    assert [r["check"] for r in report["reasons"]] == ["workers"]
    db.beat("RetryHandler", "stopped")
    age_heartbeat(db, "RetryHandler", 600)
    assert health.report()["workers"]["RetryHandler"] == "stopped"  # not stalled: it said so
    age_heartbeat(db, "FileProcessor", 120)
    assert health.report()["status"] == "unhealthy"


def test_stall_threshold_is_a_parameter(settings: Settings, db: QueueDB) -> None:
    beat_all(db)
    age_heartbeat(db, "FileProcessor", 5)
    strict = HealthMonitor(settings, db, stall_seconds=2)
    assert strict.report()["workers"]["FileProcessor"] == "stalled"
    relaxed = HealthMonitor(settings, db, stall_seconds=60)
    assert relaxed.report()["workers"]["FileProcessor"] == "idle"


def test_folders_and_disk(tmp_path: Path, db: QueueDB) -> None:
    beat_all(db)
    missing = make_settings(tmp_path, watch_dirs=[tmp_path / "watch", tmp_path / "gone"])
    report = HealthMonitor(missing, db).report()
    assert report["checks"][f"watch:{tmp_path / 'gone'}"]["status"] == "error"
    assert report["checks"][f"watch:{tmp_path / 'watch'}"]["status"] == "ok"
    assert report["status"] == "degraded"
    full = make_settings(tmp_path, min_free_disk_mb=10**12)
    report = HealthMonitor(full, db).report()
    assert report["checks"]["disk:data"]["status"] == "error"
    assert report["status"] == "unhealthy"
    no_library = make_settings(tmp_path, library_dir=None)
    report = HealthMonitor(no_library, db).report()
    assert report["checks"]["library"]["status"] == "ok" and "disk:library" not in report["checks"]


def test_library_not_writable(tmp_path: Path, db: QueueDB, monkeypatch: pytest.MonkeyPatch) -> None:
    beat_all(db)
    settings = make_settings(tmp_path)
    real_access = os.access

    def read_only(path: object, mode: int) -> bool:
        # chmod does not stop root, so the permission answer itself is replaced (for the
        # library only: a read-only database is another, critical, check)
        if mode & os.W_OK and str(path).startswith(str(settings.library_dir)):
            return False
        return real_access(path, mode)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "access", read_only)
    report = HealthMonitor(settings, db).report()
    assert report["checks"]["library"]["status"] == "error"
    assert "not writable" in report["checks"]["library"]["message"]
    assert report["status"] == "degraded"
    monkeypatch.undo()
    gone = make_settings(tmp_path, library_dir=tmp_path / "nowhere")
    report = HealthMonitor(gone, db).report()
    assert "does not exist" in report["checks"]["library"]["message"]


def test_stuck_items(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    db = QueueDB(settings.db_path, lease_seconds=0.001).open()
    try:
        beat_all(db)
        make(db, Spec("/watch/STUCK-001.mp4", "processing", code="STUCK-001"))
        deadline = time.monotonic() + 5
        while db.stuck_items() == 0:  # the lease is 1 ms long
            assert time.monotonic() < deadline
        report = HealthMonitor(settings, db).report()
        assert report["checks"]["stuck_items"]["status"] == "warning"
        assert report["checks"]["stuck_items"]["details"]["count"] == 1
    finally:
        db.close()


@dataclass
class Info:
    name: str = "living room"
    version: str = "4.8.10"
    product: str = "Emby Server"


class FakeEmby:
    def __init__(self, error: Exception | None = None, *, no_reader: bool = False) -> None:
        self.error = error
        self.no_reader = no_reader
        self.key_checks = 0

    def server_info(self) -> Info:
        return Info()

    def check_key(self) -> None:
        self.key_checks += 1
        if self.error:
            raise self.error

    def reader(self, *, refresh: bool = False) -> Reader:
        if self.no_reader:
            raise PermanentError("jellyfin: no media-server user sees every library; set "
                                 "EMBY_USER_ID", cause="server_user")
        return Reader("u1", "admin")


def test_emby_check() -> None:
    good = emby_check(FakeEmby())()
    assert good.status == "ok" and "4.8.10" in good.message
    assert good.details == {"server_name": "living room", "version": "4.8.10",
                            "product": "Emby Server", "reader": "admin"}
    bad_key = emby_check(FakeEmby(UpstreamAuthError("emby", "401")))()
    assert bad_key.status == "error" and "API key rejected" in bad_key.message
    down = emby_check(FakeEmby(UpstreamError("emby", "connection refused")))()
    assert down.status == "error" and "unreachable" in down.message
    # nobody can read items back: the health panel says so in the items' words
    blind = emby_check(FakeEmby(no_reader=True))()
    assert blind.status == "error"
    assert blind.message.startswith(CAUSES["server_user"].title + ": ")
    assert "EMBY_USER_ID" in blind.message


@dataclass
class Status:
    ok: bool
    message: str


@dataclass
class FakeProvider:
    name: str
    status: Status

    def check(self) -> Status:
        return self.status


def test_provider_checks_and_builder(settings: Settings) -> None:
    checks = build_upstream_checks(settings, providers=[
        FakeProvider("metatube", Status(True, "MetaTube 1.2")),
        FakeProvider("r18dev", Status(False, "r18dev: HTTP 503"))])
    assert set(checks) == {"emby", "provider:metatube", "provider:r18dev"}
    assert checks["emby"]().status == "warning"  # not configured
    assert checks["provider:metatube"]().status == "ok"
    assert checks["provider:r18dev"]() == CheckResult("provider:r18dev", "error",
                                                      "r18dev: HTTP 503")
    assert provider_check(FakeProvider("nfo", Status(True, "local")))().message == "local"


def test_upstream_checks_run_in_background_and_are_cached(settings: Settings, db: QueueDB) -> None:
    beat_all(db)
    calls: list[float] = []
    ran = threading.Event()

    def slow() -> CheckResult:
        calls.append(time.monotonic())
        ran.set()
        return CheckResult("emby", "ok", "fine")

    def broken() -> CheckResult:
        raise RuntimeError("boom")

    monitor = HealthMonitor(settings, db, upstream_checks={"emby": slow, "provider:x": broken},
                            refresh_seconds=3600)
    first = monitor.report()
    assert first["checks"]["emby"] == {"status": "warning", "message": "not checked yet",
                                       "details": {}, "acknowledged": False}
    assert first["status"] == "healthy"  # nothing is known to be lost yet
    monitor.start()
    try:
        assert ran.wait(5)
        deadline = time.monotonic() + 5
        while monitor.report()["checks"]["emby"]["status"] != "ok":
            assert time.monotonic() < deadline
            time.sleep(0.01)
        report = monitor.report()
        assert report["checks"]["provider:x"]["status"] == "error"
        assert "boom" in report["checks"]["provider:x"]["message"]
        assert "checked_at" in report["checks"]["emby"]["details"]
        for _ in range(5):
            monitor.report()
        assert len(calls) == 1  # reports read the cache
    finally:
        monitor.stop()


def test_pause_and_resume_show_in_the_workers_at_once(health: HealthMonitor, db: QueueDB) -> None:
    item = make(db, Spec("/watch/SSIS-002.mp4", "processing", code="SSIS-002"))
    db.beat("FileProcessor", "running", current_item=item)
    for name in ("EmbyUpdater", "RetryHandler"):
        db.beat(name, "idle")
    db.set_control("paused", "1")  # before any worker beat again
    report = health.report()
    assert report["paused"] and report["workers"]["EmbyUpdater"] == "paused"
    assert report["worker_details"]["FileProcessor"]["doing"] == (
        f"finishing #{item} SSIS-002, then paused")
    db.beat("EmbyUpdater", "paused")
    db.set_control("paused", "0")
    assert health.report()["workers"]["EmbyUpdater"] == "idle"


@pytest.mark.anyio
async def test_a_known_warning_can_be_acknowledged_until_it_changes(
    settings: Settings, db: QueueDB
) -> None:
    import httpx

    from emby_processor.api import create_app
    from emby_processor.logbuffer import LogBuffer

    beat_all(db)
    state = {"r18": CheckResult("provider:r18dev", "error", "blocked (HTTP 403)")}
    checks = {
        "emby": fake_emby,
        "provider:metatube": lambda: CheckResult("provider:metatube", "ok", "answers"),
        "provider:r18dev": lambda: state["r18"],
    }
    monitor = HealthMonitor(settings, db, upstream_checks=checks)
    monitor.refresh_now()
    app = create_app(settings, db=db, logs=LogBuffer(10), health=monitor)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        acked = await client.post("/api/health/acknowledge", json={"check": "provider:r18dev"},
                                  headers=WRITE)
        assert acked.status_code == 200
        assert acked.json()["checks"]["provider:r18dev"]["acknowledged"] is True
        fine = await client.post("/api/health/acknowledge", json={"check": "emby"},
                                 headers=WRITE)
        assert fine.status_code == 404  # nothing to acknowledge
        # it recovers, then fails again: the old acknowledgement does not hide it
        state["r18"] = CheckResult("provider:r18dev", "ok", "answers")
        monitor.refresh_now()
        assert not monitor.report()["checks"]["provider:r18dev"]["acknowledged"]
        state["r18"] = CheckResult("provider:r18dev", "error", "blocked (HTTP 403)")
        monitor.refresh_now()
        assert not monitor.report()["checks"]["provider:r18dev"]["acknowledged"]
        # a check that sets the status is fixed, not acknowledged
        db.beat("RetryHandler", "stopped")
        refused = await client.post("/api/health/acknowledge", json={"check": "workers"},
                                    headers=WRITE)
        assert refused.status_code == 409 and "degraded" in refused.json()["detail"]
