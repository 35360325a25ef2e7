"""The records the store, the pipeline and the API share: the item snapshot and its events.

A ``QueueItem`` is one video file's state as the store last wrote it. Workers hand a snapshot to
each pipeline stage and, when the next stage is in the same lane, carry the updated snapshot on
(``QueueItem.after``) instead of reading the row again.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from functools import cached_property
from typing import Any, NamedTuple, Protocol

from emby_processor import catalogue
from emby_processor.metadata import MovieMetadata
from emby_processor.safetext import display_path
from emby_processor.vocabulary import ROW_FIELD_NAMES, CauseCode, Stage, Status

_JSON_COLUMNS = ("actresses", "warnings")
_FLAGS = ("subtitles", "uncensored", "refresh_metadata", "person_asked")
#: the columns that hold file paths: stored losslessly (``db/text.py``), shown readably
PATH_COLUMNS = frozenset({"file_path", "library_path", "server_path"})


def path_value(value: object) -> str | None:
    """A path column as read: the file system's string for it (a non-UTF-8 name is its bytes)."""
    if isinstance(value, bytes):
        return os.fsdecode(value)
    return value if isinstance(value, str) else None


class Row(Protocol):
    """What ``sqlite3.Row`` offers: its keys, and values by key."""

    def keys(self) -> list[str]: ...

    def __getitem__(self, key: str) -> Any: ...


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
    #: the movies an uncertain match could be (JSON), kept for a person to choose
    candidates_json: str | None = None
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
    #: a person asked for this item (Retry, Re-fetch): its next media-server step may overwrite
    #: fields that are locked on the server
    person_asked: bool = False
    lease_owner: str | None = None
    lease_expires_at: str | None = None
    warnings: list[str] = field(default_factory=list)
    created_at: str = ""
    updated_at: str = ""
    completed_at: str | None = None
    #: how a person settled a duplicate: ``replace`` or ``keep_both`` (the organize stage reads it)
    resolution: str | None = None

    @classmethod
    def from_row(cls, row: Row) -> QueueItem:
        data: dict[str, Any] = {k: row[k] for k in row.keys() if k in _FIELDS}  # noqa: SIM118
        for key in _JSON_COLUMNS:
            data[key] = json.loads(data[key]) if data.get(key) else []
        for key in _FLAGS:
            data[key] = bool(data.get(key))
        for key in PATH_COLUMNS:
            data[key] = path_value(data.get(key))
        return cls(**data)

    @property
    def metadata(self) -> dict[str, Any] | None:
        return json.loads(self.metadata_json) if self.metadata_json else None

    @cached_property
    def movie(self) -> MovieMetadata | None:
        """The metadata as the model, parsed once per snapshot."""
        if not self.metadata_json:
            return None
        return MovieMetadata.model_validate_json(self.metadata_json)

    @property
    def cause(self) -> CauseCode | None:
        return self.error_cause

    @property
    def message(self) -> str | None:
        """What went wrong, in a plain sentence (the message catalogue); None without an error."""
        if self.status != "error":
            return None
        name = os.path.basename(display_path(self.file_path))
        return catalogue.message(self.error_cause, code=self.movie_code, name=name,
                                 error=self.error_message)

    @property
    def hint(self) -> str | None:
        """What to do about the error; None without one."""
        return catalogue.hint(self.error_cause) if self.status == "error" else None

    @property
    def needs_person(self) -> bool:
        """In error with no automatic attempt left: permanent, or its retries are used up."""
        return self.status == "error" and (
            self.error_kind == "permanent" or self.next_attempt_at is None)

    def actions(self) -> list[str]:
        """What a person can do that can succeed now (``catalogue.item_actions``)."""
        return list(catalogue.item_actions(
            status=self.status, cause=self.error_cause, code=self.movie_code,
            filed=self.library_path is not None))

    def after(
        self, stage: Stage, fields: Mapping[str, Any], *, movie: MovieMetadata | None = None,
        actresses: Sequence[str] | None = None,
    ) -> QueueItem:
        """The snapshot once a step's outcome is applied: ``fields`` set, at ``stage``, no error.

        ``movie`` is the metadata the step fetched (its JSON is in ``fields``): the next stage
        gets it without parsing the JSON again."""
        changes: dict[str, Any] = {
            "stage": stage, "error_message": None, "error_kind": None, "error_cause": None,
            **fields,
        }
        if actresses is not None:
            unique = unique_names(actresses)
            changes["actresses"] = unique
            changes["actress"] = unique[0] if unique else None
        nxt = dataclasses.replace(self, **changes)
        if movie is not None:
            nxt.__dict__["movie"] = movie
        elif "metadata_json" not in fields and "movie" in self.__dict__:
            nxt.__dict__["movie"] = self.__dict__["movie"]
        return nxt

    def summary(self) -> dict[str, Any]:
        """The fields of a queue-table row (``vocabulary.ROW_FIELDS``), paths as shown."""
        return _shown({name: getattr(self, name) for name in ROW_FIELD_NAMES})

    def to_dict(self) -> dict[str, Any]:
        """Every field for the API; paths as shown (``file_path`` is the file system's)."""
        data = _shown(asdict(self))
        data.pop("metadata_json")
        candidates = data.pop("candidates_json")
        data["candidate_count"] = len(json.loads(candidates)) if candidates else 0
        data["cause"] = data.pop("error_cause")
        data["message"], data["hint"] = self.message, self.hint
        data["actions"] = self.actions()
        data["metadata"] = self.metadata
        return data


_FIELDS = {f.name for f in dataclasses.fields(QueueItem)}


def _shown(data: dict[str, Any]) -> dict[str, Any]:
    for key in PATH_COLUMNS & data.keys():
        if isinstance(data[key], str):
            data[key] = display_path(data[key])
    return data


def unique_names(names: Sequence[str]) -> list[str]:
    """Names in order, each once, blanks dropped (the first one is the display actress)."""
    return list(dict.fromkeys(n for n in names if n))


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
    def from_row(cls, row: Row) -> ItemEvent:
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
