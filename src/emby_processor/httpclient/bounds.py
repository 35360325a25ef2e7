"""The bounds below httpx: a deadline on every socket operation of a request, and bodies read
as a stream, decompressed here chunk by chunk and dropped as soon as they pass their cap."""

from __future__ import annotations

import threading
import time
import zlib
from collections.abc import Iterator
from typing import Any

import httpcore
import httpx

# -- the deadline, enforced on every socket operation ------------------------------------------

_request = threading.local()


def set_deadline(at: float | None) -> None:
    """The current thread's request must be done by ``at`` (time.monotonic()); None: no bound."""
    _request.deadline = at


def current_deadline() -> float | None:
    return getattr(_request, "deadline", None)


def _bounded(timeout: float | None, expired: type[Exception]) -> float | None:
    """``timeout`` shortened to what is left of the current request's deadline."""
    deadline = current_deadline()
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise expired("the request's deadline has passed")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _bounded(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _bounded(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        bounded = _bounded(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, bounded))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    def __init__(self) -> None:
        self._inner = httpcore.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None, socket_options: Any = None,
                    ) -> httpcore.NetworkStream:
        bounded = _bounded(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(
            self._inner.connect_tcp(host, port, bounded, local_address, socket_options))

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Any = None) -> httpcore.NetworkStream:
        bounded = _bounded(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._inner.connect_unix_socket(path, bounded, socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class DeadlineTransport(httpx.HTTPTransport):
    """httpx's own transport over a connection pool whose sockets honour the deadline, direct
    or through an HTTP proxy (``proxy``).

    httpx has no public way to pass a network backend, so the pool it built is replaced by the
    same pool with ours (httpcore's public API)."""

    def __init__(self, limits: httpx.Limits, proxy: str | None = None) -> None:
        super().__init__(limits=limits)
        ssl_context = httpx.create_ssl_context()
        if proxy is None:
            self._pool = httpcore.ConnectionPool(
                ssl_context=ssl_context,
                max_connections=limits.max_connections,
                max_keepalive_connections=limits.max_keepalive_connections,
                keepalive_expiry=limits.keepalive_expiry,
                network_backend=_DeadlineBackend(),
            )
            return
        url = httpx.Proxy(proxy)
        self._pool = httpcore.HTTPProxy(
            proxy_url=httpcore.URL(scheme=url.url.raw_scheme, host=url.url.raw_host,
                                   port=url.url.port, target=url.url.raw_path),
            proxy_auth=url.raw_auth,
            proxy_headers=url.headers.raw,
            ssl_context=ssl_context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=_DeadlineBackend(),
        )


# -- reading bodies within a cap ---------------------------------------------------------------


class BodyTooLarge(Exception):
    pass


class _Decoder:
    """Content-Encoding gzip/deflate, decoded with a bound on the output of every chunk."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self._raw_deflate = False
        self._z = self._new()

    def _new(self) -> Any:
        if self.encoding in ("gzip", "x-gzip"):
            return zlib.decompressobj(16 + zlib.MAX_WBITS)
        if self.encoding == "deflate":
            return zlib.decompressobj(-zlib.MAX_WBITS if self._raw_deflate else zlib.MAX_WBITS)
        return None

    def feed(self, data: bytes, limit: int) -> bytes:
        """At most ``limit`` bytes of decoded output for ``data`` (more means over the cap)."""
        if self._z is None:
            return data
        try:
            return bytes(self._z.decompress(data, limit))
        except zlib.error:
            if self.encoding == "deflate" and not self._raw_deflate:
                # servers send raw deflate as often as the zlib format the standard asks for
                self._raw_deflate = True
                self._z = self._new()
                return bytes(self._z.decompress(data, limit))
            raise

    def flush(self) -> bytes:
        return bytes(self._z.flush()) if self._z is not None else b""


def _decoder(headers: httpx.Headers) -> _Decoder:
    encodings = [e.strip().lower() for e in headers.get("content-encoding", "").split(",")]
    known = [e for e in encodings if e in ("gzip", "x-gzip", "deflate")]
    # one layer is all anyone sends; an encoding we do not know is passed through, as httpx does
    return _Decoder(known[-1] if known else "identity")


def read_capped(response: httpx.Response, cap: int) -> bytes:
    decoder = _decoder(response.headers)
    length = response.headers.get("content-length", "")
    if decoder.encoding == "identity" and length.isdigit() and int(length) > cap:
        raise BodyTooLarge(f"announced {int(length)} bytes")
    body = bytearray()
    for chunk in _raw_chunks(response):
        body += decoder.feed(chunk, cap - len(body) + 1)
        if len(body) > cap:
            raise BodyTooLarge("more than that")
    body += decoder.flush()
    if len(body) > cap:
        raise BodyTooLarge("more than that")
    return bytes(body)


def _raw_chunks(response: httpx.Response) -> Iterator[bytes]:
    for chunk in response.iter_raw():
        deadline = current_deadline()
        if deadline is not None and time.monotonic() > deadline:
            raise httpx.ReadTimeout("the request's deadline has passed")
        yield chunk
