"""The notifier: one more worker under the supervisor, apart from the pipeline.

Each step it reads the item events written since the last one it saw (its position is kept in
the ``control`` table) and the overall health, and collects what a person should hear:

- items that failed so that a person has to act (a permanent error, or retries used up);
- a change of the overall health that lasted a whole batch window (a blip is not news);
- once a day at ``NOTIFY_DIGEST_HOUR`` (the machine's local time), a digest: "42 filed, 3 need
  you".

What is collected goes out as one message when the oldest entry is ``NOTIFY_BATCH_SECONDS`` old,
so a burst of 500 failures is one message. The position is saved only once the message went out
(or was given up after three tries), so a restart neither repeats nor loses a notification.
Sending never blocks the pipeline: it happens on this worker's thread, and a failure is logged.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from emby_processor.db import QueueDB
from emby_processor.notify import messages
from emby_processor.notify.messages import HealthChange, Message, NeedsYou
from emby_processor.notify.sender import Sender

logger = logging.getLogger("emby_processor.notify")

POSITION_KEY = "notify.last_event_id"
HEALTH_KEY = "notify.health"
DIGEST_KEY = "notify.digest_date"
#: events read in one step at most (a long outage is caught up over several steps)
READ_LIMIT = 50_000
ATTEMPTS = 3
HEALTH_EVERY_SECONDS = 10.0

HealthReport = Callable[[], dict[str, object]]


@dataclass
class _Batch:
    items: dict[int, NeedsYou] = field(default_factory=dict)
    health: HealthChange | None = None
    started: float | None = None  # monotonic time of its first entry
    attempts: int = 0
    next_try: float = 0.0

    def empty(self) -> bool:
        return not self.items and self.health is None


class Notifier:
    kind = "Notifier"

    def __init__(
        self, db: QueueDB, sender: Sender, *, health: HealthReport | None,
        public_url: str | None, batch_seconds: float = 60.0, digest_hour: int | None = 9,
        clock: Callable[[], datetime] = lambda: datetime.now().astimezone(),
    ) -> None:
        self.db = db
        self.sender = sender
        self.health = health
        self.public_url = public_url
        self.batch_seconds = batch_seconds
        self.digest_hour = digest_hour
        self.clock = clock
        self._batch = _Batch()
        self._position: int | None = None  # events up to here are read (saved when handled)
        self._health_seen: tuple[str, float, tuple[str, ...]] | None = None
        self._health_checked = 0.0
        self._digest_retry = 0.0

    # the worker -------------------------------------------------------------------------------
    def step(self) -> bool:
        self._read_events()
        self._watch_health()
        self._flush()
        self._digest()
        return False  # the supervisor waits idle_seconds before the next step

    def close(self) -> None:
        """At shutdown: what is collected is not sent now; the next start reads it again."""

    # collecting -------------------------------------------------------------------------------
    def _read_events(self) -> None:
        if self._position is None:
            saved = self.db.get_control(POSITION_KEY)
            if saved is None:  # first start: only what happens from now on
                saved = str(self.db.last_event_id())
                self.db.set_control(POSITION_KEY, saved)
            self._position = int(saved)
        upto = min(self.db.last_event_id(), self._position + READ_LIMIT)
        if upto <= self._position:
            return
        for row in self.db.failures_between(self._position, upto):
            if row["needs_person"]:
                self._add_item(NeedsYou(row["item_id"], str(row["name"]), row["cause"],
                                        str(row["message"])))
        self._position = upto
        if self._batch.empty():  # nothing waits to be sent: what was read is handled
            self.db.set_control(POSITION_KEY, str(upto))

    def _add_item(self, item: NeedsYou) -> None:
        self._batch.items[item.item_id] = item  # one line per item, its latest failure
        if self._batch.started is None:
            self._batch.started = time.monotonic()

    def _watch_health(self) -> None:
        if self.health is None or time.monotonic() - self._health_checked < HEALTH_EVERY_SECONDS:
            return
        self._health_checked = time.monotonic()
        report = self.health()
        status = str(report.get("status"))
        checks = report.get("checks")
        reasons = tuple(
            f"{name}: {check.get('message', '')}" for name, check in
            (checks.items() if isinstance(checks, dict) else ())
            if isinstance(check, dict) and check.get("status") != "ok")
        told = self.db.get_control(HEALTH_KEY)
        if status == told:
            self._health_seen = None
            if self._batch.health is not None and self._batch.attempts == 0:
                self._batch.health = None  # it came back before anyone was told
            return
        if self._health_seen is None or self._health_seen[0] != status:
            self._health_seen = (status, time.monotonic(), reasons)
            return
        if time.monotonic() - self._health_seen[1] >= self.batch_seconds:
            if told is None:  # the first status that lasted: nothing changed for anyone yet
                self.db.set_control(HEALTH_KEY, status)
                self._health_seen = None
                return
            self._batch.health = HealthChange(told, status, reasons)
            if self._batch.started is None:  # it has waited its window already
                self._batch.started = self._health_seen[1]

    # sending ----------------------------------------------------------------------------------
    def _flush(self) -> None:
        batch = self._batch
        if batch.empty() or batch.started is None:
            return
        now = time.monotonic()
        if now - batch.started < self.batch_seconds or now < batch.next_try:
            return
        message = messages.batch(list(batch.items.values()), batch.health, self.public_url)
        if not self._send(message):
            batch.attempts += 1
            if batch.attempts < ATTEMPTS:
                batch.next_try = now + self.batch_seconds * 2 ** batch.attempts
                return
            logger.error("notification given up after %d tries: %s", ATTEMPTS, message.title)
        if batch.health is not None:
            self.db.set_control(HEALTH_KEY, batch.health.after)
        self._batch = _Batch()
        if self._position is not None:
            self.db.set_control(POSITION_KEY, str(self._position))

    def _send(self, message: Message) -> bool:
        deliveries = self.sender.send(message.title, message.body, message.level)
        if deliveries and all(d.ok for d in deliveries):
            logger.info("notified: %s", message.title)
            return True
        return any(d.ok for d in deliveries)  # one service that took it is enough

    def _digest(self) -> None:
        if self.digest_hour is None or time.monotonic() < self._digest_retry:
            return
        now = self.clock()
        today = now.date().isoformat()
        done = self.db.get_control(DIGEST_KEY)
        if done == today or now.hour < self.digest_hour:
            return
        if done is None and now.hour > self.digest_hour:
            self.db.set_control(DIGEST_KEY, today)  # first start after the hour: from tomorrow
            return
        totals = self.db.outcome_totals(now - timedelta(hours=24))
        backlog = self.db.history("24h")["backlog"]["total"]
        message = messages.digest(totals["completed"], self.db.needs_attention_count(),
                                  totals["retrying"], int(backlog), self.public_url)
        if self._send(message):
            self.db.set_control(DIGEST_KEY, today)
        else:
            self._digest_retry = time.monotonic() + 300
