"""The movies an uncertain match could be, and choosing one (docs/providers.md, 4.4).

The write protections (sign-in, CSRF, host checks) are the app's middleware and apply here as to
every write.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from emby_processor.api.deps import Ctx
from emby_processor.api.errors import error_json
from emby_processor.api.routes.poster import thumbnails
from emby_processor.api.routes.queue import detail
from emby_processor.api.schemas import (
    MAX_ID,
    CandidatesOut,
    ChooseIn,
    QueueItemDetail,
    error_responses,
    json_error_responses,
)
from emby_processor.api.thumbnails import NoPoster
from emby_processor.errors import ProcessingError

router = APIRouter(tags=["queue"], responses=error_responses(400, 422, 500, 503))

ItemId = Annotated[int, Path(ge=1, le=MAX_ID, description="queue item id")]


@router.get("/api/queue/{item_id}/candidates", response_model=CandidatesOut,
            responses=error_responses(404), summary="The movies an uncertain match could be")
def list_candidates(ctx: Ctx, item_id: ItemId) -> dict[str, Any]:
    item = ctx.db.require(item_id)
    return {"id": item.id, "movie_code": item.movie_code, "cause": item.cause,
            "candidates": ctx.db.candidates(item_id)}


@router.post("/api/queue/{item_id}/choose", response_model=QueueItemDetail,
             responses=error_responses(401, 403, 404, 409),
             summary="Say which candidate the item is; it is filed and written with it")
def choose_candidate(ctx: Ctx, item_id: ItemId, body: ChooseIn) -> dict[str, Any]:
    return detail(ctx, ctx.db.choose_candidate(item_id, body.candidate))


#: the width of a candidate's cover in the page (the dialog shows three side by side)
COVER_WIDTH = 300


@router.get(
    "/api/queue/{item_id}/candidates/cover", response_class=Response,
    summary="A candidate's cover, resized (downloaded once through the service)",
    responses={200: {"content": {"image/jpeg": {"schema": {"type": "string",
                                                            "format": "binary"}}},
                     "description": "a JPEG"},
               **json_error_responses(404, 422, 502)},
)
def candidate_cover(
    ctx: Ctx, request: Request, item_id: ItemId,
    candidate: Annotated[str, Query(min_length=1, max_length=500,
                                    description="a candidate's `id`")],
) -> Response:
    # The URL is the one the provider gave for this candidate, looked up by the item and the
    # candidate's id: a request never names what the service downloads.
    found = next((c for c in ctx.db.candidates(item_id) if c.get("id") == candidate), None)
    url = found.get("cover_url") if found else None
    if not isinstance(url, str) or not url:
        return error_json(404, f"item {item_id} has no candidate {candidate!r} with a cover")
    if ctx.images is None:
        return error_json(404, "this dashboard does not download covers")
    try:
        cover = thumbnails(request, ctx.settings).remote(url, COVER_WIDTH, ctx.images)
    except (ProcessingError, NoPoster) as error:
        return error_json(502, f"the cover of candidate {candidate!r} could not be shown: {error}")
    return Response(cover.data, media_type="image/jpeg",
                    headers={"ETag": f'"{cover.etag}"', "Cache-Control": "private, max-age=3600"})
