"""The shared shape of FileProcessor and EmbyUpdater: claim an item, run its stage, record it.

Subclasses only say which lane they serve and what a stage does; claiming, the event timeline,
error classification, backoff and counters live here once.
"""

from __future__ import annotations

import contextlib
import logging
import time
from typing import Any

from emby_processor.db import ItemConflict, NewEvent, QueueDB, QueueItem
from emby_processor.db.models import Lane
from emby_processor.errors import ProcessingError, TransientError
from emby_processor.logbuffer import item_logger
from emby_processor.workers.backoff import RetryPolicy
from emby_processor.workers.base import Control, WorkerStats

ItemLog = logging.LoggerAdapter[logging.Logger]


class StageDeferred(Exception):
    """Raised by a stage that put its item back to wait (the item is already released)."""


class ItemWorker:
    kind = "ItemWorker"
    lane: Lane = "file"

    def __init__(
        self, db: QueueDB, policy: RetryPolicy, control: Control, owner: str,
        stats: WorkerStats | None = None,
    ) -> None:
        self.db = db
        self.policy = policy
        self.control = control
        self.owner = owner
        self.stats = stats or WorkerStats()
        self.logger = logging.getLogger(f"emby_processor.{self.kind}")

    # what subclasses provide ---------------------------------------------------------------
    def ready(self) -> str | None:
        """None when the worker can take items now, else why not (shown in its heartbeat)."""
        return None

    def handle(self, item: QueueItem, log: ItemLog) -> None:
        raise NotImplementedError

    # the step ------------------------------------------------------------------------------
    def step(self) -> bool:
        if self.control.stop_event.is_set() or self.control.paused():
            return False
        blocked = self.ready()
        if blocked is not None:
            self.stats.message = blocked
            return False
        self.stats.message = None
        item = self.db.claim(self.lane, self.owner)
        if item is None:
            return False
        self.stats.busy(item.id)
        log = item_logger(self.logger, item.id)
        started = time.monotonic()
        stage = item.stage
        try:
            self.handle(item, log)
        except StageDeferred:
            self.stats.done()
        except ItemConflict as error:
            log.warning("lost the lease on item %s: %s", item.id, error)
            self.stats.done(failed=True)
        except ProcessingError as error:
            self._fail(item, error, started, log)
        except Exception as error:  # a bug must not leave the item stuck in processing
            log.exception("internal error on item %s", item.id)
            self._fail(item, TransientError(f"internal error: {error!r}"), started, log)
        else:
            self.stats.done()
            log.debug("item %s: %s took %.0f ms", item.id, stage, _ms(started))
        return True

    def _fail(
        self, item: QueueItem, error: ProcessingError, started: float, log: ItemLog
    ) -> None:
        retry_in = self.policy.next_retry(error, item.retry_count)
        try:
            self.before_fail(item)
            failed = self.db.fail(
                item.id, self.owner, message=error.message, kind=error.kind, retry_in=retry_in,
                cause=error.cause,
                duration_ms=_ms(started),
                payload={"kind": error.kind, "cause": error.cause, "retry_in_seconds": retry_in},
            )
        except ItemConflict:
            log.warning("item %s failed after its lease was lost: %s", item.id, error.message)
            self.stats.done(failed=True)
            return
        if retry_in is None:
            why = "needs attention" if error.kind == "permanent" else "retries used up"
            log.error("%s failed at %s (%s): %s", _name(item), failed.stage, why, error.message)
        else:
            log.warning(
                "%s failed at %s, retry %d of %d in %.0f s: %s", _name(item), failed.stage,
                failed.retry_count, self.policy.max_retries, retry_in, error.message,
            )
        self.stats.done(failed=True)

    def before_fail(self, item: QueueItem) -> None:
        """Hook: undo stage-specific state before the item is marked failed."""

    @staticmethod
    def record(
        stage: str, outcome: str, message: str, started: float,
        payload: dict[str, Any] | None = None,
    ) -> NewEvent:
        """A timeline entry for a step that began at ``started`` (monotonic seconds)."""
        return NewEvent(stage, outcome, message, _ms(started), payload)

    def close(self) -> None:
        item_id = self.stats.current_item
        if item_id is not None:
            with contextlib.suppress(ItemConflict):
                self.db.release(item_id, self.owner)


def _ms(started: float) -> float:
    return round((time.monotonic() - started) * 1000, 1)


def _name(item: QueueItem) -> str:
    return item.movie_code or f"item {item.id}"
