"""The search box as people mean it: one phrase inside one field, field prefixes, error text,
every actress; each served by the trigram index or an index range (never a table scan)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from emby_processor.db import QueueDB, QueueFilter
from emby_processor.db.schema import migrate

OWNER = "w"


def add(db: QueueDB, path: str, *, code: str | None = None, title: str | None = None,
        actresses: tuple[str, ...] = (), error: str | None = None) -> int:
    item, _ = db.enqueue(path, 1, 1)
    assert db.claim("file", OWNER) is not None
    fields: dict[str, object] = {}
    if code:
        fields["movie_code"] = code
    if title:
        fields["title"] = title
    db.update_fields(item.id, OWNER, actresses=list(actresses) or None, **fields)
    if error:
        db.fail(item.id, OWNER, message=error, kind="transient", retry_in=None,
                cause="provider_unreachable")
    else:
        db.defer(item.id, OWNER, 3600)
    return item.id


@pytest.fixture
def db(tmp_path: Path) -> QueueDB:
    store = QueueDB(tmp_path / "q.db").open()
    yield store  # type: ignore[misc]
    store.close()


@pytest.fixture
def items(db: QueueDB) -> dict[str, int]:
    return {
        "summer": add(db, "/watch/incoming/ABP-123.mp4", code="ABP-123",
                      title="A Summer Story", actresses=("Kaede Fua", "Yua Mikami")),
        "split": add(db, "/watch/story/summer.mp4", code="SSIS-001", title="Winter",
                     actresses=("Hitomi",)),
        "timeout": add(db, "/watch/IPX-777.mp4", code="IPX-777",
                       error="metatube: timed out after 30 s"),
    }


def found(db: QueueDB, q: str) -> set[int]:
    return {item.id for item in db.list_items(QueueFilter(q=q), limit=500)[0]}


def test_plain_text_is_one_phrase_inside_one_field(db: QueueDB, items: dict[str, int]) -> None:
    assert found(db, "summer story") == {items["summer"]}  # not "summer" in one, "story" in another
    assert found(db, '"summer story"') == {items["summer"]}
    assert found(db, "summer") == {items["summer"], items["split"]}


def test_field_prefixes_narrow_and_combine(db: QueueDB, items: dict[str, int]) -> None:
    assert found(db, "code:abp") == {items["summer"]}
    assert found(db, "title:summer") == {items["summer"]}
    assert found(db, "path:summer") == {items["split"]}
    assert found(db, 'actress:"Yua Mikami"') == {items["summer"]}  # the second actress too
    assert found(db, "actress:Hitomi code:SSIS") == {items["split"]}
    assert found(db, "actress:Hitomi code:ABP") == set()
    assert found(db, "CODE:ipx timed out") == {items["timeout"]}


def test_error_text_and_cause_are_searchable(db: QueueDB, items: dict[str, int]) -> None:
    assert found(db, "error:timed out") == {items["timeout"]}
    assert found(db, "error:provider_unreachable") == {items["timeout"]}
    assert found(db, "timed out") == {items["timeout"]}
    db.retry(items["timeout"])
    item = db.claim("file", OWNER)
    assert item is not None
    db.advance(item.id, OWNER, "organize")  # the error is cleared: so is its index entry
    assert found(db, "error:timed out") == set()


def test_short_terms_use_prefixes(db: QueueDB, items: dict[str, int]) -> None:
    assert found(db, "ab") == {items["summer"]}
    assert found(db, "code:SS") == {items["split"]}
    assert found(db, "actress:Yu") == {items["summer"]}
    assert found(db, "title:ab") == set()
    assert found(db, "'; DROP TABLE items; --") == set()
    assert found(db, 'actress:"unterminated') == set()


@pytest.mark.parametrize("q", ["summer story", "code:ABP actress:Kaede", "error:timeout",
                               "actress:Yu", "code:AB title:x"])
def test_every_search_is_served_by_an_index(db: QueueDB, items: dict[str, int], q: str) -> None:
    plan = db.explain(QueueFilter(q=q))
    assert not [line for line in plan if line.startswith("SCAN") and "INDEX" not in line], plan


def test_upgrade_indexes_the_errors_already_kept(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, target=11)  # the version before the search migration (12)
    conn.execute(
        "INSERT INTO items (file_path, file_size, file_mtime_ns, status, stage, error_message,"
        " error_kind, actresses, created_at, updated_at) VALUES ('/w/a.mp4', 1, 1, 'error',"
        " 'metadata', 'r18dev: blocked by a challenge', 'transient', ?, 'x', 'x')",
        ('["A", "Second One"]',))
    conn.close()
    db = QueueDB(path).open()
    try:
        assert len(found(db, "error:challenge")) == 1
        assert len(found(db, "actress:second one")) == 1
    finally:
        db.close()
