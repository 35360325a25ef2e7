"""``POST /api/notify/test``: send a test notification to every ``NOTIFY_URLS`` service now."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from emby_processor.api.deps import Ctx
from emby_processor.api.errors import error_json
from emby_processor.api.schemas import NotifyTestOut, error_responses
from emby_processor.errors import ConfigError
from emby_processor.notify import build_sender, messages

router = APIRouter(tags=["system"], responses=error_responses(401, 403, 409, 422, 500))


@router.post("/api/notify/test", response_model=NotifyTestOut,
             summary="Send a test notification; says what each service answered")
async def notify_test(ctx: Ctx) -> Any:
    if not ctx.settings.notify_urls:
        return error_json(409, "NOTIFY_URLS is not set: there is nowhere to send to")
    try:
        sender = build_sender(ctx.settings)
    except ConfigError as error:
        return error_json(409, str(error))
    message = messages.test(ctx.settings.public_url)
    deliveries = await run_in_threadpool(sender.send, message.title, message.body, message.level)
    return {"sent": any(d.ok for d in deliveries),
            "deliveries": [asdict(d) for d in deliveries]}
