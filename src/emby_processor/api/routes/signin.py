"""The sign-in page and sign-out, for ``AUTH_MODE=password`` (see ``api/auth.py``).

A plain HTML form, no script: it works with the page's strict Content-Security-Policy and
without JavaScript. Its inline style carries the request's nonce like the dashboard's.
"""

from __future__ import annotations

import html
import logging
import threading
from typing import Annotated, Any
from urllib.parse import parse_qs

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from emby_processor.api.auth import SESSION_COOKIE, SESSION_SECONDS, SIGN_IN_PATH, Auth, safe_next
from emby_processor.api.errors import error_json
from emby_processor.api.security import csp_nonce, page_csp, same_origin

logger = logging.getLogger("emby_processor.api")
router = APIRouter(tags=["sign-in"])
MAX_FORM_BYTES = 4096
#: argon2 takes tens of milliseconds and 64 MiB per check: at most two at once
_VERIFYING = threading.BoundedSemaphore(2)
_HASHER = PasswordHasher()

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>Sign in · emby-processor</title>
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<style nonce="{nonce}">
body {{ font-family: system-ui, sans-serif; display: grid; place-items: center;
       min-height: 100vh; margin: 0; background: Canvas; color: CanvasText; }}
main {{ width: min(22rem, 90vw); }}
h1 {{ font-size: 1.4rem; }}
label, input, button {{ display: block; width: 100%; box-sizing: border-box;
                         font-size: 1rem; }}
input {{ padding: .6rem; margin: .3rem 0 1rem; }}
button {{ padding: .7rem; min-height: 44px; cursor: pointer; }}
p.error {{ color: #b02a37; font-weight: 600; }}
@media (prefers-color-scheme: dark) {{ p.error {{ color: #ea868f; }} }}
</style></head>
<body><main>
<h1>emby-processor</h1>
{message}
<form method="post" action="/sign-in">
<input type="hidden" name="next" value="{next}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password"
 required autofocus>
<button type="submit">Sign in</button>
</form>
</main></body></html>
"""


def _auth(request: Request) -> Auth:
    auth: Auth = request.app.state.auth
    return auth


def _page(next_path: str, message: str = "", status: int = 200,
          headers: dict[str, str] | None = None) -> HTMLResponse:
    nonce = csp_nonce()
    shown = f'<p class="error" role="alert">{html.escape(message)}</p>' if message else ""
    body = _PAGE.format(nonce=nonce, message=shown, next=html.escape(next_path, quote=True))
    return HTMLResponse(body, status_code=status, headers={
        "Content-Security-Policy": page_csp(nonce), "Cache-Control": "no-store",
        **(headers or {})})


@router.get(SIGN_IN_PATH, response_class=HTMLResponse, include_in_schema=False)
def sign_in_page(request: Request, next: Annotated[str | None, Query()] = None) -> Response:
    auth = _auth(request)
    if auth.mode != "password" or auth.session_ok(request.headers):
        return RedirectResponse(safe_next(next), 303)
    return _page(safe_next(next))


@router.post(SIGN_IN_PATH, response_class=HTMLResponse, include_in_schema=False)
async def sign_in(request: Request) -> Response:
    auth = _auth(request)
    if auth.mode != "password" or auth.sessions is None:
        return error_json(404, "sign-in is off (AUTH_MODE is not password)")
    refusal = _cross_site(request)
    if refusal is not None:
        return refusal
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        return error_json(413, "the sign-in form is too large")
    form = parse_qs(body.decode("utf-8", "replace"), max_num_fields=10)
    next_path = safe_next((form.get("next") or ["/"])[0])
    address = request.client.host if request.client else "unknown"
    wait = auth.limiter.retry_after(address)
    if wait is not None:
        return _page(next_path, f"Too many wrong passwords: try again in {wait} s.", 429,
                     {"Retry-After": str(wait)})
    password = (form.get("password") or [""])[0]
    if not await run_in_threadpool(_verify, auth, password):
        auth.limiter.failed(address)
        logger.warning("failed sign-in from %s", address)
        return _page(next_path, "Wrong password.", 401)
    auth.limiter.succeeded(address)
    response = RedirectResponse(next_path, 303)
    response.set_cookie(SESSION_COOKIE, auth.sessions.issue(), max_age=SESSION_SECONDS,
                        path="/", httponly=True, samesite="strict", secure=auth.secure_cookie)
    logger.info("signed in from %s", address)
    return response


@router.post("/sign-out", include_in_schema=False)
def sign_out(request: Request) -> Response:
    refusal = _cross_site(request)
    if refusal is not None:
        return refusal
    response = RedirectResponse(SIGN_IN_PATH, 303)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict",
                           secure=_auth(request).secure_cookie)
    return response


@router.get("/api/auth", summary="How this dashboard is protected, and whether you are in",
            tags=["system"])
def auth_state(request: Request) -> JSONResponse:
    auth = _auth(request)
    signed_in: Any = auth.mode == "none" or auth.authenticated(request.headers)
    return JSONResponse({"mode": auth.mode, "signed_in": signed_in,
                         "sign_in": SIGN_IN_PATH if auth.mode == "password" else None})


def _verify(auth: Auth, password: str) -> bool:
    if not password or auth.password_hash is None:
        return False
    with _VERIFYING:
        try:
            return _HASHER.verify(auth.password_hash, password)
        except (VerificationError, InvalidHashError):
            return False


def _cross_site(request: Request) -> Response | None:
    """A form on another site must not sign anyone in or out."""
    headers = request.headers
    origin = headers.get("origin")
    if headers.get("sec-fetch-site") == "cross-site" or (
            origin is not None and not same_origin(origin, headers.get("host", ""))):
        return error_json(403, "cross-site sign-in and sign-out are refused")
    return None
