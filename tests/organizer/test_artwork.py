"""The Primary image people expect: a portrait poster at full size, cut from the jacket's front
when the provider has only the landscape jacket; never a thumbnail when a large image exists."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from emby_processor.errors import PermanentError, UpstreamError
from emby_processor.metadata import MovieMetadata
from emby_processor.organizer.artwork import (
    front_cover,
    image_size,
    is_landscape,
    is_thumbnail,
    poster_image,
)
from tests.fakes.images import BACK, FRONT, JACKET_SIZE, THUMB_SIZE, dmm_image, png

JACKET, THUMB = dmm_image("pl"), dmm_image("ps")


def jpeg(width: int, height: int, colour: tuple[int, int, int] = (90, 90, 90)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "JPEG")
    return out.getvalue()


def colour_at(data: bytes, x: int, y: int) -> tuple[int, ...]:
    pixel = Image.open(io.BytesIO(data)).convert("RGB").getpixel((x, y))
    assert isinstance(pixel, tuple)
    return pixel


def near(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
    return all(abs(x - y) <= 24 for x, y in zip(a, b, strict=True))


def test_the_front_of_a_jacket_is_its_right_part_at_full_height() -> None:
    front = front_cover(JACKET)
    width, height = image_size(front) or (0, 0)
    assert height == JACKET_SIZE[1]  # full resolution, not scaled
    assert width == round(JACKET_SIZE[1] * 0.7)  # the shape of DMM's front cover
    assert near(colour_at(front, width // 2, height // 2), FRONT)
    assert near(colour_at(front, 2, height // 2), FRONT)  # no back cover at its left edge
    assert front.startswith(b"\xff\xd8\xff")  # a JPEG


def test_sizes_and_shapes() -> None:
    assert image_size(THUMB) == THUMB_SIZE and is_thumbnail(THUMB)
    assert image_size(JACKET) == JACKET_SIZE and is_landscape(JACKET)
    assert not is_thumbnail(jpeg(600, 850)) and not is_landscape(jpeg(600, 850))
    assert image_size(b"\xff\xd8\xff not really") is None


class Downloads:
    def __init__(self, images: dict[str, bytes | Exception]) -> None:
        self.images = images
        self.asked: list[str] = []

    def __call__(self, url: str) -> bytes:
        self.asked.append(url)
        answer = self.images[url]
        if isinstance(answer, Exception):
            raise answer
        return answer


def movie(**urls: str | None) -> MovieMetadata:
    return MovieMetadata(code="ABP-123", **urls)


def test_the_jacket_beats_the_thumbnail() -> None:
    # r18.dev: jacket_thumb_url (147x200) and jacket_full_url (the landscape jacket)
    fetch = Downloads({"t": THUMB, "j": JACKET})
    poster = poster_image(movie(thumb_url="t", cover_url="j"), fetch)
    assert poster is not None and image_size(poster.data) == (377, 538)
    assert fetch.asked == ["j"]  # the thumbnail was not even downloaded


def test_a_large_portrait_poster_is_used_as_it_is() -> None:
    big = jpeg(800, 1136)
    fetch = Downloads({"p": big, "j": JACKET})
    poster = poster_image(movie(poster_url="p", cover_url="j"), fetch)
    assert poster is not None and poster.data == big and fetch.asked == ["p"]


def test_a_small_poster_gives_way_to_the_jacket() -> None:
    fetch = Downloads({"p": THUMB, "j": JACKET})
    poster = poster_image(movie(poster_url="p", cover_url="j"), fetch)
    assert poster is not None and image_size(poster.data) == (377, 538)


def test_a_thumbnail_only_when_nothing_larger_exists() -> None:
    gone = Downloads({"t": THUMB, "j": PermanentError("image: HTTP 404 for j")})
    poster = poster_image(movie(thumb_url="t", cover_url="j"), gone)
    assert poster is not None and poster.data == THUMB
    poster = poster_image(movie(thumb_url="t"), Downloads({"t": THUMB}))
    assert poster is not None and poster.data == THUMB
    # the jacket exists but did not come this time: no thumbnail now, the jacket next time
    busy = Downloads({"t": THUMB, "j": UpstreamError("image", "HTTP 503")})
    with pytest.raises(UpstreamError, match="503"):
        poster_image(movie(thumb_url="t", cover_url="j"), busy)


def test_a_cover_that_is_no_jacket_is_not_cut() -> None:
    square = png(600, 600)
    poster = poster_image(movie(cover_url="c"), Downloads({"c": square}))
    assert poster is not None and poster.data == square


def test_nothing_to_show() -> None:
    assert poster_image(movie(), Downloads({})) is None
    failing = Downloads({"j": UpstreamError("image", "HTTP 503")})
    with pytest.raises(UpstreamError, match="503"):
        poster_image(movie(cover_url="j"), failing)


def test_the_back_is_never_the_poster() -> None:
    poster = poster_image(movie(cover_url="j"), Downloads({"j": JACKET}))
    assert poster is not None
    width, height = image_size(poster.data) or (0, 0)
    assert not near(colour_at(poster.data, width // 2, height // 2), BACK)
