"""``create_app``: the FastAPI application, wired from the parts it is given.

In the one-process service the caller passes the QueueDB, LogBuffer and HealthMonitor it
already runs. Given none of them (the dashboard on its own), the app builds its own from the
settings and its lifespan opens and closes exactly what it built, plus whatever ``closers`` the
caller hands over (the upstream clients behind ``upstream_checks``, see
``composition.build_app``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware

from emby_processor.api.auth import AuthGuard, build_auth
from emby_processor.api.deps import AppContext
from emby_processor.api.errors import install_error_handlers
from emby_processor.api.logstream import LogNotifier
from emby_processor.api.routes import (
    bulk,
    candidates,
    docs,
    fixes,
    history,
    notify,
    page,
    poster,
    queue,
    signin,
    system,
)
from emby_processor.api.routes import logs as logs_routes
from emby_processor.api.security import REQUESTED_WITH, HostGuard, SecurityHeaders, WriteGuard
from emby_processor.config import Settings
from emby_processor.db import QueueDB
from emby_processor.health import HealthMonitor, UpstreamCheck, build_upstream_checks
from emby_processor.logbuffer import LogBuffer, setup_logging

DESCRIPTION = f"""
Queue, health and live log of emby-processor.

Write endpoints (POST and DELETE under `/api/`) refuse cross-site requests and need either
`Content-Type: application/json` or the header `X-Requested-With: {REQUESTED_WITH}`; with
`API_TOKEN` set they also need `Authorization: Bearer <token>`. Every error is
`{{"detail": "…"}}`. Times are ISO 8601 UTC ending in `Z`.
"""


def create_app(
    settings: Settings, *, db: QueueDB | None = None, logs: LogBuffer | None = None,
    health: HealthMonitor | None = None,
    upstream_checks: Mapping[str, UpstreamCheck] | None = None,
    closers: Sequence[Callable[[], None]] = (), keepalive_seconds: float = 15.0,
    log_backlog: int = 100, images: Callable[[str], bytes] | None = None,
) -> FastAPI:
    """The ASGI app. ``keepalive_seconds`` is the SSE comment interval (tests shorten it).

    ``upstream_checks`` feed the health monitor the app builds when given none; ``images``
    downloads the cover of a candidate for the page (without it, candidates show none)."""
    owns_db, owns_logs, owns_health = db is None, logs is None, health is None
    db = db or QueueDB(settings.db_path, lease_seconds=settings.lease_seconds)
    logs = logs or LogBuffer(settings.log_buffer_lines)
    if health is None:
        checks = upstream_checks if upstream_checks is not None else build_upstream_checks(
            settings)
        health = HealthMonitor(settings, db, upstream_checks=checks)
    notifier = LogNotifier(logs)
    ctx = AppContext(settings, db, logs, health, notifier, keepalive_seconds, log_backlog,
                     images)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if owns_db:
            await run_in_threadpool(db.open)
        if owns_logs:
            setup_logging(settings.log_level, logs)
        if owns_health:
            health.start()
        try:
            yield
        finally:
            notifier.stop()
            await run_in_threadpool(ctx.cleanups.stop)
            if owns_health:
                await run_in_threadpool(health.stop)
            for close in closers:
                close()
            if owns_db:
                db.close()

    app = FastAPI(
        title="emby-processor", version=health.version, description=DESCRIPTION,
        lifespan=lifespan, docs_url=None, redoc_url=None,  # /docs is served offline below
    )
    app.state.ctx = ctx
    install_error_handlers(app)
    app.state.auth = build_auth(settings)
    # bulk before queue: /api/queue/bulk/retry must not reach /api/queue/{item_id}/retry
    for router in (system.router, history.router, poster.router, notify.router, bulk.router,
                   queue.router, fixes.router, candidates.router, logs_routes.router,
                   signin.router, docs.router, page.router):
        app.include_router(router)
    docs.mount_assets(app)
    page.mount_static(app)
    _add_middleware(app, settings)
    return app


def _add_middleware(app: FastAPI, settings: Settings) -> None:
    # added innermost first: a request meets SecurityHeaders, HostGuard, CORS, AuthGuard,
    # WriteGuard, GZip
    app.add_middleware(GZipMiddleware, minimum_size=500)  # skips text/event-stream by itself
    app.add_middleware(WriteGuard, token=settings.api_token,
                       trusted_origins=settings.cors_origins)
    app.add_middleware(AuthGuard, auth=app.state.auth)  # AUTH_MODE: before any other check
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware, allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "X-Requested-With", "Last-Event-ID"],
        )
    app.add_middleware(HostGuard, allowed_hosts=settings.allowed_hosts)  # also refuses bad Hosts
    app.add_middleware(SecurityHeaders)
