"""The queue table, one item, and the actions on items."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BeforeValidator, StringConstraints

from emby_processor.api.csvexport import csv_rows, gzipped
from emby_processor.api.deps import AppContext, Ctx
from emby_processor.api.links import server_link
from emby_processor.api.schemas import (
    MAX_ID,
    DeletedOut,
    QueueItemDetail,
    QueuePage,
    RetriedOut,
    RetryFilter,
    Sort,
    StatusOrBlank,
    error_responses,
    json_error_responses,
)
from emby_processor.db import QueueFilter, QueueItem
from emby_processor.organizer.sidecars import sidecar_paths
from emby_processor.vocabulary import CauseCode

router = APIRouter(tags=["queue"], responses=error_responses(400, 422, 500, 503))


def _blank_to_none(value: object) -> object:
    # the dashboard's "all" choice sends an empty parameter
    return None if isinstance(value, str) and not value.strip() else value


# the length limit sits on the str itself: the blank-to-None step runs before it
ShortText = Annotated[str, StringConstraints(max_length=200)]


ItemId = Annotated[int, Path(ge=1, le=MAX_ID, description="queue item id")]
SortParam = Annotated[Sort, Query(description="newest (default), oldest, updated")]


async def queue_filter(
    status: Annotated[
        StatusOrBlank | None, BeforeValidator(_blank_to_none),
        Query(description="empty means every status"),
    ] = None,
    movie_code: Annotated[
        ShortText | None, BeforeValidator(_blank_to_none),
        Query(description="code prefix, e.g. ABP or ABP-12"),
    ] = None,
    actress: Annotated[
        ShortText | None, BeforeValidator(_blank_to_none), Query(description="exact actress name")
    ] = None,
    q: Annotated[
        ShortText | None, BeforeValidator(_blank_to_none),
        Query(description="a phrase in the code, actress, title, path or error; or field "
                          "prefixes: `code:ABP actress:\"Yua Mikami\" error:timeout`"),
    ] = None,
    cause: Annotated[
        CauseCode | None, BeforeValidator(_blank_to_none),
        Query(description="items in error with this cause (see /api/meta)"),
    ] = None,
) -> QueueFilter:
    return QueueFilter(status=status or None, movie_code=movie_code, actress=actress, q=q,
                       cause=cause)


Filter = Annotated[QueueFilter, Depends(queue_filter)]


def detail(ctx: AppContext, item: QueueItem) -> dict[str, Any]:
    """One item in full, as ``GET /api/queue/{id}`` answers (and every action on it)."""
    data = item.to_dict()
    data["events"] = [asdict(event) for event in ctx.db.events(item.id)]
    data["server_link"] = link(ctx, item.emby_id)
    data["poster_url"] = poster_url(item)
    return data


def poster_url(item: QueueItem, size: int = 300) -> str | None:
    """The item's poster thumbnail, when a poster (or fanart) lies beside its filed video."""
    if not item.library_path:
        return None
    found = sidecar_paths(FilePath(item.library_path))
    if any(os.path.lexists(found[kind]) for kind in ("poster", "fanart")):
        return f"/api/queue/{item.id}/poster?size={size}"
    return None


def link(ctx: AppContext, emby_id: str | None) -> str | None:
    """The item in the media server's web app (from the cached ``emby`` check, no request)."""
    check = ctx.health.cached("emby")
    return server_link(ctx.settings, check.details if check else {}, emby_id)


def row(item: QueueItem) -> dict[str, Any]:
    """One row of the queue table: its fields, what can be done about it and its thumbnail
    (only for a filed item with a poster beside it, so the page never asks for one in vain)."""
    return {**item.summary(), "actions": item.actions(), "poster_url": poster_url(item, 96)}


@router.get("/api/queue", response_model=QueuePage, summary="List queue items")
def list_queue(
    ctx: Ctx, flt: Filter, sort: SortParam = "newest",
    page: Annotated[int, Query(ge=1, le=10_000_000)] = 1,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> dict[str, Any]:
    items, total = ctx.db.list_items(flt, sort=sort, page=page, limit=limit)
    return {"items": [row(item) for item in items], "total": total, "page": page,
            "limit": limit}


@router.get(
    "/api/queue/export.csv", response_class=StreamingResponse, summary="Export as CSV",
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}},
                     "description": "the filtered queue, one row per item"},
               **json_error_responses(422, 500, 503)},
)
def export_csv(ctx: Ctx, request: Request, flt: Filter, sort: SortParam = "newest"
               ) -> StreamingResponse:
    rows = csv_rows(ctx.db, flt, sort)
    chunks: Iterator[str] | Iterator[bytes] = rows
    headers = {"Content-Disposition": 'attachment; filename="emby-processor-queue.csv"',
               "Vary": "Accept-Encoding"}
    if "gzip" in request.headers.get("accept-encoding", "").lower():
        chunks = gzipped(rows)
        headers["Content-Encoding"] = "gzip"
    return StreamingResponse(chunks, media_type="text/csv; charset=utf-8", headers=headers)


@router.post("/api/queue/retry-errors", response_model=RetriedOut,
             responses=error_responses(401, 403),
             summary="Retry the matching errors a retry can fix",
             description="Without `cause`: the errors that retry by themselves, now. With "
                         "`cause`: the items stopped by it (after a person fixed it). Items "
                         "with no code, a duplicate or an uncertain match are never re-run.")
def retry_errors(ctx: Ctx, body: RetryFilter | None = None) -> dict[str, int]:
    body = body or RetryFilter()
    flt = QueueFilter(status="error", movie_code=body.movie_code or None,
                      actress=body.actress or None, q=body.q or None, cause=body.cause)
    return {"retried": ctx.db.retry_matching(flt)}


@router.get("/api/queue/{item_id}", response_model=QueueItemDetail,
            responses=error_responses(404), summary="One item in full")
def get_item(ctx: Ctx, item_id: ItemId) -> dict[str, Any]:
    return detail(ctx, ctx.db.require(item_id))


@router.post("/api/queue/{item_id}/retry", response_model=QueueItemDetail,
             responses=error_responses(401, 403, 404, 409), summary="Retry an error item now")
def retry_item(ctx: Ctx, item_id: ItemId) -> dict[str, Any]:
    return detail(ctx, ctx.db.retry(item_id))


@router.post("/api/queue/{item_id}/reprocess-metadata", response_model=QueueItemDetail,
             responses=error_responses(401, 403, 404, 409),
             summary="Re-fetch metadata and push it to Emby again")
def reprocess_item(ctx: Ctx, item_id: ItemId) -> dict[str, Any]:
    return detail(ctx, ctx.db.reprocess(item_id))


@router.delete("/api/queue/{item_id}", response_model=DeletedOut,
               responses=error_responses(401, 403, 404, 409),
               summary="Ignore the item's file (a completed item is only forgotten)",
               description="The item leaves the queue and, unless it was completed, its file "
                           "is ignored: never queued again until un-ignored "
                           "(`DELETE /api/ignored/{id}`). Nothing on disk is touched.")
def delete_item(ctx: Ctx, item_id: ItemId) -> dict[str, Any]:
    if ctx.db.require(item_id).status == "completed":
        ctx.db.delete(item_id)
        return {"id": item_id, "deleted": True, "ignored": False}
    ctx.db.ignore(item_id)
    return {"id": item_id, "deleted": True, "ignored": True}
