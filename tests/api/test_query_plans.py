"""Every queue filter combination and sort order is served by an index, never a table scan."""

from __future__ import annotations

import itertools
import sqlite3

import pytest

from emby_processor.db import QueueDB, QueueFilter
from emby_processor.db.filters import SORTS, build_where
from tests.api.seed import STANDARD, seed

VALUES: dict[str, list[str | None]] = {
    "status": [None, "error", "needs_attention", "retrying"],
    "movie_code": [None, "ABP"],
    "actress": [None, "Kaede Fua"],
    "q": [None, "summer", "ab"],  # trigram search, and the short code-prefix fallback
    "cause": [None, "no_code"],
}
COMBINATIONS = [dict(zip(VALUES, combo)) for combo in itertools.product(*VALUES.values())]


def full_scans(plan: list[str]) -> list[str]:
    return [line for line in plan if line.startswith("SCAN") and "INDEX" not in line]


@pytest.fixture
def seeded(db: QueueDB) -> QueueDB:
    seed(db, STANDARD)
    with sqlite3.connect(db.path) as conn:
        conn.execute("ANALYZE")  # the planner's view of a real, non-empty table
    return db


@pytest.mark.parametrize("sort", SORTS)
@pytest.mark.parametrize("values", COMBINATIONS, ids=lambda v: ",".join(
    f"{k}={v}" for k, v in v.items() if v) or "none")
def test_page_query_uses_indexes(seeded: QueueDB, values: dict[str, str | None], sort: str) -> None:
    plan = seeded.explain(QueueFilter(**values), sort)
    assert not full_scans(plan), plan


@pytest.mark.parametrize("values", COMBINATIONS)
def test_count_query_uses_indexes(seeded: QueueDB, values: dict[str, str | None]) -> None:
    source, where, params = build_where(QueueFilter(**values))
    with sqlite3.connect(seeded.path) as conn:
        rows = conn.execute(
            f"EXPLAIN QUERY PLAN SELECT count(*) FROM {source} WHERE {where}", params
        ).fetchall()
    plan = [row[3] for row in rows]
    assert not full_scans(plan), plan


def test_counts_the_page_polls_read_only_indexes(seeded: QueueDB) -> None:
    """``stats`` counts the errors that retry by themselves on every poll: on an index alone,
    so the count costs the same with a million completed items beside them."""
    from emby_processor.db.filters import RETRIES_ITSELF

    sql = f"SELECT count(*) FROM items WHERE items.status = 'error' AND {RETRIES_ITSELF}"
    with sqlite3.connect(seeded.path) as conn:
        plan = [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql)]
    assert any("COVERING INDEX" in line for line in plan), plan


def test_the_health_checks_stuck_items_on_the_lease_index(seeded: QueueDB) -> None:
    """Every health poll counts the items past their lease: on the lease index, never a walk
    over every item in processing."""
    traced: list[str] = []
    conn = seeded._pool.get()
    conn.set_trace_callback(traced.append)
    try:
        seeded.stuck_items()
    finally:
        conn.set_trace_callback(None)
    plan = [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + traced[-1])]
    assert any("items_lease" in line for line in plan), plan
