"""A lane worker: a small loop over pipeline stages.

``step()`` claims the next due item of its lane, runs the item's stage, applies the outcome in
one write transaction (fields, event, status and stage together) and, while the next stage is
in the same lane, runs it at once on the updated snapshot: the row is not read again and the
metadata the previous stage parsed is handed on as it is. The FileProcessor is the lane
``file`` (identify → metadata → organize), the EmbyUpdater the lane ``emby`` (publish).

Stages never touch the database; what they need to write while they run (the organizer's move
intent) is a callable this worker gives them in their ``StageContext``.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Mapping

from emby_processor.db import ItemConflict, QueueDB
from emby_processor.errors import ProcessingError, TransientError
from emby_processor.item import QueueItem
from emby_processor.logbuffer import item_logger
from emby_processor.pipeline.outcome import (
    Advance,
    Fail,
    ItemLog,
    Outcome,
    StageContext,
    StageFn,
    Wait,
    elapsed_ms,
)
from emby_processor.vocabulary import Lane, Stage, lane_of
from emby_processor.workers.backoff import RetryPolicy
from emby_processor.workers.base import Control, WorkerStats

#: stages run back to back on one claim at most (a stage that advances to itself, as publish
#: does after announcing, counts each time)
MAX_STAGES_PER_CLAIM = 8


class LaneWorker:
    def __init__(
        self, kind: str, lane: Lane, stages: Mapping[Stage, StageFn], *, db: QueueDB,
        policy: RetryPolicy, control: Control, owner: str, stats: WorkerStats | None = None,
        ready: Callable[[], str | None] | None = None,
        handed_on: Callable[[Stage], None] = lambda stage: None,
    ) -> None:
        self.kind = kind
        self.lane = lane
        self.stages = dict(stages)
        self.db = db
        self.policy = policy
        self.control = control
        self.owner = owner
        self.stats = stats or WorkerStats()
        self._ready = ready
        #: told when an item was released at a stage of another lane (rings its doorbell)
        self._handed_on = handed_on
        self.logger = logging.getLogger(f"emby_processor.{kind}")

    def ready(self) -> str | None:
        """None when the worker can take items now, else why not (shown in its heartbeat)."""
        return self._ready() if self._ready is not None else None

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
        failed = False
        try:
            snapshot: QueueItem | None = item
            for _ in range(MAX_STAGES_PER_CLAIM):
                if snapshot is None:
                    break
                outcome, snapshot = self.run_stage(snapshot, hold=True)
                failed = isinstance(outcome, Fail) or outcome is None
            if snapshot is not None:  # still held after the most stages one claim may run
                self.db.advance(snapshot.id, self.owner, snapshot.stage)
        finally:
            self.stats.done(failed=failed)
        return True

    def run_stage(
        self, item: QueueItem, *, hold: bool
    ) -> tuple[Outcome | None, QueueItem | None]:
        """Run the stage ``item`` is at and apply its outcome.

        Returns the outcome (None when the lease was lost) and, when ``hold`` and the next stage
        is in this lane, the snapshot to go on with (the item stays claimed)."""
        log = item_logger(self.logger, item.id)
        ctx = StageContext(log, self._intent_saver(item.id))
        try:
            outcome = self._outcome(item, ctx)
            return outcome, self._apply(item, outcome, ctx, hold=hold)
        except ItemConflict as error:
            log.warning("lost the lease on item %s: %s", item.id, error)
            return None, None

    def _outcome(self, item: QueueItem, ctx: StageContext) -> Outcome:
        try:
            return self.stages[item.stage](item, ctx)
        except ItemConflict:
            raise  # the lease is gone (a move intent could not be saved): nothing to record
        except ProcessingError as error:
            return Fail(error)
        except Exception as error:  # a bug must not leave the item stuck in processing
            ctx.log.exception("internal error on item %s", item.id)
            return Fail(TransientError(f"internal error: {error!r}"))

    def _apply(
        self, item: QueueItem, outcome: Outcome, ctx: StageContext, *, hold: bool
    ) -> QueueItem | None:
        if isinstance(outcome, Advance):
            keep = (hold and lane_of(outcome.stage) == self.lane
                    and not self.control.stop_event.is_set())
            self.db.advance(item.id, self.owner, outcome.stage, hold=keep, event=outcome.event,
                            actresses=outcome.actresses, **outcome.fields)
            if not keep:
                if lane_of(outcome.stage) not in (None, self.lane):
                    self._handed_on(outcome.stage)
                return None
            return item.after(outcome.stage, outcome.fields, movie=outcome.movie,
                              actresses=outcome.actresses)
        if isinstance(outcome, Wait):
            self.db.defer(item.id, self.owner, outcome.seconds, event=outcome.event,
                          **outcome.fields)
            return None
        self._fail(item, outcome, ctx.log, ctx.started)
        return None

    def _fail(self, item: QueueItem, outcome: Fail, log: ItemLog, started: float) -> None:
        error = outcome.error
        retry_in = self.policy.next_retry(error, item.retry_count)
        failed = self.db.fail(
            item.id, self.owner, message=error.message, kind=error.kind, retry_in=retry_in,
            cause=error.cause, duration_ms=elapsed_ms(started), fields=dict(outcome.fields),
            payload={"kind": error.kind, "cause": error.cause, "retry_in_seconds": retry_in,
                     **error.details},
        )
        name = item.movie_code or f"item {item.id}"
        if retry_in is None:
            why = "needs attention" if error.kind == "permanent" else "retries used up"
            log.error("%s failed at %s (%s): %s", name, failed.stage, why, error.message)
        else:
            log.warning("%s failed at %s, retry %d of %d in %.0f s: %s", name, failed.stage,
                        failed.retry_count, self.policy.max_retries, retry_in, error.message)

    def _intent_saver(self, item_id: int) -> Callable[[str | None], None]:
        def save(intent: str | None) -> None:
            self.db.update_fields(item_id, self.owner, organize_intent=intent)

        return save

    def close(self) -> None:
        item_id = self.stats.current_item
        if item_id is not None:
            with contextlib.suppress(ItemConflict):
                self.db.release(item_id, self.owner)
