"""The dashboard page and the files it loads, all served by the app itself (no CDN: LAN
servers often have no internet).

The page's inline ``<script>`` and ``<style>`` carry ``nonce="{{CSP_NONCE}}"``; every request
gets a fresh nonce in both the page and its Content-Security-Policy, so injected markup
(a filename that slipped past escaping) cannot run script.

The page's script is a set of ES modules under ``static/js/`` (no build step). Browsers run a
module only when it is served with a JavaScript type, so ``.js`` is registered as
``text/javascript`` whatever the host's MIME table says. Static files are sent with
``Cache-Control: no-cache``: the browser keeps them but revalidates each use (an ETag, so a
``304`` on a LAN), and after an upgrade never runs old modules beside new ones.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

import emby_processor
from emby_processor.api.security import csp_nonce, page_csp

router = APIRouter(tags=["page"])

STATIC_DIR = Path(emby_processor.__file__).resolve().parent / "static"
NONCE_PLACEHOLDER = "{{CSP_NONCE}}"
PLACEHOLDER = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>emby-processor</title></head>
<body><h1>emby-processor</h1>
<p>The dashboard page is not installed. The API is running: see <a href="/docs">/docs</a>.</p>
</body></html>
"""


def render_page(path: Path, nonce: str) -> str:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return PLACEHOLDER
    return text.replace(NONCE_PLACEHOLDER, nonce)


@router.get("/", response_class=HTMLResponse, summary="The dashboard page")
def page() -> HTMLResponse:
    nonce = csp_nonce()
    return HTMLResponse(
        render_page(STATIC_DIR / "dashboard.html", nonce),
        headers={"Content-Security-Policy": page_csp(nonce), "Cache-Control": "no-store"},
    )


class RevalidatedStaticFiles(StaticFiles):
    """Static files the browser revalidates before each use (``Cache-Control: no-cache``)."""

    def file_response(self, *args: Any, **kwargs: Any) -> Response:
        response = super().file_response(*args, **kwargs)
        response.headers["Cache-Control"] = "no-cache"
        return response


def mount_static(app: FastAPI) -> None:
    """Bootstrap from the xstatic package, then the package's own static folder."""
    import xstatic.pkg.bootstrap as bootstrap

    mimetypes.add_type("text/javascript", ".js")
    # the more specific mount first: Starlette matches mounts in order
    app.mount("/static/vendor/bootstrap", RevalidatedStaticFiles(directory=bootstrap.BASE_DIR),
              name="bootstrap")
    if STATIC_DIR.is_dir():
        app.mount("/static", RevalidatedStaticFiles(directory=STATIC_DIR), name="static")
