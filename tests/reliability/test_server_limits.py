"""Server limits: what a LAN client can hold of the dashboard is bounded.

The app runs under uvicorn with ``server_options`` (what ``emby-processor run`` and ``api`` use),
small limits set, over real sockets:

- a flood of connections that never send a byte is capped at ``API_MAX_CONNECTIONS`` (the rest
  are answered 503 and closed at once), and the idle ones are closed after
  ``API_IDLE_TIMEOUT_SECONDS``; the dashboard answers again right after;
- a client dripping a request's headers a byte at a time is closed at the same deadline;
- one live log stream over ``API_MAX_LOG_STREAMS`` gets a 503 with a JSON sentence, and a stream
  can open again once another closed.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest
import uvicorn

from emby_processor.api import create_app
from emby_processor.api.serving import BUSY_DETAIL, server_options
from emby_processor.db import QueueDB
from emby_processor.health import HealthMonitor
from emby_processor.logbuffer import LogBuffer
from tests.api.conftest import fake_emby, make_settings
from tests.api.sse import events, take_records
from tests.fakes.server import free_port
from tests.pipeline.stack import wait_for

MAX_CONNECTIONS = 20
IDLE_SECONDS = 1.0
MAX_STREAMS = 3


class Served:
    def __init__(self, url: str, port: int, logs: LogBuffer) -> None:
        self.url, self.port, self.logs = url, port, logs

    def server_side_connections(self) -> int:
        return sum(
            1 for c in psutil.Process().net_connections(kind="tcp")
            if c.laddr and c.laddr.port == self.port and c.status == psutil.CONN_ESTABLISHED
        )


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    port = free_port()
    settings = make_settings(
        tmp_path, api_host="127.0.0.1", api_port=port, api_max_connections=MAX_CONNECTIONS,
        api_idle_timeout_seconds=IDLE_SECONDS, api_max_log_streams=MAX_STREAMS,
    )
    db = QueueDB(settings.db_path).open()
    logs = LogBuffer(1000)
    health = HealthMonitor(settings, db, upstream_checks={"emby": fake_emby})
    app = create_app(settings, db=db, logs=logs, health=health, keepalive_seconds=0.2)
    server = uvicorn.Server(uvicorn.Config(app, **server_options(settings), lifespan="off",
                                           timeout_graceful_shutdown=1))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_for(lambda: server.started, 10, "the server did not start")
    try:
        yield Served(f"http://127.0.0.1:{port}", port, logs)
    finally:
        server.should_exit = True
        thread.join(10)
        db.close()


def test_idle_connections_are_capped_and_closed(served: Served) -> None:
    idle = [socket.create_connection(("127.0.0.1", served.port)) for _ in range(100)]
    try:
        wait_for(lambda: served.server_side_connections() <= MAX_CONNECTIONS, 5,
                 lambda: f"{served.server_side_connections()} connections held")
        with httpx.Client(base_url=served.url, timeout=5) as client:
            busy = client.get("/api/health")
            assert busy.status_code in (200, 503)
            if busy.status_code == 503:
                assert busy.json()["detail"]  # a sentence, whoever answered it
        refused = [sock for sock in idle if _closed_by_server(sock, wait=0.0)]
        assert len(refused) >= 100 - MAX_CONNECTIONS
        assert BUSY_DETAIL.encode() in _first_answer(refused[0])
        # the ones let in are closed once idle for API_IDLE_TIMEOUT_SECONDS
        wait_for(lambda: served.server_side_connections() == 0, IDLE_SECONDS + 5,
                 lambda: f"{served.server_side_connections()} connections still open")
        with httpx.Client(base_url=served.url, timeout=5) as client:
            assert client.get("/api/health").status_code == 200
    finally:
        for sock in idle:
            sock.close()


def test_a_dripping_request_is_closed_at_the_deadline(served: Served) -> None:
    with socket.create_connection(("127.0.0.1", served.port)) as sock:
        sock.sendall(b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        started = time.monotonic()
        closed = False
        while time.monotonic() - started < IDLE_SECONDS + 5:
            try:
                sock.sendall(b"X")  # one more header byte, never the end of the headers
            except OSError:
                closed = True
                break
            if _closed_by_server(sock, wait=0.2):
                closed = True
                break
        assert closed, "a client dripping its headers kept the connection"
        assert time.monotonic() - started < IDLE_SECONDS + 3


def test_log_streams_are_capped_with_a_clear_503(served: Served) -> None:
    with contextlib.ExitStack() as stack:
        clients = [stack.enter_context(httpx.Client(base_url=served.url, timeout=5))
                   for _ in range(MAX_STREAMS + 1)]
        streams = [stack.enter_context(client.stream("GET", "/api/logs"))
                   for client in clients[:MAX_STREAMS]]
        assert all(stream.status_code == 200 for stream in streams)
        wait_for(lambda: served.logs.subscribers == MAX_STREAMS, 5, "streams did not start")
        refused = clients[MAX_STREAMS].get("/api/logs")
        assert refused.status_code == 503
        assert "API_MAX_LOG_STREAMS" in refused.json()["detail"]
        streams[0].close()
        wait_for(lambda: served.logs.subscribers == MAX_STREAMS - 1, 5, "a stream did not end")
        with clients[MAX_STREAMS].stream("GET", "/api/logs") as again:
            assert again.status_code == 200
            served.logs.append("INFO", "test", "hello")
            assert [r["message"] for r in take_records(events(again), 1)] == ["hello"]
        # long-lived streams are requests in progress: the idle deadline never cuts them
        time.sleep(IDLE_SECONDS * 2)
        served.logs.append("INFO", "test", "still here")
        assert "still here" in [r["message"] for r in take_records(events(streams[1]), 2)]


def _closed_by_server(sock: socket.socket, wait: float) -> bool:
    sock.settimeout(wait or 0.01)
    try:
        data = sock.recv(65536, socket.MSG_PEEK)
    except (TimeoutError, BlockingIOError):
        return False
    except OSError:
        return True
    return data == b"" or data.startswith(b"HTTP/1.1 503")


def _first_answer(sock: socket.socket) -> bytes:
    sock.settimeout(2)
    return sock.recv(65536)
