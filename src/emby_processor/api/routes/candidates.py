"""The movies an uncertain match could be, and choosing one (docs/providers.md, 4.4).

The write protections (sign-in, CSRF, host checks) are the app's middleware and apply here as to
every write.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Path

from emby_processor.api.deps import Ctx
from emby_processor.api.schemas import (
    MAX_ID,
    CandidatesOut,
    ChooseIn,
    QueueItemDetail,
    error_responses,
)

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
    item = ctx.db.choose_candidate(item_id, body.candidate)
    data = item.to_dict()
    data["events"] = [asdict(event) for event in ctx.db.events(item.id)]
    return data
