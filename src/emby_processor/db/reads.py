"""The dashboard's reads of the queue: statistics from counters, pages served by indexes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from emby_processor.db.base import StoreBase
from emby_processor.db.filters import (
    NEEDS_PERSON,
    RETRIES_ITSELF,
    QueueFilter,
    Sort,
    build_where,
    order_by,
)
from emby_processor.db.models import STATUSES, QueueItem
from emby_processor.timeutil import now_iso

#: what ``build_where`` gives without a filter
NO_FILTER = "items.id > 0"
#: from this many rows in, a page is not found by skipping rows one by one
DEEP_OFFSET = 5000


class QueueReads(StoreBase):
    def stats(self, top: int = 20) -> dict[str, Any]:
        counts: dict[str, int] = {status: 0 for status in STATUSES}
        for row in self._read("SELECT status, count FROM status_counts"):
            counts[row["status"]] = row["count"]
        actresses = self._read(
            "SELECT name, count FROM actress_counts ORDER BY count DESC, name LIMIT ?", (top,)
        )
        # the errors that retry by themselves, counted on the retry index (errors are few)
        retrying = int(self._read(
            f"SELECT count(*) FROM items WHERE items.status = 'error' AND {RETRIES_ITSELF}"
        )[0][0])
        ignored = int(self._read(
            "SELECT count(*) FROM ignored_files WHERE released IS NULL")[0][0])
        return {
            "total": sum(counts.values()),
            **counts,
            "needs_attention": max(counts["error"] - retrying, 0),
            "retrying": retrying,
            "ignored": ignored,
            "by_actress": {row["name"]: row["count"] for row in actresses},
        }

    def inbox(self, per_group: int = 3) -> list[tuple[str | None, int, list[QueueItem]]]:
        """The items that need a person, grouped by cause: (cause, count, the newest few)."""
        rows = self._read(
            "SELECT error_cause AS cause, count(*) AS n FROM items"
            f" WHERE status = 'error' AND {NEEDS_PERSON} GROUP BY error_cause"
        )
        groups = []
        for row in rows:
            cause = row["cause"]
            items = self._read(
                f"SELECT * FROM items WHERE status = 'error' AND {NEEDS_PERSON}"
                " AND error_cause IS ? ORDER BY error_cause, id DESC LIMIT ?",
                (cause, per_group),
            )
            groups.append((cause, int(row["n"]), [QueueItem.from_row(r) for r in items]))
        return groups

    def list_items(
        self, flt: QueueFilter, *, sort: Sort = "newest", page: int = 1, limit: int = 50
    ) -> tuple[list[QueueItem], int]:
        """One page of items and how many match. A deep page costs about what the first does:
        by id it starts from the block counters (``item_blocks``), otherwise from whichever end
        of the order is nearer."""
        total = self.count(flt)
        offset = (page - 1) * limit
        if offset >= total:
            return [], total
        if offset < DEEP_OFFSET:
            rows = self._page(flt, sort, limit, offset)
        elif flt.only_status and sort in ("newest", "oldest"):
            rows = self._page_from_blocks(flt, sort, limit, offset)
        elif offset > total // 2:
            # nearer the end: the same rows, counted from the other end
            last = min(limit, total - offset)
            rows = self._page(flt, sort, last, total - offset - last, reverse=True)[::-1]
        else:
            rows = self._page(flt, sort, limit, offset)
        return [QueueItem.from_row(row) for row in rows], total

    def _page(self, flt: QueueFilter, sort: Sort, limit: int, offset: int,
              after: tuple[str, list[object]] = ("", []), *, reverse: bool = False
              ) -> list[Any]:
        order = _reversed(order_by(sort)) if reverse else order_by(sort)
        return self._read(_page_sql(flt, order, after[0]),
                          [*build_where(flt)[2], *after[1], limit, offset])

    def _page_from_blocks(self, flt: QueueFilter, sort: Sort, limit: int, offset: int
                          ) -> list[Any]:
        """Add up the per-block counts to the block the page starts in, then skip at most one
        block's items."""
        newest = sort == "newest"
        blocks = self._read(
            "SELECT block, sum(n) FROM item_blocks WHERE ?1 IS NULL OR status = ?1"
            f" GROUP BY block ORDER BY block {'DESC' if newest else 'ASC'}", (flt.status,))
        skipped = 0
        for block, count in blocks:
            if skipped + count > offset:
                start = (block + 1) << 10 if newest else block << 10
                after = ("items.id < ?" if newest else "items.id >= ?", [start])
                return self._page(flt, sort, limit, offset - skipped, after)
            skipped += count
        return []

    def iter_items(
        self, flt: QueueFilter, *, sort: Sort = "newest", batch: int = 1000
    ) -> Iterator[QueueItem]:
        """Every matching item in order, a batch at a time, continuing after the last one seen
        (keyset paging: each batch costs the same however deep the export is)."""
        source, where, params = build_where(flt)
        after: QueueItem | None = None
        while True:
            extra: str = ""
            extra_params: list[object] = []
            if after is not None:
                if sort == "oldest":
                    extra, extra_params = " AND items.id > ?", [after.id]
                elif sort == "newest":
                    extra, extra_params = " AND items.id < ?", [after.id]
                else:
                    extra = " AND (items.updated_at, items.id) < (?, ?)"
                    extra_params = [after.updated_at, after.id]
            rows = self._read(
                f"SELECT items.* FROM {source} WHERE {where}{extra}"
                f" ORDER BY {order_by(sort)} LIMIT ?",
                [*params, *extra_params, batch],
            )
            for row in rows:
                after = QueueItem.from_row(row)
                yield after
            if len(rows) < batch:
                return

    def count(self, flt: QueueFilter) -> int:
        if flt.only_status:
            if flt.status is None:
                return int(self._read("SELECT sum(count) FROM status_counts")[0][0] or 0)
            rows = self._read("SELECT count FROM status_counts WHERE status = ?", (flt.status,))
            return int(rows[0][0]) if rows else 0
        source, where, params = build_where(flt)
        sql = f"SELECT count(*) FROM {source} WHERE {where}"
        return int(self._read(sql, params)[0][0])

    def explain(self, flt: QueueFilter, sort: Sort = "newest") -> list[str]:
        """The query plan of a queue page (tests use it to forbid full scans)."""
        params = [*build_where(flt)[2], 50, 0]
        rows = self._read("EXPLAIN QUERY PLAN " + _page_sql(flt, order_by(sort)), params)
        return [row["detail"] for row in rows]

    def stuck_items(self) -> int:
        """Items still marked processing after their lease ran out."""
        rows = self._read(
            "SELECT count(*) FROM items INDEXED BY items_lease"
            " WHERE status = 'processing' AND lease_expires_at < ?",
            (now_iso(),),
        )
        return int(rows[0][0])


def _reversed(order: str) -> str:
    """``items.updated_at DESC, items.id DESC`` read from the other end."""
    return ", ".join(
        f"{column} {'DESC' if direction == 'ASC' else 'ASC'}"
        for column, direction in (term.rsplit(" ", 1) for term in order.split(", "))
    )


def _page_sql(flt: QueueFilter, order: str, extra: str = "") -> str:
    """One page of items in ``order`` (SQL), where ``extra`` holds too: the ids are chosen from
    the indexes first, then only those rows read (a "deferred join"), so sorting and skipping
    never touch whole rows."""
    source, where, _ = build_where(flt)
    if extra:
        # the id bound replaces the unfiltered page's ``id > 0`` (SQLite uses one lower bound)
        where = extra if where == NO_FILTER else f"{where} AND {extra}"
    elif where == NO_FILTER and "updated_at" in order:
        # by update the walk is along items_updated: an id test on each entry skipped would
        # only cost time (a third of a deep page's)
        where = "1"
    return (
        f"SELECT items.* FROM items WHERE items.id IN (SELECT items.id FROM {source}"
        f" WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?) ORDER BY {order}"
    )
