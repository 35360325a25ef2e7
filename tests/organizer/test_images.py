"""ImageFetcher over real HTTP against a local server."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from emby_processor.errors import PermanentError, UpstreamError
from emby_processor.organizer.images import ImageFetcher, image_extension
from tests.fakes.server import serve

JPEG = b"\xff\xd8\xff\xe0" + b"j" * 1000


def _image(request: Request) -> Response:
    return Response(JPEG, media_type="image/jpeg")


def _html(request: Request) -> Response:
    return Response("<html>blocked</html>", media_type="text/html")


def _missing(request: Request) -> Response:
    return Response("no", status_code=404)


def _busy(request: Request) -> Response:
    return Response("busy", status_code=503)


def _huge(request: Request) -> Response:
    def chunks() -> Iterator[bytes]:
        for _ in range(64):
            yield b"\xff" * 1024

    return StreamingResponse(chunks(), media_type="image/jpeg")


def _slow(request: Request) -> Response:
    time.sleep(1.0)
    return Response(JPEG, media_type="image/jpeg")


def _redirect(request: Request) -> Response:
    return Response(status_code=302, headers={"Location": "/image.jpg"})


APP = Starlette(routes=[
    Route("/image.jpg", _image), Route("/html", _html), Route("/missing", _missing),
    Route("/busy", _busy), Route("/huge", _huge), Route("/slow", _slow),
    Route("/redirect", _redirect),
])


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    with serve(APP) as server:
        yield server.url


@pytest.fixture
def fetcher() -> Iterator[ImageFetcher]:
    with ImageFetcher(timeout=0.5, max_bytes=16 * 1024) as images:
        yield images


def test_fetches_an_image(base: str, fetcher: ImageFetcher) -> None:
    assert fetcher(f"{base}/image.jpg") == JPEG
    assert fetcher.fetch(f"{base}/redirect") == (JPEG, "image/jpeg")


@pytest.mark.parametrize(
    ("path", "error", "message"),
    [
        ("/html", PermanentError, "not an image"),
        ("/missing", PermanentError, "404"),
        ("/busy", UpstreamError, "503"),
        ("/huge", UpstreamError, "more than 16384 bytes"),
        ("/slow", UpstreamError, "timed out"),
    ],
)
def test_refusals(
    base: str, fetcher: ImageFetcher, path: str, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        fetcher(f"{base}{path}")


def test_only_http(fetcher: ImageFetcher) -> None:
    with pytest.raises(PermanentError, match="not http"):
        fetcher("file:///etc/passwd")


def test_connection_refused_is_transient() -> None:
    from tests.fakes.server import free_port

    with ImageFetcher(timeout=1.0) as images, pytest.raises(UpstreamError):
        images(f"http://127.0.0.1:{free_port()}/x.jpg")


def test_image_extension() -> None:
    assert image_extension(JPEG) == ".jpg"
    assert image_extension(b"\x89PNG\r\n\x1a\nxx") == ".png"
    assert image_extension(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == ".webp"
    assert image_extension(b"GIF89a") == ".gif"
    assert image_extension(b"<html>") is None
