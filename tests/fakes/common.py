"""Pieces every fake upstream shares: a request log tests can wait on, and fault switches."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send


@dataclass(frozen=True)
class LoggedRequest:
    """One request as the fake saw it on arrival; ``time`` is ``time.monotonic()``."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    time: float

    @property
    def user_agent(self) -> str:
        return self.headers.get("user-agent", "")


class RequestLog:
    """Thread-safe list of requests; ``wait_for`` blocks until a condition holds (no sleeps)."""

    def __init__(self) -> None:
        self._items: list[LoggedRequest] = []
        self._changed = threading.Condition()

    def record(self, request: Request) -> LoggedRequest:
        entry = LoggedRequest(
            method=request.method,
            path=request.url.path,
            query=dict(request.query_params),
            headers={k.lower(): v for k, v in request.headers.items()},
            time=time.monotonic(),
        )
        with self._changed:
            self._items.append(entry)
            self._changed.notify_all()
        return entry

    def all(self, path_prefix: str = "") -> list[LoggedRequest]:
        with self._changed:
            return [r for r in self._items if r.path.startswith(path_prefix)]

    def clear(self) -> None:
        with self._changed:
            self._items.clear()

    def __len__(self) -> int:
        with self._changed:
            return len(self._items)

    def wait_for(
        self,
        condition: Callable[[list[LoggedRequest]], bool] | int,
        timeout: float = 10.0,
    ) -> list[LoggedRequest]:
        """Block until ``condition(requests)`` is true (an int means "at least n requests")."""
        check = (lambda items: len(items) >= condition) if isinstance(condition, int) else condition
        with self._changed:
            if not self._changed.wait_for(lambda: check(list(self._items)), timeout):
                raise TimeoutError(f"request log condition not met within {timeout}s")
            return list(self._items)


@dataclass
class Faults:
    """The fault mode: for paths under ``path_prefix``, ``times`` times (None: until reset)."""

    allowed: Iterable[str]
    mode: str = "ok"
    times: int | None = None
    path_prefix: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def set(self, mode: str, *, times: int | None = None, path_prefix: str = "") -> None:
        if mode not in set(self.allowed):
            raise ValueError(f"unknown fault mode {mode!r}; known: {sorted(self.allowed)}")
        with self._lock:
            self.mode, self.times, self.path_prefix = mode, times, path_prefix

    def take(self, path: str) -> str:
        """The mode for this request, counting it against ``times``."""
        with self._lock:
            if self.mode == "ok" or not path.startswith(self.path_prefix):
                return "ok"
            mode = self.mode
            if self.times is not None:
                self.times -= 1
                if self.times <= 0:
                    self.mode, self.times = "ok", None
            return mode


class DroppedResponse(Response):
    """Promises a 200-byte JSON body, sends 17 bytes and returns: the server drops the socket."""

    def __init__(self) -> None:
        super().__init__()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = [(b"content-type", b"application/json"), (b"content-length", b"200")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b'{"data": {"id": "', "more_body": True})


async def pause(request: Request, seconds: float) -> None:
    """Sleep up to ``seconds``, stopping early once the client has hung up.

    A client that timed out has gone; stopping then keeps server shutdown quick and quiet.
    """
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        await asyncio.sleep(min(0.05, left))
        if await request.is_disconnected():
            return
