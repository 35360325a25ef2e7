"""Row types of the queue store."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict, dataclass, field
from typing import Any, NamedTuple

from emby_processor.db.text import PATH_COLUMNS, path_value
from emby_processor.safetext import display_path
from emby_processor.vocabulary import (
    ROW_FIELD_NAMES,
    STAGES,
    STATUSES,
    CauseCode,
    Lane,
    Stage,
    Status,
)

__all__ = ["STAGES", "STATUSES", "Heartbeat", "ItemEvent", "Lane", "NewEvent", "QueueItem",
           "Stage", "Status"]

_JSON_COLUMNS = ("actresses", "warnings")


@dataclass
class QueueItem:
    """One video file's journey through the pipeline."""

    id: int
    file_path: str
    file_size: int
    file_mtime_ns: int
    status: Status
    stage: Stage
    movie_code: str | None = None
    part: int | None = None
    subtitles: bool = False
    uncensored: bool = False
    code_rule: str | None = None
    actress: str | None = None
    actresses: list[str] = field(default_factory=list)
    title: str | None = None
    metadata_json: str | None = None
    library_path: str | None = None
    server_path: str | None = None
    organize_intent: str | None = None
    emby_id: str | None = None
    emby_wait_started_at: str | None = None
    error_message: str | None = None
    error_kind: str | None = None
    error_cause: CauseCode | None = None
    retry_count: int = 0
    next_attempt_at: str | None = None
    refresh_metadata: bool = False
    lease_owner: str | None = None
    lease_expires_at: str | None = None
    warnings: list[str] = field(default_factory=list)
    created_at: str = ""
    updated_at: str = ""
    completed_at: str | None = None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> QueueItem:
        # sqlite3.Row iterates over values, so the keys must be asked for
        data: dict[str, Any] = {k: row[k] for k in row.keys() if k in _FIELDS}  # noqa: SIM118
        for key in _JSON_COLUMNS:
            data[key] = json.loads(data[key]) if data.get(key) else []
        for key in ("subtitles", "uncensored", "refresh_metadata"):
            data[key] = bool(data.get(key))
        for key in PATH_COLUMNS:
            data[key] = path_value(data.get(key))
        return cls(**data)

    @property
    def metadata(self) -> dict[str, Any] | None:
        return json.loads(self.metadata_json) if self.metadata_json else None

    @property
    def cause(self) -> CauseCode | None:
        return self.error_cause

    def summary(self) -> dict[str, Any]:
        """The fields of a queue-table row (``vocabulary.ROW_FIELDS``), paths as shown."""
        return _shown({name: getattr(self, name) for name in ROW_FIELD_NAMES})

    def to_dict(self) -> dict[str, Any]:
        """Every field for the API; paths as shown (``file_path`` is the file system's)."""
        data = _shown(asdict(self))
        data.pop("metadata_json")
        data["cause"] = data.pop("error_cause")
        data["metadata"] = self.metadata
        return data


_FIELDS = set(QueueItem.__dataclass_fields__)


def _shown(data: dict[str, Any]) -> dict[str, Any]:
    for key in PATH_COLUMNS & data.keys():
        if isinstance(data[key], str):
            data[key] = display_path(data[key])
    return data


class NewEvent(NamedTuple):
    """A timeline entry written in the same transaction as the state change it describes."""

    stage: str
    outcome: str
    message: str
    duration_ms: float | None = None
    payload: dict[str, Any] | None = None


@dataclass
class ItemEvent:
    id: int
    item_id: int
    at: str
    stage: str
    outcome: str
    message: str
    duration_ms: float | None
    payload: dict[str, Any] | None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> ItemEvent:
        return cls(
            id=row["id"],
            item_id=row["item_id"],
            at=row["at"],
            stage=row["stage"],
            outcome=row["outcome"],
            message=row["message"],
            duration_ms=row["duration_ms"],
            payload=json.loads(row["payload"]) if row["payload"] else None,
        )


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
