"""A webhook receiver on 127.0.0.1: what Apprise's ``json://`` URL posts to, over real HTTP."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class Receiver:
    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self._changed = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}")
                with receiver._changed:
                    receiver.messages.append(body)
                    receiver._changed.notify_all()
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        self.url = f"json://127.0.0.1:{self.port}/hook"

    def wait_for(self, count: int, timeout: float = 10.0, poke: Any = None) -> list[dict[str, Any]]:
        """Wait until ``count`` messages arrived, calling ``poke()`` meanwhile (a notifier step)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self.messages) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"{len(self.messages)} messages, expected {count}")
                if poke is not None:
                    self._changed.release()
                    try:
                        poke()
                    finally:
                        self._changed.acquire()
                self._changed.wait(min(left, 0.05))
            return list(self.messages)


@contextmanager
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    thread = threading.Thread(target=r._server.serve_forever, daemon=True)
    thread.start()
    try:
        yield r
    finally:
        r._server.shutdown()
        r._server.server_close()
