"""The filtered queue as CSV, produced page by page so a large queue never sits in memory.

The file starts with a UTF-8 byte-order mark: without it Excel reads UTF-8 as the local code
page and Japanese titles and names turn into mojibake. Filenames and scraped titles are
untrusted: a cell that starts with ``= + - @`` (or a tab or carriage return) would run as a
formula in a spreadsheet, so it gets a leading ``'``.
"""

from __future__ import annotations

import csv
import io
import itertools
import logging
import sqlite3
from collections.abc import Iterator
from typing import Any

from emby_processor.db import QueueDB, QueueFilter, QueueItem, Sort
from emby_processor.errors import StoreError
from emby_processor.vocabulary import ROW_FIELD_NAMES

logger = logging.getLogger("emby_processor.api")

COLUMNS = ROW_FIELD_NAMES
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_rows(db: QueueDB, flt: QueueFilter, sort: Sort, batch: int = 1000) -> Iterator[str]:
    """Header, then one chunk of rows per batch of the queue.

    The first batch is read here, before the caller starts a response: a database that cannot
    be read is an error answer (503), not a 200 with only a header. A batch that fails later,
    after the first bytes went out, aborts the response (the generator raises, the server closes
    the connection without ending the body), so the download fails visibly instead of ending as
    a short file that looks complete.

    Batches continue after the last row sent, so a deep export costs no more per row than the
    first page; rows that change while the export runs may appear in their old or new place.
    """
    items = db.iter_items(flt, sort=sort, batch=batch)
    first = list(itertools.islice(items, batch))
    return _rows(itertools.chain(first, items), batch)


def _rows(items: Iterator[QueueItem], batch: int) -> Iterator[str]:
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
    count = 0
    try:
        for count, item in enumerate(items, start=1):
            row = item.summary()
            writer.writerow([safe_cell(row[column]) for column in COLUMNS])
            if count % batch == 0:
                yield flush()
    except (sqlite3.Error, StoreError) as error:
        logger.warning("CSV export cut off after %d rows: the database failed: %s", count, error)
        raise
    rest = flush()
    if rest:
        yield rest
