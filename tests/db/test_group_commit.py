"""Writes of several threads share a commit, and each thread's work stays all-or-nothing: a step
that fails in the middle never costs another worker's step, and a commit that fails is reported
to every thread whose work was in it."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from emby_processor.db import QueueDB


@pytest.fixture
def db(tmp_path: Path) -> Iterator[QueueDB]:
    store = QueueDB(tmp_path / "queue.db").open()
    yield store
    store.close()


def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.001)


def set_control(conn: sqlite3.Connection, key: str) -> None:
    conn.execute("INSERT INTO control (key, value) VALUES (?, 'x')", (key,))


def test_every_thread_s_work_is_committed_when_it_returns(db: QueueDB) -> None:
    seen: list[int] = []
    lock = threading.Lock()
    other = QueueDB(db.path).open()  # another process's view: only what is committed

    def work(n: int) -> None:
        for i in range(40):
            item, created = db.enqueue(f"/watch/T{n}-{i:03}.mp4", i, i)
            assert created
            assert other.get(item.id) is not None  # committed the moment enqueue returns
            with lock:
                seen.append(item.id)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    other.close()
    assert len(set(seen)) == 240
    assert db.stats()["pending"] == 240


def _three_writers(db: QueueDB, second: Callable[[sqlite3.Connection], None]
                   ) -> dict[str, BaseException | None]:
    """A holds the write; B and C queue behind it, so B's and C's work joins A's transaction."""
    outcome: dict[str, BaseException | None] = {}
    writer = db._pool.writer

    def run(name: str, body: Callable[[sqlite3.Connection], None]) -> None:
        try:
            with db._pool.write() as conn:
                body(conn)
            outcome[name] = None
        except BaseException as error:
            outcome[name] = error

    def first(conn: sqlite3.Connection) -> None:
        set_control(conn, "a")
        wait_for(lambda: writer.waiting == 2)

    a = threading.Thread(target=run, args=("a", first))
    a.start()
    wait_for(lambda: writer.group is not None)
    b = threading.Thread(target=run, args=("b", second))
    b.start()
    wait_for(lambda: writer.waiting == 1)
    c = threading.Thread(target=run, args=("c", lambda conn: set_control(conn, "c")))
    c.start()
    for t in (a, b, c):
        t.join(30)
    return outcome


def test_a_step_that_fails_in_a_shared_commit_takes_back_only_its_own_work(db: QueueDB
                                                                           ) -> None:
    def fails(conn: sqlite3.Connection) -> None:
        set_control(conn, "b")
        raise RuntimeError("b broke")

    outcome = _three_writers(db, fails)
    assert outcome["a"] is None and outcome["c"] is None
    assert isinstance(outcome["b"], RuntimeError)
    assert db.get_control("a") == "x" and db.get_control("c") == "x"
    assert db.get_control("b") is None


def test_a_commit_that_fails_fails_every_thread_in_it(db: QueueDB) -> None:
    def breaks_the_commit(conn: sqlite3.Connection) -> None:
        # a foreign key checked only at commit: the whole transaction is refused then
        conn.execute("PRAGMA defer_foreign_keys = ON")
        conn.execute("INSERT INTO item_events (item_id, at, stage, outcome, message)"
                     " VALUES (999999, 'now', 'identify', 'queued', 'no such item')")

    outcome = _three_writers(db, breaks_the_commit)
    assert all(isinstance(outcome[name], sqlite3.IntegrityError) for name in "abc"), outcome
    assert db.get_control("a") is None and db.get_control("c") is None
    # the store is usable afterwards
    db.set_control("after", "1")
    assert db.get_control("after") == "1"
