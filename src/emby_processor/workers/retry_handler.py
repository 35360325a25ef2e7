"""RetryHandler: expired leases back to pending, transient errors back once their backoff passed."""

from __future__ import annotations

import logging
from collections.abc import Callable

from emby_processor.db import QueueDB
from emby_processor.workers.backoff import RetryPolicy
from emby_processor.workers.base import Control, WorkerStats

logger = logging.getLogger("emby_processor.RetryHandler")


class RetryHandler:
    kind = "RetryHandler"

    def __init__(
        self, db: QueueDB, policy: RetryPolicy, control: Control, stats: WorkerStats | None = None,
        due: Callable[[int], None] = lambda count: None,
    ) -> None:
        self.db = db
        #: told how many items it made due again (rings the lanes' doorbells)
        self.due = due
        self.policy = policy
        self.control = control
        self.stats = stats or WorkerStats()

    def step(self) -> bool:
        recovered = self.db.requeue_expired_leases()
        for item_id in recovered:
            logger.warning("item %s: its worker stopped holding it; back to pending", item_id,
                           extra={"item_id": item_id})
        retried: list[int] = []
        if not self.control.paused():
            retried = self.db.promote_retries(self.policy.max_retries)
            for item_id in retried:
                logger.info("item %s: retrying after backoff", item_id, extra={"item_id": item_id})
        with self.stats.lock:
            self.stats.processed += len(recovered) + len(retried)
        if recovered or retried:
            self.due(len(recovered) + len(retried))
        # one pass does everything that is due; the supervisor waits before the next one
        return False

    def close(self) -> None:
        pass
