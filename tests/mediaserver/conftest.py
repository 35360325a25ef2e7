"""Shared fixtures: a fake media server over real HTTP, in either dialect, sample data, and the
publish stage run on an item snapshot (no queue, no threads)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from emby_processor.item import QueueItem
from emby_processor.mediaserver.client import MediaServerClient
from emby_processor.mediaserver.pathmap import PathMap
from emby_processor.metadata import MovieMetadata, Person
from emby_processor.pipeline.outcome import Advance, Outcome, StageContext
from emby_processor.pipeline.publish import ImageSource, PublishParts, ServerGate, publish
from tests.fakes.emby import FakeMediaServer, Kind
from tests.fakes.server import ServerThread, serve

JPEG = b"\xff\xd8\xff\xe0" + b"cover-bytes" * 20
PNG = b"\x89PNG\r\n\x1a\n" + b"face-bytes" * 10
SERVER_ROOT = "/mnt/media"
PATH_MAP = PathMap.parse(f"/library={SERVER_ROOT}")


@dataclass
class Media:
    fake: FakeMediaServer
    server: ServerThread
    client: MediaServerClient
    #: services whose requests failed, as the stage reported them
    upstream_errors: list[str] = field(default_factory=list)

    def parts(
        self, *, cover: tuple[bytes, str] | None = None, photos: ImageSource | None = None,
        wait_seconds: float = 30.0, poll_seconds: float = 0.05,
        path_map: PathMap = PATH_MAP, other_parts: Sequence[QueueItem] = (),
    ) -> PublishParts:
        return PublishParts(
            server=self.client, gate=ServerGate(self.client), path_map=path_map,
            wait_seconds=wait_seconds, poll_seconds=poll_seconds,
            read_cover=lambda video, movie: cover, photos=photos,
            other_parts=lambda item: other_parts, on_upstream_error=self.upstream_errors.append,
            video_extensions=frozenset({".mp4", ".mkv"}),
        )


def filed(movie: MovieMetadata, local: Path, *, part: int | None = None, item_id: int = 1,
          **fields: Any) -> QueueItem:
    """The snapshot of an item filed at ``local`` and waiting for the media-server step."""
    return QueueItem(
        id=item_id, file_path=str(local), file_size=1, file_mtime_ns=1, status="processing",
        stage="emby", movie_code=movie.code, part=part, metadata_json=movie.model_dump_json(),
        library_path=str(local), **fields,
    )


def context() -> StageContext:
    return StageContext(logging.LoggerAdapter(logging.getLogger("tests.publish"), {}),
                        save_intent=lambda intent: None)


def run_publish(item: QueueItem, parts: PublishParts) -> tuple[Outcome, QueueItem]:
    """Run the stage as the EmbyUpdater does: an announcement goes straight on to the find.

    Returns the last outcome and the snapshot it was computed on."""
    while True:
        outcome = publish(item, context(), parts=parts)
        if not (isinstance(outcome, Advance) and outcome.stage == "emby"):
            return outcome, item
        item = item.after("emby", outcome.fields)


@pytest.fixture(params=["emby", "jellyfin"])
def dialect(request: pytest.FixtureRequest) -> Kind:
    kind: Kind = request.param
    return kind


@pytest.fixture
def make_media() -> Iterator[Callable[..., Media]]:
    """Start a fake (kwargs go to FakeMediaServer) and a client for it; all stopped at the end."""
    with ExitStack() as stack:

        def start(kind: Kind, *, api_key: str | None = None, timeout: float = 5.0,
                  **fake_kwargs: Any) -> Media:
            fake = FakeMediaServer(kind, **fake_kwargs)
            fake.add_library_root(SERVER_ROOT)
            server = stack.enter_context(serve(fake.app))
            client = MediaServerClient(server.url, api_key or fake.api_key, timeout=timeout)
            stack.callback(client.close)
            return Media(fake, server, client)

        yield start


@pytest.fixture
def media(make_media: Callable[..., Media], dialect: Kind) -> Media:
    return make_media(dialect)


def sample_metadata(code: str = "ABP-123", *, photos: bool = False) -> MovieMetadata:
    """``photos``: the actresses come with a photo URL (the publish stage uploads those)."""
    return MovieMetadata(
        code=code,
        content_id="118abp00123",
        title="見本タイトル",
        original_title="見本タイトル",
        plot="あらすじの例。",
        release_date=date(2021, 6, 1),
        year=2021,
        directors=["見本監督"],
        maker="プレステージ",
        label="ABSOLUTELY PERFECT",
        series="見本シリーズ",
        genres=["単体作品", "ドラマ"],
        actresses=[Person(name="見本花子", image_url="http://img.invalid/hanako.jpg" if photos
                          else None), Person(name="例子")],
        source="metatube",
        source_id="FANZA:118abp00123",
        external_ids={"metatube": "FANZA:118abp00123", "dmm_cid": "118abp00123"},
    )


def wait_for(condition: Callable[[], bool], timeout: float = 10.0, interval: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        time.sleep(interval)
