"""A whole deployment for end-to-end tests: fake upstreams on 127.0.0.1 plus folders.

``Stack`` starts MetaTube, r18.dev, an image host and Emby (or Jellyfin) fakes over real HTTP,
makes a watch folder, a library and a data folder, and gives the environment that points the
service at all of them — for the service in this process or as a subprocess. The media-server
fake behaves as the real servers do where the service handles it (``behave_as_real``).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from emby_processor.composition import Workers, build_upstreams, open_db
from emby_processor.config import Settings, load_settings
from emby_processor.db import QueueDB, QueueFilter, QueueItem
from tests.fakes.emby import FakeMediaServer
from tests.fakes.images import FakeImages
from tests.fakes.metatube import FakeMetaTube, sample_movie
from tests.fakes.r18dev import FakeR18Dev, sample_record
from tests.fakes.server import ServerThread, serve

SERVER_LIBRARY = "/mnt/media/jav"


@dataclass
class Stack:
    root: Path
    metatube: FakeMetaTube
    r18dev: FakeR18Dev
    images: FakeImages
    emby: FakeMediaServer
    servers: dict[str, ServerThread] = field(default_factory=dict)

    @property
    def watch(self) -> Path:
        return self.root / "watch"

    @property
    def library(self) -> Path:
        return self.root / "library"

    @property
    def data(self) -> Path:
        return self.root / "data"

    def env(self, **overrides: str) -> dict[str, str]:
        """The settings of a deployment against these fakes, as environment variables."""
        env = {
            "WATCH_DIRS": str(self.watch),
            "LIBRARY_DIR": str(self.library),
            "DATA_DIR": str(self.data),
            "METATUBE_URL": self.servers["metatube"].url,
            "R18DEV_URL": self.servers["r18dev"].url,
            "EMBY_URL": self.servers["emby"].url,
            "EMBY_API_KEY": self.emby.api_key,
            "EMBY_PATH_MAP": f"{self.library}={SERVER_LIBRARY}",
            "EMBY_ITEM_WAIT_SECONDS": "60",
            "EMBY_POLL_SECONDS": "0.2",
            "FILE_SETTLE_SECONDS": "0",
            "SCAN_INTERVAL_SECONDS": "2",
            "RETRY_BACKOFF_SECONDS": "0.2",
            "RETRY_BACKOFF_MAX_SECONDS": "1",
            "PROVIDER_TIMEOUT_SECONDS": "5",
            "API_HOST": "127.0.0.1",
            "LOG_LEVEL": "INFO",
        }
        env.update(overrides)
        return env

    def settings(self, monkeypatch: Any, **overrides: str) -> Settings:
        for name in Settings.model_fields:
            monkeypatch.delenv(name.upper(), raising=False)
        for key, value in self.env(**overrides).items():
            monkeypatch.setenv(key, value)
        monkeypatch.chdir(self.root)
        return load_settings()

    # seeding ------------------------------------------------------------------------------
    def image_base(self) -> str:
        return self.servers["images"].url

    def movie_on_metatube(self, code: str, **kw: Any) -> dict[str, Any]:
        return self.metatube.add_movie(sample_movie(code, image_base=self.image_base(), **kw))

    def movie_on_r18dev(self, code: str, **kw: Any) -> dict[str, Any]:
        return self.r18dev.add_movie(sample_record(code, image_base=self.image_base(), **kw))

    def drop(self, name: str, content: bytes | None = None) -> Path:
        path = self.watch / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if content is not None else os.urandom(2048) + name.encode())
        return path

    def library_files(self, suffix: str = "") -> list[Path]:
        return sorted(
            p for p in self.library.rglob("*") if p.is_file() and p.name.endswith(suffix)
        )


class InProcess:
    """The real service (watcher, workers, providers, organizer, Emby client) in this process,
    configured against a Stack."""

    def __init__(self, stack: Stack, monkeypatch: Any, **overrides: str) -> None:
        self.settings = stack.settings(monkeypatch, **overrides)
        self.db: QueueDB = open_db(self.settings)
        self.upstreams = build_upstreams(self.settings, self.db)
        #: the workers of the process, as ``emby-processor workers`` builds them
        self.service = Workers(self.settings, self.db, self.upstreams)

    def __enter__(self) -> InProcess:
        self.service.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.service.stop()
        self.upstreams.close()
        self.db.close()

    def items(self) -> list[QueueItem]:
        """Every item, oldest first."""
        return self.db.list_items(QueueFilter(), sort="oldest", limit=500)[0]

    def item(self, name: str) -> QueueItem | None:
        return next((i for i in self.items() if Path(i.file_path).name == name), None)

    def describe(self) -> str:
        return "; ".join(
            f"{Path(i.file_path).name}: {i.status}/{i.stage} retries={i.retry_count}"
            f" {i.error_message or ''}" for i in self.items()
        )

    def workers_healthy(self) -> list[str]:
        """Problems with the worker threads: dead threads, crashed heartbeats (empty = fine)."""
        problems = [f"{owner} is dead" for owner, alive in self.service.supervisor.alive().items()
                    if not alive]
        self.service.supervisor.write_heartbeats()
        problems += [f"{b.name}: {b.state} {b.message or ''}" for b in self.db.heartbeats()
                     if b.state == "crashed"]
        return problems

    def settled(self, count: int) -> list[QueueItem]:
        """The items once there are ``count`` and all reached an end state, else []."""
        items = self.items()
        if len(items) == count and all(i.status in ("completed", "error") for i in items):
            return items
        return []

    def by_name(self) -> dict[str, QueueItem]:
        return {Path(i.file_path).name: i for i in self.items()}


@contextlib.contextmanager
def running_stack(
    root: Path, *, dialect: str = "emby", index_delay: float = 0.3
) -> Iterator[Stack]:
    stack = Stack(
        root=root,
        metatube=FakeMetaTube(),
        r18dev=FakeR18Dev(),
        images=FakeImages(),
        emby=FakeMediaServer(dialect=dialect, index_delay=index_delay),  # type: ignore[arg-type]
    )
    stack.emby.add_library_root(SERVER_LIBRARY)
    behave_as_real(stack.emby)
    for folder in (stack.watch, stack.library, stack.data):
        folder.mkdir(parents=True, exist_ok=True)
    with (
        serve(stack.metatube.app) as mt,
        serve(stack.r18dev.app) as r18,
        serve(stack.images.app) as img,
        serve(stack.emby.app) as emby,
    ):
        stack.servers = {"metatube": mt, "r18dev": r18, "images": img, "emby": emby}
        yield stack


def behave_as_real(server: FakeMediaServer) -> None:
    """Switch on what the real servers do and the service handles (docs/compatibility.md):
    both stack parts; Jellyfin splits ``|`` inside names; Emby shares names in the casing it
    met first and answers 500 to a write to an unknown item id."""
    server.stacking = True
    if server.dialect == "jellyfin":
        server.split_pipes = True
    else:
        server.shared_names = True
        server.unknown_item_status = 500


def wait_for(
    condition: Callable[[], Any], timeout: float, message: str | Callable[[], str] = "",
    *, interval: float = 0.05, check: Callable[[], Any] | None = None,
) -> Any:
    """Poll ``condition`` until it is truthy; fail with ``message`` after ``timeout`` seconds.

    ``check()`` runs every round (e.g. "the service process is still alive")."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if check is not None:
            check()
        if time.monotonic() > deadline:
            text = message() if callable(message) else message
            raise AssertionError(f"timed out after {timeout} s: {text}")
        time.sleep(interval)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
