"""Health, statistics, housekeeping and worker control.

Worker control goes through the database (the ``control`` table), never through objects in
this process: the dashboard may run apart from the workers, which read these keys.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse

from emby_processor import catalogue
from emby_processor.api.deps import Ctx
from emby_processor.api.fix_schemas import AcknowledgeIn, CleanupCountOut
from emby_processor.api.metrics import CONTENT_TYPE, render_metrics
from emby_processor.api.schemas import (
    CleanupJobOut,
    CleanupOut,
    CleanupRequest,
    HealthOut,
    MetaOut,
    PausedOut,
    ScanOut,
    StatsOut,
    error_responses,
    json_error_responses,
)
from emby_processor.db import ItemConflict, ItemNotFound
from emby_processor.timeutil import now_iso
from emby_processor.vocabulary import as_document

router = APIRouter(tags=["system"], responses=error_responses(400, 422, 500, 503))
WRITE_ERRORS = error_responses(401, 403)
#: POST /api/cleanup answers once its job is done, or after this long with its progress
CLEANUP_WAIT_SECONDS = 5.0


@router.get("/api/health", response_model=HealthOut, summary="Service health",
            description="Without credentials under AUTH_MODE token or password, only "
                        '`{"status": …}` (for container health checks).')
def health(ctx: Ctx, request: Request) -> dict[str, Any] | JSONResponse:
    report = ctx.health.report()
    if not getattr(request.state, "authenticated", True):
        return JSONResponse({"status": report["status"]})
    return report


@router.post("/api/health/acknowledge", response_model=HealthOut,
             responses=error_responses(401, 403, 404, 409),
             summary="Mark a warning as known (it folds away until it changes or recovers)")
def acknowledge(ctx: Ctx, body: AcknowledgeIn) -> dict[str, Any]:
    try:
        ctx.health.acknowledge(body.check, body.acknowledged)
    except KeyError as error:
        raise ItemNotFound(str(error.args[0])) from None
    except ValueError as error:
        raise ItemConflict(str(error)) from None
    report: dict[str, Any] = ctx.health.report()
    return report


@router.get("/api/meta", response_model=MetaOut,
            summary="The vocabulary: statuses, stages, causes of failure, queue columns")
async def meta(ctx: Ctx) -> dict[str, Any]:
    document = as_document()
    words = {entry["code"]: entry for entry in catalogue.as_document()}
    document["causes"] = [{**cause, **words[cause["code"]]} for cause in document["causes"]]
    document["actions"] = [{"name": name, "label": label}
                           for name, label in catalogue.ACTION_LABELS.items()]
    document["settings"] = {
        "max_retries": ctx.settings.max_retries,
        "cleanup_completed_after_days": ctx.settings.cleanup_completed_after_days,
        "notifications": bool(ctx.settings.notify_urls),
    }
    return document


@router.get("/api/stats", response_model=StatsOut, summary="Items per status and top actresses")
def stats(
    ctx: Ctx, top: Annotated[int, Query(ge=0, le=1000, description="actresses to list")] = 20,
) -> dict[str, Any]:
    return ctx.db.stats(top)


@router.get("/api/cleanup/preview", response_model=CleanupCountOut,
            summary="How many completed items a cleanup would remove now")
def cleanup_count(
    ctx: Ctx,
    older_than_days: Annotated[float | None, Query(ge=0, le=36500, description=(
        "default: CLEANUP_COMPLETED_AFTER_DAYS"))] = None,
) -> dict[str, Any]:
    days = ctx.settings.cleanup_completed_after_days if older_than_days is None else older_than_days
    return {"count": ctx.db.cleanup_count(days), "older_than_days": days}


@router.post(
    "/api/cleanup", response_model=CleanupOut, responses=WRITE_ERRORS,
    summary="Delete old completed items (files on disk are not touched)",
    description="Starts a cleanup job (or joins the one running) and answers when it is done or "
                f"after {CLEANUP_WAIT_SECONDS:g} s, whichever comes first: `deleted` is what it "
                "removed so far and `done` says whether it has finished; `GET /api/cleanup` "
                "follows it from there.",
)
def cleanup(ctx: Ctx, body: CleanupRequest | None = None) -> dict[str, Any]:
    days = body.older_than_days if body and body.older_than_days is not None else None
    if days is None:
        days = ctx.settings.cleanup_completed_after_days
    runner = ctx.cleanups
    return runner.wait(runner.start(days), CLEANUP_WAIT_SECONDS).as_dict()


@router.get("/api/cleanup", response_model=CleanupJobOut,
            summary="The running or the last cleanup job, with its progress")
def cleanup_status(ctx: Ctx) -> dict[str, Any]:
    progress = ctx.db.cleanup_status()
    if progress is None:
        return {"state": "none", "done": True, "deleted": 0, "total": 0}
    return progress.as_dict()


@router.post("/api/workers/pause", response_model=PausedOut, responses=WRITE_ERRORS,
             summary="Pause the workers (they finish the current step)")
def pause(ctx: Ctx) -> dict[str, bool]:
    ctx.db.set_control("paused", "1")
    return {"paused": True}


@router.post("/api/workers/resume", response_model=PausedOut, responses=WRITE_ERRORS,
             summary="Resume the workers")
def resume(ctx: Ctx) -> dict[str, bool]:
    ctx.db.set_control("paused", "0")
    return {"paused": False}


@router.post("/api/scan", response_model=ScanOut, responses=WRITE_ERRORS,
             summary="Ask the watcher for a full rescan now")
def scan(ctx: Ctx) -> dict[str, str]:
    requested = now_iso()
    ctx.db.set_control("scan_requested_at", requested)
    return {"scan_requested_at": requested}


@router.get(
    "/metrics", response_class=PlainTextResponse, summary="Prometheus metrics",
    responses={200: {"content": {CONTENT_TYPE.split(";")[0]: {"schema": {"type": "string"}}},
                     "description": "Prometheus text format 0.0.4"},
               **json_error_responses(422, 500, 503)},
)
def metrics(ctx: Ctx) -> PlainTextResponse:
    body = render_metrics(ctx.db, ctx.logs, ctx.health.report())
    return PlainTextResponse(body, media_type=CONTENT_TYPE)
