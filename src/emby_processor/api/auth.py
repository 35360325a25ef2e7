"""A login for reading: ``AUTH_MODE=none|token|password``.

- ``none`` (the default): anyone who reaches the port may read; writes are protected as
  ``security.py`` describes.
- ``token``: every request needs ``Authorization: Bearer <API_TOKEN>`` (scripts, Prometheus).
- ``password``: people sign in at ``/sign-in`` with the password whose argon2 hash is
  ``AUTH_PASSWORD_HASH``; the answer sets a signed session cookie (``HttpOnly``,
  ``SameSite=Strict``, ``Secure`` when ``PUBLIC_URL`` is https) that every later request carries.
  A request with ``Authorization: Bearer <API_TOKEN>`` (when set) is let in too, for scripts.

In both protected modes ``/api/health`` stays open for container health checks but answers only
the overall status, and ``/sign-in`` and the icon are open. Anything else without credentials is
refused: API paths with a JSON 401, pages (``GET`` asking for HTML) with a redirect to the
sign-in page. The write protections of ``security.py`` apply on top, in every mode.

Sessions are stateless: the cookie holds its expiry and a random id, signed with HMAC-SHA256 under
a key derived from the session secret *and the password hash*, so changing the password signs
everyone out. The secret is ``SESSION_SECRET``, else a random one made once and kept in
``DATA_DIR/session-secret`` (mode 0600). Signing out removes the cookie from the browser.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import threading
import time
from collections import OrderedDict, deque
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from starlette.datastructures import Headers
from starlette.responses import RedirectResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from emby_processor.api.errors import error_json
from emby_processor.config import Settings

SESSION_COOKIE = "emby_processor_session"
SESSION_SECONDS = 30 * 86400
SIGN_IN_PATH = "/sign-in"
#: paths anyone may request (the health check answers only its status to them)
OPEN_PATHS = frozenset({SIGN_IN_PATH, "/sign-out", "/api/health", "/api/auth",
                        "/static/favicon.svg", "/favicon.ico"})
SECRET_FILE = "session-secret"  # noqa: S105 - a file name, not a secret


class Sessions:
    """Issues and checks signed session cookie values."""

    def __init__(self, secret: bytes, password_hash: str) -> None:
        self._key = hmac.new(secret, b"session\0" + password_hash.encode(), "sha256").digest()

    def issue(self, now: float | None = None) -> str:
        expires = int((now or time.time()) + SESSION_SECONDS)
        body = f"{expires}.{secrets.token_urlsafe(12)}"
        return f"{body}.{self._sign(body)}"

    def valid(self, value: str | None, now: float | None = None) -> bool:
        if not value or value.count(".") != 2:
            return False
        body, _, signature = value.rpartition(".")
        if not hmac.compare_digest(signature.encode(), self._sign(body).encode()):
            return False
        expires = body.partition(".")[0]
        return expires.isdigit() and int(expires) > (now or time.time())

    def _sign(self, body: str) -> str:
        digest = hmac.new(self._key, body.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def session_secret(settings: Settings) -> bytes:
    """``SESSION_SECRET``, else the one kept under DATA_DIR (made on first use)."""
    if settings.session_secret:
        return settings.session_secret.encode()
    path = settings.data_dir / SECRET_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_secret(path)
    with os.fdopen(fd, "w") as fh:
        fh.write(secrets.token_urlsafe(48))
    return _read_secret(path)


def _read_secret(path: Path) -> bytes:
    for _ in range(50):  # another process may be writing it right now
        secret = path.read_bytes().strip()
        if len(secret) >= 32:
            return secret
        time.sleep(0.02)
    raise RuntimeError(f"{path} holds no usable session secret; delete it to make a new one")


class SignInLimiter:
    """At most ``failures`` failed sign-ins per ``window`` seconds from one address."""

    def __init__(self, failures: int = 5, window: float = 60.0, addresses: int = 10_000) -> None:
        self.failures = failures
        self.window = window
        self.addresses = addresses
        self._seen: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def retry_after(self, address: str, now: float | None = None) -> int | None:
        """Seconds until ``address`` may try again, or None when it may now."""
        now = now or time.monotonic()
        with self._lock:
            recent = self._seen.get(address)
            if recent is None:
                return None
            while recent and recent[0] <= now - self.window:
                recent.popleft()
            if len(recent) < self.failures:
                return None
            return max(int(recent[0] + self.window - now) + 1, 1)

    def failed(self, address: str, now: float | None = None) -> None:
        with self._lock:
            recent = self._seen.setdefault(address, deque())
            self._seen.move_to_end(address)
            recent.append(now or time.monotonic())
            while len(self._seen) > self.addresses:  # bounded memory under a spray of addresses
                self._seen.popitem(last=False)

    def succeeded(self, address: str) -> None:
        with self._lock:
            self._seen.pop(address, None)


@dataclass
class Auth:
    """What the guard and the sign-in routes share."""

    mode: str
    token: str | None
    sessions: Sessions | None
    password_hash: str | None
    secure_cookie: bool
    limiter: SignInLimiter

    def bearer_ok(self, headers: Headers) -> bool:
        scheme, _, given = headers.get("authorization", "").partition(" ")
        return bool(self.token) and scheme.lower() == "bearer" and hmac.compare_digest(
            given.strip().encode(), (self.token or "").encode())

    def session_ok(self, headers: Headers) -> bool:
        if self.sessions is None:
            return False
        return self.sessions.valid(_cookie(headers.get("cookie", ""), SESSION_COOKIE))

    def authenticated(self, headers: Headers) -> bool:
        if self.mode == "none":
            return True
        return self.bearer_ok(headers) or self.session_ok(headers)


def build_auth(settings: Settings) -> Auth:
    sessions = None
    if settings.auth_mode == "password":
        assert settings.auth_password_hash is not None  # checked by Settings
        sessions = Sessions(session_secret(settings), settings.auth_password_hash)
    return Auth(
        mode=settings.auth_mode, token=settings.api_token, sessions=sessions,
        password_hash=settings.auth_password_hash,
        secure_cookie=(settings.public_url or "").startswith("https://"),
        limiter=SignInLimiter(),
    )


def _cookie(header: str, name: str) -> str | None:
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None


class AuthGuard:
    """Refuses requests without credentials (see the module's text); marks the others with
    ``request.state.authenticated`` so the health route knows how much to say."""

    def __init__(self, app: ASGIApp, *, auth: Auth) -> None:
        self.app = app
        self.auth = auth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        authenticated = self.auth.authenticated(headers)
        scope.setdefault("state", {})["authenticated"] = authenticated
        path: str = scope["path"]
        if authenticated or path in OPEN_PATHS:
            await self.app(scope, receive, send)
            return
        await self._refuse(scope, headers)(scope, receive, send)

    def _refuse(self, scope: Scope, headers: Headers) -> ASGIApp:
        path: str = scope["path"]
        wants_page = (scope.get("method") in ("GET", "HEAD") and not path.startswith("/api/")
                      and "text/html" in headers.get("accept", ""))
        if self.auth.mode == "password" and wants_page:
            query = scope.get("query_string", b"").decode("latin-1")
            target = path + (f"?{query}" if query else "")
            return RedirectResponse(f"{SIGN_IN_PATH}?next={quote(target, safe='')}", 303)
        if self.auth.mode == "password":
            return error_json(401, "sign in first", sign_in=SIGN_IN_PATH)
        return error_json(401, "this needs the API token: Authorization: Bearer <API_TOKEN>",
                          {"WWW-Authenticate": "Bearer"})


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this site only (never ``//host`` or a URL)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target
