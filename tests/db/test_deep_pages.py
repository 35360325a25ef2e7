"""A deep queue page shows exactly the rows the same page showed when it was found by skipping
rows, for every filter and sort, with gaps in the ids, every status and changes in between."""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterator

import pytest

from emby_processor.db import QueueDB, QueueFilter, reads
from emby_processor.db.filters import build_where, order_by
from emby_processor.vocabulary import SORTS

STATUSES = ("pending", "processing", "completed", "error")


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[QueueDB]:
    path = tmp_path_factory.mktemp("pages") / "queue.db"
    store = QueueDB(path).open()
    rng = random.Random(5)
    store.enqueue_many([(f"/watch/{rng.choice('ABCD')}BP-{n:05}.mp4", n, n) for n in range(6000)])
    with sqlite3.connect(path) as conn:
        for item_id in range(1, 6001):
            conn.execute("UPDATE items SET status = ?, movie_code = ?, updated_at = ? WHERE id = ?",
                         (rng.choice(STATUSES), f"{rng.choice('AB')}BP-{item_id:05}",
                          f"2026-01-01T00:00:{rng.randrange(60):02d}.000000Z", item_id))
        conn.execute("DELETE FROM items WHERE id % 7 = 0 OR id BETWEEN 2000 AND 3100")
    yield store
    store.close()


def skipping(db: QueueDB, flt: QueueFilter, sort: str, page: int, limit: int) -> list[int]:
    """The page as OFFSET finds it."""
    source, where, params = build_where(flt)
    rows = db._read(f"SELECT items.id FROM {source} WHERE {where} ORDER BY {order_by(sort)}"
                    " LIMIT ? OFFSET ?", [*params, limit, (page - 1) * limit])
    return [row[0] for row in rows]


@pytest.mark.parametrize("sort", SORTS)
@pytest.mark.parametrize("flt", [QueueFilter(), QueueFilter(status="completed"),
                                 QueueFilter(status="error"), QueueFilter(movie_code="AB")],
                         ids=["all", "completed", "error", "code"])
def test_every_page_is_the_page_offset_would_show(
    db: QueueDB, flt: QueueFilter, sort: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reads, "DEEP_OFFSET", 0)  # every page takes the deep-page path
    total = db.count(flt)
    for limit in (50, 37):
        pages = -(-total // limit)
        for page in [1, 2, pages // 2, pages // 2 + 1, pages - 1, pages, pages + 1]:
            if page < 1:
                continue
            items, count = db.list_items(flt, sort=sort, page=page, limit=limit)  # type: ignore[arg-type]
            assert count == total
            assert [item.id for item in items] == skipping(db, flt, sort, page, limit), page


def test_block_counters_follow_inserts_status_changes_and_deletes(db: QueueDB) -> None:
    def counted() -> dict[str, int]:
        rows = db._read("SELECT status, sum(n) FROM item_blocks GROUP BY status")
        return {row[0]: row[1] for row in rows if row[1]}

    def truth() -> dict[str, int]:
        rows = db._read("SELECT status, count(*) FROM items GROUP BY status")
        return {row[0]: row[1] for row in rows}

    assert counted() == truth()
    item, _ = db.enqueue("/watch/NEW-1.mp4", 1, 1)
    claimed = db.claim("file", "w")
    assert claimed is not None
    db.advance(claimed.id, "w", "done")
    db.delete(item.id)
    assert counted() == truth()
