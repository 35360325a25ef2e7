"""The fakes honour the documented upstream contracts other tests rely on."""

from __future__ import annotations

import httpx

from tests.fakes.images import TINY_PNG, jpeg_size
from tests.fakes.metatube import sample_movie
from tests.fakes.r18dev import DETAIL, sample_record
from tests.providers.conftest import Served


def test_image_server_serves_valid_images_and_404s(images: Served) -> None:
    images.fake.missing.add("/gone.jpg")
    jpg = httpx.get(images.url + "/digital/video/x/xpl.jpg")
    assert jpg.headers["content-type"] == "image/jpeg" and jpg.content[:2] == b"\xff\xd8"
    assert jpeg_size(jpg.content) == (8, 8)
    assert httpx.get(images.url + "/a/b.png").content == TINY_PNG
    assert httpx.get(images.url + "/gone.jpg").status_code == 404
    assert [r.path for r in images.fake.requests.all()][-1] == "/gone.jpg"


def test_metatube_envelope_auth_and_quirks(metatube: Served) -> None:
    fake, base = metatube.fake, metatube.url
    fake.token = "t"
    fake.add_movie(sample_movie("ABP-123", actresses=[]))
    auth = {"Authorization": "Bearer t"}
    assert httpx.get(base + "/v1/movies/search?q=ABP-123").json() == {
        "error": {"code": 401, "message": "Unauthorized"}
    }
    assert httpx.get(base + "/v1/movies/search?q=ABP-123", headers={"Authorization": "t"}).is_error
    hits = httpx.get(base + "/v1/movies/search?q=ABP-123&fallback=T", headers=auth).json()["data"]
    assert "actors" not in hits[0]  # omitted when empty
    info = httpx.get(base + "/v1/movies/FANZA/118abp00123?lazy=0", headers=auth).json()["data"]
    assert info["actors"] == [] and info["number"] == "ABP-123"
    bad_bool = httpx.get(base + "/v1/movies/search?q=ABP-123&fallback=yes", headers=auth)
    assert bad_bool.status_code == 400 and "ParseBool" in bad_bool.json()["error"]["message"]
    assert httpx.get(base + "/v1/movies/search", headers=auth).status_code == 400
    missing = httpx.get(base + "/v1/movies/search?q=ZZZ-1", headers=auth)
    assert missing.status_code == 404 and missing.json()["error"]["message"] == "Not Found"
    assert httpx.get(base + "/v1/movies/Nope/x", headers=auth).json()["error"]["message"] == (
        "provider not found"
    )
    assert httpx.post(base + "/v1/movies/search").json()["error"]["code"] == 404
    image = httpx.get(base + "/v1/images/primary/FANZA/118abp00123?ratio=-1&pos=&auto=False")
    assert image.headers["content-type"] == "image/jpeg"
    assert image.headers["x-metatube-image-width"] == "8"
    assert image.headers["x-metatube-image-height"] == "8"
    assert httpx.get(base + "/v1/providers").headers["cache-control"] == "no-store"
    assert httpx.get(base + "/").json()["data"]["app"] == "metatube"


def test_metatube_zero_date_and_null_lists(metatube: Served) -> None:
    info = metatube.fake.add_movie({"id": "x1", "number": "ABC-001", "provider": "JavBus"})
    assert info["release_date"] == "0001-01-01T00:00:00Z"
    assert info["genres"] is None and info["actors"] is None


def test_r18dev_routes_and_not_found_page(r18: Served) -> None:
    r18.fake.add_movie(sample_record("ABP-123"))
    base = r18.url + DETAIL
    short = httpx.get(base + "/dvd_id=abp123/json").json()
    assert short == {"content_id": "118abp00123", "dvd_id": "ABP-123",
                     "title_ja": "ABP-123 の見本タイトル"}  # fmt: skip
    assert httpx.get(base + "/combined=118abp00123/json").json()["title_en"]
    missing = httpx.get(base + "/combined=118abp123/json")  # cids are exact keys
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("text/html")
    r18.fake.faults.set("429", times=1)
    limited = httpx.get(base + "/dvd_id=abp123/json")
    assert limited.status_code == 429 and limited.headers["retry-after"] == "1"
    r18.fake.faults.set("403")
    blocked = httpx.get(base + "/dvd_id=abp123/json")
    assert blocked.status_code == 403 and "Just a moment" in blocked.text
