"""Cleanup of old completed items: everything of theirs goes (events, actresses, counters, the
search index), nothing else does, the workers keep writing while it runs, and its progress is
there for any process to read."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from emby_processor.db import NewEvent, QueueDB, QueueFilter
from emby_processor.db.cleanup import CLEANUP_KEY

OLD = "2000-01-01T00:00:00.000000Z"


@pytest.fixture
def db(tmp_path: Path) -> Iterator[QueueDB]:
    store = QueueDB(tmp_path / "queue.db").open()
    yield store
    store.close()


def file_item(db: QueueDB, n: int, *, age: str | None = OLD) -> int:
    item, _ = db.enqueue(f"/watch/ABP-{n:05}.mp4", n, n)
    db.claim("file", "w")
    db.advance(item.id, "w", "organize", hold=True, actresses=["Kaede Fua", f"Extra {n % 3}"],
               movie_code=f"ABP-{n:05}", title=f"Summer {n}",
               event=NewEvent("metadata", "ok", "from metatube", 5.0))
    db.advance(item.id, "w", "done", event=NewEvent("emby", "ok", "written", 9.0))
    if age is not None:
        with sqlite3.connect(db.path) as conn:
            conn.execute("UPDATE items SET completed_at = ? WHERE id = ?", (age, item.id))
    return item.id


def test_cleanup_removes_old_completed_items_and_everything_of_theirs(db: QueueDB) -> None:
    old = [file_item(db, n) for n in range(40)]
    recent = file_item(db, 1000, age=None)
    waiting, _ = db.enqueue("/watch/SSIS-001.mp4", 1, 1)
    assert db.cleanup_count(30) == 40
    assert db.cleanup(30, batch_seconds=0.0001) == 40
    assert db.stats()["total"] == 2 and db.stats()["by_actress"] == {"Kaede Fua": 1,
                                                                      "Extra 1": 1}
    assert all(db.get(i) is None for i in old) and db.get(recent) and db.get(waiting.id)
    assert db.events(old[0]) == []
    with sqlite3.connect(db.path) as conn:
        orphans = conn.execute("SELECT count(*) FROM item_events WHERE item_id NOT IN"
                               " (SELECT id FROM items)").fetchone()[0]
        assert orphans == 0
        assert conn.execute("SELECT count(*) FROM item_actresses WHERE item_id NOT IN"
                            " (SELECT id FROM items)").fetchone()[0] == 0
    found, total = db.list_items(QueueFilter(q="Summer"))
    assert [item.id for item in found] == [recent] and total == 1


def test_workers_keep_writing_while_a_cleanup_runs(db: QueueDB) -> None:
    for n in range(600):
        file_item(db, n)
    progress = db.start_cleanup(30, "job-1")
    writes: list[int] = []
    done = threading.Event()

    def worker() -> None:
        n = 0
        while not done.is_set():
            db.set_control("tick", str(n))
            writes.append(n)
            n += 1

    thread = threading.Thread(target=worker)
    thread.start()
    try:
        # tiny batches: the cleanup gives the write turn back between every one of them
        assert db.cleanup(30, progress=progress, batch_seconds=0.0001) == 600
    finally:
        done.set()
        thread.join(10)
    assert len(writes) > 1
    status = db.cleanup_status()
    assert status is not None and status.state == "done"
    assert (status.deleted, status.total, status.job) == (600, 600, "job-1")


def test_a_job_whose_process_died_reads_as_interrupted(db: QueueDB) -> None:
    db.set_control(CLEANUP_KEY, json.dumps({
        "job": "gone", "state": "running", "older_than_days": 30, "total": 10, "deleted": 3,
        "started_at": OLD, "updated_at": OLD}))
    status = db.cleanup_status()
    assert status is not None and status.state == "interrupted" and status.deleted == 3
