"""Live log lines for SSE clients without a thread per client.

``LogBuffer.wait`` blocks on a threading condition. One helper thread waits on it and wakes
every waiting SSE generator through its event loop, so a hundred open log streams cost one
thread and no polling. The thread exists only while someone waits.

Each record is encoded once for all streams, and the records a stream has to catch up on go
out as one chunk rather than one send each: a burst of lines to a hundred browsers is then a
few hundred socket writes, not a hundred thousand.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections.abc import AsyncIterator

from sse_starlette import ServerSentEvent

from emby_processor.logbuffer import LogBuffer, LogRecord, matcher


class LogNotifier:
    def __init__(self, logs: LogBuffer, *, poll_seconds: float = 1.0) -> None:
        self.logs = logs
        self.poll_seconds = poll_seconds
        self._lock = threading.Lock()
        self._waiters: set[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = set()
        self._thread: threading.Thread | None = None
        self._stopped = False
        self._encoded: dict[int, bytes] = {}
        self._window: tuple[int, list[LogRecord]] = (-1, [])

    async def wait(self, after_id: int, timeout: float) -> bool:
        """True as soon as a record newer than ``after_id`` exists; False after ``timeout``."""
        if self.logs.last_id > after_id:
            return True
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        entry = (loop, future)
        with self._lock:
            self._waiters.add(entry)
            self._ensure_thread()
        try:
            # a record may have landed between the first look and registering; the thread's
            # starting point was taken inside _ensure_thread, so this look closes the gap
            if self.logs.last_id > after_id:
                return True
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(future, timeout)
            return self.logs.last_id > after_id
        finally:
            with self._lock:
                self._waiters.discard(entry)

    def records_after(
        self, cursor: int, *, level: str | None, item_id: int | None
    ) -> list[LogRecord]:
        """``LogBuffer.since`` for many streams at once.

        ``since`` copies and scans the whole ring; with a hundred streams woken by every line
        that is most of the fan-out cost. The newest records are copied once per new line
        into a window that every stream slices (ids are consecutive, so the slice start is
        arithmetic); a stream that fell behind the window falls back to ``since``.
        """
        last = self.logs.last_id
        window_last, window = self._window
        if window_last != last:
            window = self.logs.since(max(last - _WINDOW, 0))
            self._window = (last, window)
        if not window or cursor + 1 < window[0].id:
            return self.logs.since(cursor, level=level, item_id=item_id)
        wanted = matcher(level, item_id)
        return [record for record in window[cursor + 1 - window[0].id:] if wanted(record)]

    def encode(self, records: list[LogRecord]) -> bytes:
        """The SSE wire form of ``records``, each encoded once however many streams send it."""
        chunks = []
        for record in records:
            chunk = self._encoded.get(record.id)
            if chunk is None:
                chunk = _event(record).encode()
                if len(self._encoded) >= _ENCODED_CACHE:
                    self._encoded.clear()  # crude, but the cache only saves work
                self._encoded[record.id] = chunk
            chunks.append(chunk)
        return b"".join(chunks)

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
        self.logs.wake_all()

    def _ensure_thread(self) -> None:
        if self._thread is None and not self._stopped:
            self._thread = threading.Thread(
                target=self._run, args=(self.logs.last_id,), name="log-notifier", daemon=True
            )
            self._thread.start()

    def _run(self, seen: int) -> None:
        while True:
            with self._lock:
                if self._stopped or not self._waiters:
                    self._thread = None
                    return
            if self.logs.wait(seen, self.poll_seconds):
                seen = self.logs.last_id
                self._wake_all()

    def _wake_all(self) -> None:
        with self._lock:
            waiters = list(self._waiters)
        by_loop: dict[asyncio.AbstractEventLoop, list[asyncio.Future[None]]] = {}
        for loop, future in waiters:
            by_loop.setdefault(loop, []).append(future)
        # one wake-up per event loop, not per stream: each call writes to the loop's self-pipe
        for loop, futures in by_loop.items():
            with contextlib.suppress(RuntimeError):  # the loop has closed meanwhile
                loop.call_soon_threadsafe(_resolve, futures)


_ENCODED_CACHE = 4096
_WINDOW = 256


def _resolve(futures: list[asyncio.Future[None]]) -> None:
    for future in futures:
        if not future.done():
            future.set_result(None)


def _event(record: LogRecord) -> ServerSentEvent:
    return ServerSentEvent(
        data=json.dumps(record.to_dict(), ensure_ascii=False), id=str(record.id), event="log"
    )


async def log_events(
    logs: LogBuffer, notifier: LogNotifier, *, last_event_id: int | None,
    level: str | None, item_id: int | None, backlog: int = 100, wait_seconds: float = 5.0,
) -> AsyncIterator[bytes]:
    """Backlog (or everything after ``last_event_id``), then live records, never twice.

    A ``last_event_id`` above the newest id means the server restarted and ids began again,
    so the client gets a fresh backlog rather than silence.
    """
    logs.subscribers += 1
    try:
        snapshot = logs.last_id
        if last_event_id is not None and last_event_id <= snapshot:
            first = logs.since(last_event_id, level=level, item_id=item_id)
        else:
            first = logs.tail(backlog, level=level, item_id=item_id)
        cursor = max(snapshot, first[-1].id if first else 0)
        if first:
            yield notifier.encode(first)
        while True:
            await notifier.wait(cursor, wait_seconds)
            snapshot = logs.last_id
            batch = notifier.records_after(cursor, level=level, item_id=item_id)
            # records past the snapshot that did not match are looked at again next
            # round; they still do not match, so nothing repeats
            cursor = max(snapshot, batch[-1].id if batch else cursor)
            if batch:
                yield notifier.encode(batch)
    finally:
        logs.subscribers -= 1
