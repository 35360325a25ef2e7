"""How the dashboard is served: uvicorn's options from Settings, with limits a LAN needs.

Anyone on the network can open connections to the dashboard. uvicorn's own ``limit_concurrency``
only answers 503 once a request arrives, and its keep-alive timeout only starts after a first
response, so 21,000 connections that never sent a byte held 21,000 file descriptors until the
process ran out ("Too many open files" in the middle of a move). The protocol here adds:

- **a connection cap**: a connection over ``API_MAX_CONNECTIONS`` is answered 503 (JSON) and
  closed at once, before it costs anything more than the accept;
- **a request deadline**: a connection must finish sending a request's headers within
  ``API_IDLE_TIMEOUT_SECONDS`` of opening or of its last response, else it is closed (a client
  dripping a header byte at a time is no different from a silent one). A request in progress,
  such as an open live-log stream, is never cut by it.

``server_options`` returns the keyword arguments for ``uvicorn.Config`` (the caller adds the app
and its shutdown grace).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from emby_processor.config import Settings

BUSY_DETAIL = "the dashboard has too many open connections; try again in a few seconds"


def _busy_response() -> bytes:
    body = json.dumps({"detail": BUSY_DETAIL}).encode()
    head = (
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n"
        f"retry-after: 5\r\nconnection: close\r\ncontent-length: {len(body)}\r\n\r\n"
    )
    return head.encode("ascii") + body


BUSY_RESPONSE = _busy_response()


def server_options(settings: Settings) -> dict[str, Any]:
    """``uvicorn.Config`` keyword arguments (all but the app and the shutdown grace)."""
    options: dict[str, Any] = {
        "host": settings.api_host,
        "port": settings.api_port,
        "log_config": None,
        "access_log": False,
        "proxy_headers": False,
        "limit_concurrency": settings.api_max_connections,
        "timeout_keep_alive": settings.api_idle_timeout_seconds,
    }
    protocol = guarded_protocol()
    if protocol is not None:
        options["http"] = protocol
    return options


def guarded_protocol() -> type[asyncio.Protocol] | None:
    """uvicorn's httptools protocol with the cap and the deadline; None without httptools."""
    try:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
    except ImportError:  # uvicorn without [standard]: its own limits only
        return None

    class GuardedHttpToolsProtocol(HttpToolsProtocol):
        _deadline: asyncio.TimerHandle | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            limit = self.limit_concurrency
            if limit is not None and len(self.connections) > limit:
                transport.write(BUSY_RESPONSE)
                transport.close()
                return
            self._arm()

        def on_headers_complete(self) -> None:
            self._disarm()
            super().on_headers_complete()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing():
                self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

        def _arm(self) -> None:
            self._disarm()
            self._deadline = self.loop.call_later(self.timeout_keep_alive, self._expire)

        def _disarm(self) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None

        def _expire(self) -> None:
            self._deadline = None
            idle = self.cycle is None or self.cycle.response_complete
            if idle and not self.transport.is_closing():
                self.transport.close()

    return GuardedHttpToolsProtocol
