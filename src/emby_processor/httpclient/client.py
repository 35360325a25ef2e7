"""``HttpClientFactory`` and the clients it makes: one request, read in full within its bounds,
every transport error translated into the package's errors."""

from __future__ import annotations

import json as jsonlib
import ssl
import time
import urllib.parse
import zlib
from collections.abc import Mapping
from typing import Any

from emby_processor.errors import UpstreamError
from emby_processor.httpclient.bounds import BodyTooLarge, read_capped
from emby_processor.httpclient.limits import MAX_REDIRECTS, HttpLimits, Reply, parse_retry_after
from emby_processor.httpclient.wire import (
    ConnectFailed,
    Disconnected,
    Pool,
    Response,
    Timeout,
    TooManyRedirects,
    current_deadline,
    set_deadline,
    ssl_context,
)

_REDIRECTS = frozenset({301, 302, 303, 307, 308})

# -- the client --------------------------------------------------------------------------------


class UpstreamClient:
    """One upstream's connection pool and bounds. Safe to share between threads."""

    def __init__(
        self, service: str, base_url: str, limits: HttpLimits, *,
        headers: Mapping[str, str] | None = None, read_timeout: float | None = None,
        max_bytes: int | None = None, error: type[UpstreamError] = UpstreamError,
        follow_redirects: bool = True, context: ssl.SSLContext | None = None,
    ) -> None:
        self.service = service
        self.base_url = base_url.rstrip("/")
        self.limits = limits
        self.read_timeout = read_timeout or limits.read_timeout
        self.max_bytes = max_bytes or limits.json_max_bytes
        self.error = error
        self.follow_redirects = follow_redirects
        self.headers = {"User-Agent": limits.user_agent, "Accept-Encoding": "gzip, deflate",
                        **(headers or {})}
        self._pool = Pool(limits.max_connections, connect_timeout=limits.connect_timeout,
                          context=context or ssl_context())

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
        full = self._url(url, params)
        sent = {**self.headers, **(headers or {})}
        if json is not None:
            content = jsonlib.dumps(json, ensure_ascii=False, separators=(",", ":"),
                                    allow_nan=False).encode()
            sent.setdefault("Content-Type", "application/json")
        set_deadline(time.monotonic() + self.limits.deadline)
        response: Response | None = None
        try:
            response = self._send(method, full, sent, content, read)
            body = read_capped(response, cap)
        except BodyTooLarge as exc:
            raise self.error(service, f"{_where(method, full)} answered more than {cap} bytes "
                             f"({exc}); the answer was dropped") from None
        except (Timeout, ConnectFailed, Disconnected, TooManyRedirects, OSError) as exc:
            raise self._translate(exc, service, _where(method, full), read) from exc
        except zlib.error as exc:
            raise self.error(service, f"{_where(method, full)} answered with a broken "
                             f"compressed body: {exc}") from None
        finally:
            set_deadline(None)
            if response is not None:
                response.close()
        retry_after = parse_retry_after(
            response.headers.get("retry-after"), cap=self.limits.retry_after_max, source=service)
        return Reply(method, response.url, response.status_code, response.headers, body,
                     retry_after)

    def _url(self, url: str, params: Mapping[str, str] | None) -> str:
        full = url if "://" in url else self.base_url + url
        if params:
            query = urllib.parse.urlencode(params, quote_via=urllib.parse.quote)
            full += ("&" if "?" in full else "?") + query
        return full

    def _send(self, method: str, url: str, headers: dict[str, str], content: bytes | None,
              read: float) -> Response:
        """Send, following redirects of a GET without reading their bodies."""
        pool_wait = min(read, self.limits.deadline)
        redirects = 0
        while True:
            response = self._pool.send(method, url, headers, content, read_timeout=read,
                                       pool_timeout=pool_wait)
            location = response.headers.get("location")
            if not (self.follow_redirects and method == "GET" and location
                    and response.status_code in _REDIRECTS):
                return response
            response.close()
            redirects += 1
            if redirects > MAX_REDIRECTS:
                raise TooManyRedirects(f"TooManyRedirects: more than {MAX_REDIRECTS} redirects")
            target = urllib.parse.urljoin(url, location)
            if _origin(target) != _origin(url):
                # a token is for the site it was given to
                headers = {k: v for k, v in headers.items() if k.lower() != "authorization"}
            url = target

    def _translate(self, exc: Exception, service: str, where: str, read: float
                   ) -> UpstreamError:
        deadline = self.limits.deadline
        at = current_deadline()
        if isinstance(exc, Timeout):
            if exc.what == "deadline" or (at is not None and time.monotonic() >= at - 0.005):
                return self.error(service, f"{where} timed out: no complete answer within the "
                                  f"deadline of {deadline:g} s (UPSTREAM_DEADLINE_SECONDS)")
            return self.error(service, f"{where} timed out: no answer within the time limit of "
                              f"{read:g} s ({_kind(exc.what)})")
        if isinstance(exc, ConnectFailed):
            return self.error(service, f"cannot reach {self.base_url or where}: cannot connect "
                              f"({exc})")
        if isinstance(exc, Disconnected):
            return self.error(service, f"{where}: the server closed the connection before "
                              f"answering fully ({exc})")
        return self.error(service, f"{where} failed: {type(exc).__name__}: {exc}")

    def close(self) -> None:
        self._pool.close()


def _origin(url: str) -> tuple[str, str | None, int | None]:
    parts = urllib.parse.urlsplit(url)
    return parts.scheme, parts.hostname, parts.port


def _where(method: str, url: str) -> str:
    """The request for a message: method and URL without its query (which may be long)."""
    return f"{method} {url.split('?', 1)[0]}"


def _kind(what: str) -> str:
    return {
        "connect": "connect timeout",
        "read": "read timeout",
        "write": "write timeout",
        "pool": "waiting for a free connection",
    }.get(what, what)


class HttpClientFactory:
    """Makes the clients of every upstream with one set of bounds."""

    def __init__(self, limits: HttpLimits | None = None) -> None:
        self.limits = limits or HttpLimits()
        self._context: ssl.SSLContext | None = None

    @property
    def context(self) -> ssl.SSLContext:
        """One TLS context (the CA bundle loaded once) for every client."""
        if self._context is None:
            self._context = ssl_context()
        return self._context

    def client(
        self, service: str, base_url: str = "", *, headers: Mapping[str, str] | None = None,
        read_timeout: float | None = None, max_bytes: int | None = None,
        error: type[UpstreamError] = UpstreamError, follow_redirects: bool = True,
    ) -> UpstreamClient:
        return UpstreamClient(service, base_url, self.limits, headers=headers,
                              read_timeout=read_timeout, max_bytes=max_bytes, error=error,
                              follow_redirects=follow_redirects, context=self.context)

    def images(self) -> UpstreamClient:
        """A client for image downloads from any host (the image cap applies)."""
        return self.client("image", max_bytes=self.limits.image_max_bytes)
