"""Which SQLite errors are faults of the database file itself (not of one statement)."""

from __future__ import annotations

import sqlite3

#: primary result codes that say something about the file, not about one statement
_FILE_FAULTS = frozenset({
    sqlite3.SQLITE_READONLY, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_FULL, sqlite3.SQLITE_CANTOPEN,
    sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB,
})


def is_file_fault(error: sqlite3.Error) -> bool:
    code = getattr(error, "sqlite_errorcode", None)
    return isinstance(code, int) and code & 0xFF in _FILE_FAULTS
