"""The ``/api/health`` document: cheap local checks on every call, slow upstream checks cached.

Status rule (what the dashboard and monitoring see):

- ``unhealthy``: a *critical* check is in ``error``. Critical checks are ``database`` (a real
  query failed, or the file was deleted or replaced, is read-only, or refused the last write),
  ``workers`` (none of FileProcessor, EmbyUpdater, RetryHandler is alive: every
  one is stopped or its heartbeat is older than ``stall_seconds``, so nothing moves) and
  ``disk:data`` (free space under ``MIN_FREE_DISK_MB`` where the queue database lives).
- ``degraded``: a *capability is lost*: no metadata provider can answer (every remote one is
  failing), Emby unreachable or its key rejected, a worker stopped or stalled while others
  run, a watch folder missing or unreadable, the library not writable, little disk on the
  library.
- ``healthy``: otherwise, warnings included: one provider blocked while another answers (its
  check says so), Emby not configured, items past their lease (they come back by themselves),
  checks that have not run yet. Paused workers count as alive: a person asked for it.

``reasons`` lists the checks that set the status. A warning that does not set it can be
acknowledged (``acknowledge``): it is marked so until its status changes or it recovers. Each
worker says what it is doing (``doing``: "working on #35 SSIS-001"), and pause or resume shows
in its state at once (the control key is read with the heartbeats).

Worker state comes only from the heartbeat rows in the database, so the answer is the same
whether the workers share this process or run in another one. The individual checks live in
``health/checks.py``.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import psutil

from emby_processor import __version__
from emby_processor.config import Settings
from emby_processor.db import Heartbeat, QueueDB
from emby_processor.health.checks import (
    CheckResult,
    UpstreamCheck,
    disk_check,
    folder_check,
)
from emby_processor.timeutil import format_duration, now_iso, parse_iso, utcnow
from emby_processor.vocabulary import (
    ALIVE_WORKER_STATES,
    ESSENTIAL_WORKERS,
    HealthStatus,
)

logger = logging.getLogger(__name__)


EXPECTED_WORKERS = ESSENTIAL_WORKERS
CRITICAL_CHECKS = frozenset({"database", "workers", "disk:data"})
ALIVE_STATES: frozenset[str] = ALIVE_WORKER_STATES
#: providers that read local files: they do not keep lookups going when the remote ones fail
LOCAL_PROVIDERS = frozenset({"provider:nfo"})
#: control keys of acknowledged warnings: ``health.ack:<check>`` = the status acknowledged
ACK_PREFIX = "health.ack:"



class HealthMonitor:
    def __init__(
        self, settings: Settings, db: QueueDB, *,
        upstream_checks: Mapping[str, UpstreamCheck] | None = None,
        refresh_seconds: float = 30, stall_seconds: float = 30,
    ) -> None:
        self.settings = settings
        self.db = db
        self.upstream_checks = dict(upstream_checks or {})
        self.refresh_seconds = refresh_seconds
        self.stall_seconds = stall_seconds
        self.version = __version__
        self._process_start = psutil.Process().create_time()
        self._cache: dict[str, CheckResult] = {
            name: CheckResult(name, "warning", "not checked yet") for name in self.upstream_checks
        }
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # background refresh of the slow checks --------------------------------------------------
    def start(self) -> None:
        if self._thread is not None or not self.upstream_checks:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="health-checks", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.refresh_now()
            self._stop.wait(self.refresh_seconds)

    def refresh_now(self) -> None:
        """Run every upstream check once, side by side, and cache the answers."""
        if not self.upstream_checks:
            return
        with ThreadPoolExecutor(len(self.upstream_checks), "health-check") as pool:
            results = list(pool.map(self._run_check, self.upstream_checks.items()))
        with self._lock:
            self._cache.update({result.name: result for result in results})

    @staticmethod
    def _run_check(entry: tuple[str, UpstreamCheck]) -> CheckResult:
        name, check = entry
        started = time.monotonic()
        try:
            result = check()
        except Exception as error:  # a broken check must not take the health page down
            logger.warning("health check %s failed", name, exc_info=True)
            result = CheckResult(name, "error", f"check failed: {type(error).__name__}: {error}")
        details = {
            **result.details, "checked_at": now_iso(),
            "duration_ms": round((time.monotonic() - started) * 1000, 1),
        }
        return CheckResult(name, result.status, result.message, details)

    def cached(self, name: str) -> CheckResult | None:
        """The last answer of an upstream check (no request)."""
        with self._lock:
            return self._cache.get(name)

    # the document ---------------------------------------------------------------------------
    def report(self) -> dict[str, Any]:
        checks: list[CheckResult] = []
        database, size = self._database(checks)
        connected = database == "connected"
        paused = connected and self._paused()
        workers, worker_details = self._workers(checks, paused) if connected else ({}, {})
        if connected:
            checks.append(self._stuck())
        checks.extend(self._folders())
        with self._lock:
            checks.extend(soften_providers(list(self._cache.values())))
        status, reasons = judge(checks)
        acknowledged = self._acknowledged(checks, reasons) if connected else set()
        uptime = max(time.time() - self._process_start, 0.0)
        return {
            "status": status,
            "reasons": [{"check": c.name, "status": c.status, "message": c.message}
                        for c in reasons],
            "workers": workers,
            "worker_details": worker_details,
            "paused": paused,
            "database": database,
            "database_size_bytes": size,
            "uptime": format_duration(uptime),
            "uptime_seconds": round(uptime, 1),
            "checks": {check.name: {**check.to_dict(), "acknowledged": check.name in acknowledged}
                       for check in checks},
            "version": self.version,
            "checked_at": now_iso(),
        }

    def _database(self, checks: list[CheckResult]) -> tuple[str, int | None]:
        try:
            self.db.ping()
            size = self.db.file_size()
            problem = self.db.problem()
        except Exception as error:
            message = f"error: {error}"
            checks.append(CheckResult("database", "error", message))
            return message, None
        if problem is not None:
            # the file is gone, replaced or refuses writes: say so, and do not blame the
            # workers for heartbeats they cannot write
            checks.append(CheckResult("database", "error", problem, {"size": size}))
            return f"error: {problem}", size
        checks.append(CheckResult("database", "ok", f"{size / 1048576:.1f} MiB", {"size": size}))
        return "connected", size

    def _paused(self) -> bool:
        try:
            return self.db.get_control("paused") == "1"
        except Exception:
            return False

    def _workers(
        self, checks: list[CheckResult], paused: bool
    ) -> tuple[dict[str, str], dict[str, dict[str, Any]]]:
        try:
            beats = {beat.name: beat for beat in self.db.heartbeats()}
        except Exception as error:
            checks.append(CheckResult("workers", "error", f"cannot read heartbeats: {error}"))
            return {}, {}
        names = list(EXPECTED_WORKERS) + sorted(set(beats) - set(EXPECTED_WORKERS))
        details = {name: worker_view(beats.get(name), self.stall_seconds, paused, self._code)
                   for name in names}
        states = {name: str(view["state"]) for name, view in details.items()}
        down = [name for name in EXPECTED_WORKERS if states[name] not in ALIVE_STATES]
        if len(down) == len(EXPECTED_WORKERS):
            checks.append(CheckResult("workers", "error", "no worker is running: nothing moves"))
        elif down:
            checks.append(CheckResult(
                "workers", "warning", ", ".join(f"{n} {states[n]}" for n in down)))
        else:
            checks.append(CheckResult("workers", "ok", f"{len(EXPECTED_WORKERS)} workers alive"))
        return states, details

    def _code(self, item_id: int) -> str | None:
        try:
            item = self.db.get(item_id)
        except Exception:
            return None
        return item.movie_code if item is not None else None

    # acknowledged warnings ------------------------------------------------------------------
    def acknowledge(self, name: str, acknowledged: bool = True) -> None:
        """Mark a warning as known (or not any more). Raises KeyError for a check that is not
        failing now, ValueError for one that sets the status (it must be fixed instead)."""
        report = self.report()
        check = report["checks"].get(name)
        if check is None or check["status"] == "ok":
            raise KeyError(f"the check {name!r} has nothing to acknowledge")
        if acknowledged and any(r["check"] == name for r in report["reasons"]):
            raise ValueError(f"{name} makes the service {report['status']}; it cannot be "
                             "acknowledged away")
        key = ACK_PREFIX + name
        self.db.set_control(key, check["status"] if acknowledged else "")

    def _acknowledged(self, checks: list[CheckResult], reasons: list[CheckResult]) -> set[str]:
        """The failing checks a person acknowledged; acknowledgements of checks that recovered
        or changed status are dropped."""
        try:
            stored = self.db.controls(ACK_PREFIX)
        except Exception:
            return set()
        current = {c.name: c.status for c in checks}
        setting = {c.name for c in reasons}
        known = set()
        for key, status in stored.items():
            name = key[len(ACK_PREFIX):]
            if status and current.get(name) == status and name not in setting:
                known.add(name)
            elif status:
                with contextlib.suppress(Exception):
                    self.db.set_control(key, "")
        return known

    def _stuck(self) -> CheckResult:
        try:
            stuck = self.db.stuck_items()
        except Exception as error:
            return CheckResult("stuck_items", "error", f"cannot count: {error}")
        if stuck:
            return CheckResult(
                "stuck_items", "warning",
                f"{stuck} items past their lease; they return to pending automatically",
                {"count": stuck},
            )
        return CheckResult("stuck_items", "ok", "no item is past its lease", {"count": 0})

    def _folders(self) -> list[CheckResult]:
        results = [folder_check(f"watch:{path}", path, write=False)
                   for path in self.settings.watch_dirs]
        library = self.settings.library_dir
        if library is None:
            results.append(CheckResult("library", "ok", "LIBRARY_DIR not set: files stay put"))
        else:
            results.append(folder_check("library", library, write=True))
        minimum = self.settings.min_free_disk_mb
        results.append(disk_check("disk:data", self.settings.data_dir, minimum))
        if library is not None:
            results.append(disk_check("disk:library", library, minimum))
        return results


def judge(checks: Iterable[CheckResult]) -> tuple[HealthStatus, list[CheckResult]]:
    """The overall status and the checks that set it (see the module's status rule)."""
    checks = list(checks)
    critical = [c for c in checks if c.status == "error" and c.name in CRITICAL_CHECKS]
    if critical:
        return "unhealthy", critical
    remote = [c for c in checks if c.name.startswith("provider:")
              and c.name not in LOCAL_PROVIDERS]
    no_provider = bool(remote) and all(c.status == "error" for c in remote)
    lost = []
    for check in checks:
        if check.status == "ok":
            continue
        if check.name.startswith("provider:"):
            if no_provider and check in remote:
                lost.append(check)
        elif check.name == "workers" or check.status == "error":
            lost.append(check)
    return ("degraded" if lost else "healthy"), lost


def overall_status(checks: Iterable[CheckResult]) -> HealthStatus:
    return judge(checks)[0]


def soften_providers(checks: list[CheckResult]) -> list[CheckResult]:
    """A failing provider while another answers is a warning that says so, not a lost
    capability."""
    remote = [c for c in checks if c.name.startswith("provider:")
              and c.name not in LOCAL_PROVIDERS]
    answering = [c.name.removeprefix("provider:") for c in remote if c.status == "ok"]
    if not answering:
        return checks
    still = f"{', '.join(answering)} still answer{'s' if len(answering) == 1 else ''}"
    return [
        CheckResult(c.name, "warning", f"{c.message} ({still})", c.details)
        if c in remote and c.status == "error" else c
        for c in checks
    ]


def worker_view(
    beat: Heartbeat | None, stall_seconds: float, paused: bool = False,
    code_of: Callable[[int], str | None] | None = None,
) -> dict[str, Any]:
    """A worker's state for people: stalled when its heartbeat is old, paused or running as
    the control key says (before its next heartbeat), and what it is doing."""
    if beat is None:
        return {"state": "stopped", "message": "no heartbeat recorded", "doing": "not running"}
    age = (utcnow() - parse_iso(beat.beat_at)).total_seconds()
    state = beat.state
    if state in ALIVE_STATES and age > stall_seconds:
        state = "stalled"
    elif paused and state in ("running", "idle", "starting"):
        state = "paused"
    elif not paused and state == "paused":
        state = "idle"
    return {
        "state": state, "processed": beat.processed, "failed": beat.failed,
        "current_item": beat.current_item, "pid": beat.pid, "message": beat.message,
        "started_at": beat.started_at, "beat_at": beat.beat_at,
        "beat_age_seconds": round(age, 1),
        "doing": _doing(state, beat, code_of),
    }


def _doing(state: str, beat: Heartbeat, code_of: Callable[[int], str | None] | None) -> str:
    item = beat.current_item
    if item is not None and state in ("running", "paused", "stalled"):
        code = code_of(item) if code_of is not None else None
        what = f"#{item} {code}" if code else f"#{item}"
        return {"paused": f"finishing {what}, then paused",
                "stalled": f"stalled on {what}"}.get(state, f"working on {what}")
    if state == "stalled":
        return f"no heartbeat for {round((utcnow() - parse_iso(beat.beat_at)).total_seconds())} s"
    if beat.message and state not in ("paused", "stopped"):
        return beat.message
    return {"idle": "waiting for work", "running": "waiting for work", "paused": "paused",
            "starting": "starting", "stopped": "stopped", "crashed": "crashed"}.get(state, state)
