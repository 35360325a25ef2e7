"""The whole service behind the page, for fix-in-place tests: the real watcher and workers
(``tests/pipeline/stack.py``'s ``InProcess``) against the fake upstreams, and the dashboard served
by uvicorn on the same database, as ``emby-processor run`` does."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from emby_processor.api import create_app
from emby_processor.composition import build_health
from emby_processor.db import QueueItem
from emby_processor.logbuffer import LogBuffer
from tests.fakes.server import ServerThread
from tests.pipeline.stack import InProcess, Stack, running_stack, wait_for


class LiveService:
    """``url`` is the dashboard; ``run`` the service (its db, items, settled…)."""

    def __init__(self, stack: Stack, run: InProcess, server: ServerThread) -> None:
        self.stack = stack
        self.run = run
        self.server = server

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def port(self) -> int:
        return self.server.port

    def item(self, name: str) -> QueueItem | None:
        return self.run.item(name)

    def wait_for_item(self, name: str, timeout: float = 30, **expected: Any) -> QueueItem:
        """The item of file ``name`` once its fields have the ``expected`` values."""

        def reached() -> QueueItem | None:
            item = self.run.item(name)
            if item and all(getattr(item, key) == value for key, value in expected.items()):
                return item
            return None

        found: QueueItem = wait_for(reached, timeout, lambda: self.run.describe())
        return found


@contextlib.contextmanager
def live_service(root: Path, monkeypatch: Any, **overrides: str) -> Iterator[LiveService]:
    with running_stack(root) as stack, InProcess(stack, monkeypatch, **overrides) as run:
        health = build_health(run.settings, run.db, run.upstreams)
        health.refresh_now()
        app = create_app(run.settings, db=run.db, logs=LogBuffer(1000), health=health,
                         keepalive_seconds=1.0)
        server = ServerThread(app).start()
        try:
            yield LiveService(stack, run, server)
        finally:
            server.stop()
