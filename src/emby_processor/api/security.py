"""Safety for a dashboard with no login on a LAN.

Any web page the user visits can make their browser send requests to the LAN, so write
endpoints (POST/PUT/PATCH/DELETE under ``/api/``) accept only requests a same-origin script
sends:

- ``Sec-Fetch-Site: cross-site`` is refused; an ``Origin`` whose host and port differ from the
  request's ``Host`` is refused (``null`` too), unless it is listed in ``CORS_ORIGINS``;
- the request must carry ``Content-Type: application/json`` or ``X-Requested-With:
  emby-processor``; a plain HTML form can send neither, and a cross-site script that adds
  them triggers a CORS preflight, which fails because no CORS is configured by default;
- with ``API_TOKEN`` set, ``Authorization: Bearer <token>`` is also required.

``ALLOWED_HOSTS`` (when set) refuses every request whose ``Host`` is not listed: the defence
against DNS rebinding, where an attacker's domain name resolves to the LAN address. The matching
is Starlette's ``TrustedHostMiddleware``; a ``Host`` header that is not ``host[:port]`` at all is
refused with a 400 whether or not ``ALLOWED_HOSTS`` is set.

These are plain ASGI middlewares, not ``BaseHTTPMiddleware``, so streaming responses (the log
stream, the CSV export) pass through untouched and client disconnects still reach them.
"""

from __future__ import annotations

import hmac
import ipaddress
import re
import secrets
from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from emby_processor.api.errors import error_json

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
REQUESTED_WITH = "emby-processor"
_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}
#: the longest host name DNS allows; a longer Host header is no host name
MAX_HOST_NAME = 253
# RFC 3986 reg-name characters, or an IP literal in brackets, then an optional port
_HOST_HEADER = re.compile(
    r"(?P<name>[A-Za-z0-9._~%!$&'()*+,;=-]+|\[(?P<ipv6>[0-9A-Fa-f:.]+)\])(?::(?P<port>[0-9]*))?"
)


def csp_nonce() -> str:
    return secrets.token_urlsafe(18)


def page_csp(nonce: str) -> str:
    """The dashboard page may load only from its own origin, plus its nonce'd inline code."""
    return "; ".join((
        "default-src 'self'",
        f"script-src 'self' 'nonce-{nonce}'",
        f"style-src 'self' 'nonce-{nonce}'",
        "img-src 'self' data:",  # Bootstrap draws its form icons as data: SVGs
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ))


def _split_host(host: str) -> tuple[str, int | None]:
    """``host[:port]`` (IPv6 in brackets) -> (lower-case host, port or None)."""
    host = host.strip().lower()
    if host.startswith("["):
        end = host.find("]")
        name, rest = host[1:end], host[end + 1:]
        port = rest[1:] if rest.startswith(":") else ""
    else:
        name, _, port = host.partition(":")
    return name, int(port) if port.isascii() and port.isdigit() else None


def same_origin(origin: str, host_header: str) -> bool:
    try:
        parts = urlsplit(origin)
        origin_host, origin_port = (parts.hostname or ""), parts.port
    except ValueError:
        return False
    if not origin_host:
        return False
    origin_port = origin_port or _DEFAULT_PORTS.get(parts.scheme)
    host, port = _split_host(host_header)
    if origin_host != host:
        return False
    # without a port in Host (a reverse proxy on 80/443) only a default-port origin matches
    return origin_port == port if port is not None else origin_port in (80, 443)


def host_header_problem(value: str | None) -> str | None:
    """Why a ``Host`` header is not ``host[:port]``, or None when it is fine (or absent)."""
    if not value:
        return None  # HTTP/1.0 may omit it; the server's own address is used then
    match = _HOST_HEADER.fullmatch(value)
    if match is None:
        reason = "expected host[:port]"
    elif len(match["name"]) > MAX_HOST_NAME:
        reason = f"the host name is longer than {MAX_HOST_NAME} characters"
    elif match["ipv6"] is not None and not _is_ipv6(match["ipv6"]):
        reason = "not an IPv6 address in brackets"
    elif match["port"] and int(match["port"]) > 65535:
        reason = "the port is above 65535"
    else:
        return None
    # ascii() shows bytes outside ASCII as \xNN, as they came (headers are decoded as latin-1)
    shown = ascii(value) if len(value) <= 60 else ascii(value[:60])[:-1] + "…'"
    return f"malformed Host header {shown}: {reason}"


def _is_ipv6(text: str) -> bool:
    try:
        ipaddress.IPv6Address(text)
    except ValueError:
        return False
    return True


def write_refusal(
    headers: Headers, *, token: str | None, trusted_origins: frozenset[str]
) -> tuple[int, str, dict[str, str]] | None:
    """Why a write request is refused (status, message, headers), or None to let it in."""
    origin = headers.get("origin")
    trusted = origin is not None and (origin.rstrip("/") in trusted_origins
                                      or "*" in trusted_origins)
    if headers.get("sec-fetch-site") == "cross-site" and not trusted:
        return 403, "cross-site requests may not change anything", {}
    if origin is not None and not trusted and not same_origin(origin, headers.get("host", "")):
        return 403, f"requests from {origin} may not change anything (see CORS_ORIGINS)", {}
    if token:
        scheme, _, given = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            given.strip().encode(), token.encode()
        ):
            return 401, "this action needs the API token: Authorization: Bearer <API_TOKEN>", {
                "WWW-Authenticate": "Bearer"}
    media_type = headers.get("content-type", "").split(";")[0].strip().lower()
    is_json = media_type == "application/json" or media_type.endswith("+json")
    if not is_json and headers.get("x-requested-with", "").lower() != REQUESTED_WITH:
        return 403, (
            "write requests need Content-Type: application/json or the header "
            f"X-Requested-With: {REQUESTED_WITH}"
        ), {}
    return None


class WriteGuard:
    def __init__(self, app: ASGIApp, *, token: str | None, trusted_origins: Iterable[str]) -> None:
        self.app = app
        self.token = token or None
        self.trusted = frozenset(origin.rstrip("/") for origin in trusted_origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (scope["type"] == "http" and scope["method"] in WRITE_METHODS
                and scope["path"].startswith("/api/")):
            refusal = write_refusal(Headers(scope=scope), token=self.token,
                                    trusted_origins=self.trusted)
            if refusal is not None:
                status, message, extra = refusal
                await error_json(status, message, extra)(scope, receive, send)
                return
        await self.app(scope, receive, send)


class _Refusal:
    """The ``send`` handed to TrustedHostMiddleware: what it sends itself is its refusal."""

    def __init__(self, send: Send) -> None:
        self.send = send
        self.refused = False

    async def __call__(self, message: Message) -> None:
        self.refused = True  # the plain-text answer is dropped; HostGuard answers in JSON


class HostGuard:
    """A malformed ``Host`` is a 400; with ``allowed_hosts``, so is a host not listed.

    Which hosts are listed is decided by Starlette's ``TrustedHostMiddleware`` (case-insensitive,
    ``*`` and ``*.example.lan`` wildcards, no ``www.`` redirect); only its plain-text refusal is
    replaced by the API's JSON error shape.
    """

    def __init__(self, app: ASGIApp, *, allowed_hosts: Iterable[str] = ()) -> None:
        self.app = app
        self._trusted = TrustedHostMiddleware(
            self._admit, allowed_hosts=list(allowed_hosts) or ["*"], www_redirect=False
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        host = Headers(scope=scope).get("host")
        problem = host_header_problem(host)
        if problem is not None:
            await error_json(400, problem)(scope, receive, send)
            return
        refusal = _Refusal(send)
        await self._trusted(scope, receive, refusal)
        if refusal.refused:
            response = error_json(400, f"host {host or ''!r} is not in ALLOWED_HOSTS")
            await response(scope, receive, send)

    async def _admit(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert isinstance(send, _Refusal)
        await self.app(scope, receive, send.send)


class SecurityHeaders:
    """Headers every response carries; the page route adds its own CSP."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "same-origin")
                headers.setdefault("X-Frame-Options", "DENY")
            await send(message)

        await self.app(scope, receive, send_with_headers)
