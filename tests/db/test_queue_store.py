"""The queue store on a real SQLite file: idempotent enqueue, atomic claims, leases, counters."""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading
from pathlib import Path

import pytest

from emby_processor.db import ItemConflict, ItemNotFound, QueueDB, QueueFilter
from emby_processor.db.schema import LATEST, MIGRATIONS, _statements


@pytest.fixture
def db(tmp_path: Path) -> QueueDB:
    store = QueueDB(tmp_path / "queue.db").open()
    yield store
    store.close()


def test_wal_mode_and_busy_timeout(db: QueueDB) -> None:
    conn = sqlite3.connect(db.path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_same_file_twice_is_one_item(db: QueueDB) -> None:
    first, created = db.enqueue("/watch/ABP-123.mp4", 100, 5)
    again, created_again = db.enqueue("/watch/ABP-123.mp4", 100, 5)
    assert created and not created_again
    assert first.id == again.id
    assert db.stats()["total"] == 1


def test_same_path_with_new_content_is_a_new_item(db: QueueDB) -> None:
    first, _ = db.enqueue("/watch/ABP-123.mp4", 100, 5)
    second, created = db.enqueue("/watch/ABP-123.mp4", 200, 6)
    assert created and second.id != first.id


def test_concurrent_enqueue_of_one_file_gives_one_item(db: QueueDB) -> None:
    ids: list[int] = []
    barrier = threading.Barrier(8)

    def add() -> None:
        barrier.wait()
        item, _ = db.enqueue("/watch/SSIS-001.mp4", 1, 1)
        ids.append(item.id)

    threads = [threading.Thread(target=add) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(ids)) == 1
    assert db.stats()["pending"] == 1


def test_threads_never_claim_the_same_item(db: QueueDB) -> None:
    for n in range(200):
        db.enqueue(f"/watch/ABC-{n:03}.mp4", n, n)
    claimed: list[int] = []
    lock = threading.Lock()

    def worker(name: str) -> None:
        while (item := db.claim("file", name)) is not None:
            with lock:
                claimed.append(item.id)

    threads = [threading.Thread(target=worker, args=(f"w{n}",)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(claimed) == 200
    assert len(set(claimed)) == 200
    assert db.stats()["processing"] == 200


def _claim_all(path: str, owner: str, out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    store = QueueDB(path).open()
    got = []
    while (item := store.claim("file", owner)) is not None:
        got.append(item.id)
    store.close()
    out.put(got)


def test_two_processes_never_claim_the_same_item(db: QueueDB) -> None:
    for n in range(300):
        db.enqueue(f"/watch/XYZ-{n:03}.mp4", n, n)
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    procs = [ctx.Process(target=_claim_all, args=(str(db.path), f"p{n}", out)) for n in range(2)]
    for p in procs:
        p.start()
    results = [out.get(timeout=60) for _ in procs]
    for p in procs:
        p.join(timeout=30)
    claimed = [i for r in results for i in r]
    assert len(claimed) == 300 and len(set(claimed)) == 300


def _claim_and_die(path: str, ready: multiprocessing.Event) -> None:  # type: ignore[type-arg]
    store = QueueDB(path, lease_seconds=0.5).open()
    store.claim("file", "doomed")
    ready.set()
    threading.Event().wait(60)  # held until killed


def test_expired_lease_of_a_killed_claimer_comes_back(db: QueueDB) -> None:
    item, _ = db.enqueue("/watch/IPX-535.mp4", 1, 1)
    ctx = multiprocessing.get_context("spawn")
    ready = ctx.Event()
    proc = ctx.Process(target=_claim_and_die, args=(str(db.path), ready))
    proc.start()
    assert ready.wait(30)
    proc.kill()
    proc.join()
    assert db.require(item.id).status == "processing"
    deadline = threading.Event()
    recovered: list[int] = []
    for _ in range(100):
        recovered = db.requeue_expired_leases()
        if recovered:
            break
        deadline.wait(0.05)
    assert recovered == [item.id]
    back = db.require(item.id)
    assert back.status == "pending" and back.lease_owner is None
    assert [e.outcome for e in db.events(item.id)][-1] == "recovered"


def test_lease_guards_updates(db: QueueDB) -> None:
    item, _ = db.enqueue("/watch/ABP-001.mp4", 1, 1)
    claimed = db.claim("file", "a")
    assert claimed is not None
    with pytest.raises(ItemConflict):
        db.update_fields(item.id, "b", title="stolen")
    db.update_fields(item.id, "a", title="mine")
    assert db.require(item.id).title == "mine"


def test_fail_then_retry_flow(db: QueueDB) -> None:
    item, _ = db.enqueue("/watch/ABP-002.mp4", 1, 1)
    db.claim("file", "w")
    db.advance(item.id, "w", "metadata", hold=True, movie_code="ABP-002")
    failed = db.fail(item.id, "w", message="boom", kind="permanent", retry_in=None)
    assert failed.status == "error" and failed.stage == "metadata" and failed.retry_count == 1
    assert failed.next_attempt_at is None
    assert db.promote_retries(5) == []
    retried = db.retry(item.id)
    assert retried.status == "pending" and retried.stage == "metadata"
    with pytest.raises(ItemConflict):
        db.retry(item.id)
    with pytest.raises(ItemNotFound):
        db.retry(99999)


def test_a_persons_retry_or_refetch_of_one_item_counts_as_asking(db: QueueDB) -> None:
    """Retry of one item and Re-fetch let its next media-server step overwrite locked fields;
    Retry all (a filter's worth) and automatic retries do not; completing clears it."""
    ids = [db.enqueue(f"/watch/ABP-01{n}.mp4", 1, 1)[0].id for n in range(3)]
    for item_id in ids:
        db.claim("file", "w")
        db.fail(item_id, "w", message="boom", kind="transient", retry_in=0)
    db.promote_retries(5)
    assert not any(db.require(i).person_asked for i in ids)
    for item_id in ids:
        db.claim("file", "w")
        db.fail(item_id, "w", message="boom", kind="permanent", retry_in=None)
    assert db.retry(ids[0]).person_asked
    db.retry_matching(QueueFilter())
    assert [db.require(i).person_asked for i in ids] == [True, False, False]
    db.update_fields(ids[2], movie_code="ABP-012")
    assert db.reprocess(ids[2]).person_asked
    claimed = db.claim("file", "w")
    assert claimed is not None
    db.advance(claimed.id, "w", "done", person_asked=False)
    assert not db.require(claimed.id).person_asked


def test_transient_error_promoted_after_backoff_until_max(db: QueueDB) -> None:
    item, _ = db.enqueue("/watch/ABP-003.mp4", 1, 1)
    for attempt in range(1, 4):
        assert db.claim("file", "w") is not None
        db.fail(item.id, "w", message="timeout", kind="transient", retry_in=0)
        promoted = db.promote_retries(max_retries=2)
        assert promoted == ([item.id] if attempt <= 2 else [])
    assert db.require(item.id).status == "error"


def test_counters_follow_every_change(db: QueueDB) -> None:
    ids = [db.enqueue(f"/w/A-{n}.mp4", n, n)[0].id for n in range(5)]
    db.update_fields(ids[0], actresses=["Hana", "Yui", "Hana", ""])
    db.update_fields(ids[1], actresses=["Hana"])
    db.claim("file", "w")
    stats = db.stats()
    assert (stats["pending"], stats["processing"], stats["total"]) == (4, 1, 5)
    assert stats["by_actress"] == {"Hana": 2, "Yui": 1}
    db.update_fields(ids[0], actresses=["Yui"])
    db.delete(ids[1])
    stats = db.stats()
    assert stats["by_actress"] == {"Yui": 1}
    assert stats["total"] == 4
    counted = sqlite3.connect(db.path).execute(
        "SELECT status, count(*) FROM items GROUP BY status").fetchall()
    assert {k: v for k, v in counted} == {k: stats[k] for k, _ in counted}


def test_cleanup_removes_only_old_completed_items_with_events(db: QueueDB) -> None:
    done, _ = db.enqueue("/w/OLD-001.mp4", 1, 1)
    db.claim("file", "w")
    db.advance(done.id, "w", "done")
    waiting, _ = db.enqueue("/w/NEW-001.mp4", 1, 1)
    conn = sqlite3.connect(db.path)
    conn.execute("UPDATE items SET completed_at = '2000-01-01T00:00:00.000000Z' WHERE id = ?",
                 (done.id,))
    conn.commit()
    assert db.cleanup(30) == 1
    assert db.get(done.id) is None and db.get(waiting.id) is not None
    assert conn.execute("SELECT count(*) FROM item_events WHERE item_id = ?",
                        (done.id,)).fetchone()[0] == 0
    assert db.stats()["completed"] == 0


FILTERS = [
    QueueFilter(),
    QueueFilter(status="error"),
    QueueFilter(movie_code="ABP"),
    QueueFilter(actress="Hana"),
    QueueFilter(q="hello world"),
    QueueFilter(q="ab"),
    QueueFilter(status="pending", movie_code="ABP"),
    QueueFilter(status="completed", actress="Hana"),
    QueueFilter(status="error", q="timeout"),
    QueueFilter(status="error", actress="Hana", movie_code="A", q="title"),
]


@pytest.mark.parametrize("flt", FILTERS, ids=str)
@pytest.mark.parametrize("sort", ["newest", "oldest", "updated"])
def test_every_dashboard_query_uses_an_index(db: QueueDB, flt: QueueFilter, sort: str) -> None:
    plan = db.explain(flt, sort)  # type: ignore[arg-type]
    full_scans = [line for line in plan if line.startswith("SCAN") and "INDEX" not in line]
    assert not full_scans, plan


def test_free_text_search_finds_code_actress_title_and_path(db: QueueDB) -> None:
    item, _ = db.enqueue("/watch/downloads/[site]ABP-123.mp4", 1, 1)
    db.claim("file", "w")
    db.update_fields(item.id, "w", movie_code="ABP-123", title="Summer Story",
                     actresses=["Kaede Fua"])
    other, _ = db.enqueue("/watch/SSIS-001.mp4", 1, 1)
    for q in ("ABP-123", "abp", "Kaede", "summer", "downloads"):
        items, total = db.list_items(QueueFilter(q=q))
        assert [i.id for i in items] == [item.id] and total == 1, q
    assert db.list_items(QueueFilter(q="'; DROP TABLE items; --"))[1] == 0
    assert db.get(other.id) is not None


def test_upgrade_from_first_schema_keeps_rows_and_fills_counters(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    for statement in _statements(MIGRATIONS[0]):
        conn.execute(statement)
    conn.execute("PRAGMA user_version = 1")
    now = "2026-01-01T00:00:00.000000Z"
    rows = [
        (f"/w/ABP-{n:03}.mp4", n, n, status, "done" if status == "completed" else "identify",
         f"ABP-{n:03}", '["Hana"]' if n % 2 else '[]', now, now, now)
        for n, status in enumerate(["pending", "completed", "error", "completed", "pending"])
    ]
    conn.executemany(
        "INSERT INTO items (file_path, file_size, file_mtime_ns, status, stage, movie_code,"
        " actresses, next_attempt_at, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
        rows,
    )
    conn.commit()
    conn.close()
    store = QueueDB(path).open()
    stats = store.stats()
    assert (stats["total"], stats["pending"], stats["completed"], stats["error"]) == (5, 2, 2, 1)
    assert stats["by_actress"] == {"Hana": 2}
    assert store.list_items(QueueFilter(q="ABP-003"))[1] == 1
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == LATEST
    store.close()


def test_a_file_that_is_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    from emby_processor.errors import StoreError

    path = tmp_path / "queue.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match=r"queue\.db"):
        QueueDB(path).open()


@pytest.mark.parametrize("sort", ["newest", "oldest", "updated"])
def test_iter_items_walks_every_match_once_in_order(db: QueueDB, sort: str) -> None:
    for n in range(57):
        db.enqueue(f"/w/ABC-{n:03}.mp4", n, n)
    conn = sqlite3.connect(db.path)
    # many equal update times: the keyset must still neither skip nor repeat
    conn.execute("UPDATE items SET updated_at = '2026-01-01T00:00:00.000000Z' WHERE id % 3 = 0")
    conn.commit()
    walked = [i.id for i in db.iter_items(QueueFilter(), sort=sort, batch=10)]  # type: ignore[arg-type]
    paged = [i.id for p in range(1, 4) for i in
             db.list_items(QueueFilter(), sort=sort, page=p, limit=25)[0]]  # type: ignore[arg-type]
    assert len(walked) == 57 and len(set(walked)) == 57
    assert walked == paged


def test_status_with_actress_page_starts_from_the_actress_index(db: QueueDB) -> None:
    plan = " | ".join(db.explain(QueueFilter(status="completed", actress="Hana")))
    assert "item_actresses_name" in plan and "items_status" not in plan


def test_upgrade_gives_old_errors_a_cause_from_their_message(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    for statement in [s for m in MIGRATIONS[:5] for s in _statements(m)]:
        conn.execute(statement)
    conn.execute("PRAGMA user_version = 5")
    now = "2026-01-01T00:00:00.000000Z"
    errors = {
        "/w/holiday.mp4": ("no movie code found in 'holiday.mp4'", "permanent"),
        "/w/ZZZ-999.mp4": ("ZZZ-999 not found by metatube, r18dev, nfo", "permanent"),
        "/w/ABP-001.mp4": ("target exists: /lib/ABP-001.mp4 (source: /w/ABP-001.mp4)",
                           "permanent"),
        "/w/ABP-002.mp4": ("emby: GET /emby/Items: HTTP 503", "transient"),
        "/w/ABP-003.mp4": ("internal error: KeyError('x')", "transient"),
    }
    conn.executemany(
        "INSERT INTO items (file_path, file_size, file_mtime_ns, status, stage, error_message,"
        " error_kind, next_attempt_at, created_at, updated_at)"
        " VALUES (?, 1, 1, 'error', 'metadata', ?, ?, ?, ?, ?)",
        [(path_, message, kind, now, now, now) for path_, (message, kind) in errors.items()],
    )
    conn.commit()
    conn.close()
    store = QueueDB(path).open()
    causes = {i.file_path: i.cause for i in store.list_items(QueueFilter())[0]}
    store.close()
    assert causes == {
        "/w/holiday.mp4": "no_code", "/w/ZZZ-999.mp4": "unknown_code",
        "/w/ABP-001.mp4": "target_exists", "/w/ABP-002.mp4": "server_unreachable",
        "/w/ABP-003.mp4": "internal",
    }


def test_new_files_are_taken_before_a_backlog(db: QueueDB) -> None:
    backlog = db.enqueue_many([(f"/watch/OLD-{n:03}.mp4", n, n) for n in range(5)], backlog=True)
    new, _ = db.enqueue("/watch/NEW-001.mp4", 1, 1)
    later = db.enqueue_many([("/watch/NEW-002.mp4", 2, 2)])
    order = []
    while (item := db.claim("file", "w")) is not None:
        order.append(item.id)
    assert order == [new.id, later[0][0].id, *(item.id for item, _ in backlog)]
