"""``GET /api/history``: what was filed over the last day, week or month, from counters the
database keeps as it goes (see ``db/history.py``): the cost is the same at 1,000,000 items."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from emby_processor.api.deps import Ctx
from emby_processor.api.schemas import HistoryOut, error_responses
from emby_processor.db.history import Range

router = APIRouter(tags=["system"], responses=error_responses(400, 422, 500, 503))


@router.get("/api/history", response_model=HistoryOut,
            summary="Items filed per hour or day by outcome, step times, backlog and ETA")
def history(
    ctx: Ctx,
    range_: Annotated[Range, Query(alias="range", description="24h: per hour; 7d, 30d: per day")]
    = "24h",
    utc_offset_minutes: Annotated[int, Query(
        ge=-720, le=840,
        description="where days begin: minutes east of UTC (540 for Tokyo); hours belong to "
                    "the local day in which they begin")] = 0,
) -> dict[str, Any]:
    return ctx.db.history(range_, utc_offset_minutes=utc_offset_minutes)
