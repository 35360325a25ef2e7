"""GET /api/queue/{id}/candidates/cover: a candidate's cover, downloaded once through the service
from the URL its provider gave, so the page never loads images from the internet."""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from PIL import Image

from emby_processor.api import create_app
from emby_processor.config import Settings
from emby_processor.db import QueueDB
from emby_processor.health import HealthMonitor
from emby_processor.logbuffer import LogBuffer
from emby_processor.organizer.images import ImageFetcher
from tests.db.test_candidates import OWNER
from tests.fakes.images import FakeImages, url
from tests.fakes.server import ServerThread, serve

pytestmark = pytest.mark.anyio


@pytest.fixture
def images() -> Iterator[tuple[FakeImages, ServerThread]]:
    fake = FakeImages()
    fake.real_sizes = True
    with serve(fake.app) as server:
        yield fake, server


@pytest.fixture
async def covers_client(
    settings: Settings, db: QueueDB, logs: LogBuffer, health: HealthMonitor
) -> AsyncIterator[httpx.AsyncClient]:
    with ImageFetcher() as fetcher:
        app = create_app(settings, db=db, logs=logs, health=health, images=fetcher)
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            yield c


def with_candidates(db: QueueDB, covers: list[str | None]) -> int:
    item, _ = db.enqueue("/watch/ABF-030.mp4", 100, 1)
    assert db.claim("file", OWNER) is not None
    kept = [{"id": f"r18dev:{n}", "source": "r18dev", "title": f"Movie {n}", "cover_url": cover,
             "found_by": "fuzzy", "actresses": [], "agreed_by": [], "record": {"title": "x"}}
            for n, cover in enumerate(covers)]
    db.fail(item.id, OWNER, message="not sure", kind="permanent", retry_in=None,
            cause="ambiguous_match", fields={"candidates_json": json.dumps(kept)})
    return item.id


async def test_a_candidate_cover_is_downloaded_once_and_served_small(
    covers_client: httpx.AsyncClient, db: QueueDB, settings: Settings,
    images: tuple[FakeImages, ServerThread],
) -> None:
    fake, server = images
    item_id = with_candidates(db, [url(server.url, "/digital/abf030pl.jpg")])
    for _ in range(2):
        answer = await covers_client.get(f"/api/queue/{item_id}/candidates/cover",
                                         params={"candidate": "r18dev:0"})
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"] == "image/jpeg"
        with Image.open(io.BytesIO(answer.content)) as picture:
            assert picture.width == 300  # the 800 px jacket, made small for the dialog
    assert len(fake.requests) == 1  # the second answer came from the cache
    assert any(p.name.startswith("remote-") for p in (settings.data_dir / "thumbs").iterdir())


@pytest.mark.parametrize(("candidate", "status", "message"), [
    ("r18dev:1", 404, "with a cover"),        # a candidate without a cover
    ("r18dev:9", 404, "with a cover"),        # no such candidate
    ("r18dev:2", 502, "could not be shown"),  # the provider's URL answers 404
])
async def test_what_has_no_cover_says_why(
    covers_client: httpx.AsyncClient, db: QueueDB, images: tuple[FakeImages, ServerThread],
    candidate: str, status: int, message: str,
) -> None:
    fake, server = images
    fake.missing.add("/gone.jpg")
    item_id = with_candidates(db, [url(server.url, "/a.jpg"), None, url(server.url, "/gone.jpg")])
    answer = await covers_client.get(f"/api/queue/{item_id}/candidates/cover",
                                     params={"candidate": candidate})
    assert answer.status_code == status and message in answer.json()["detail"]


async def test_the_request_never_names_what_is_downloaded(
    covers_client: httpx.AsyncClient, db: QueueDB, images: tuple[FakeImages, ServerThread],
) -> None:
    fake, server = images
    item_id = with_candidates(db, [url(server.url, "/a.jpg")])
    answer = await covers_client.get(
        f"/api/queue/{item_id}/candidates/cover",
        params={"candidate": "r18dev:0", "url": "http://127.0.0.1:1/secret"})
    assert answer.status_code == 200
    assert [r.path for r in fake.requests.all()] == ["/a.jpg"]
    unknown = await covers_client.get("/api/queue/9999/candidates/cover",
                                      params={"candidate": "r18dev:0"})
    assert unknown.status_code == 404


async def test_without_a_downloader_the_dashboard_says_so(
    client: httpx.AsyncClient, db: QueueDB,
) -> None:
    item_id = with_candidates(db, ["https://pics.example/a.jpg"])
    answer = await client.get(f"/api/queue/{item_id}/candidates/cover",
                              params={"candidate": "r18dev:0"})
    assert answer.status_code == 404 and "does not download covers" in answer.json()["detail"]
