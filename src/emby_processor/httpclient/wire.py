"""HTTP/1.1 on the standard library's ``http.client``: a small pool of kept-alive connections
per upstream, a deadline on every socket operation, proxies from the environment.

One request costs about a fifth of what it cost through httpx and httpcore (their URL models,
their pool's bookkeeping under one lock shared by every thread): with tens of workers talking to
the same upstream, that was most of the service's CPU. What the factory guarantees is kept:

- **time**: the connect timeout, then the read timeout on every read (and write), each shortened
  to what is left of the request's deadline (``set_deadline``), so a server that drips one byte
  at a time is cut off at the deadline;
- **connections**: at most ``max_connections`` requests at once (the rest wait their turn, at
  most the pool timeout); an idle connection is kept ``KEEPALIVE_SECONDS`` and not reused once
  the server has closed it;
- **proxies**: ``HTTP_PROXY``, ``HTTPS_PROXY`` and ``NO_PROXY`` as ``urllib`` reads them (an
  https upstream through a ``CONNECT`` tunnel); TLS is verified against certifi's bundle, or
  the file ``SSL_CERT_FILE`` names.
"""

from __future__ import annotations

import http.client
import io
import os
import select
import socket
import ssl
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

KEEPALIVE_SECONDS = 5.0
_CHUNK = 65536
#: methods that may be sent again when a kept-alive connection turns out to be closed
_IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})

Headers = http.client.HTTPMessage

# -- the deadline ------------------------------------------------------------------------------

_request = threading.local()


def set_deadline(at: float | None) -> None:
    """The current thread's request must be done by ``at`` (time.monotonic()); None: no bound."""
    _request.deadline = at


def current_deadline() -> float | None:
    return getattr(_request, "deadline", None)


class Timeout(Exception):
    """No answer in time; ``what`` is connect, read, write, pool or deadline."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


class ConnectFailed(Exception):
    pass


class Disconnected(Exception):
    pass


class TooManyRedirects(Exception):
    pass


def bounded(timeout: float, what: str) -> float:
    """``timeout`` shortened to what is left of the current request's deadline."""
    deadline = current_deadline()
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise Timeout("deadline")
    return min(timeout, left)


class _DeadlineIO(io.RawIOBase):
    def __init__(self, sock: socket.socket, timeout: float) -> None:
        self._sock, self._timeout = sock, timeout

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        self._sock.settimeout(bounded(self._timeout, "read"))
        try:
            return self._sock.recv_into(buffer)
        except TimeoutError:
            raise Timeout("read") from None


class _DeadlineSocket:
    """The socket ``http.client`` sees: every send and receive bounded."""

    def __init__(self, sock: socket.socket, timeout: float) -> None:
        self._sock, self._timeout = sock, timeout

    def sendall(self, data: Any) -> None:
        self._sock.settimeout(bounded(self._timeout, "write"))
        try:
            self._sock.sendall(data)
        except TimeoutError:
            raise Timeout("write") from None

    def makefile(self, mode: str = "rb", *args: Any, **kwargs: Any) -> io.BufferedReader:
        return io.BufferedReader(_DeadlineIO(self._sock, self._timeout), _CHUNK)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


class _Plain(http.client.HTTPConnection):
    connect_timeout = 10.0
    read_timeout = 30.0

    def connect(self) -> None:
        self.timeout = bounded(self.connect_timeout, "connect")
        try:
            super().connect()
        except TimeoutError:
            raise Timeout("connect") from None
        except OSError as error:
            raise ConnectFailed(str(error) or type(error).__name__) from None
        self.sock = _DeadlineSocket(self.sock, self.read_timeout)


class _Secure(http.client.HTTPSConnection):
    connect_timeout = 10.0
    read_timeout = 30.0

    def connect(self) -> None:
        self.timeout = bounded(self.connect_timeout, "connect")
        try:
            super().connect()
        except TimeoutError:
            raise Timeout("connect") from None
        except ssl.SSLError:
            raise
        except OSError as error:
            raise ConnectFailed(str(error) or type(error).__name__) from None
        self.sock = _DeadlineSocket(self.sock, self.read_timeout)


def ssl_context() -> ssl.SSLContext:
    if os.environ.get("SSL_CERT_FILE") or os.environ.get("SSL_CERT_DIR"):
        return ssl.create_default_context()  # OpenSSL reads them
    try:
        import certifi
    except ImportError:  # pragma: no cover - certifi comes with the dependencies
        return ssl.create_default_context()
    return ssl.create_default_context(cafile=certifi.where())


# -- one connection, one pool ------------------------------------------------------------------

Origin = tuple[str, str, int]


@dataclass
class _Kept:
    conn: http.client.HTTPConnection
    since: float

    def usable(self) -> bool:
        """Kept not too long, and the server has not closed it (nothing to read on it)."""
        if time.monotonic() - self.since > KEEPALIVE_SECONDS or self.conn.sock is None:
            return False
        try:
            readable, _, _ = select.select([self.conn.sock], [], [], 0)
        except (OSError, ValueError):
            return False
        return not readable


class Response:
    """An answer being read: status and headers now, the body by ``read()``."""

    def __init__(self, pool: Pool, origin: Origin, conn: http.client.HTTPConnection,
                 raw: http.client.HTTPResponse, url: str) -> None:
        self._pool, self._origin, self._conn, self._raw = pool, origin, conn, raw
        self.url = url
        self.status_code = raw.status
        self.headers: Headers = raw.msg
        self._open = True

    def read(self) -> bytes:
        """The next piece of the body; b"" at its end."""
        try:
            data = self._raw.read(_CHUNK)
        except http.client.IncompleteRead:
            raise Disconnected("the answer ended before its announced length") from None
        except (http.client.HTTPException, ConnectionError) as error:
            raise Disconnected(str(error) or type(error).__name__) from None
        if not data and self._raw.length:  # http.client says nothing when a length is unmet
            raise Disconnected(f"{self._raw.length} bytes of the announced length never came")
        return data

    def close(self) -> None:
        """Give the connection back: kept when the body was read to its end, else closed."""
        if not self._open:
            return
        self._open = False
        reusable = self._raw.isclosed() and not self._raw.will_close
        if not reusable:
            self._raw.close()
        self._pool.release(self._origin, self._conn, keep=reusable)


class Pool:
    """Connections to one upstream (or, for images, to any host), at most ``size`` in use."""

    def __init__(self, size: int, *, connect_timeout: float, context: ssl.SSLContext) -> None:
        self._slots = threading.BoundedSemaphore(size)
        self._size = size
        self._idle: dict[Origin, list[_Kept]] = {}
        self._lock = threading.Lock()
        self._connect_timeout = connect_timeout
        self._context = context
        self._closed = False
        #: origin -> the proxy the environment names for it (read once per origin)
        self._proxies: dict[Origin, tuple[str, int] | None] = {}

    def _proxy(self, origin: Origin) -> tuple[str, int] | None:
        if origin not in self._proxies:
            self._proxies[origin] = _proxy_for(origin)
        return self._proxies[origin]

    def send(self, method: str, url: str, headers: Mapping[str, str], body: bytes | None,
             *, read_timeout: float, pool_timeout: float) -> Response:
        parts = urllib.parse.urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https") or not parts.hostname:
            raise ConnectFailed(f"not an http(s) URL: {url!r}")
        origin = (scheme, parts.hostname, parts.port or (443 if scheme == "https" else 80))
        target = urllib.parse.urlunsplit(("", "", parts.path or "/", parts.query, ""))
        if not self._slots.acquire(timeout=bounded(pool_timeout, "pool")):
            raise Timeout("pool")
        try:
            return self._send(origin, method, url, target, headers, body, read_timeout)
        except BaseException:
            self._slots.release()
            raise

    def _send(self, origin: Origin, method: str, url: str, target: str,
              headers: Mapping[str, str], body: bytes | None, read_timeout: float) -> Response:
        for attempt in range(2):
            conn, reused = self._connection(origin, read_timeout)
            try:
                conn.request(method, self._target(origin, url, target), body=body,
                             headers=dict(headers))
                raw = conn.getresponse()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as e:
                conn.close()
                if reused and attempt == 0 and method in _IDEMPOTENT:
                    continue  # the server had closed the kept connection: once more, afresh
                raise Disconnected(str(e) or type(e).__name__) from None
            except http.client.HTTPException as error:
                conn.close()
                raise Disconnected(str(error) or type(error).__name__) from None
            except BaseException:
                conn.close()
                raise
            return Response(self, origin, conn, raw, url)
        raise AssertionError("unreachable")  # pragma: no cover

    def _target(self, origin: Origin, url: str, target: str) -> str:
        """What goes on the request line: the absolute URL through a plain-HTTP proxy."""
        return url if origin[0] == "http" and self._proxy(origin) is not None else target

    def _connection(self, origin: Origin, read_timeout: float
                    ) -> tuple[http.client.HTTPConnection, bool]:
        with self._lock:
            kept = self._idle.get(origin) or []
            while kept:
                candidate = kept.pop()
                if candidate.usable():
                    candidate.conn.sock._timeout = read_timeout  # type: ignore[union-attr]
                    return candidate.conn, True
                candidate.conn.close()
        return self._new(origin, read_timeout), False

    def _new(self, origin: Origin, read_timeout: float) -> http.client.HTTPConnection:
        scheme, host, port = origin
        proxy = self._proxy(origin)
        conn: http.client.HTTPConnection
        if scheme == "https":
            if proxy is not None:
                conn = _Secure(proxy[0], proxy[1], context=self._context)
                conn.set_tunnel(host, port)
            else:
                conn = _Secure(host, port, context=self._context)
        else:
            conn = _Plain(*(proxy or (host, port)))
        conn.connect_timeout = self._connect_timeout
        conn.read_timeout = read_timeout
        return conn

    def release(self, origin: Origin, conn: http.client.HTTPConnection, *, keep: bool) -> None:
        try:
            if keep and not self._closed:
                with self._lock:
                    kept = self._idle.setdefault(origin, [])
                    if len(kept) < self._size:
                        kept.append(_Kept(conn, time.monotonic()))
                        return
            conn.close()
        finally:
            self._slots.release()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, {}
        for kept in idle.values():
            for item in kept:
                item.conn.close()


def _proxy_for(origin: Origin) -> tuple[str, int] | None:
    """The proxy the environment names for this origin (None: straight there)."""
    scheme, host, port = origin
    proxies = urllib.request.getproxies()
    proxy = proxies.get(scheme)
    if not proxy or urllib.request.proxy_bypass(f"{host}:{port}") or \
            urllib.request.proxy_bypass(host):
        return None
    parts = urllib.parse.urlsplit(proxy if "://" in proxy else f"http://{proxy}")
    if not parts.hostname:
        return None
    return parts.hostname, parts.port or 80
