"""The live log against hostile text: one bad line must not take the log down for everyone.

- A record with a lone surrogate (a file name from a Shift-JIS download, ``\\ud800`` from an
  upstream's JSON), terminal escape codes or a bidirectional override enters the buffer as safe
  text: ``/api/logs/recent`` answers 200 and every open SSE stream goes on with the next line.
- A malformed ``Last-Event-ID`` is a 400 saying what an id is, never a 500; an empty one is
  no resume (a fresh backlog).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from emby_processor.api import create_app
from emby_processor.db import QueueDB
from emby_processor.health import HealthMonitor
from emby_processor.logbuffer import BufferHandler, LogBuffer
from tests.api.conftest import fake_emby, make_settings
from tests.api.sse import events, take_records
from tests.fakes.server import ServerThread, serve

SHIFT_JIS_NAME = os.fsdecode("/watch/ファイル名ソ.mp4".encode("cp932"))
HOSTILE_LINES = [
    f"queued {SHIFT_JIS_NAME}",
    "title from upstream: \ud800 broken",
    "colour \x1b[31mred\x1b[0m and a bell \x07 and NUL \x00",
    "right-to-left \u202egnp.exe",
]


@pytest.fixture
def live(tmp_path: Path) -> Iterator[tuple[ServerThread, LogBuffer]]:
    settings = make_settings(tmp_path)
    db = QueueDB(settings.db_path).open()
    logs = LogBuffer(1000)
    health = HealthMonitor(settings, db, upstream_checks={"emby": fake_emby})
    app = create_app(settings, db=db, logs=logs, health=health, keepalive_seconds=0.2)
    try:
        with serve(app) as server:
            yield server, logs
    finally:
        db.close()


def _log_through_handler(logs: LogBuffer, message: str) -> None:
    logger = logging.getLogger("emby_processor.test.hostile")
    handler = BufferHandler(logs)
    logger.addHandler(handler)
    try:
        logger.warning(message)
    finally:
        logger.removeHandler(handler)


def test_hostile_lines_keep_recent_and_every_stream_working(
    live: tuple[ServerThread, LogBuffer],
) -> None:
    server, logs = live
    logs.append("INFO", "test", "before")
    with httpx.Client(base_url=server.url, timeout=5) as client:
        with client.stream("GET", "/api/logs") as first, \
                client.stream("GET", "/api/logs") as second:
            streams = [events(first), events(second)]
            for stream in streams:
                assert [r["message"] for r in take_records(stream, 1)] == ["before"]
            for line in HOSTILE_LINES:
                _log_through_handler(logs, line)
            logs.append("INFO", "test", "after")
            for stream in streams:  # both streams get every line, then go on
                got = [r["message"] for r in take_records(stream, len(HOSTILE_LINES) + 1)]
                assert got[-1] == "after"
                assert "/watch/ファイル名ソ.mp4" in got[0]  # shown as the Shift-JIS it was
                assert "\ufffd broken" in got[1]
                assert "\\x1b[31mred" in got[2] and "\x1b" not in got[2] and "\x00" not in got[2]
                assert "\u202e" not in got[3]
        recent = client.get("/api/logs/recent", params={"limit": 10})
        assert recent.status_code == 200
        assert [r["message"] for r in recent.json()][-1] == "after"


@pytest.mark.parametrize("header", [
    "abc", "-1", "1e3", "²", "\u0663", "9" * 5000, "12 34", "0x10",
])
def test_a_malformed_last_event_id_is_a_bad_request(
    live: tuple[ServerThread, LogBuffer], header: str,
) -> None:
    server, _ = live
    with httpx.Client(base_url=server.url, timeout=5) as client:
        request = client.build_request("GET", "/api/logs")
        request.headers["Last-Event-ID"] = header.encode("utf-8").decode("latin-1")
        response = client.send(request)
    assert response.status_code == 400, response.text
    assert "Last-Event-ID must be a log record id" in response.json()["detail"]


def test_an_empty_last_event_id_gets_the_backlog(live: tuple[ServerThread, LogBuffer]) -> None:
    server, logs = live
    for n in range(3):
        logs.append("INFO", "test", f"line {n}")
    with httpx.Client(base_url=server.url, timeout=5) as client:
        with client.stream("GET", "/api/logs", headers={"Last-Event-ID": ""}) as response:
            assert response.status_code == 200
            got = [r["message"] for r in take_records(events(response), 3)]
    assert got == ["line 0", "line 1", "line 2"]


def test_a_huge_line_is_cut_where_it_enters_the_buffer() -> None:
    logs = LogBuffer(100)
    record = logs.append("INFO", "test", "x" * 10_000_000)
    assert len(record.message) < 4100
    assert record.message.endswith("characters cut)")
