"""A hostile upstream: answers that are slow, huge, compressed bombs or carry absurd headers.

Served over real HTTP like every fake (``serve(HostileServer().app)``); every path answers the
same way, so it can stand in for MetaTube, r18.dev, an image host or a media server. The mode
is switched per test:

- ``Mode.drip(interval)``: headers at once, then one byte of body every ``interval`` seconds
  (never long enough apart for a read timeout, so only a total deadline stops it);
- ``Mode.huge(size)``: a body of ``size`` bytes, streamed in 1 MiB chunks without a length;
- ``Mode.gzip_bomb(size)``: ``size`` zero bytes gzip-compressed (about a thousandth of that on
  the wire), sent with ``Content-Encoding: gzip``;
- ``Mode.retry_after(value)``: ``429`` with ``Retry-After: value`` (``inf``, ``nan``,
  ``99999999999``, ``-5``, ``soon``…);
- ``Mode.redirect(location, body_size)``: ``302`` elsewhere, optionally with a huge body;
- ``Mode.json(payload)``: a normal answer.

``by_query`` picks a mode by a query-string value (e.g. the code in MetaTube's ``?q=``), so one
server can play several parts at once. ``requests`` (and ``headers``) record what arrived;
``bytes_sent`` what left (a client that stops reading at its cap makes this stop growing).
"""

from __future__ import annotations

import asyncio
import gzip
import json
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl

from starlette.types import Message, Receive, Scope, Send

CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Mode:
    kind: str
    interval: float = 0.0
    size: int = 0
    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    content_type: str = "application/json"
    #: how long a drip goes on before it ends the body (the client should give up long before)
    seconds: float = 60.0

    @classmethod
    def drip(cls, interval: float = 0.2, seconds: float = 60.0,
             content_type: str = "application/json") -> Mode:
        return cls("drip", interval=interval, seconds=seconds, content_type=content_type)

    @classmethod
    def huge(cls, size: int, content_type: str = "application/json") -> Mode:
        return cls("huge", size=size, content_type=content_type)

    @classmethod
    def gzip_bomb(cls, size: int, content_type: str = "application/json") -> Mode:
        _bomb(size)  # compressed now, not while a client waits for the answer
        return cls("gzip_bomb", size=size, content_type=content_type)

    @classmethod
    def retry_after(cls, value: str, status: int = 429) -> Mode:
        return cls("retry_after", status=status, headers=(("retry-after", value),),
                   body=b'{"error": {"code": 429, "message": "slow down"}}')

    @classmethod
    def json(cls, payload: Any, status: int = 200) -> Mode:
        return cls("json", status=status, body=json.dumps(payload).encode())

    @classmethod
    def redirect(cls, location: str, body_size: int = 0) -> Mode:
        """``302`` to ``location``, with a body of ``body_size`` bytes nobody should read."""
        return cls("huge" if body_size else "json", status=302, size=body_size,
                   headers=(("location", location),))


@lru_cache(maxsize=4)
def _bomb(size: int) -> bytes:
    return gzip.compress(b"\0" * size, compresslevel=9)


@dataclass
class HostileServer:
    mode: Mode = field(default_factory=lambda: Mode.json({}))
    #: query value -> mode, checked before ``mode`` (any parameter's value may match)
    by_query: dict[str, Mode] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    #: the headers of each request, lower-case names, in the order of ``requests``
    headers: list[dict[str, str]] = field(default_factory=list)
    bytes_sent: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def pick(self, query: str) -> Mode:
        for _, value in parse_qsl(query):
            if value in self.by_query:
                return self.by_query[value]
        return self.mode

    @property
    def app(self) -> HostileServer:
        """The ASGI app (the server itself), named like every other fake's."""
        return self

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        query = scope.get("query_string", b"").decode("latin-1")
        with self._lock:
            self.requests.append(scope["path"] + ("?" + query if query else ""))
            self.headers.append({k.decode("latin-1").lower(): v.decode("latin-1")
                                 for k, v in scope.get("headers", [])})
        mode = self.pick(query)
        gone = asyncio.Event()
        watcher = asyncio.ensure_future(_watch_disconnect(receive, gone))
        try:
            await self._answer(mode, send, gone)
        finally:
            watcher.cancel()

    async def _answer(self, mode: Mode, send: Send, gone: asyncio.Event) -> None:
        headers = [(b"content-type", mode.content_type.encode())]
        headers += [(k.encode(), v.encode()) for k, v in mode.headers]
        if mode.kind == "gzip_bomb":
            headers.append((b"content-encoding", b"gzip"))
        await send({"type": "http.response.start", "status": mode.status, "headers": headers})
        if mode.kind == "drip":
            await self._drip(mode, send, gone)
        elif mode.kind == "huge":
            await self._stream(mode.size, send, gone)
        elif mode.kind == "gzip_bomb":
            await self._body(_bomb(mode.size), send, gone)
        else:
            await self._body(mode.body, send, gone)

    async def _chunk(self, data: bytes, send: Send, more: bool) -> None:
        await send({"type": "http.response.body", "body": data, "more_body": more})
        with self._lock:
            self.bytes_sent += len(data)

    async def _drip(self, mode: Mode, send: Send, gone: asyncio.Event) -> None:
        loop = asyncio.get_running_loop()
        end = loop.time() + mode.seconds
        while loop.time() < end and not gone.is_set():
            await self._chunk(b" ", send, True)
            try:
                await asyncio.wait_for(gone.wait(), mode.interval)
            except TimeoutError:
                continue
        if not gone.is_set():
            await self._chunk(b"{}", send, False)

    async def _stream(self, size: int, send: Send, gone: asyncio.Event) -> None:
        left = size
        block = b" " * CHUNK
        while left > 0 and not gone.is_set():
            piece = block[: min(left, CHUNK)]
            left -= len(piece)
            await self._chunk(piece, send, left > 0)
            await asyncio.sleep(0)  # let the disconnect watcher run
        if left > 0 and not gone.is_set():
            await self._chunk(b"", send, False)

    async def _body(self, data: bytes, send: Send, gone: asyncio.Event) -> None:
        for start in range(0, max(len(data), 1), CHUNK):
            if gone.is_set():
                return
            piece = data[start:start + CHUNK]
            await self._chunk(piece, send, start + CHUNK < len(data))
            await asyncio.sleep(0)


async def _watch_disconnect(receive: Receive, gone: asyncio.Event) -> None:
    while True:
        message: Message = await receive()
        if message["type"] == "http.disconnect":
            gone.set()
            return
