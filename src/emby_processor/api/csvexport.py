"""The filtered queue as CSV, produced a batch at a time so a large queue never sits in memory.

The file starts with a UTF-8 byte-order mark: without it Excel reads UTF-8 as the local code
page and Japanese titles and names turn into mojibake. Filenames and scraped titles are
untrusted: a cell that starts with ``= + - @`` (or a tab or carriage return) would run as a
formula in a spreadsheet, so it gets a leading ``'``.

The lines come from ``QueueDB.export_rows``, which has SQLite put them together (quoting, the
formula guard and the shown form of paths are described there). When the client accepts gzip,
the export compresses itself at the fastest level (the app's middleware leaves an encoded answer
alone): a million rows are some 180 MB of text, which the middleware's default level would take
many seconds to squeeze for a few percent less.
"""

from __future__ import annotations

import itertools
import logging
import sqlite3
import zlib
from collections.abc import Iterator

from emby_processor.db import QueueDB, QueueFilter, Sort
from emby_processor.errors import StoreError
from emby_processor.vocabulary import ROW_FIELD_NAMES

logger = logging.getLogger("emby_processor.api")

COLUMNS = ROW_FIELD_NAMES
#: rows per chunk sent
BATCH = 5000


def csv_rows(db: QueueDB, flt: QueueFilter, sort: Sort, batch: int | None = None
             ) -> Iterator[str]:
    """Header, then one chunk of rows per batch of the queue.

    The first batch is read here, before the caller starts a response: a database that cannot
    be read is an error answer (503), not a 200 with only a header. A batch that fails later,
    after the first bytes went out, aborts the response (the generator raises, the server closes
    the connection without ending the body), so the download fails visibly instead of ending as
    a short file that looks complete.

    Batches continue after the last row sent, so a deep export costs no more per row than the
    first page; rows that change while the export runs may appear in their old or new place.
    """
    batch = batch or BATCH
    lines = db.export_rows(flt, sort=sort, batch=batch)
    first = list(itertools.islice(lines, batch))
    return _chunks(itertools.chain(first, lines), batch)


def gzipped(chunks: Iterator[str]) -> Iterator[bytes]:
    """``chunks`` as one gzip stream, compressed as fast as zlib can."""
    compressor = zlib.compressobj(1, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    for chunk in chunks:
        data = compressor.compress(chunk.encode())
        if data:
            yield data
    yield compressor.flush()


def _chunks(lines: Iterator[str], batch: int) -> Iterator[str]:
    yield "\ufeff" + ",".join(COLUMNS) + "\r\n"
    count = 0
    try:
        while chunk := list(itertools.islice(lines, batch)):
            count += len(chunk)
            yield "".join(chunk)
    except (sqlite3.Error, StoreError) as error:
        logger.warning("CSV export cut off after %d rows: the database failed: %s", count, error)
        raise
