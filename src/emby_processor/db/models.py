"""Row types of the queue store: the shared item records (``emby_processor.item``) and the
store's own heartbeat rows."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from emby_processor.item import ItemEvent, NewEvent, QueueItem
from emby_processor.vocabulary import STAGES, STATUSES, Lane, Stage, Status

__all__ = ["STAGES", "STATUSES", "Heartbeat", "ItemEvent", "Lane", "NewEvent", "QueueItem",
           "Stage", "Status"]


@dataclass
class Heartbeat:
    name: str
    state: str
    current_item: int | None
    processed: int
    failed: int
    pid: int
    message: str | None
    started_at: str
    beat_at: str
    #: the process that wrote the row (host:pid:token); rows are merged by kind for readers
    process: str = ""

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Heartbeat:
        return cls(**{key: row[key] for key in row.keys()})  # noqa: SIM118
