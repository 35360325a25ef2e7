"""The one HTTP client factory: every request to a provider, an image host or the media server.

What it guarantees, for every request it sends:

- **time**: a connect timeout, a read timeout (``PROVIDER_TIMEOUT_SECONDS``, per socket read) and
  a total wall-clock deadline (``UPSTREAM_DEADLINE_SECONDS``) that bounds every socket operation
  of the request, headers and body included, so a server that drips a byte every few seconds
  cannot hold a worker;
- **memory**: the body is read as a stream and decompressed here, chunk by chunk, and reading stops
  as soon as it passes the caller's cap (JSON a few MB, images 20 MB), so neither a huge answer
  nor a gzip bomb is ever held in memory;
- **connections**: at most ``max_connections`` open to one upstream;
- **manners**: one User-Agent naming the project;
- **Retry-After**: read as seconds or an HTTP date, finite, non-negative and capped at
  ``RETRY_BACKOFF_MAX_SECONDS``; a value that is none of these is ignored with a warning;
- **errors**: every httpx error becomes an ``errors.UpstreamError`` (or the subclass the caller
  names, e.g. ``MediaServerError``) with a message a person can act on. This is the only module
  that catches httpx errors.

A ``Reply`` is the fully read answer. Status codes are the caller's business: what a 404 or a 401
means differs from one upstream to the next.
"""

from __future__ import annotations

import json
import logging
import math
import threading
import time
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpcore
import httpx

from emby_processor import __version__
from emby_processor.errors import UpstreamError

logger = logging.getLogger("emby_processor.http")

PROJECT_URL = "https://github.com/emby-processor/emby-processor"
USER_AGENT = f"emby-processor/{__version__} (+{PROJECT_URL})"
MIB = 1024 * 1024
#: default body caps, after decompression
JSON_MAX_BYTES = 8 * MIB
IMAGE_MAX_BYTES = 20 * MIB
MAX_REDIRECTS = 5


@dataclass(frozen=True)
class HttpLimits:
    """The bounds every client made by the factory applies (the composition root sets them from
    the settings; tests shrink them)."""

    #: seconds one socket read may wait (``PROVIDER_TIMEOUT_SECONDS``)
    read_timeout: float = 30.0
    connect_timeout: float = 10.0
    #: seconds a whole request may take, answer read in full (``UPSTREAM_DEADLINE_SECONDS``)
    deadline: float = 120.0
    #: connections open at once to one upstream (one client)
    max_connections: int = 10
    json_max_bytes: int = JSON_MAX_BYTES
    image_max_bytes: int = IMAGE_MAX_BYTES
    #: the longest ``Retry-After`` honoured (``RETRY_BACKOFF_MAX_SECONDS``)
    retry_after_max: float = 21600.0
    user_agent: str = USER_AGENT


def parse_retry_after(
    value: str | None, *, cap: float = math.inf, source: str = "upstream"
) -> float | None:
    """Seconds from a ``Retry-After`` value (seconds or an HTTP date), at most ``cap``.

    None when absent; a value that is not a finite, non-negative number of seconds or a date is
    ignored with a warning (``inf``, ``nan``, ``-5``, ``soon``)."""
    text = (value or "").strip()
    if not text:
        return None
    try:
        seconds: float | None = float(text)
    except ValueError:
        seconds = _seconds_until(text)
        if seconds is None:
            logger.warning("%s sent a Retry-After that is no number or date (%.40r); ignored",
                           source, text)
            return None
    if seconds is None or not math.isfinite(seconds) or seconds < 0:
        logger.warning("%s sent Retry-After %.40r; ignored", source, text)
        return None
    if seconds > cap:
        logger.warning("%s asked to wait %.0f s (Retry-After); waiting %.0f s at most",
                       source, seconds, cap)
        return cap
    return seconds


def _seconds_until(text: str) -> float | None:
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


@dataclass(frozen=True)
class Reply:
    """One answer, read in full (within the caps)."""

    method: str
    url: str
    status_code: int
    headers: httpx.Headers
    content: bytes
    #: the sanitised ``Retry-After`` in seconds, when the upstream sent one
    retry_after: float | None = None
    history: tuple[int, ...] = field(default=())

    @property
    def text(self) -> str:
        return self.content.decode(_charset(self.headers), "replace")

    @property
    def content_type(self) -> str:
        declared = str(self.headers.get("content-type", ""))
        return declared.split(";")[0].strip().lower()

    @property
    def is_redirect(self) -> bool:
        return 300 <= self.status_code < 400 and "location" in self.headers

    @property
    def path(self) -> str:
        return httpx.URL(self.url).path

    def json(self) -> Any:
        """The decoded JSON body; ValueError when it is not JSON."""
        return json.loads(self.content)


def _charset(headers: httpx.Headers) -> str:
    for part in headers.get("content-type", "").split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.lower() == "charset" and value:
            return value.strip('"') or "utf-8"
    return "utf-8"


# -- the deadline, enforced on every socket operation ------------------------------------------

_request = threading.local()


def _bounded(timeout: float | None, expired: type[Exception]) -> float | None:
    """``timeout`` shortened to what is left of the current request's deadline."""
    deadline: float | None = getattr(_request, "deadline", None)
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


class _DeadlineTransport(httpx.HTTPTransport):
    """httpx's own transport over a connection pool whose sockets honour the deadline.

    httpx has no public way to pass a network backend, so the pool it built is replaced by the
    same pool with ours (httpcore's public API)."""

    def __init__(self, limits: httpx.Limits) -> None:
        super().__init__(limits=limits)
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(),
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


def _read_capped(response: httpx.Response, cap: int) -> bytes:
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
        deadline = getattr(_request, "deadline", None)
        if deadline is not None and time.monotonic() > deadline:
            raise httpx.ReadTimeout("the request's deadline has passed")
        yield chunk


# -- the client --------------------------------------------------------------------------------


class UpstreamClient:
    """One upstream's connection pool and bounds. Safe to share between threads."""

    def __init__(
        self, service: str, base_url: str, limits: HttpLimits, *,
        headers: Mapping[str, str] | None = None, read_timeout: float | None = None,
        max_bytes: int | None = None, error: type[UpstreamError] = UpstreamError,
        follow_redirects: bool = True,
    ) -> None:
        self.service = service
        self.base_url = base_url.rstrip("/")
        self.limits = limits
        self.read_timeout = read_timeout or limits.read_timeout
        self.max_bytes = max_bytes or limits.json_max_bytes
        self.error = error
        self.follow_redirects = follow_redirects
        pool = httpx.Limits(max_connections=limits.max_connections,
                            max_keepalive_connections=limits.max_connections)
        self._http = httpx.Client(
            base_url=self.base_url,
            headers={"User-Agent": limits.user_agent, "Accept-Encoding": "gzip, deflate",
                     **(headers or {})},
            timeout=self._timeout(self.read_timeout),
            follow_redirects=False,  # followed by _send, which never reads a redirect's body
            transport=_DeadlineTransport(pool),
        )

    def _timeout(self, read: float) -> httpx.Timeout:
        return httpx.Timeout(read, connect=min(self.limits.connect_timeout, read),
                             pool=min(read, self.limits.deadline))

    def get(self, url: str, **kwargs: Any) -> Reply:
        return self.request("GET", url, **kwargs)

    def request(
        self, method: str, url: str, *, params: Mapping[str, str] | None = None,
        json: Any = None, content: bytes | None = None,
        headers: Mapping[str, str] | None = None, timeout: float | None = None,
        max_bytes: int | None = None, service: str | None = None,
    ) -> Reply:
        """Send one request and read its answer in full; raise ``self.error`` on any failure
        to get one (the status code is not judged here)."""
        service = service or self.service
        cap = max_bytes or self.max_bytes
        read = timeout or self.read_timeout
        request = self._http.build_request(
            method, url, params=params, json=json, content=content, headers=headers,
            timeout=self._timeout(read))
        where = f"{method} {request.url.copy_with(query=None)}"
        _request.deadline = time.monotonic() + self.limits.deadline
        history: list[int] = []
        try:
            response = self._send(request, history)
            try:
                body = _read_capped(response, cap)
            finally:
                response.close()
        except BodyTooLarge as exc:
            raise self.error(service, f"{where} answered more than {cap} bytes ({exc}); "
                             "the answer was dropped") from None
        except httpx.HTTPError as exc:
            raise self._translate(exc, service, where, read) from exc
        except zlib.error as exc:
            raise self.error(service, f"{where} answered with a broken compressed body: {exc}"
                             ) from None
        finally:
            _request.deadline = None
        retry_after = parse_retry_after(
            response.headers.get("retry-after"), cap=self.limits.retry_after_max, source=service)
        return Reply(method, str(response.url), response.status_code, response.headers, body,
                     retry_after, tuple(history))

    def _send(self, request: httpx.Request, history: list[int]) -> httpx.Response:
        """Send, following redirects of a GET without reading their bodies (httpx would read
        them in full, whatever their size)."""
        while True:
            response = self._http.send(request, stream=True)
            if not (self.follow_redirects and request.method == "GET" and response.is_redirect):
                return response
            response.close()
            if len(history) >= MAX_REDIRECTS:
                raise httpx.TooManyRedirects(f"more than {MAX_REDIRECTS} redirects")
            history.append(response.status_code)
            target = request.url.join(response.headers["location"])
            headers = {k: v for k, v in request.headers.items() if k.lower() != "host"}
            following = self._http.build_request(
                "GET", target, headers=headers, extensions=request.extensions)
            if target.host != request.url.host and "authorization" in following.headers:
                del following.headers["authorization"]  # a token is for the host it was given to
            request = following

    def _translate(self, exc: httpx.HTTPError, service: str, where: str, read: float
                   ) -> UpstreamError:
        deadline = self.limits.deadline
        at = getattr(_request, "deadline", None)
        if isinstance(exc, httpx.TimeoutException):
            if at is not None and time.monotonic() >= at - 0.005:
                return self.error(service, f"{where} timed out: no complete answer within the "
                                  f"deadline of {deadline:g} s (UPSTREAM_DEADLINE_SECONDS)")
            return self.error(service, f"{where} timed out: no answer within the time limit of "
                              f"{read:g} s ({_kind(exc)})")
        if isinstance(exc, httpx.ConnectError):
            return self.error(service, f"cannot reach {self.base_url or where}: cannot connect "
                              f"({exc})")
        if isinstance(exc, httpx.RemoteProtocolError):
            return self.error(service, f"{where}: the server closed the connection before "
                              f"answering fully ({exc})")
        return self.error(service, f"{where} failed: {type(exc).__name__}: {exc}")

    def close(self) -> None:
        self._http.close()


def _kind(exc: Exception) -> str:
    return {
        "ConnectTimeout": "connect timeout",
        "ReadTimeout": "read timeout",
        "WriteTimeout": "write timeout",
        "PoolTimeout": "waiting for a free connection",
    }.get(type(exc).__name__, type(exc).__name__)


class HttpClientFactory:
    """Makes the clients of every upstream with one set of bounds."""

    def __init__(self, limits: HttpLimits | None = None) -> None:
        self.limits = limits or HttpLimits()

    def client(
        self, service: str, base_url: str = "", *, headers: Mapping[str, str] | None = None,
        read_timeout: float | None = None, max_bytes: int | None = None,
        error: type[UpstreamError] = UpstreamError, follow_redirects: bool = True,
    ) -> UpstreamClient:
        return UpstreamClient(service, base_url, self.limits, headers=headers,
                              read_timeout=read_timeout, max_bytes=max_bytes, error=error,
                              follow_redirects=follow_redirects)

    def images(self) -> UpstreamClient:
        """A client for image downloads from any host (the image cap applies)."""
        return self.client("image", max_bytes=self.limits.image_max_bytes)
