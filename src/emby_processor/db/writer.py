"""Write transactions of one process, with group commit.

Every write of the process runs on one writer connection, one thread at a time (a lock taken
before ``BEGIN IMMEDIATE``; between processes SQLite's busy handler still decides). A thread
that finishes its work while other threads wait to write does not commit: it hands the open
transaction to the next one, whose work runs in a ``SAVEPOINT`` of it, and waits; the last one
in line (or the one that finds the group full or old) commits for all of them. So when many
workers finish steps at the same time, their steps share one commit (one flush of the search
index, one append of the shared pages to the log), and a thread alone commits at once, as
before. Each thread's work is still all-or-nothing: an exception rolls back to its savepoint
only, and every thread returns from ``write()`` only once its work is committed (or raises the
commit's error).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from types import TracebackType
from typing import TYPE_CHECKING

from emby_processor.db.faults import is_file_fault

if TYPE_CHECKING:
    from emby_processor.db.connection import ConnectionPool

#: a group commits once it holds this many threads' work, or is this old
GROUP_MAX_MEMBERS = 64
GROUP_MAX_SECONDS = 0.05


class _Group:
    __slots__ = ("_done", "error", "members", "started")

    def __init__(self) -> None:
        self.members = 0
        self.started = time.monotonic()
        self._done: threading.Event | None = None  # made by the first member that waits
        self.error: BaseException | None = None

    @property
    def done(self) -> threading.Event:
        """Set when the group is committed or failed (only read while holding the lock, or
        after the member has handed the lock on, so it is made once)."""
        if self._done is None:
            self._done = threading.Event()
        return self._done

    def close(self, error: BaseException | None) -> None:
        self.error = error
        if self._done is not None:
            self._done.set()

    def full(self) -> bool:
        return (self.members >= GROUP_MAX_MEMBERS
                or time.monotonic() - self.started >= GROUP_MAX_SECONDS)


class GroupWriter:
    """The process's writer connection and the transaction groups on it."""

    def __init__(self, pool: ConnectionPool) -> None:
        self.pool = pool
        self.lock = threading.Lock()
        self._count_lock = threading.Lock()
        self.waiting = 0
        self.conn: sqlite3.Connection | None = None
        self.group: _Group | None = None

    def connection(self) -> sqlite3.Connection:
        if self.conn is None:
            self.conn = self.pool.open_connection()
        return self.conn

    def acquire(self) -> None:
        with self._count_lock:
            self.waiting += 1
        self.lock.acquire()
        with self._count_lock:
            self.waiting -= 1

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """Hold the process's write turn for work on another connection (cleanup, which runs
        without foreign-key cascades): a transaction left open for this turn is committed
        first, so its members are not kept waiting."""
        self.acquire()
        try:
            group = self.group
            if group is not None:
                try:
                    self.connection().execute("COMMIT")
                except BaseException as error:
                    self.abort(group, error)
                    raise
                self.finish(group, None)
            yield
        finally:
            self.lock.release()

    def finish(self, group: _Group, error: BaseException | None) -> None:
        """Close ``group``: its members are told ``error`` (None: committed)."""
        self.group = None
        group.close(error)
        if error is None:
            self.pool.committed()

    def abort(self, group: _Group, error: BaseException) -> None:
        """The transaction cannot go on: roll all of it back and fail every member."""
        conn = self.conn
        if conn is not None and conn.in_transaction:
            try:
                conn.execute("ROLLBACK")
            except sqlite3.Error:
                self.drop()
        self.pool.failed(error)
        self.finish(group, error)

    def drop(self) -> None:
        """Forget the writer connection (its state is unknown); the next write opens one."""
        conn, self.conn = self.conn, None
        if conn is not None:
            self.pool.forget(conn)
            with suppress(sqlite3.Error):
                conn.close()


class WriteTransaction:
    """``with pool.write() as conn:`` — the block's statements, committed before the ``with``
    ends (rolled back if the block raises)."""

    __slots__ = ("conn", "group", "joined", "writer")

    def __init__(self, writer: GroupWriter) -> None:
        self.writer = writer

    def __enter__(self) -> sqlite3.Connection:
        writer = self.writer
        writer.acquire()
        try:
            conn = writer.connection()
            group = writer.group
            if group is None:
                conn.execute("BEGIN IMMEDIATE")
                group = writer.group = _Group()
                self.joined = False
            else:
                conn.execute("SAVEPOINT member")
                self.joined = True
        except BaseException as error:
            if writer.group is not None:
                writer.abort(writer.group, error)
            else:
                writer.pool.failed(error)
            writer.lock.release()
            raise
        group.members += 1
        self.group, self.conn = group, conn
        return conn

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 tb: TracebackType | None) -> None:
        writer, group = self.writer, self.group
        if error is not None:
            if self._undo(error):
                self._pass_on(wait=False)
            else:
                writer.lock.release()
            return  # the block's exception goes on
        if self.joined:
            try:
                self.conn.execute("RELEASE member")
            except BaseException as failure:
                writer.abort(group, failure)
                writer.lock.release()
                raise
        self._pass_on(wait=True)

    def _pass_on(self, *, wait: bool) -> None:
        """Hand the open transaction to the next writer (and wait for its commit, when
        ``wait``), or commit it now; releases the lock either way."""
        writer, group = self.writer, self.group
        if writer.waiting and not group.full():
            done = group.done  # made while the lock is held
            writer.lock.release()  # the next writer adds its work to this transaction
            if wait:
                done.wait()
                if group.error is not None:
                    raise group.error
            return
        try:
            self.conn.execute("COMMIT")
        except BaseException as failure:
            writer.abort(group, failure)
            if wait:
                raise
        else:
            writer.finish(group, None)
        finally:
            writer.lock.release()

    def _undo(self, error: BaseException) -> bool:
        """Take back this block's work only; True when the group goes on (other members'
        work is in it and still to be committed)."""
        writer, group, conn = self.writer, self.group, self.conn
        if isinstance(error, sqlite3.Error) and is_file_fault(error):
            writer.abort(group, error)  # the file failed: nothing of the group can be trusted
            return False
        if not self.joined:
            # the first member is alone in the transaction while its block runs
            if conn.in_transaction:
                try:
                    conn.execute("ROLLBACK")
                except sqlite3.Error:
                    writer.drop()
            writer.finish(group, error)
            return False
        try:
            conn.execute("ROLLBACK TO member")
            conn.execute("RELEASE member")
        except sqlite3.Error as failure:
            writer.abort(group, failure)
            return False
        group.members -= 1
        return True
