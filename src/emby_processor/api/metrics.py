"""``GET /metrics`` in the Prometheus text format (0.0.4), written by hand.

prometheus_client is not a dependency and every figure here is read fresh from the database
counters, the heartbeat rows and the health report, so a tiny writer is all that is needed.
Step durations (the Emby push among them) and upstream errors come from two small tables the
workers keep up to date, so a dashboard in another process exports them too.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from emby_processor.db import STATUSES, QueueDB
from emby_processor.health import ALIVE_STATES
from emby_processor.logbuffer import LogBuffer

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
PREFIX = "emby_processor_"
Sample = tuple[Mapping[str, str], float]


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _number(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return repr(int(value)) if float(value).is_integer() else repr(float(value))


class MetricsText:
    def __init__(self) -> None:
        self._lines: list[str] = []

    def add(self, name: str, kind: str, help_text: str, samples: Iterable[Sample]) -> None:
        full = PREFIX + name
        self._lines.append(f"# HELP {full} {_escape(help_text)}")
        self._lines.append(f"# TYPE {full} {kind}")
        for labels, value in samples:
            label_text = ",".join(f'{key}="{_escape(val)}"' for key, val in labels.items())
            suffix = f"{{{label_text}}}" if label_text else ""
            self._lines.append(f"{full}{suffix} {_number(value)}")

    def render(self) -> str:
        return "\n".join(self._lines) + "\n"


def render_metrics(db: QueueDB, logs: LogBuffer, health: Mapping[str, Any]) -> str:
    out = MetricsText()
    stats = db.stats(top=0)
    out.add("items", "gauge", "Queue items per status.",
            (({"status": status}, stats[status]) for status in STATUSES))
    details: Mapping[str, Mapping[str, Any]] = health.get("worker_details", {})
    out.add("worker_processed_total", "counter", "Items a worker finished since it started.",
            (({"worker": n}, d.get("processed") or 0) for n, d in details.items()))
    out.add("worker_failed_total", "counter", "Items a worker failed since it started.",
            (({"worker": n}, d.get("failed") or 0) for n, d in details.items()))
    out.add("worker_up", "gauge", "1 when the worker's heartbeat is fresh and it runs.",
            (({"worker": n, "state": str(d.get("state"))},
              1 if d.get("state") in ALIVE_STATES else 0)
             for n, d in details.items()))
    out.add("worker_heartbeat_age_seconds", "gauge", "Seconds since the worker's last heartbeat.",
            (({"worker": n}, d["beat_age_seconds"]) for n, d in details.items()
             if d.get("beat_age_seconds") is not None))
    steps = db.event_stats()
    out.add("step_duration_milliseconds_sum", "counter",
            "Total time of pipeline steps by stage and outcome (emby/ok is the Emby push).",
            (({"stage": s, "outcome": o}, total) for s, o, _, total in steps))
    out.add("step_duration_milliseconds_count", "counter",
            "Number of timed pipeline steps by stage and outcome.",
            (({"stage": s, "outcome": o}, count) for s, o, count, _ in steps))
    out.add("upstream_errors_total", "counter",
            "Failed requests to metadata providers and the media server.",
            (({"service": name}, count) for name, count in db.upstream_errors().items()))
    out.add("paused", "gauge", "1 when a person paused the workers.",
            [({}, 1 if health.get("paused") else 0)])
    status = str(health.get("status"))
    out.add("health_status", "gauge", "Overall health; the current status has value 1.",
            (({"status": s}, 1 if s == status else 0)
             for s in ("healthy", "degraded", "unhealthy")))
    checks: Mapping[str, Mapping[str, Any]] = health.get("checks", {})
    out.add("check_ok", "gauge", "1 when a health check passes.",
            (({"check": n}, 1 if c.get("status") == "ok" else 0) for n, c in checks.items()))
    stuck = checks.get("stuck_items", {}).get("details", {}).get("count")
    if stuck is not None:
        out.add("stuck_items", "gauge", "Items still processing after their lease expired.",
                [({}, stuck)])
    size = health.get("database_size_bytes")
    if size is not None:
        out.add("database_size_bytes", "gauge", "Queue database size including WAL.",
                [({}, size)])
    out.add("uptime_seconds", "gauge", "Seconds since this process started.",
            [({}, health.get("uptime_seconds") or 0)])
    out.add("log_records_total", "counter", "Log records written since the process started.",
            [({}, logs.last_id)])
    out.add("log_subscribers", "gauge", "Open live-log (SSE) streams.", [({}, logs.subscribers)])
    return out.render()
