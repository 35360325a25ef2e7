"""Recent log records in memory, fanned out to live subscribers (the SSE log stream).

The dashboard's live log never re-reads files: a logging handler appends every record to a ring
buffer with a monotonically increasing id, and wakes the subscribers. A subscriber that falls
behind loses nothing that is still in the ring; it resumes from the last id it saw.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from emby_processor.safetext import safe_line

LEVELS = {"DEBUG": 10, "INFO": 20, "WARNING": 30, "ERROR": 40, "CRITICAL": 50}
#: longer messages are cut: the ring holds ``capacity`` records, so this bounds its memory
MAX_MESSAGE_CHARS = 4000


@dataclass(frozen=True)
class LogRecord:
    id: int
    time: str
    level: str
    logger: str
    message: str
    item_id: int | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def matcher(level: str | None, item_id: int | None) -> Callable[[LogRecord], bool]:
    """The live log's filters: at least ``level``, and only ``item_id``'s lines when given."""
    minimum = LEVELS.get(level.upper(), 0) if level else 0

    def wanted(record: LogRecord) -> bool:
        return LEVELS.get(record.level, 0) >= minimum and (
            item_id is None or record.item_id == item_id
        )

    return wanted


class LogBuffer:
    """A bounded ring of records plus a condition variable for waiting readers."""

    def __init__(self, capacity: int = 1000) -> None:
        self._records: deque[LogRecord] = deque(maxlen=capacity)
        self._next_id = 1
        self._cond = threading.Condition()
        self.subscribers = 0

    @property
    def last_id(self) -> int:
        return self._next_id - 1

    def append(
        self, level: str, logger: str, message: str, item_id: int | None = None,
        created: float | None = None,
    ) -> LogRecord:
        """Add a record; its text is made safe here, once, for every reader and stream."""
        moment = datetime.fromtimestamp(created, UTC) if created else datetime.now(UTC)
        message = safe_text(message)
        logger = safe_text(logger)
        with self._cond:
            record = LogRecord(
                id=self._next_id,
                time=moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
                level=level,
                logger=logger,
                message=message,
                item_id=item_id,
            )
            self._next_id += 1
            self._records.append(record)
            self._cond.notify_all()
        return record

    def since(
        self, after_id: int = 0, *, limit: int | None = None, level: str | None = None,
        item_id: int | None = None,
    ) -> list[LogRecord]:
        """Records with id > ``after_id`` matching the filters, oldest first."""
        wanted = matcher(level, item_id)
        with self._cond:
            snapshot = list(self._records)
        selected = [r for r in snapshot if r.id > after_id and wanted(r)]
        return selected[-limit:] if limit is not None else selected

    def tail(self, limit: int, **filters: Any) -> list[LogRecord]:
        return self.since(0, limit=limit, **filters)

    def wait(self, after_id: int, timeout: float) -> bool:
        """Block until a record newer than ``after_id`` exists (True) or the timeout passes."""
        with self._cond:
            return self._cond.wait_for(lambda: self._next_id - 1 > after_id, timeout=timeout)

    def wake_all(self) -> None:
        with self._cond:
            self._cond.notify_all()


def safe_text(text: str) -> str:
    """One line of a record as the page may show it: no lone surrogates, no control codes
    (``safetext.safe_line``; newlines and tabs are kept), at most ``MAX_MESSAGE_CHARS``."""
    if len(text) > MAX_MESSAGE_CHARS:
        text = f"{text[:MAX_MESSAGE_CHARS]}… ({len(text) - MAX_MESSAGE_CHARS} characters cut)"
    return safe_line(text)


class BufferHandler(logging.Handler):
    """Copies every formatted record into a LogBuffer, with its item id when it has one."""

    def __init__(self, buffer: LogBuffer) -> None:
        super().__init__()
        self.buffer = buffer

    def emit(self, record: logging.LogRecord) -> None:
        try:
            item_id = getattr(record, "item_id", None)
            self.buffer.append(
                record.levelname, record.name, record.getMessage(),
                item_id if isinstance(item_id, int) else None, record.created,
            )
        except Exception:  # a log handler must never take the caller down
            self.handleError(record)


LOG_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


def setup_logging(level: str, buffer: LogBuffer) -> None:
    """One format on stderr, and the in-memory buffer for the dashboard."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, BufferHandler) or getattr(handler, "_emby_processor", False):
            root.removeHandler(handler)
    console = logging.StreamHandler()
    console.setFormatter(logging.Formatter(LOG_FORMAT))
    console._emby_processor = True  # type: ignore[attr-defined]
    root.addHandler(console)
    root.addHandler(BufferHandler(buffer))
    root.setLevel(level)
    for noisy in ("httpx", "httpcore", "watchfiles", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))


def item_logger(logger: logging.Logger, item_id: int) -> logging.LoggerAdapter[logging.Logger]:
    """A logger whose records carry the item id (the dashboard filters by it)."""
    return logging.LoggerAdapter(logger, {"item_id": item_id})
