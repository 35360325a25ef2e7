"""``GET /api/queue/{id}/poster``: a small copy of the item's poster, by item id only."""

from __future__ import annotations

from enum import IntEnum
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from emby_processor.api.deps import Ctx
from emby_processor.api.errors import error_json
from emby_processor.api.schemas import MAX_ID, json_error_responses
from emby_processor.api.thumbnails import SIZES, NoPoster, ThumbnailCache
from emby_processor.config import Settings

router = APIRouter(tags=["queue"])
#: the browser keeps a thumbnail for an hour, then asks again with its ETag (a 304 when unchanged)
CACHE_CONTROL = "private, max-age=3600"
#: the widths served (a query of "96" validates into the member 96)
PosterSize = IntEnum("PosterSize", {f"w{width}": width for width in SIZES})  # type: ignore[misc]
SMALLEST = PosterSize(SIZES[0])


def thumbnails(request: Request, settings: Settings) -> ThumbnailCache:
    cache: ThumbnailCache | None = getattr(request.app.state, "thumbnails", None)
    if cache is None:
        cache = ThumbnailCache(settings.data_dir / "thumbs",
                               int(settings.thumbnail_cache_mb * 1024 * 1024))
        request.app.state.thumbnails = cache
    return cache


@router.get(
    "/api/queue/{item_id}/poster", response_class=Response,
    summary="The item's poster, resized (from the poster beside its filed video)",
    responses={200: {"content": {"image/jpeg": {"schema": {"type": "string",
                                                            "format": "binary"}}},
                     "description": "a JPEG; 304 when If-None-Match matches"},
               **json_error_responses(404, 422, 500, 503)},
)
async def poster(
    ctx: Ctx, request: Request,
    item_id: Annotated[int, PathParam(ge=1, le=MAX_ID)],
    size: Annotated[PosterSize, Query(description="width in pixels")] = SMALLEST,
    if_none_match: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Response:
    width = int(size)
    item = await run_in_threadpool(ctx.db.get, item_id)
    if item is None:
        return error_json(404, f"item {item_id} does not exist")
    if item.library_path is None:
        return error_json(404, f"item {item_id} is not filed yet, so it has no poster")
    cache = thumbnails(request, ctx.settings)
    video = Path(item.library_path)
    try:
        if if_none_match is not None:
            _, key = await run_in_threadpool(cache.etag, item_id, video, width)
            if if_none_match.strip() in (f'"{key}"', f'W/"{key}"'):
                return Response(status_code=304, headers=_headers(key))
        thumbnail = await run_in_threadpool(cache.get, item_id, video, width)
    except NoPoster as missing:
        return error_json(404, f"item {item_id} has no poster: {missing}")
    return Response(thumbnail.data, media_type="image/jpeg", headers=_headers(thumbnail.etag))


def _headers(key: str) -> dict[str, str]:
    return {"ETag": f'"{key}"', "Cache-Control": CACHE_CONTROL}
