"""The queue store: SQLite behind one small class."""

from emby_processor.db.filters import QueueFilter, Sort
from emby_processor.db.models import (
    STAGES,
    STATUSES,
    Heartbeat,
    ItemEvent,
    NewEvent,
    QueueItem,
    Stage,
    Status,
)
from emby_processor.db.store import ItemConflict, ItemNotFound, QueueDB, UnknownCandidate

__all__ = [
    "STAGES",
    "STATUSES",
    "Heartbeat",
    "ItemConflict",
    "ItemEvent",
    "ItemNotFound",
    "NewEvent",
    "QueueDB",
    "QueueFilter",
    "QueueItem",
    "Sort",
    "Stage",
    "Status",
    "UnknownCandidate",
]
