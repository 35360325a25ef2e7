"""The service as a real subprocess, and a read-only look into its queue database.

``ServiceProcess`` starts ``python -m emby_processor <command>`` with an environment built only
from the stack's settings (nothing leaks in from the developer's shell or a ``.env``), keeps
each run's output in its own file, and can SIGKILL it (and reap it, so its pid is really gone
when the next run checks for dead lease holders) or stop it with SIGTERM.

``QueueView`` reads the queue with plain ``sqlite3``, never through the product's ``QueueDB``:
the tests judge the product's database from outside, the way a person with ``sqlite3`` would.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from emby_processor.config import Settings
from tests.pipeline.stack import wait_for

TEMP_SUFFIX = ".emby-processor-tmp"
VIDEO_SUFFIXES = (".mp4", ".mkv", ".avi", ".wmv")


def clean_environment(settings_env: dict[str, str]) -> dict[str, str]:
    """``os.environ`` without any of the service's own variables, plus ``settings_env``."""
    ours = {name.upper() for name in Settings.model_fields}
    env = {k: v for k, v in os.environ.items() if k.upper() not in ours}
    env.update(settings_env)
    env["PYTHONUNBUFFERED"] = "1"
    return env


class ServiceProcess:
    """One run of the service; ``start()`` again after ``kill()`` is a new run (new log file)."""

    def __init__(
        self, settings_env: dict[str, str], cwd: Path, *, command: str = "workers",
        log_dir: Path | None = None,
    ) -> None:
        self.env = clean_environment(settings_env)
        self.cwd = cwd
        self.command = command
        self.log_dir = log_dir or cwd / "service-logs"
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.runs = 0
        self.proc: subprocess.Popen[bytes] | None = None
        self.logs: list[Path] = []

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def start(self) -> ServiceProcess:
        assert self.proc is None or self.proc.poll() is not None, "already running"
        self.runs += 1
        log = self.log_dir / f"{self.command}-{self.runs:02d}.log"
        self.logs.append(log)
        with open(log, "wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "emby_processor", self.command],
                cwd=self.cwd, env=self.env, stdin=subprocess.DEVNULL, stdout=out,
                stderr=subprocess.STDOUT,
            )
        return self

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        """SIGKILL and reap: no handler runs, nothing is released or flushed."""
        assert self.proc is not None
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def terminate(self, timeout: float = 15.0) -> int:
        """SIGTERM (a clean stop); SIGKILL if it is still running after ``timeout``."""
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()
                raise AssertionError(
                    f"the service did not stop within {timeout} s of SIGTERM"
                ) from None
        return int(self.proc.returncode)

    def output(self) -> str:
        return "\n".join(
            f"--- {log.name} ---\n" + log.read_text("utf-8", "replace") for log in self.logs
        )

    def tail(self, lines: int = 40) -> str:
        if not self.logs:
            return ""
        return "\n".join(self.logs[-1].read_text("utf-8", "replace").splitlines()[-lines:])

    def ensure_alive(self) -> None:
        if self.proc is not None and self.proc.poll() is not None:
            raise AssertionError(
                f"the service exited with {self.proc.returncode}:\n{self.tail()}"
            )

    def close(self) -> None:
        """Best-effort stop (test teardown)."""
        if self.alive():
            try:
                self.terminate(timeout=10)
            except AssertionError:
                pass


class QueueView:
    """Reads the service's queue database from the test process (short read transactions)."""

    def __init__(self, db_path: Path) -> None:
        self.path = db_path
        self._conn: sqlite3.Connection | None = None

    def _db(self) -> sqlite3.Connection | None:
        if self._conn is None:
            if not self.path.exists():
                return None
            # read from the test thread and from the load generator's thread, never at once
            conn = sqlite3.connect(str(self.path), timeout=15, isolation_level=None,
                                   check_same_thread=False)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA busy_timeout = 15000")
            self._conn = conn
        return self._conn

    def _query(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        conn = self._db()
        if conn is None:
            return []
        try:
            return conn.execute(sql, params).fetchall()
        except sqlite3.OperationalError as error:
            if "no such table" in str(error):  # the service has not migrated yet
                return []
            raise

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(("pending", "processing", "completed", "error"), 0)
        for row in self._query("SELECT status, count(*) AS n FROM items GROUP BY status"):
            counts[row["status"]] = row["n"]
        return counts

    def total(self) -> int:
        return sum(self.counts().values())

    def events(self) -> int:
        rows = self._query("SELECT count(*) FROM item_events")
        return int(rows[0][0]) if rows else 0

    def items(self) -> list[dict[str, Any]]:
        return [dict(row) for row in self._query("SELECT * FROM items ORDER BY id")]

    def item_events(self) -> list[dict[str, Any]]:
        return [dict(row) for row in self._query("SELECT * FROM item_events ORDER BY id")]

    def heartbeats(self) -> list[dict[str, Any]]:
        return [dict(row) for row in self._query("SELECT * FROM workers")]

    def beat_from(self, pid: int) -> bool:
        """True once a worker heartbeat was written by process ``pid``."""
        return bool(self._query("SELECT 1 FROM workers WHERE pid = ? LIMIT 1", (pid,)))

    def describe(self, limit: int = 15) -> str:
        rows = self._query(
            "SELECT id, file_path, status, stage, error_message FROM items"
            " WHERE status <> 'completed' ORDER BY id LIMIT ?", (limit,),
        )
        head = f"counts {self.counts()}; "
        return head + "; ".join(
            f"#{r['id']} {Path(r['file_path']).name}: {r['status']}/{r['stage']}"
            f" {r['error_message'] or ''}" for r in rows
        )

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def walk_files(root: Path) -> Iterator[Path]:
    """Every file under ``root``, hidden ones included."""
    for folder, _dirs, files in os.walk(root):
        for name in files:
            yield Path(folder) / name


def temp_names(*roots: Path) -> list[Path]:
    return [p for root in roots for p in walk_files(root) if p.name.endswith(TEMP_SUFFIX)]


wait_until = wait_for  # one polling helper for the whole suite
