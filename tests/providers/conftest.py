"""Fake upstreams for the provider tests, served over real HTTP on 127.0.0.1.

One uvicorn server per fake kind lives for the whole session (starting and stopping one per
test would cost more than the tests); each test gets a fresh fake object plugged into it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.fakes.images import FakeImages
from tests.fakes.metatube import FakeMetaTube
from tests.fakes.r18dev import FakeR18Dev
from tests.fakes.server import ServerThread, serve


class Switchboard:
    """An ASGI app that forwards to whichever fake the current test plugged in."""

    def __init__(self) -> None:
        self.app: Any = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.app(scope, receive, send)


@dataclass
class Served:
    fake: Any
    url: str


@pytest.fixture(scope="session")
def _servers() -> Iterator[dict[str, tuple[Switchboard, ServerThread]]]:
    boards = {name: Switchboard() for name in ("metatube", "r18dev", "images")}
    with (
        serve(boards["metatube"]) as mt,
        serve(boards["r18dev"]) as r18,
        serve(boards["images"]) as img,
    ):
        yield {
            "metatube": (boards["metatube"], mt),
            "r18dev": (boards["r18dev"], r18),
            "images": (boards["images"], img),
        }


def _plug(servers: dict[str, tuple[Switchboard, ServerThread]], name: str, fake: Any) -> Served:
    board, server = servers[name]
    board.app = fake.app
    return Served(fake, server.url)


@pytest.fixture
def images(_servers: dict[str, tuple[Switchboard, ServerThread]]) -> Served:
    return _plug(_servers, "images", FakeImages())


@pytest.fixture
def metatube(_servers: dict[str, tuple[Switchboard, ServerThread]]) -> Served:
    return _plug(_servers, "metatube", FakeMetaTube())


@pytest.fixture
def r18(_servers: dict[str, tuple[Switchboard, ServerThread]]) -> Served:
    return _plug(_servers, "r18dev", FakeR18Dev())
