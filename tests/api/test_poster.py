"""GET /api/queue/{id}/poster: a small copy of the poster beside the filed video, by item id."""

from __future__ import annotations

import io
import os
import time
from pathlib import Path

import httpx
import pytest
from PIL import Image

from emby_processor.api.thumbnails import ThumbnailCache
from emby_processor.config import Settings
from emby_processor.db import QueueDB
from tests.api.seed import Spec, make

pytestmark = pytest.mark.anyio


def jpeg(width: int = 800, height: int = 1200, colour: str = "tomato") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "JPEG", quality=90)
    return out.getvalue()


def filed(db: QueueDB, settings: Settings, name: str = "ABP-123") -> tuple[int, Path]:
    """A completed item whose video is in the library; returns its id and poster path."""
    assert settings.library_dir is not None
    folder = settings.library_dir / name
    folder.mkdir(parents=True, exist_ok=True)
    video = folder / f"{name}.mp4"
    video.write_bytes(b"\0" * 16)
    item_id = make(db, Spec(f"/watch/{name}.mp4", status="completed", code=name))
    db.update_fields(item_id, library_path=str(video))
    return item_id, folder / f"{name}-poster.jpg"


async def test_the_poster_comes_resized_and_cached(
    client: httpx.AsyncClient, db: QueueDB, settings: Settings
) -> None:
    item_id, poster = filed(db, settings)
    poster.write_bytes(jpeg())

    response = await client.get(f"/api/queue/{item_id}/poster", params={"size": 96})

    assert response.status_code == 200 and response.headers["content-type"] == "image/jpeg"
    with Image.open(io.BytesIO(response.content)) as image:
        assert image.size == (96, 144)
    etag = response.headers["etag"]
    assert "max-age" in response.headers["cache-control"]
    assert len(list((settings.data_dir / "thumbs").glob(f"{item_id}-96-*.jpg"))) == 1
    again = await client.get(f"/api/queue/{item_id}/poster", params={"size": 96},
                             headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.headers["etag"] == etag
    large = await client.get(f"/api/queue/{item_id}/poster", params={"size": 600})
    with Image.open(io.BytesIO(large.content)) as image:
        assert image.size == (600, 900)


async def test_a_new_poster_replaces_the_thumbnail(
    client: httpx.AsyncClient, db: QueueDB, settings: Settings
) -> None:
    item_id, poster = filed(db, settings)
    poster.write_bytes(jpeg(colour="tomato"))
    first = await client.get(f"/api/queue/{item_id}/poster")
    poster.write_bytes(jpeg(400, 400, colour="navy"))
    os.utime(poster, ns=(time.time_ns() + 10**9, time.time_ns() + 10**9))
    second = await client.get(f"/api/queue/{item_id}/poster",
                              headers={"If-None-Match": first.headers["etag"]})
    assert second.status_code == 200 and second.headers["etag"] != first.headers["etag"]
    with Image.open(io.BytesIO(second.content)) as image:
        assert image.size == (96, 96)
        assert image.getpixel((48, 48))[2] > 100  # navy, not the old tomato
    assert len(list((settings.data_dir / "thumbs").glob(f"{item_id}-96-*.jpg"))) == 1


async def test_without_a_poster_it_is_a_json_404(
    client: httpx.AsyncClient, db: QueueDB, settings: Settings
) -> None:
    item_id, _ = filed(db, settings)
    pending = make(db, Spec("/watch/NEW-001.mp4"))
    for path in (f"/api/queue/{item_id}/poster", f"/api/queue/{pending}/poster",
                 "/api/queue/999999/poster"):
        response = await client.get(path)
        assert response.status_code == 404, path
        assert response.json()["detail"]


async def test_the_fanart_stands_in_for_a_missing_poster(
    client: httpx.AsyncClient, db: QueueDB, settings: Settings
) -> None:
    item_id, poster = filed(db, settings)
    poster.with_name("ABP-123-fanart.jpg").write_bytes(jpeg(1600, 1000))
    response = await client.get(f"/api/queue/{item_id}/poster", params={"size": 300})
    with Image.open(io.BytesIO(response.content)) as image:
        assert image.size == (300, 188)


@pytest.mark.parametrize("kind", ["symlink", "fifo", "text", "bomb", "truncated"])
async def test_a_hostile_poster_is_never_served(
    client: httpx.AsyncClient, db: QueueDB, settings: Settings, tmp_path: Path, kind: str
) -> None:
    item_id, poster = filed(db, settings)
    secret = tmp_path / "secret.jpg"
    secret.write_bytes(jpeg())  # a real image, but outside the library: a link is not followed
    if kind == "symlink":
        poster.symlink_to(secret)
    elif kind == "fifo":
        os.mkfifo(poster)  # reading it would block the server
    elif kind == "text":
        poster.write_text("API_TOKEN=hunter2\n")
    elif kind == "bomb":
        out = io.BytesIO()
        Image.new("1", (20_000, 20_000)).save(out, "PNG")  # 400 Mpx in a few kB
        poster.write_bytes(out.getvalue())
    else:
        poster.write_bytes(jpeg()[:200])
    started = time.monotonic()
    response = await client.get(f"/api/queue/{item_id}/poster")
    assert response.status_code == 404 and "poster" in response.json()["detail"]
    assert time.monotonic() - started < 5
    assert not list((settings.data_dir / "thumbs").glob("*.jpg"))


async def test_only_the_listed_sizes(client: httpx.AsyncClient, db: QueueDB,
                                     settings: Settings) -> None:
    item_id, poster = filed(db, settings)
    poster.write_bytes(jpeg())
    response = await client.get(f"/api/queue/{item_id}/poster", params={"size": 4000})
    assert response.status_code == 422 and "96" in response.json()["detail"]


def test_the_cache_stays_within_its_budget(tmp_path: Path) -> None:
    library = tmp_path / "library"
    library.mkdir()
    cache = ThumbnailCache(tmp_path / "thumbs", max_bytes=200_000)
    sizes = []
    for n in range(1, 16):
        video = library / f"M-{n}.mp4"
        video.write_bytes(b"")
        noise = Image.effect_noise((600, 900), 80).convert("RGB")  # does not compress away
        noise.save(library / f"M-{n}-poster.jpg", "JPEG")
        sizes.append(len(cache.get(n, video, 300).data))
    kept = {int(p.name.split("-")[0]): p.stat().st_size for p in cache.folder.glob("*.jpg")}
    assert sum(kept.values()) <= 200_000 and 15 in kept  # the newest is always there
    assert len(kept) < 15 and sum(sizes) > 200_000
