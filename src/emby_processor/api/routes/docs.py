"""``/docs``: Swagger UI served by the app itself, so it renders on a LAN with no internet.

The assets come from the installed ``fastapi-offline`` package (a recent Swagger UI that reads
OpenAPI 3.1, which FastAPI writes); nothing is fetched from a CDN, the online validator badge is
off, and the page has the dashboard's Content-Security-Policy: it can load only from this origin.
"""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, FastAPI
from fastapi.responses import HTMLResponse

from emby_processor.api.routes.page import RevalidatedStaticFiles
from emby_processor.api.security import csp_nonce, page_csp

router = APIRouter(include_in_schema=False)
ASSETS = Path(fastapi_offline.__file__).resolve().parent / "static"
ASSET_URL = "/static/vendor/swagger-ui"

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>emby-processor · API</title>
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="{assets}/swagger-ui.css">
</head><body>
<div id="swagger-ui"></div>
<script src="{assets}/swagger-ui-bundle.js"></script>
<script nonce="{nonce}">
window.ui = SwaggerUIBundle({{
  url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true, validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis], layout: "BaseLayout",
  showExtensions: true, tryItOutEnabled: false,
  requestInterceptor: (request) => {{
    request.headers["X-Requested-With"] = "emby-processor";
    return request;
  }},
}});
</script>
</body></html>
"""


@router.get("/docs", response_class=HTMLResponse)
def docs() -> HTMLResponse:
    nonce = csp_nonce()
    return HTMLResponse(
        _PAGE.format(assets=ASSET_URL, nonce=nonce),
        headers={"Content-Security-Policy": page_csp(nonce), "Cache-Control": "no-store"},
    )


def mount_assets(app: FastAPI) -> None:
    """Before the ``/static`` mount: Starlette matches mounts in order."""
    app.mount(ASSET_URL, RevalidatedStaticFiles(directory=ASSETS), name="swagger-ui")
