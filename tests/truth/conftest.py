"""End-to-end tests against fakes that behave as the real servers do (docs/compatibility.md).

Each test turns on one behaviour of a fake (a switch documented in ``tests/fakes``) and asserts
what a user of the service would notice. Tests marked ``xfail(strict=True)`` reproduce a
mistake of the service as it stands: they pass today only because the service gets it wrong,
and fail (as unexpectedly passing) once it is fixed, which is the moment to drop the mark.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.pipeline.stack import SERVER_LIBRARY, InProcess, Stack, running_stack, wait_for

if TYPE_CHECKING:
    from emby_processor.db import QueueItem

#: retries for tests whose failure would otherwise retry for minutes
MAX_RETRIES = 1
#: settings that make a service that gets it wrong give up within seconds
QUICK = {"MAX_RETRIES": str(MAX_RETRIES), "EMBY_ITEM_WAIT_SECONDS": "3"}


@pytest.fixture
def emby(tmp_path: Path) -> Iterator[Stack]:
    with running_stack(tmp_path, dialect="emby") as stack:
        yield stack


@pytest.fixture
def jellyfin(tmp_path: Path) -> Iterator[Stack]:
    with running_stack(tmp_path, dialect="jellyfin") as stack:
        yield stack


def _over(item: QueueItem) -> bool:
    """Completed, waiting for a person, or out of automatic retries."""
    return item.status == "completed" or (item.status == "error" and (
        item.error_kind == "permanent" or item.retry_count > MAX_RETRIES
    ))


def finished(run: InProcess, count: int, timeout: float = 40) -> dict[str, QueueItem]:
    """The items by file name once there are ``count`` and none will move on by itself."""

    def over() -> list[QueueItem]:
        items = run.items()
        return items if len(items) == count and all(_over(i) for i in items) else []

    wait_for(over, timeout, run.describe)
    return run.by_name()


def server_path(stack: Stack, local: Path) -> str:
    """Where the media server sees a file of the library (the stack's path map)."""
    return f"{SERVER_LIBRARY}/{local.relative_to(stack.library).as_posix()}"


def file_one(stack: Stack, monkeypatch: pytest.MonkeyPatch, name: str, **env: str) -> QueueItem:
    """Drop ``name`` (its movie already seeded), run the service until it is over, return it."""
    stack.drop(name)
    with InProcess(stack, monkeypatch, **{**QUICK, **env}) as run:
        return finished(run, 1)[name]
