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
from emby_processor.vocabulary import ROW_FIELD_NAMES

COLUMNS = ROW_FIELD_NAMES
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_rows(db: QueueDB, flt: QueueFilter, sort: Sort, batch: int = 1000) -> Iterator[str]:
    """Header, then one chunk of rows per batch of the queue.

    Batches continue after the last row sent, so a deep export costs no more per row than the
    first page; rows that change while the export runs may appear in their old or new place.
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
    for count, item in enumerate(db.iter_items(flt, sort=sort, batch=batch), start=1):
        row = item.summary()
        writer.writerow([safe_cell(row[column]) for column in COLUMNS])
        if count % batch == 0:
            yield flush()
    rest = flush()
    if rest:
        yield rest
