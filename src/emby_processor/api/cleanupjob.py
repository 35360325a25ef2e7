"""The cleanup job of ``POST /api/cleanup``: one at a time, in a thread of the process that
serves the dashboard, its progress in the database (``db/cleanup.py``) for every process to read.
"""

from __future__ import annotations

import logging
import threading
import uuid

from emby_processor.db import QueueDB
from emby_processor.db.cleanup import CleanupProgress

logger = logging.getLogger("emby_processor.api")


class CleanupRunner:
    def __init__(self, db: QueueDB) -> None:
        self.db = db
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._progress: CleanupProgress | None = None
        self._error: BaseException | None = None

    def start(self, older_than_days: float) -> CleanupProgress:
        """Start a job, or return the one this process runs already (whatever its days)."""
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                assert self._progress is not None
                return self._progress
            progress = self.db.start_cleanup(older_than_days, uuid.uuid4().hex[:12])
            self._progress, self._error = progress, None
            self._thread = threading.Thread(target=self._run, args=(progress,), name="cleanup",
                                            daemon=True)
            self._thread.start()
            return progress

    def _run(self, progress: CleanupProgress) -> None:
        try:
            deleted = self.db.cleanup(progress.older_than_days, progress=progress,
                                      stop=self._stop)
        except BaseException as error:
            self._error = error
            logger.exception("cleanup of completed items failed")
        else:
            logger.info("cleanup removed %d completed items older than %g days", deleted,
                        progress.older_than_days)

    def wait(self, progress: CleanupProgress, seconds: float) -> CleanupProgress:
        """``progress`` after at most ``seconds``; raises the job's error if it failed."""
        thread = self._thread
        if thread is not None and self._progress is progress:
            thread.join(seconds)
            if not thread.is_alive() and self._error is not None:
                raise self._error
        return self.db.cleanup_status() or progress

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
