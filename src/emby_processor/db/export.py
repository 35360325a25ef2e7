"""The queue as CSV lines for the export, a batch at a time after the last row seen (each batch
costs the same however deep the export is).

A line holds the queue table's columns (``vocabulary.ROW_FIELD_NAMES``). Text that comes from
outside (file names, scraped titles and names, error messages, the media server's ids) is always
quoted, and gets a leading ``'`` when it starts like a spreadsheet formula (``= + - @``, a tab or
a carriage return); the service's own words, numbers and times are written as they are (SQLite
turns their NULLs into empty cells). An error's sentence and hint (``catalogue``) are made
here, for the rows in error only, and quoted like outside text. A path is shown as the rest of
the service shows it (``safetext.display_path``). Each line is one f-string over the row: a
million of them take a few seconds, where ``csv.writer`` over cells checked one by one took
three times as long.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any, cast

from emby_processor import catalogue
from emby_processor.db.base import StoreBase
from emby_processor.db.filters import QueueFilter, Sort, build_where, order_by
from emby_processor.db.text import path_value
from emby_processor.safetext import display_path
from emby_processor.vocabulary import ROW_FIELD_NAMES, CauseCode

EXPORT_BATCH = 5000
FORMULA_START = frozenset("=+-@\t\r")
#: fields whose text comes from outside; the others hold numbers, times and our own words
OUTSIDE_TEXT = frozenset({"movie_code", "actress", "title", "error_message", "emby_id"})
_COLUMN = {"cause": "error_cause"}
#: columns made here from others of the row (the SQL selects a NULL in their place)
_DERIVED = frozenset({"message", "hint"})
_AT = {name: n for n, name in enumerate(ROW_FIELD_NAMES)}


def text_cell(value: str | None) -> str:
    """Outside text as a CSV cell: quoted, formula-guarded; NULL is empty."""
    if value is None:
        return ""
    if value[:1] in FORMULA_START:
        value = "'" + value
    return '"' + value.replace('"', '""') + '"'


def path_cell(value: str | bytes | None) -> str:
    path = path_value(value)
    return text_cell(display_path(path)) if path is not None else ""


def message_cell(status: str, cause: str, code: str | None, path: str | bytes | None,
                 error: str | None) -> str:
    """The error's plain sentence (``QueueItem.message``) as a cell; empty without an error."""
    if status != "error":
        return ""
    shown = path_value(path)
    name = os.path.basename(display_path(shown)) if shown is not None else ""
    return text_cell(catalogue.message(cast(CauseCode, cause or None), code=code,
                                       name=name, error=error))


def hint_cell(status: str, cause: str) -> str:
    if status != "error":
        return ""
    return text_cell(catalogue.hint(cast(CauseCode, cause or None)))


def _column(name: str) -> str:
    if name in _DERIVED:
        return "NULL"
    if name in OUTSIDE_TEXT or name == "file_path":
        return f"items.{name}"
    return f"ifnull(items.{_COLUMN.get(name, name)}, '')"


def _line_maker() -> Callable[[tuple[Any, ...]], str]:
    """One f-string over a row: plain cells as they are, the others through their function."""
    cells = []
    for n, name in enumerate(ROW_FIELD_NAMES):
        if name == "file_path":
            cells.append(f"{{path(r[{n}])}}")
        elif name in OUTSIDE_TEXT:
            cells.append(f"{{text(r[{n}])}}")
        elif name == "message":
            args = ", ".join(f"r[{_AT[k]}]" for k in (
                "status", "cause", "movie_code", "file_path", "error_message"))
            cells.append(f"{{message({args})}}")
        elif name == "hint":
            cells.append(f"{{hint(r[{_AT['status']}], r[{_AT['cause']}])}}")
        else:
            cells.append(f"{{r[{n}]}}")
    source = "lambda r: f'" + ",".join(cells) + "\\r\\n'"
    maker: Callable[[tuple[Any, ...]], str] = eval(  # noqa: S307 - built from constants above
        source, {"path": path_cell, "text": text_cell, "message": message_cell, "hint": hint_cell})
    return maker


_SELECT = "SELECT " + ", ".join(_column(name) for name in ROW_FIELD_NAMES)
_LINE = _line_maker()
_ID, _UPDATED = ROW_FIELD_NAMES.index("id"), ROW_FIELD_NAMES.index("updated_at")


class Export(StoreBase):
    def export_rows(
        self, flt: QueueFilter, *, sort: Sort = "newest", batch: int = EXPORT_BATCH
    ) -> Iterator[str]:
        """Every matching item as one CSV line (ending in CRLF), in ``sort`` order."""
        source, where, params = build_where(flt)
        select = f"{_SELECT} FROM {source} WHERE {where}"
        order = f" ORDER BY {order_by(sort)} LIMIT ?"
        after: tuple[Any, ...] | None = None
        while True:
            if after is None:
                rows = self._pool.read_tuples(select + order, [*params, batch])
            elif sort == "updated":
                rows = self._pool.read_tuples(
                    select + " AND (items.updated_at, items.id) < (?, ?)" + order,
                    [*params, after[_UPDATED], after[_ID], batch])
            else:
                keyset = " AND items.id > ?" if sort == "oldest" else " AND items.id < ?"
                rows = self._pool.read_tuples(select + keyset + order,
                                              [*params, after[_ID], batch])
            yield from map(_LINE, rows)
            if len(rows) < batch:
                return
            after = rows[-1]
