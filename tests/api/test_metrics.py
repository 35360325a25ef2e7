"""``GET /metrics`` read back with prometheus_client's parser, as a Prometheus server reads it."""

from __future__ import annotations

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from emby_processor.db import NewEvent, QueueDB
from tests.api.seed import OWNER, STANDARD, seed

pytestmark = pytest.mark.anyio

Labels = tuple[tuple[str, str], ...]

#: every series name and its label names: what dashboards and alerts are written against
SERIES = {
    "emby_processor_items": ("status",),
    "emby_processor_worker_processed_total": ("worker",),
    "emby_processor_worker_failed_total": ("worker",),
    "emby_processor_worker_up": ("state", "worker"),
    "emby_processor_worker_heartbeat_age_seconds": ("worker",),
    "emby_processor_step_duration_milliseconds_sum": ("outcome", "stage"),
    "emby_processor_step_duration_milliseconds_count": ("outcome", "stage"),
    "emby_processor_upstream_errors_total": ("service",),
    "emby_processor_paused": (),
    "emby_processor_health_status": ("status",),
    "emby_processor_check_ok": ("check",),
    "emby_processor_stuck_items": (),
    "emby_processor_database_size_bytes": (),
    "emby_processor_uptime_seconds": (),
    "emby_processor_log_records_total": (),
    "emby_processor_log_subscribers": (),
}


def samples(text: str) -> dict[tuple[str, Labels], float]:
    """(series name, sorted labels) -> value of every sample in an exposition text."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def timed_step(db: QueueDB, path: str, stage: str, milliseconds: float) -> None:
    item, _ = db.enqueue(path, 1, 1)
    assert db.claim("file", OWNER) is not None
    db.advance(item.id, OWNER, "done",
               event=NewEvent(stage, "ok", "done", duration_ms=milliseconds))  # type: ignore[arg-type]


async def test_every_series_parses_with_its_labels_and_type(
    client: httpx.AsyncClient, db: QueueDB
) -> None:
    timed_step(db, "/watch/MET-001.mp4", "emby", 1500.0)
    timed_step(db, "/watch/MET-002.mp4", "emby", 500.0)
    seed(db, STANDARD)
    db.beat("FileProcessor", "running", processed=3, failed=1)
    db.count_upstream_error("metatube")
    db.count_upstream_error("metatube")
    response = await client.get("/metrics")
    families = {f.name: f for f in text_string_to_metric_families(response.text)}
    values = samples(response.text)

    assert {name: tuple(sorted(dict(labels))) for name, labels in values} == SERIES
    assert families["emby_processor_items"].type == "gauge"
    assert families["emby_processor_worker_processed"].type == "counter"
    assert families["emby_processor_upstream_errors"].type == "counter"
    assert families["emby_processor_log_records"].type == "counter"
    assert families["emby_processor_step_duration_milliseconds"].type == "summary"
    push = (("outcome", "ok"), ("stage", "emby"))
    assert values["emby_processor_step_duration_milliseconds_count", push] == 2
    assert values["emby_processor_step_duration_milliseconds_sum", push] == 2000.0
    assert values["emby_processor_upstream_errors_total", (("service", "metatube"),)] == 2
    assert values["emby_processor_items", (("status", "completed"),)] == 4
    assert sum(v for (name, _), v in values.items() if name == "emby_processor_health_status") == 1


async def test_label_values_are_escaped(client: httpx.AsyncClient, db: QueueDB) -> None:
    odd = 'provider "quoted" \\ with\na new line'
    db.count_upstream_error(odd)
    values = samples((await client.get("/metrics")).text)
    assert values["emby_processor_upstream_errors_total", (("service", odd),)] == 1
