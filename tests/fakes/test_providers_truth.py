"""The fake MetaTube, r18.dev and image host behave as the real ones when switched on."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from PIL import Image

from tests.fakes.images import FRONT, JACKET_FRONT, JACKET_SIZE, THUMB_SIZE, FakeImages, url
from tests.fakes.metatube import FakeMetaTube, sample_movie
from tests.fakes.r18dev import DETAIL, FakeR18Dev, other_channel_record, sample_record
from tests.fakes.server import ServerThread, serve

BROWSER = {
    "Accept": "application/json, text/plain, */*",
    "Accept-Language": "en-US,en;q=0.9",
    "Referer": "https://r18.dev/",
}


@pytest.fixture
def metatube() -> Iterator[tuple[FakeMetaTube, ServerThread]]:
    fake = FakeMetaTube()
    with serve(fake.app) as server:
        yield fake, server


@pytest.fixture
def r18() -> Iterator[tuple[FakeR18Dev, ServerThread]]:
    fake = FakeR18Dev()
    with serve(fake.app) as server:
        yield fake, server


def test_metatube_answers_500_for_an_incomplete_record_every_time(
    metatube: tuple[FakeMetaTube, ServerThread],
) -> None:
    fake, server = metatube
    fake.validate = True
    fake.add_movie(sample_movie("ABP-123", cover_url=""))  # a valid search hit, invalid info
    fake.add_movie(sample_movie("ABP-124"))
    fake.add_movie(sample_movie("ABP-125", homepage=""))  # not even a valid search hit
    base = server.url + "/v1/movies"
    for _ in range(2):
        answer = httpx.get(base + "/FANZA/118abp00123")
        assert answer.status_code == 500
        assert answer.json() == {"error": {"code": 500, "message": "incomplete metadata"}}
    assert httpx.get(base + "/search", params={"q": "ABP-123"}).status_code == 200
    assert httpx.get(base + "/FANZA/118abp00124").status_code == 200
    assert httpx.get(base + "/search", params={"q": "ABP-125"}).status_code == 404
    fake.validate = False
    assert httpx.get(base + "/FANZA/118abp00123").json()["data"]["cover_url"] == ""


def test_r18dev_lookup_answers_another_channels_record(
    r18: tuple[FakeR18Dev, ServerThread],
) -> None:
    fake, server = r18
    real = sample_record("ABF-030", content_id="118abf030")
    other = other_channel_record(real)
    fake.add_other_channel(real, other)
    base = server.url + DETAIL
    for q in ("ABF-030", "abf-030", "abf030"):
        answer = httpx.get(f"{base}/dvd_id={q}/json").json()
        assert answer == {"content_id": "436abf00030", "dvd_id": None,
                          "title_ja": other["title_ja"]}
    full_other = httpx.get(f"{base}/combined=436abf00030/json").json()
    assert full_other["maker_name_en"] == "Other Channel"
    assert full_other["release_date"] != real["release_date"]
    assert httpx.get(f"{base}/combined=118abf030/json").json()["title_en"] == real["title_en"]
    assert httpx.get(f"{base}/combined=118abf00030/json").status_code == 404  # exact keys

    labelled = other_channel_record(sample_record("ABC-031"), dvd_id="ABC-031")
    fake.add_other_channel(sample_record("ABC-031", content_id="118abc031"), labelled)
    assert httpx.get(f"{base}/dvd_id=abc031/json").json()["dvd_id"] == "ABC-031"
    assert httpx.get(f"{base}/dvd_id=abc031/json").json()["content_id"] == "436abc00031"


@pytest.mark.parametrize(
    "missing", ["Accept", "Accept-Language", "Referer"],
)
def test_r18dev_challenges_clients_that_do_not_look_like_browsers(
    r18: tuple[FakeR18Dev, ServerThread], missing: str
) -> None:
    fake, server = r18
    fake.cloudflare = True
    fake.add_movie(sample_record("ABP-123"))
    route = f"{server.url}{DETAIL}/dvd_id=abp123/json"
    assert httpx.get(route, headers=BROWSER).status_code == 200
    headers: dict[str, Any] = {k: v for k, v in BROWSER.items() if k != missing}
    if missing == "Accept":
        headers["Accept"] = "application/json"  # an API client's Accept is not enough
    blocked = httpx.get(route, headers=headers)
    assert blocked.status_code == 403 and "Just a moment" in blocked.text
    assert blocked.headers["cf-mitigated"] == "challenge"
    assert httpx.get(server.url + "/", headers=headers).status_code == 403
    fake.cloudflare = False
    assert httpx.get(route, headers=headers).status_code == 200


def test_image_host_serves_dmm_sizes_when_switched_on() -> None:
    fake = FakeImages()
    with serve(fake.app) as server:
        record = sample_record("ABP-123", image_base=server.url)
        assert httpx.get(record["jacket_thumb_url"]).content.startswith(b"\xff\xd8")
        fake.real_sizes = True
        thumb = Image.open(io.BytesIO(httpx.get(record["jacket_thumb_url"]).content))
        jacket = Image.open(io.BytesIO(httpx.get(record["jacket_full_url"]).content))
        other = httpx.get(url(server.url, "digital/video/x/x-1.jpg")).content
    assert thumb.size == THUMB_SIZE and jacket.size == JACKET_SIZE
    assert Image.open(io.BytesIO(other)).size == (8, 8)
    front = jacket.getpixel((JACKET_SIZE[0] - JACKET_FRONT // 2, JACKET_SIZE[1] // 2))
    back = jacket.getpixel((JACKET_SIZE[0] // 4, JACKET_SIZE[1] // 2))
    assert _near(front, FRONT) and not _near(back, FRONT)


def _near(pixel: Any, colour: tuple[int, int, int]) -> bool:
    return all(abs(int(a) - b) <= 12 for a, b in zip(pixel, colour, strict=True))
