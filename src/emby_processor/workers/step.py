"""Run one stage of one item in the calling thread, the way a lane worker would (for tests).

Like huey's ``execute_next``: no threads, no supervisor, no sleeping. The item is claimed, its
stage runs, the outcome is applied exactly as ``LaneWorker`` applies it, and the item is then
released at its next stage, so the following call runs that stage::

    worker = LaneWorker("FileProcessor", "file", stages, db=db, ...)
    first = execute_next(worker)          # identify
    assert first.after.stage == "metadata"
"""

from __future__ import annotations

from dataclasses import dataclass

from emby_processor.item import QueueItem
from emby_processor.pipeline.outcome import Outcome
from emby_processor.workers.lane import LaneWorker


@dataclass(frozen=True)
class StepResult:
    #: the snapshot the stage ran on
    before: QueueItem
    #: what the stage returned (None when the lease was lost meanwhile)
    outcome: Outcome | None
    #: the item as the store has it afterwards
    after: QueueItem


def execute_next(worker: LaneWorker) -> StepResult | None:
    """Claim the lane's next due item and run one stage of it; None when nothing is due."""
    item = worker.db.claim(worker.lane, worker.owner)
    if item is None:
        return None
    outcome, _ = worker.run_stage(item, hold=False)
    return StepResult(item, outcome, worker.db.require(item.id))


def execute_all(worker: LaneWorker, limit: int = 100) -> list[StepResult]:
    """``execute_next`` until nothing in the lane is due (at most ``limit`` steps)."""
    results: list[StepResult] = []
    while len(results) < limit and (result := execute_next(worker)) is not None:
        results.append(result)
    return results
