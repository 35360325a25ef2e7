"""What a stage returns, and what it is given besides the item.

A stage never writes the queue: it says what happened, and the worker that ran it applies that
in one write transaction (fields, event, status, stage).

- ``Advance``: the step is done; go on to ``stage`` (``done`` completes the item).
- ``Wait``: nothing went wrong, look again in ``seconds`` (the media server has not indexed the
  file yet, or its key is being rejected and the lane waits for it).
- ``Fail``: a transient or permanent error with its cause code; the retry policy decides when,
  or whether, the item is tried again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from emby_processor.errors import ProcessingError
from emby_processor.item import NewEvent, QueueItem
from emby_processor.metadata import MovieMetadata
from emby_processor.vocabulary import Stage

ItemLog = logging.LoggerAdapter[logging.Logger]


@dataclass(frozen=True)
class Advance:
    """The step is done; go on to ``stage`` (``done`` completes the item)."""

    stage: Stage
    event: NewEvent
    #: columns to record with it
    fields: Mapping[str, Any] = field(default_factory=dict)
    #: replace the item's actresses
    actresses: Sequence[str] | None = None
    #: the metadata this step produced (its JSON is in ``fields``), handed on parsed
    movie: MovieMetadata | None = None


@dataclass(frozen=True)
class Wait:
    """Not an error: look again in ``seconds``."""

    seconds: float
    event: NewEvent | None = None
    fields: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Fail:
    """Transient or permanent, with a cause code; ``fields`` undo stage state."""

    error: ProcessingError
    fields: Mapping[str, Any] = field(default_factory=dict)


Outcome = Advance | Wait | Fail


@dataclass
class StageContext:
    """What the worker gives a stage besides the item: its log, its clock and the one write a
    stage may need while it runs (the organizer's move intent, saved before the disk changes)."""

    log: ItemLog
    #: record the item's move intent now (None clears it); raises if it cannot
    save_intent: Callable[[str | None], None]
    #: time.monotonic() when the stage began
    started: float = field(default_factory=time.monotonic)

    def event(self, stage: Stage, outcome: str, message: str,
              payload: dict[str, Any] | None = None) -> NewEvent:
        """A timeline entry for this stage, timed from when it began."""
        return NewEvent(stage, outcome, message, elapsed_ms(self.started), payload)


def elapsed_ms(started: float) -> float:
    return round((time.monotonic() - started) * 1000, 1)


#: a stage with its collaborators bound: (item snapshot, context) -> outcome
StageFn = Callable[[QueueItem, StageContext], Outcome]
