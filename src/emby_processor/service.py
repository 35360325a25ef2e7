"""Wiring: build every part from one ``Settings`` and run them together.

This is the only place that knows how the parts fit; each part gets what it needs passed in.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from emby_processor.config import Settings
from emby_processor.db import QueueDB
from emby_processor.emby.pathmap import PathMap
from emby_processor.errors import MetadataNotFoundError
from emby_processor.health import HealthMonitor, build_upstream_checks
from emby_processor.metadata import MovieMetadata
from emby_processor.notify import build_notifier
from emby_processor.organizer import Organizer
from emby_processor.organizer.images import ImageFetcher
from emby_processor.organizer.localimage import local_cover
from emby_processor.providers.chain import ProviderChain
from emby_processor.upstreams import Upstreams, build_upstreams  # noqa: F401 - re-exported
from emby_processor.watcher import Watcher
from emby_processor.workers.backoff import RetryPolicy
from emby_processor.workers.base import WorkerStats
from emby_processor.workers.emby_updater import EmbyGate, EmbyUpdater
from emby_processor.workers.file_processor import FileProcessor
from emby_processor.workers.leases import release_dead_holders
from emby_processor.workers.retry_handler import RetryHandler
from emby_processor.workers.supervisor import Supervisor, WorkerSpec

logger = logging.getLogger("emby_processor")


def build_health(settings: Settings, db: QueueDB, upstreams: Upstreams) -> HealthMonitor:
    checks = build_upstream_checks(settings, emby=upstreams.emby, providers=upstreams.providers)
    return HealthMonitor(settings, db, upstream_checks=checks)


def cover_reader(images: ImageFetcher) -> Callable[[Path, MovieMetadata], tuple[bytes, str] | None]:
    """The poster written beside the video, else the cover downloaded now."""

    def read(video: Path, metadata: MovieMetadata) -> tuple[bytes, str] | None:
        local = local_cover(video)  # only a regular file, under 20 MB, that is an image
        if local is not None:
            return local
        url = metadata.poster_url or metadata.cover_url
        if not url:
            return None
        try:
            data, content_type = images.fetch(url)
        except Exception as error:  # a missing cover never blocks the metadata
            logger.warning("cover for %s not downloaded: %s", metadata.code, error)
            return None
        return data, content_type

    return read


class Service:
    """The workers of one process: watcher, FileProcessor, EmbyUpdater, RetryHandler."""

    def __init__(self, settings: Settings, db: QueueDB, upstreams: Upstreams,
                 health: HealthMonitor | None = None) -> None:
        self.settings = settings
        self.health = health
        self.db = db
        self.upstreams = upstreams
        self.policy = RetryPolicy(
            settings.max_retries, settings.retry_backoff_seconds,
            settings.retry_backoff_max_seconds,
        )
        self.chain = ProviderChain(upstreams.providers, on_failure=self._provider_failed)
        self.organizer = Organizer(
            library_dir=settings.library_dir,
            mode=settings.effective_organize_mode,
            template=settings.library_template,
            write_nfo=settings.write_nfo,
            write_images=settings.write_images,
            image_fetcher=upstreams.images,
        )
        self.path_map = PathMap.parse(settings.emby_path_map or "")
        self.gate = EmbyGate(upstreams.emby) if upstreams.emby is not None else None
        self.watcher = Watcher(settings, db)
        self.supervisor = Supervisor(db, self._specs())
        self._stopped = threading.Event()

    def _provider_failed(self, provider: str, error: Exception) -> None:
        # "not found" is an answer, not an upstream error
        if not isinstance(error, MetadataNotFoundError):
            self.db.count_upstream_error(provider)

    def _specs(self) -> list[WorkerSpec]:
        s = self.settings

        def file_processor(owner: str, stats: WorkerStats) -> FileProcessor:
            return FileProcessor(
                self.db, self.policy, self.supervisor, owner, stats,
                metadata=self.chain, organizer=self.organizer,
            )

        def emby_updater(owner: str, stats: WorkerStats) -> EmbyUpdater:
            return EmbyUpdater(
                self.db, self.policy, self.supervisor, owner, stats,
                client=self.upstreams.emby, gate=self.gate, path_map=self.path_map,
                wait_seconds=s.emby_item_wait_seconds, poll_seconds=s.emby_poll_seconds,
                read_cover=cover_reader(self.upstreams.images),
            )

        def retry_handler(owner: str, stats: WorkerStats) -> RetryHandler:
            return RetryHandler(self.db, self.policy, self.supervisor, stats)

        def watcher(owner: str, stats: WorkerStats) -> Watcher:
            return self.watcher

        specs = [
            WorkerSpec("FileProcessor", file_processor, s.file_workers, idle_seconds=0.5),
            WorkerSpec("EmbyUpdater", emby_updater, s.emby_workers, idle_seconds=0.5),
            WorkerSpec("RetryHandler", retry_handler, 1, idle_seconds=1.0),
            WorkerSpec("Watcher", watcher, 1, idle_seconds=0.5),
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


def open_db(settings: Settings) -> QueueDB:
    return QueueDB(settings.db_path, lease_seconds=settings.lease_seconds).open()

