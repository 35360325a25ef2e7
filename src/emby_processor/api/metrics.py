"""``GET /metrics``: the numbers kept in the database, in the Prometheus text format (0.0.4).

A custom ``prometheus_client`` collector reads every figure fresh at scrape time from the
database counters, the heartbeat rows and the health report, so a dashboard running apart from
the workers exports the same numbers. Nothing is counted in this process's memory: step
durations (the Emby push among them) and upstream errors come from two small tables the workers
keep up to date. prometheus_client does the naming, escaping and number formatting.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4, generate_latest
from prometheus_client.metrics_core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    Metric,
    SummaryMetricFamily,
)

from emby_processor.db import STATUSES, QueueDB
from emby_processor.health import ALIVE_STATES
from emby_processor.logbuffer import LogBuffer

CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4
PREFIX = "emby_processor_"
HEALTH_STATUSES = ("healthy", "degraded", "unhealthy")


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(PREFIX + name, documentation, value=value)


class QueueCollector:
    """One scrape's figures: the queue database, the log buffer and a health report."""

    def __init__(self, db: QueueDB, logs: LogBuffer, health: Mapping[str, Any]) -> None:
        self.db = db
        self.logs = logs
        self.health = health

    def collect(self) -> Iterator[Metric]:
        yield from self._queue()
        yield from self._workers()
        yield from self._health()
        yield CounterMetricFamily(PREFIX + "log_records_total",
                                  "Log records written since the process started.",
                                  value=self.logs.last_id)
        yield _gauge("log_subscribers", "Open live-log (SSE) streams.", self.logs.subscribers)

    def _queue(self) -> Iterator[Metric]:
        stats = self.db.stats(top=0)
        items = GaugeMetricFamily(PREFIX + "items", "Queue items per status.", labels=["status"])
        for status in STATUSES:
            items.add_metric([status], stats[status])
        yield items
        # _sum and _count per stage and outcome, as a summary without quantiles
        steps = SummaryMetricFamily(
            PREFIX + "step_duration_milliseconds",
            "Time of pipeline steps by stage and outcome (emby/ok is the Emby push).",
            labels=["stage", "outcome"],
        )
        for stage, outcome, count, total_ms in self.db.event_stats():
            steps.add_metric([stage, outcome], count, total_ms)
        yield steps
        errors = CounterMetricFamily(
            PREFIX + "upstream_errors_total",
            "Failed requests to metadata providers and the media server.", labels=["service"],
        )
        for service, count in self.db.upstream_errors().items():
            errors.add_metric([service], count)
        yield errors

    def _workers(self) -> Iterator[Metric]:
        details: Mapping[str, Mapping[str, Any]] = self.health.get("worker_details", {})
        processed = CounterMetricFamily(PREFIX + "worker_processed_total",
                                        "Items a worker finished since it started.",
                                        labels=["worker"])
        failed = CounterMetricFamily(PREFIX + "worker_failed_total",
                                     "Items a worker failed since it started.", labels=["worker"])
        up = GaugeMetricFamily(PREFIX + "worker_up",
                               "1 when the worker's heartbeat is fresh and it runs.",
                               labels=["worker", "state"])
        age = GaugeMetricFamily(PREFIX + "worker_heartbeat_age_seconds",
                                "Seconds since the worker's last heartbeat.", labels=["worker"])
        for name, detail in details.items():
            processed.add_metric([name], detail.get("processed") or 0)
            failed.add_metric([name], detail.get("failed") or 0)
            state = detail.get("state")
            up.add_metric([name, str(state)], 1 if state in ALIVE_STATES else 0)
            if detail.get("beat_age_seconds") is not None:
                age.add_metric([name], detail["beat_age_seconds"])
        yield from (processed, failed, up, age)

    def _health(self) -> Iterator[Metric]:
        health = self.health
        yield _gauge("paused", "1 when a person paused the workers.",
                     1 if health.get("paused") else 0)
        overall = GaugeMetricFamily(PREFIX + "health_status",
                                    "Overall health; the current status has value 1.",
                                    labels=["status"])
        for status in HEALTH_STATUSES:
            overall.add_metric([status], 1 if status == str(health.get("status")) else 0)
        yield overall
        checks: Mapping[str, Mapping[str, Any]] = health.get("checks", {})
        check_ok = GaugeMetricFamily(PREFIX + "check_ok", "1 when a health check passes.",
                                     labels=["check"])
        for name, check in checks.items():
            check_ok.add_metric([name], 1 if check.get("status") == "ok" else 0)
        yield check_ok
        stuck = checks.get("stuck_items", {}).get("details", {}).get("count")
        if stuck is not None:
            yield _gauge("stuck_items", "Items still processing after their lease expired.", stuck)
        size = health.get("database_size_bytes")
        if size is not None:
            yield _gauge("database_size_bytes", "Queue database size including WAL.", size)
        yield _gauge("uptime_seconds", "Seconds since this process started.",
                     health.get("uptime_seconds") or 0)


def render_metrics(db: QueueDB, logs: LogBuffer, health: Mapping[str, Any]) -> bytes:
    """The exposition text of one scrape."""
    return generate_latest(QueueCollector(db, logs, health))
