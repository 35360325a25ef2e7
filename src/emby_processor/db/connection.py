"""SQLite connections: one per thread for reads, WAL, busy timeout, explicit write transactions.

Writes in one process take turns on one writer connection (``writer.py``: a lock before
``BEGIN IMMEDIATE``, and group commit when several threads write at once), so a thread waiting
to write is woken the moment the one before it is done (SQLite's own busy handler, which still
arbitrates between processes, sleeps in steps of up to 100 ms). The write-ahead log is copied back
into the database file by a checkpointer thread about once a second, not by whichever write
happens to fill it: a commit then only appends its pages to the log, and the ``fsync`` calls of a
checkpoint never hold up a worker (``WAL_AUTOCHECKPOINT_PAGES`` remains the fallback).

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
from collections.abc import Sequence
from contextlib import suppress
from pathlib import Path
from typing import Any

from emby_processor.db.faults import is_file_fault
from emby_processor.db.writer import GroupWriter, WriteTransaction
from emby_processor.errors import StoreError

BUSY_TIMEOUT_MS = 15_000
#: a commit checkpoints by itself only past this many log pages (about 40 MB); the checkpointer
#: thread normally does it long before
WAL_AUTOCHECKPOINT_PAGES = 10_000
#: the log file is cut back to this size after a checkpoint
WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024
CHECKPOINT_SECONDS = 1.0
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
        conn.execute(f"PRAGMA wal_autocheckpoint = {WAL_AUTOCHECKPOINT_PAGES}")
        conn.execute(f"PRAGMA journal_size_limit = {WAL_SIZE_LIMIT_BYTES}")
    except sqlite3.Error as error:
        raise StoreError(f"cannot open the queue database {path}: {error}") from error
    return conn


class ConnectionPool:
    """Hands each thread its own connection; WAL lets readers run beside one writer."""

    def __init__(self, path: Path | str, *, checkpoint_seconds: float = CHECKPOINT_SECONDS
                 ) -> None:
        self.path = path
        self.checkpoint_seconds = checkpoint_seconds
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        #: the process's writes: one connection, one thread at a time, group commit
        self.writer = GroupWriter(self)
        #: set by every commit, cleared by the checkpointer
        self._written = threading.Event()
        self._stopping = threading.Event()
        self._checkpointer: threading.Thread | None = None
        self._closed = False
        #: (device, inode) of the file when the first connection opened it
        self._identity: tuple[int, int] | None = None
        #: (wall time, message) of the last write the file refused, until a write succeeds
        self.write_failure: tuple[float, str] | None = None

    def get(self) -> sqlite3.Connection:
        """The calling thread's connection (for reads)."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self.open_connection()
        return conn

    def open_connection(self) -> sqlite3.Connection:
        if self._closed:
            raise StoreError("the queue database is closed")
        conn = connect(self.path)
        with self._lock:
            self._all.append(conn)
            if self._identity is None and str(self.path) != ":memory:":
                with suppress(OSError):
                    info = os.stat(self.path)
                    self._identity = (info.st_dev, info.st_ino)
        return conn

    def forget(self, conn: sqlite3.Connection) -> None:
        with self._lock:
            if conn in self._all:
                self._all.remove(conn)

    def read(self, sql: str, params: Sequence[object] = ()) -> list[sqlite3.Row]:
        return self._fetch(sql, params, plain=False)

    def read_tuples(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        """Rows as plain tuples (cheaper than ``sqlite3.Row`` for many rows)."""
        return self._fetch(sql, params, plain=True)

    def _fetch(self, sql: str, params: Sequence[object], *, plain: bool) -> list[Any]:
        conn = self.get()
        try:
            cursor = conn.cursor()
            if plain:
                cursor.row_factory = None
            try:
                return cursor.execute(sql, params).fetchall()
            finally:
                cursor.close()
        except sqlite3.Error as error:
            if is_file_fault(error):
                self._discard(conn)
            raise

    def write(self) -> WriteTransaction:
        """A write transaction that takes the lock up front (no deadlocking upgrades)::

            with pool.write() as conn:
                conn.execute(...)
        """
        return WriteTransaction(self.writer)

    def committed(self) -> None:
        self.write_failure = None
        self._written.set()
        if self._checkpointer is None and str(self.path) != ":memory:":
            with self._lock:
                if self._checkpointer is None and not self._closed:
                    self._checkpointer = threading.Thread(
                        target=self._checkpoints, name="db-checkpoint", daemon=True)
                    self._checkpointer.start()

    def failed(self, error: BaseException) -> None:
        """A write met ``error``: a fault of the file is remembered and the writer connection
        dropped (the next write opens a fresh one)."""
        if isinstance(error, sqlite3.Error) and is_file_fault(error):
            self.write_failure = (time.time(), str(error))
            self.writer.drop()

    def _checkpoints(self) -> None:
        """Copy the log into the database file after writes, off the writers' path (PASSIVE:
        never waits for readers or writers; what it cannot copy now goes next time)."""
        conn: sqlite3.Connection | None = None
        while not self._stopping.wait(self.checkpoint_seconds):
            if not self._written.is_set():
                continue
            self._written.clear()
            try:
                conn = conn or connect(self.path)
                conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            except (sqlite3.Error, StoreError):
                if conn is not None:
                    with suppress(sqlite3.Error):
                        conn.close()
                conn = None  # a fresh connection next time (the file may have been fixed)
        if conn is not None:
            with suppress(sqlite3.Error):
                conn.close()

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
        self.forget(conn)
        with suppress(sqlite3.Error):
            conn.close()

    def close(self) -> None:
        self._stopping.set()
        checkpointer = self._checkpointer
        if checkpointer is not None and checkpointer is not threading.current_thread():
            checkpointer.join(5)
        with self._lock:
            self._closed = True
            for conn in self._all:
                with suppress(sqlite3.Error):
                    conn.close()
            self._all.clear()
        self.writer.conn = None
        self._local = threading.local()


def _read_only_mount(path: Path) -> bool:
    try:
        return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except OSError:
        return False
