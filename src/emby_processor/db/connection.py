"""SQLite connections: one per thread, WAL, busy timeout, explicit write transactions.

A connection that met a fault of the file itself (read-only, full disk, I/O error, the file
moved or damaged) is closed and the thread gets a fresh one on its next call: SQLite opens a file
it cannot write read-only, and such a connection would refuse writes for the rest of the process
even after the disk is writable again. The pool also remembers the last failed write until a
write succeeds, and the identity of the file it opened, for the health check (``problem``).
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path

from emby_processor.errors import StoreError

BUSY_TIMEOUT_MS = 15_000
#: primary result codes that say something about the file, not about one statement
_FILE_FAULTS = frozenset({
    sqlite3.SQLITE_READONLY, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_FULL, sqlite3.SQLITE_CANTOPEN,
    sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB,
})


def connect(path: Path | str) -> sqlite3.Connection:
    try:
        conn = sqlite3.connect(
            str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
            check_same_thread=False,
        )
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA temp_store = MEMORY")
        conn.execute("PRAGMA cache_size = -2000")
    except sqlite3.Error as error:
        raise StoreError(f"cannot open the queue database {path}: {error}") from error
    return conn


def is_file_fault(error: sqlite3.Error) -> bool:
    code = getattr(error, "sqlite_errorcode", None)
    return isinstance(code, int) and code & 0xFF in _FILE_FAULTS


class ConnectionPool:
    """Hands each thread its own connection; WAL lets readers run beside one writer."""

    def __init__(self, path: Path | str) -> None:
        self.path = path
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._closed = False
        #: (device, inode) of the file when the first connection opened it
        self._identity: tuple[int, int] | None = None
        #: (wall time, message) of the last write the file refused, until a write succeeds
        self.write_failure: tuple[float, str] | None = None

    def get(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            if self._closed:
                raise StoreError("the queue database is closed")
            conn = connect(self.path)
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
                if self._identity is None and str(self.path) != ":memory:":
                    with suppress(OSError):
                        info = os.stat(self.path)
                        self._identity = (info.st_dev, info.st_ino)
        return conn

    def read(self, sql: str, params: Sequence[object] = ()) -> list[sqlite3.Row]:
        conn = self.get()
        try:
            return conn.execute(sql, params).fetchall()
        except sqlite3.Error as error:
            if is_file_fault(error):
                self._discard(conn)
            raise

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction that takes the lock up front (no deadlocking upgrades)."""
        conn = self.get()
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                try:
                    conn.execute("ROLLBACK")
                except sqlite3.Error:
                    self._discard(conn)  # the transaction state is unknown: start afresh
                raise
            conn.execute("COMMIT")
        except sqlite3.Error as error:
            if is_file_fault(error):
                self.write_failure = (time.time(), str(error))
                self._discard(conn)
            raise
        self.write_failure = None

    def problem(self) -> str | None:
        """Why the database cannot be trusted right now, in a sentence; None when it can."""
        if str(self.path) == ":memory:":
            return None
        path = Path(self.path)
        try:
            info = os.stat(path)
        except FileNotFoundError:
            return (f"the database file {path} was deleted while the service runs: what is "
                    "written now is lost at the next start; restore the file or restart")
        except OSError as error:
            return f"cannot look at the database file {path}: {error.strerror or error}"
        if self._identity is not None and (info.st_dev, info.st_ino) != self._identity:
            return (f"the database file {path} was replaced by another file while the service "
                    "runs; restart the service to use the new one")
        if not os.access(path, os.W_OK) or _read_only_mount(path):
            return f"the database {path} is read-only: nothing can be queued or updated"
        failure = self.write_failure
        if failure is not None:
            return (f"writes to the database fail ({failure[1]}, "
                    f"{max(time.time() - failure[0], 0):.0f} s ago)")
        return None

    def _discard(self, conn: sqlite3.Connection) -> None:
        if getattr(self._local, "conn", None) is conn:
            self._local.conn = None
        with self._lock:
            if conn in self._all:
                self._all.remove(conn)
        with suppress(sqlite3.Error):
            conn.close()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            for conn in self._all:
                with suppress(sqlite3.Error):
                    conn.close()
            self._all.clear()
        self._local = threading.local()


def _read_only_mount(path: Path) -> bool:
    try:
        return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except OSError:
        return False
