"""``emby-processor scan``: one look through the watch folders, without waiting for files to
settle."""

from __future__ import annotations

from pathlib import Path

from emby_processor.config import Settings
from emby_processor.db import QueueDB
from emby_processor.watcher.watcher import Watcher


def scan_once(settings: Settings, db: QueueDB, folders: list[Path] | None = None) -> int:
    """Queue what is in ``folders`` (default: the watch folders) now, without settling.

    Download markers are still honoured, so a file that is visibly being downloaded is skipped;
    so are the files a person ignored.
    """
    update: dict[str, object] = {"file_settle_seconds": 0}
    if folders:
        update["watch_dirs"] = list(folders)
    watcher = Watcher(settings.model_copy(update=update), db, use_events=False)
    try:
        return watcher.step()
    finally:
        watcher.close()
