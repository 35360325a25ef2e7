"""``HttpClientFactory`` and the clients it makes: one request, read in full within its bounds,
every httpx error translated into the package's errors."""

from __future__ import annotations

import time
import zlib
from collections.abc import Mapping
from typing import Any

import httpx

from emby_processor.errors import UpstreamError
from emby_processor.httpclient.bounds import (
    BodyTooLarge,
    DeadlineTransport,
    current_deadline,
    read_capped,
    set_deadline,
)
from emby_processor.httpclient.limits import MAX_REDIRECTS, HttpLimits, Reply, parse_retry_after
from emby_processor.httpclient.proxies import proxy_mounts

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
            transport=DeadlineTransport(pool),
            mounts=proxy_mounts(lambda proxy: DeadlineTransport(pool, proxy)),
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
            timeout=self._timeout(timeout) if timeout else httpx.USE_CLIENT_DEFAULT)
        set_deadline(time.monotonic() + self.limits.deadline)
        try:
            response = self._send(request)
            try:
                body = read_capped(response, cap)
            finally:
                response.close()
        except BodyTooLarge as exc:
            raise self.error(service, f"{_where(request)} answered more than {cap} bytes "
                             f"({exc}); the answer was dropped") from None
        except httpx.HTTPError as exc:
            raise self._translate(exc, service, _where(request), read) from exc
        except zlib.error as exc:
            raise self.error(service, f"{_where(request)} answered with a broken compressed "
                             f"body: {exc}") from None
        finally:
            set_deadline(None)
        retry_after = parse_retry_after(
            response.headers.get("retry-after"), cap=self.limits.retry_after_max, source=service)
        return Reply(method, str(response.url), response.status_code, response.headers, body,
                     retry_after)

    def _send(self, request: httpx.Request) -> httpx.Response:
        """Send, following redirects of a GET without reading their bodies (httpx would read
        them in full, whatever their size)."""
        redirects = 0
        while True:
            response = self._http.send(request, stream=True)
            if not (self.follow_redirects and request.method == "GET" and response.is_redirect):
                return response
            response.close()
            redirects += 1
            if redirects > MAX_REDIRECTS:
                raise httpx.TooManyRedirects(f"more than {MAX_REDIRECTS} redirects")
            target = request.url.join(response.headers["location"])
            headers = {k: v for k, v in request.headers.items() if k.lower() != "host"}
            following = self._http.build_request(
                "GET", target, headers=headers, extensions=request.extensions)
            moved = (target.scheme, target.host, target.port) != (
                request.url.scheme, request.url.host, request.url.port)
            if moved and "authorization" in following.headers:
                del following.headers["authorization"]  # a token is for the site it was given to
            request = following

    def _translate(self, exc: httpx.HTTPError, service: str, where: str, read: float
                   ) -> UpstreamError:
        deadline = self.limits.deadline
        at = current_deadline()
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


def _where(request: httpx.Request) -> str:
    """The request for a message: method and URL without its query (which may be long)."""
    return f"{request.method} {request.url.copy_with(query=None)}"


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
