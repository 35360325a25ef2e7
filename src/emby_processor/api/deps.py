"""What the routes need, carried on ``app.state`` instead of module globals."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request

from emby_processor.api.cleanupjob import CleanupRunner
from emby_processor.api.logstream import LogNotifier
from emby_processor.config import Settings
from emby_processor.db import QueueDB
from emby_processor.health import HealthMonitor
from emby_processor.logbuffer import LogBuffer


@dataclass
class AppContext:
    settings: Settings
    db: QueueDB
    logs: LogBuffer
    health: HealthMonitor
    notifier: LogNotifier
    keepalive_seconds: float = 15.0
    log_backlog: int = 100
    #: downloads an image a provider named (a candidate's cover); None where nothing may
    images: Callable[[str], bytes] | None = None
    #: the cleanup job of this process (``POST /api/cleanup``)
    cleanups: CleanupRunner = field(init=False)

    def __post_init__(self) -> None:
        self.cleanups = CleanupRunner(self.db)


async def _context(request: Request) -> AppContext:
    # async on purpose: a sync dependency would cost a thread-pool hop on every request
    ctx: AppContext = request.app.state.ctx
    return ctx


Ctx = Annotated[AppContext, Depends(_context)]
