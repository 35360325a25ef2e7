"""Connections to an upstream: kept alive and reused, never more at once than allowed
(UPSTREAM_CONNECTIONS), and a kept connection the server closed is replaced without failing the
request."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from emby_processor.httpclient import HttpClientFactory, HttpLimits


class Upstream:
    """A tiny HTTP/1.1 server that counts connections and requests at once; it may wait before
    answering and may close every connection after one answer."""

    def __init__(self, *, delay: float = 0.0, close_after_answer: bool = False) -> None:
        self.delay, self.close_after_answer = delay, close_after_answer
        self.connections = 0
        self.busy = self.most_busy = 0
        self.lines: list[str] = []
        self._lock = threading.Lock()
        self._sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            with self._lock:
                self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        reader = conn.makefile("rb")
        with conn:
            while line := reader.readline():
                self.lines.append(line.decode().strip())
                while reader.readline() not in (b"\r\n", b""):
                    pass
                with self._lock:
                    self.busy += 1
                    self.most_busy = max(self.most_busy, self.busy)
                time.sleep(self.delay)
                with self._lock:
                    self.busy -= 1
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                             b"Content-Length: 2\r\n\r\n{}")
                if self.close_after_answer:
                    return

    def close(self) -> None:
        self._sock.close()


@pytest.fixture
def limits() -> HttpLimits:
    return HttpLimits(read_timeout=5, connect_timeout=5, deadline=10, max_connections=2)


@pytest.fixture
def upstream() -> Iterator[Upstream]:
    server = Upstream()
    yield server
    server.close()


def test_one_connection_carries_many_requests(upstream: Upstream, limits: HttpLimits) -> None:
    client = HttpClientFactory(limits).client("metatube", upstream.url)
    for _ in range(20):
        assert client.get("/v1/movies/search", params={"q": "ABP-001"}).json() == {}
    assert upstream.connections == 1
    client.close()


def test_never_more_requests_at_once_than_allowed(limits: HttpLimits) -> None:
    slow = Upstream(delay=0.1)
    client = HttpClientFactory(limits).client("emby", slow.url)
    with ThreadPoolExecutor(8) as pool:
        assert all(r.status_code == 200 for r in pool.map(lambda _: client.get("/Items"),
                                                          range(8)))
    assert slow.most_busy == 2 and slow.connections <= 2
    client.close()
    slow.close()


def test_a_kept_connection_the_server_closed_is_replaced(limits: HttpLimits) -> None:
    closing = Upstream(close_after_answer=True)
    client = HttpClientFactory(limits).client("emby", closing.url)
    for _ in range(3):
        assert client.get("/System/Info").status_code == 200
    assert closing.connections == 3
    client.close()
    closing.close()
