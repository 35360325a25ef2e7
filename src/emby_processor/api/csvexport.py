"""The filtered queue as CSV, produced page by page so a large queue never sits in memory.

The file starts with a UTF-8 byte-order mark: without it Excel reads UTF-8 as the local code
page and Japanese titles and names turn into mojibake. Filenames and scraped titles are
untrusted: a cell that starts with ``= + - @`` (or a tab or carriage return) would run as a
formula in a spreadsheet, so it gets a leading ``'``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from emby_processor.db import QueueDB, QueueFilter, Sort

COLUMNS = (
    "id", "movie_code", "actress", "title", "status", "stage", "part", "file_path",
    "error_message", "error_kind", "retry_count", "next_attempt_at", "emby_id",
    "created_at", "updated_at",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_rows(db: QueueDB, flt: QueueFilter, sort: Sort, batch: int = 1000) -> Iterator[str]:
    """Header, then one chunk of rows per page of the queue.

    Pages are read with OFFSET, so rows that change while the export runs may be missed or
    appear twice; the export is a convenience view, not a snapshot.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    buffer.write("\ufeff")
    writer.writerow(COLUMNS)
    yield flush()
    page = 1
    while True:
        items, _ = db.list_items(flt, sort=sort, page=page, limit=batch)
        for item in items:
            row = item.summary()
            writer.writerow([safe_cell(row[column]) for column in COLUMNS])
        if items:
            yield flush()
        if len(items) < batch:
            return
        page += 1
