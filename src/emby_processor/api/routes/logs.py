"""The live log (Server-Sent Events) and a plain JSON tail of it."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, HTTPException, Query
from pydantic import BeforeValidator
from sse_starlette import EventSourceResponse

from emby_processor.api.deps import Ctx
from emby_processor.api.logstream import log_events
from emby_processor.api.schemas import (
    MAX_ID,
    LogRecordOut,
    error_responses,
    json_error_responses,
)
from emby_processor.safetext import safe_line

router = APIRouter(tags=["logs"])

Level = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]


def _upper(value: object) -> object:
    if isinstance(value, str):
        return value.strip().upper() or None
    return value


LevelParam = Annotated[
    Level | None, BeforeValidator(_upper), Query(description="minimum level")
]
ItemParam = Annotated[
    int | None, Query(ge=1, le=MAX_ID, description="only records about this item")
]
SEND_TIMEOUT_SECONDS = 30  # a client that stops reading is dropped instead of held forever


def _resume_id(query_value: int | None, header_value: str | None) -> int | None:
    """The id to resume after. A ``Last-Event-ID`` that is not a plain id is a 400: browsers
    send back the last ``id:`` we sent, so anything else is a bad request (``str.isdigit``
    alone would let ``²`` or a 5000-digit number reach ``int()``)."""
    if query_value is not None:
        return query_value
    text = (header_value or "").strip()
    if not text:
        return None
    if text.isascii() and text.isdigit() and len(text) <= len(str(MAX_ID)):
        value = int(text)
        if value <= MAX_ID:
            return value
    raise HTTPException(400, f"Last-Event-ID must be a log record id from 0 to {MAX_ID}, "
                             f"not {safe_line(text[:40])!r}")


@router.get(
    "/api/logs", response_class=EventSourceResponse, summary="Live log stream (Server-Sent Events)",
    responses={200: {
        "description": "event `log`, `id` = record id, `data` = the record as JSON; "
                       "a `: ping` comment keeps idle connections open",
        "content": {"text/event-stream": {"schema": {"type": "string"}}},
    }, **json_error_responses(400, 422, 500, 503)},
)
async def stream_logs(
    ctx: Ctx, level: LevelParam = None, item_id: ItemParam = None,
    last_event_id: Annotated[int | None, Query(
        ge=0, le=MAX_ID, description="resume after this id (same as the Last-Event-ID header)"
    )] = None,
    last_event_id_header: Annotated[str | None, Header(alias="Last-Event-ID")] = None,
) -> EventSourceResponse:
    limit = ctx.settings.api_max_log_streams
    if ctx.logs.subscribers >= limit:
        raise HTTPException(
            503, f"{limit} live log streams are open already (API_MAX_LOG_STREAMS); close a "
            "dashboard tab or try again later", headers={"Retry-After": "30"},
        )
    events = log_events(
        ctx.logs, ctx.notifier, last_event_id=_resume_id(last_event_id, last_event_id_header),
        level=level, item_id=item_id, backlog=ctx.log_backlog,
    )
    return EventSourceResponse(
        events, ping=ctx.keepalive_seconds, send_timeout=SEND_TIMEOUT_SECONDS
    )


@router.get("/api/logs/recent", response_model=list[LogRecordOut],
            responses=error_responses(422, 500), summary="Recent log lines")
def recent_logs(
    ctx: Ctx, limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    level: LevelParam = None, item_id: ItemParam = None,
) -> list[dict[str, Any]]:
    return [r.to_dict() for r in ctx.logs.tail(limit, level=level, item_id=item_id)]
