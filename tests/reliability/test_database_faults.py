"""Database faults while the service runs.

- The database file deleted, or another file moved in its place: health says ``unhealthy`` and
  why, instead of ``healthy`` while history is written to a file nobody will open again.
- A read-only spell (an immutable file: root ignores 0444) and a full disk: writes fail while it
  lasts (health says so, and does not blame the workers), and the connections a thread already
  holds work again afterwards, without a restart.
- Two processes (``api`` and ``workers``, or two ``workers``) keep a heartbeat row each; one
  stopping does not make health report the other's workers as stopped.
- The CSV export of a damaged database: a first read that fails is a 503 before anything is
  sent; a later batch that fails aborts the connection, so the download fails visibly instead of
  ending as a short, valid-looking file.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from emby_processor.api import create_app, csvexport
from emby_processor.config import Settings
from emby_processor.db import QueueDB
from emby_processor.health import HealthMonitor
from emby_processor.logbuffer import LogBuffer
from emby_processor.watcher import Watcher
from tests.api.conftest import make_settings
from tests.fakes.server import serve
from tests.pipeline.stack import wait_for
from tests.reliability.storage import tmpfs

T = TypeVar("T")
WORKERS = ("FileProcessor", "EmbyUpdater", "RetryHandler")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture
def db(settings: Settings) -> Iterator[QueueDB]:
    store = QueueDB(settings.db_path).open()
    yield store
    store.close()


def beat_all(db: QueueDB, state: str = "idle") -> None:
    for name in WORKERS:
        db.beat(name, state)


def report(settings: Settings, db: QueueDB) -> dict[str, Any]:
    return HealthMonitor(settings, db).report()


def test_a_deleted_database_file_is_unhealthy(settings: Settings, db: QueueDB) -> None:
    beat_all(db)
    assert report(settings, db)["status"] == "healthy"
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(f"{settings.db_path}{suffix}")
    beat_all(db)  # still works on the open file: nothing else would notice
    health = report(settings, db)
    assert health["status"] == "unhealthy"
    assert "deleted" in health["checks"]["database"]["message"]


def test_a_replaced_database_file_is_unhealthy(settings: Settings, db: QueueDB,
                                               tmp_path: Path) -> None:
    beat_all(db)
    other = QueueDB(tmp_path / "other.db").open()
    other.close()
    os.replace(tmp_path / "other.db", settings.db_path)
    health = report(settings, db)
    assert health["status"] == "unhealthy"
    assert "replaced" in health["checks"]["database"]["message"]


class OneThread:
    """Runs calls on one fixed thread, so the same cached connection is used every time."""

    def __init__(self) -> None:
        self.pool = ThreadPoolExecutor(1)

    def __call__(self, call: Callable[[], T]) -> T:
        return self.pool.submit(call).result(30)


def _immutable(path: Path, on: bool) -> bool:
    """The database file and its write-ahead log read-only (the log too: the process writes
    through one connection opened before the spell, whose commits would otherwise land in the
    log while the file itself is immutable)."""
    files = [str(path)] + [f"{path}{s}" for s in ("-wal",) if os.path.exists(f"{path}{s}")]
    done = subprocess.run(["chattr", "+i" if on else "-i", *files], capture_output=True)
    return done.returncode == 0


def test_connections_recover_after_a_read_only_spell(settings: Settings, db: QueueDB) -> None:
    worker = OneThread()
    beat_all(db)
    if not _immutable(settings.db_path, True):
        pytest.skip("this file system has no immutable attribute (chattr +i) for root")
    try:
        # a thread that connects during the spell gets a read-only connection from SQLite
        with pytest.raises(sqlite3.Error):
            worker(lambda: db.beat("FileProcessor", "running"))
        health = report(settings, db)
        assert health["status"] == "unhealthy"
        assert "read-only" in health["checks"]["database"]["message"]
    finally:
        _immutable(settings.db_path, False)
    # the spell is over: the same thread writes again, no restart needed
    worker(lambda: beat_all(db, "running"))
    worker(lambda: db.enqueue("/watch/ABP-1.mp4", 1, 1))
    health = report(settings, db)
    assert health["status"] == "healthy", health["checks"]
    assert health["workers"]["FileProcessor"] == "running"




def test_connections_recover_after_a_full_disk(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "data", "4m") as data:
        settings = make_settings(tmp_path, data_dir=data)
        db = QueueDB(settings.db_path).open()
        worker = OneThread()
        try:
            worker(lambda: beat_all(db))
            filler = data / "filler"
            with open(filler, "wb") as fh, contextlib.suppress(OSError):
                while True:
                    fh.write(b"\0" * 65536)
            with pytest.raises(sqlite3.Error):
                for n in range(2000):  # until the WAL needs a page the disk does not have
                    worker(lambda n=n: db.enqueue(f"/watch/ABP-{n}.mp4" + "x" * 500, n, n))
            health = report(settings, db)
            assert health["status"] == "unhealthy"
            assert "full" in health["checks"]["database"]["message"]
            filler.unlink()
            worker(lambda: db.enqueue("/watch/after.mp4", 1, 1))
            worker(lambda: beat_all(db))
            assert report(settings, db)["status"] == "healthy"
        finally:
            db.close()


def test_two_processes_keep_a_heartbeat_each(settings: Settings, db: QueueDB) -> None:
    api_side = QueueDB(settings.db_path).open()  # another process has its own store
    try:
        beat_all(db, "running")
        beat_all(api_side, "idle")
        rows = sqlite3.connect(settings.db_path).execute(
            "SELECT count(*) FROM workers WHERE name = 'FileProcessor'").fetchone()[0]
        assert rows == 2
        beat_all(api_side, "stopped")  # one of them stops; the other still works
        health = report(settings, db)
        assert health["workers"]["FileProcessor"] == "running"
        assert set(health["worker_details"]["FileProcessor"]) >= {"state", "processed", "pid"}
        assert health["status"] == "healthy"
    finally:
        api_side.close()


# --- CSV export --------------------------------------------------------------------------------


def _seed(db: QueueDB, count: int) -> None:
    for n in range(count):
        db.enqueue(f"/watch/ABP-{n:04d}.mp4", n, n)


def test_export_fails_before_the_headers_when_the_first_read_fails(
    settings: Settings, db: QueueDB, monkeypatch: pytest.MonkeyPatch
) -> None:
    _seed(db, 10)

    def damaged(*args: Any, **kwargs: Any) -> Iterator[Any]:
        raise sqlite3.DatabaseError("database disk image is malformed")
        yield  # pragma: no cover - makes this a generator, like the real one

    monkeypatch.setattr(db, "export_rows", damaged)
    app = create_app(settings, db=db, logs=LogBuffer(100))
    with serve(app) as server:
        response = httpx.get(f"{server.url}/api/queue/export.csv", timeout=10)
    assert response.status_code == 503
    assert "malformed" in response.json()["detail"]


def test_export_aborts_when_a_later_batch_fails(
    settings: Settings, db: QueueDB, monkeypatch: pytest.MonkeyPatch
) -> None:
    _seed(db, 2500)
    monkeypatch.setattr(csvexport, "BATCH", 1000)  # the failure comes in the second batch
    real = db.export_rows

    def damaged_later(*args: Any, **kwargs: Any) -> Iterator[Any]:
        for count, item in enumerate(real(*args, **kwargs)):
            if count == 1500:
                raise sqlite3.DatabaseError("database disk image is malformed")
            yield item

    monkeypatch.setattr(db, "export_rows", damaged_later)
    app = create_app(settings, db=db, logs=LogBuffer(100))
    with serve(app) as server, httpx.Client(timeout=10) as client:
        with client.stream("GET", f"{server.url}/api/queue/export.csv") as response:
            assert response.status_code == 200
            received = b""
            with pytest.raises(httpx.HTTPError):  # incomplete chunked body: a failed download
                for chunk in response.iter_bytes():
                    received += chunk
    assert received.count(b"\r\n") < 2501


def test_the_watcher_keeps_files_through_a_full_disk(tmp_path: Path) -> None:
    """Files found while the data disk is full are queued once there is room again."""
    with tmpfs(tmp_path / "data", "16m") as data:
        watch = tmp_path / "watch"
        watch.mkdir(exist_ok=True)
        settings = make_settings(tmp_path, data_dir=data, file_settle_seconds=0,
                                 scan_interval_seconds=1)
        db = QueueDB(settings.db_path).open()
        filler = data / "filler"
        try:
            beat_all(db)
            watcher = Watcher(settings, db, use_events=False)
            with open(filler, "wb") as fh, contextlib.suppress(OSError):
                while True:
                    fh.write(b"\0" * 65536)
            names = [f"ABP-{n:03d} {'x' * 40}.mp4" for n in range(300)]
            for name in names:
                (watch / name).write_bytes(b"video")
            watcher.step()  # some may fit in the WAL's last pages; the rest must wait
            assert watcher.store_problem is not None
            assert report(settings, db)["status"] == "unhealthy"
            filler.unlink()
            wait_for(lambda: watcher.step() >= 0 and db.stats()["total"] == len(names), 15,
                     lambda: f"{db.stats()['total']} of {len(names)} queued")
            assert watcher.store_problem is None
            beat_all(db)
            assert report(settings, db)["status"] == "healthy"
        finally:
            db.close()
