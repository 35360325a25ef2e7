"""Shared fixtures: a fake media server over real HTTP, in either dialect, and sample data."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from emby_processor.emby.client import EmbyClient
from emby_processor.emby.pathmap import PathMap
from emby_processor.emby.updater import EmbyPusher
from emby_processor.metadata import MovieMetadata, Person
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
    client: EmbyClient

    @property
    def pusher(self) -> EmbyPusher:
        return EmbyPusher(self.client)


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
            client = EmbyClient(server.url, api_key or fake.api_key, timeout=timeout)
            stack.callback(client.close)
            return Media(fake, server, client)

        yield start


@pytest.fixture
def media(make_media: Callable[..., Media], dialect: Kind) -> Media:
    return make_media(dialect)


def sample_metadata(code: str = "ABP-123") -> MovieMetadata:
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
        actresses=[Person(name="見本花子"), Person(name="例子")],
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
