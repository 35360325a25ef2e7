"""The composition root: every part built from one ``Settings``, for each way the service runs.

``run`` (workers and dashboard in one process, or either alone), ``scan`` (queue a folder now)
and ``build_app`` (the dashboard on its own, behind ``emby_processor.api:app``) all start here.
This is the only module that knows how the parts fit; each part gets what it needs passed in,
and nothing below it reads the environment or builds a client of its own.
"""

from __future__ import annotations

import logging
import signal
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from emby_processor import __version__
from emby_processor.config import Settings
from emby_processor.db import Heartbeat, QueueDB
from emby_processor.errors import MetadataNotFoundError, StoreError
from emby_processor.health import HealthMonitor, build_upstream_checks
from emby_processor.httpclient import HttpClientFactory, HttpLimits
from emby_processor.logbuffer import LogBuffer, setup_logging
from emby_processor.mediaserver.client import MediaServerClient
from emby_processor.mediaserver.pathmap import PathMap
from emby_processor.notify import build_notifier
from emby_processor.organizer import Organizer
from emby_processor.organizer.images import ImageFetcher
from emby_processor.organizer.localimage import backdrop_reader, cover_reader
from emby_processor.pipeline.identify import identify
from emby_processor.pipeline.metadata import fetch_metadata
from emby_processor.pipeline.organize import organize
from emby_processor.pipeline.outcome import StageFn
from emby_processor.pipeline.publish import PublishParts, ServerGate, publish
from emby_processor.providers.base import MetadataProvider
from emby_processor.providers.chain import ProviderChain
from emby_processor.providers.channels import ChannelBook, ChannelStore
from emby_processor.providers.registry import build_providers
from emby_processor.vocabulary import LANE_WORKERS, Lane, Stage
from emby_processor.watcher import Watcher, scan_once
from emby_processor.workers.backoff import RetryPolicy
from emby_processor.workers.base import WorkerStats
from emby_processor.workers.doorbell import Doorbells
from emby_processor.workers.lane import LaneWorker
from emby_processor.workers.leases import release_dead_holders
from emby_processor.workers.retry_handler import RetryHandler
from emby_processor.workers.supervisor import Supervisor, WorkerSpec

if TYPE_CHECKING:
    from fastapi import FastAPI

logger = logging.getLogger("emby_processor")

#: uvicorn waits this long for open connections (live log streams) before closing them
GRACEFUL_SECONDS = 2
NOT_CONFIGURED = "waiting: EMBY_URL and EMBY_API_KEY are not set"


# -- upstreams ---------------------------------------------------------------------------------


def http_limits(settings: Settings) -> HttpLimits:
    return HttpLimits(
        read_timeout=settings.provider_timeout_seconds,
        deadline=settings.upstream_deadline,
        retry_after_max=settings.retry_backoff_max_seconds,
        max_connections=settings.upstream_connections,
    )


@dataclass
class Upstreams:
    """The clients of everything outside this process, all made by one HTTP client factory."""

    providers: list[MetadataProvider]
    media_server: MediaServerClient | None
    images: ImageFetcher
    #: the DMM channel prefixes known per label, shared by r18.dev and the chain that learns them
    channels: ChannelBook = field(default_factory=ChannelBook)

    def close(self) -> None:
        for provider in self.providers:
            try:
                provider.close()
            except Exception:
                logger.exception("closing metadata provider %s failed", provider.name)
        if self.media_server is not None:
            self.media_server.close()
        self.images.close()


def build_upstreams(settings: Settings, channels: ChannelStore | None = None) -> Upstreams:
    """``channels`` keeps the DMM channels learned from answers (the queue database); without
    it they are kept in memory."""
    http = HttpClientFactory(http_limits(settings))
    book = ChannelBook(channels)
    providers = build_providers(settings.metadata_providers, settings, http, book)
    media_server = None
    if settings.emby_url and settings.emby_api_key:
        media_server = MediaServerClient(settings.emby_url, settings.emby_api_key,
                                         user_id=settings.emby_user_id, http=http)
    return Upstreams(providers, media_server, ImageFetcher(http), book)


def build_health(settings: Settings, db: QueueDB, upstreams: Upstreams) -> HealthMonitor:
    checks = build_upstream_checks(settings, emby=upstreams.media_server,
                                   providers=upstreams.providers)
    return HealthMonitor(settings, db, upstream_checks=checks)


def open_db(settings: Settings) -> QueueDB:
    return QueueDB(settings.db_path, lease_seconds=settings.lease_seconds).open()


# -- the workers -------------------------------------------------------------------------------


class Workers:
    """The workers of one process: watcher, FileProcessor, EmbyUpdater, RetryHandler, and the
    Notifier when NOTIFY_URLS is set (it reads the health report when one is given)."""

    def __init__(self, settings: Settings, db: QueueDB, upstreams: Upstreams,
                 health: HealthMonitor | None = None) -> None:
        self.settings = settings
        self.db = db
        self.upstreams = upstreams
        self.health = health
        self.policy = RetryPolicy(settings.max_retries, settings.retry_backoff_seconds,
                                  settings.retry_backoff_max_seconds)
        server = upstreams.media_server
        self.gate = ServerGate(server) if server is not None else None
        self.doorbells = Doorbells()
        self.watcher = Watcher(settings, db,
                               on_queued=lambda count: self.doorbells.ring("file", count))
        self.supervisor = Supervisor(db, self._specs(), wake=self.doorbells.wake_all)
        self._stopped = threading.Event()

    def file_stages(self) -> dict[Stage, StageFn]:
        s = self.settings
        chain = ProviderChain(self.upstreams.providers, on_failure=self._provider_failed,
                              learn=self.upstreams.channels.learn)
        organizer = Organizer(
            library_dir=s.library_dir, mode=s.effective_organize_mode,
            template=s.library_template, write_nfo=s.write_nfo, write_images=s.write_images,
            image_fetcher=self.upstreams.images,
        )
        return {
            "identify": identify,
            "metadata": partial(fetch_metadata, source=chain),
            "organize": partial(organize, organizer=organizer),
        }

    def emby_stages(self) -> dict[Stage, StageFn]:
        s, server = self.settings, self.upstreams.media_server
        if server is None or self.gate is None:
            return {}
        images = self.upstreams.images
        parts = PublishParts(
            server=server, gate=self.gate, path_map=PathMap.parse(s.emby_path_map or ""),
            wait_seconds=s.emby_item_wait_seconds, poll_seconds=s.emby_poll_seconds,
            read_cover=cover_reader(images.fetch), read_backdrop=backdrop_reader(images.fetch),
            photos=images.fetch if s.upload_actress_photos else None,
            other_parts=self.db.other_parts,
            on_upstream_error=self.db.count_upstream_error,
            video_extensions=frozenset(s.video_extensions),
        )
        return {"emby": partial(publish, parts=parts)}

    def _provider_failed(self, provider: str, error: Exception) -> None:
        # "not found" is an answer, not an upstream error
        if not isinstance(error, MetadataNotFoundError):
            self.db.count_upstream_error(provider)

    def _emby_ready(self) -> str | None:
        return NOT_CONFIGURED if self.gate is None else self.gate.blocked()

    def _specs(self) -> list[WorkerSpec]:
        s = self.settings
        file_stages, emby_stages = self.file_stages(), self.emby_stages()

        def lane(name: Lane, stages: dict[Stage, StageFn], threads: int,
                 ready: Callable[[], str | None] | None = None) -> WorkerSpec:
            kind = LANE_WORKERS[name]

            def make(owner: str, stats: WorkerStats) -> LaneWorker:
                return LaneWorker(kind, name, stages, db=self.db, policy=self.policy,
                                  control=self.supervisor, owner=owner, stats=stats,
                                  ready=ready, handed_on=self.doorbells.ring_stage)

            return WorkerSpec(kind, make, threads, idle_seconds=0.5,
                              wait=self.doorbells.lanes[name].wait)

        specs = [
            lane("file", file_stages, s.file_workers),
            lane("emby", emby_stages, s.emby_workers, self._emby_ready),
            WorkerSpec("RetryHandler",
                       lambda owner, stats: RetryHandler(self.db, self.policy, self.supervisor,
                                                         stats, due=self.doorbells.ring_all),
                       1, idle_seconds=1.0),
            WorkerSpec("Watcher", lambda owner, stats: self.watcher, 1, idle_seconds=0.5),
        ]
        if s.notify_urls:  # notifications: one more loop, reading the database like the page
            notifier = build_notifier(s, self.db, self.health.report if self.health else None)
            specs.append(WorkerSpec("Notifier", lambda owner, stats: notifier, 1, 2.0))
        return specs

    def start(self) -> None:
        release_dead_holders(self.db, self.supervisor.run_id)
        self.supervisor.start()

    def stop(self, timeout: float = 8.0) -> None:
        if self._stopped.is_set():
            return
        self._stopped.set()
        self.supervisor.stop(timeout)
        self.watcher.close()


# -- the dashboard on its own ------------------------------------------------------------------


def build_app(settings: Settings) -> FastAPI:
    """The dashboard for ``uvicorn emby_processor.api:app``: its own database connection, log
    buffer and health monitor (opened and closed by the app's lifespan), and clients of Emby and
    the providers for the health checks."""
    from emby_processor.api.app import create_app

    upstreams = build_upstreams(settings)
    checks = build_upstream_checks(settings, emby=upstreams.media_server,
                                   providers=upstreams.providers)
    return create_app(settings, upstream_checks=checks, closers=[upstreams.close],
                      images=upstreams.images)


# -- running -----------------------------------------------------------------------------------


def run(settings: Settings, *, api: bool, workers: bool) -> int:
    """Run the workers, the dashboard, or both, until a stop signal."""
    logs = LogBuffer(settings.log_buffer_lines)
    setup_logging(settings.log_level, logs)
    db = open_db(settings)
    if workers:
        require_writable(db)
    try:
        upstreams = build_upstreams(settings, db)
    except BaseException:
        db.close()
        raise
    health = build_health(settings, db, upstreams)
    service = Workers(settings, db, upstreams, health) if workers else None
    logger.info(
        "emby-processor %s: watching %s, database %s", __version__,
        ", ".join(str(d) for d in settings.watch_dirs), settings.db_path,
    )
    try:
        health.start()
        if service is not None:
            service.start()
        if api:
            _serve(settings, db, logs, health, upstreams.images)
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


def _serve(
    settings: Settings, db: QueueDB, logs: LogBuffer, health: HealthMonitor,
    images: Callable[[str], bytes],
) -> None:
    import uvicorn

    from emby_processor.api.app import create_app
    from emby_processor.api.serving import server_options

    app = create_app(settings, db=db, logs=logs, health=health, images=images)
    config = uvicorn.Config(
        app, **server_options(settings), timeout_graceful_shutdown=GRACEFUL_SECONDS)
    logger.info("dashboard on http://%s:%d/", settings.api_host, settings.api_port)
    # uvicorn handles SIGTERM/SIGINT itself, then restores the handlers it found and raises the
    # signal again; with the default handlers that kills the process before the caller's
    # ``finally`` stops the workers. Ours make that re-raise a no-op.
    install_stop_signals(lambda: None)
    uvicorn.Server(config).run()


def scan(settings: Settings, folders: list[Path]) -> int:
    """Queue what is in ``folders`` now, without waiting for files to settle."""
    setup_logging(settings.log_level, LogBuffer(100))
    db = open_db(settings)
    require_writable(db)
    try:
        return scan_once(settings, db, folders)
    finally:
        db.close()


def queue_status(settings: Settings, *, top: int) -> tuple[dict[str, Any], list[Heartbeat]]:
    """The queue's statistics (``top`` actresses) and the workers' last heartbeats."""
    db = QueueDB(settings.db_path).open()
    try:
        return db.stats(top=top), db.heartbeats()
    finally:
        db.close()


def require_writable(db: QueueDB) -> None:
    """Workers write at every step: a read-only database stops them at start, in one line.

    Opening and reading work on a read-only file (``status`` and the dashboard still do), so
    without this the first write failed inside the start-up and again in the shutdown path.
    """
    try:
        db.requeue_expired_leases()  # a real write transaction, due at start-up anyway
    except sqlite3.Error as error:
        db.close()
        raise StoreError(f"the queue database {db.path} cannot be written: {error}") from None


def install_stop_signals(stop: Callable[[], None]) -> None:
    """SIGTERM and SIGINT ask for a clean stop (only possible from the main thread)."""
    if threading.current_thread() is not threading.main_thread():
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        stop()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)
