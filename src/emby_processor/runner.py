"""Process entry points: run the workers, the dashboard, or both, until a stop signal."""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path

import uvicorn

from emby_processor import __version__
from emby_processor.config import Settings
from emby_processor.db import QueueDB
from emby_processor.errors import StoreError
from emby_processor.logbuffer import LogBuffer, setup_logging
from emby_processor.service import Service, build_health, open_db
from emby_processor.upstreams import build_upstreams

logger = logging.getLogger("emby_processor")

#: uvicorn waits this long for open connections (live log streams) before closing them
GRACEFUL_SECONDS = 2


def run_all(settings: Settings, *, api: bool, workers: bool) -> int:
    from emby_processor.cli import install_stop_signals

    logs = LogBuffer(settings.log_buffer_lines)
    setup_logging(settings.log_level, logs)
    db = open_db(settings)
    if workers:
        _require_writable(db)
    upstreams = build_upstreams(settings)
    health = build_health(settings, db, upstreams)
    service = Service(settings, db, upstreams, health) if workers else None
    logger.info(
        "emby-processor %s: watching %s, database %s", __version__,
        ", ".join(str(d) for d in settings.watch_dirs), settings.db_path,
    )
    try:
        health.start()
        if service is not None:
            service.start()
        if api:
            from emby_processor.api import create_app
            from emby_processor.api.serving import server_options

            app = create_app(settings, db=db, logs=logs, health=health)
            config = uvicorn.Config(
                app, **server_options(settings), timeout_graceful_shutdown=GRACEFUL_SECONDS
            )
            logger.info("dashboard on http://%s:%d/", settings.api_host, settings.api_port)
            # uvicorn handles SIGTERM/SIGINT itself, then restores the handlers it found and
            # raises the signal again; with the default handlers that kills the process before
            # the ``finally`` below stops the workers. Ours make that re-raise a no-op.
            install_stop_signals(lambda: None)
            uvicorn.Server(config).run()
        else:
            stop = threading.Event()
            install_stop_signals(stop.set)
            stop.wait()
    finally:
        logger.info("stopping")
        if service is not None:
            service.stop()
        health.stop()
        upstreams.close()
        db.close()
        logs.wake_all()
    return 0


def _require_writable(db: QueueDB) -> None:
    """Workers write at every step: a read-only database stops them at start, in one line.

    Opening and reading work on a read-only file (``status`` and the dashboard still do), so
    without this the first write failed inside the start-up and again in the shutdown path.
    """
    try:
        db.requeue_expired_leases()  # a real write transaction, due at start-up anyway
    except sqlite3.Error as error:
        db.close()
        raise StoreError(f"the queue database {db.path} cannot be written: {error}") from None


def scan_now(settings: Settings, folders: list[Path]) -> int:
    """Queue what is in ``folders`` now, without waiting for files to settle."""
    from emby_processor.watcher import scan_once

    setup_logging(settings.log_level, LogBuffer(100))
    db = open_db(settings)
    _require_writable(db)
    try:
        return scan_once(settings, db, folders)
    finally:
        db.close()
