"""The dashboard page and the files it loads, all served by the app itself (no CDN: LAN
servers often have no internet).

The page's inline ``<script>`` and ``<style>`` carry ``nonce="{{CSP_NONCE}}"``; every request
gets a fresh nonce in both the page and its Content-Security-Policy, so injected markup
(a filename that slipped past escaping) cannot run script.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import HTMLResponse
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


def mount_static(app: FastAPI) -> None:
    """Bootstrap from the xstatic package, then the package's own static folder."""
    import xstatic.pkg.bootstrap as bootstrap

    # the more specific mount first: Starlette matches mounts in order
    app.mount("/static/vendor/bootstrap", StaticFiles(directory=bootstrap.BASE_DIR),
              name="bootstrap")
    if STATIC_DIR.is_dir():
        app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
