"""The HTTP plumbing every network provider shares: one client, one User-Agent, one error mapping.

httpx exceptions stop here: callers only ever see ``errors.UpstreamError`` and its subclasses,
with a message a person can act on.
"""

from __future__ import annotations

import json
import re
from typing import Any

import httpx

from emby_processor.errors import UpstreamAuthError, UpstreamError
from emby_processor.httputil import USER_AGENT, parse_retry_after

_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


def make_client(
    base_url: str,
    *,
    timeout: float,
    connect_timeout: float,
    headers: dict[str, str] | None = None,
) -> httpx.Client:
    return httpx.Client(
        base_url=base_url.rstrip("/"),
        timeout=httpx.Timeout(timeout, connect=min(connect_timeout, timeout)),
        headers={"User-Agent": USER_AGENT, **(headers or {})},
        follow_redirects=True,
    )


def send_get(
    client: httpx.Client,
    service: str,
    path: str,
    *,
    params: dict[str, str] | None = None,
    timeout: float | None = None,
) -> httpx.Response:
    """GET through ``client``; network failures become transient ``UpstreamError``.

    ``timeout`` overrides the client's read timeout for this request (health probes must be
    quick even when fetches may wait long).
    """
    try:
        if timeout is None:
            return client.get(path, params=params)
        return client.get(path, params=params, timeout=timeout)
    except httpx.TimeoutException as exc:
        raise UpstreamError(
            service, f"no answer from {client.base_url} within the time limit ({_kind(exc)})"
        ) from exc
    except httpx.ConnectError as exc:
        raise UpstreamError(service, f"cannot connect to {client.base_url}: {exc}") from exc
    except httpx.RemoteProtocolError as exc:
        raise UpstreamError(
            service, f"{client.base_url} closed the connection before answering fully: {exc}"
        ) from exc
    except httpx.HTTPError as exc:
        raise UpstreamError(service, f"request to {client.base_url} failed: {exc}") from exc


def _kind(exc: Exception) -> str:
    return {
        "ConnectTimeout": "connect timeout",
        "ReadTimeout": "read timeout",
        "WriteTimeout": "write timeout",
        "PoolTimeout": "connection pool timeout",
    }.get(type(exc).__name__, type(exc).__name__)


def retry_after(response: httpx.Response) -> float | None:
    """Seconds from the response's ``Retry-After`` header, None when absent or garbled."""
    return parse_retry_after(response.headers.get("Retry-After"))


def is_html(response: httpx.Response) -> bool:
    if "html" in response.headers.get("Content-Type", "").lower():
        return True
    return response.content.lstrip()[:1] == b"<"


def describe_body(response: httpx.Response) -> str:
    """A short, log-safe hint of what the body was: its HTML title or its first characters."""
    title = _TITLE.search(response.content[:4096])
    raw = title.group(1) if title else response.content[:80]
    text = " ".join(raw.decode("utf-8", "replace").split())
    return text or "empty body"


def json_payload(response: httpx.Response, service: str) -> Any:
    """The decoded JSON body, or a readable transient error for HTML and broken JSON."""
    if is_html(response):
        raise UpstreamError(
            service,
            f"answered HTTP {response.status_code} with an HTML page instead of JSON "
            f"({describe_body(response)!r})",
        )
    try:
        return json.loads(response.content)
    except (ValueError, UnicodeDecodeError) as exc:
        raise UpstreamError(
            service,
            f"answered HTTP {response.status_code} with truncated or invalid JSON "
            f"({len(response.content)} bytes: {exc})",
        ) from exc


def status_error(
    response: httpx.Response, service: str, detail: str = ""
) -> UpstreamError | UpstreamAuthError:
    """The error for an unsuccessful answer: 401 is permanent, everything else may pass."""
    status = response.status_code
    what = f"HTTP {status}" + (f" ({detail})" if detail else "")
    if status == 401:
        return UpstreamAuthError(service, f"{what}: the token was rejected")
    if status == 429 or status >= 500:
        return UpstreamError(service, f"{what}: try again later", retry_after=retry_after(response))
    return UpstreamError(service, what)
