"""Poster and fanart images: what the bytes are, and downloads of real images only."""

from __future__ import annotations

from emby_processor.errors import PermanentError, UpstreamError
from emby_processor.httpclient import IMAGE_MAX_BYTES, HttpClientFactory, HttpLimits
from emby_processor.httpclient.closing import Closing

DEFAULT_TIMEOUT = 30.0
#: the most bytes of one image, downloaded or read beside a video
DEFAULT_MAX_BYTES = IMAGE_MAX_BYTES

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", ".png"),
    (b"GIF87a", ".gif"),
    (b"GIF89a", ".gif"),
)


def image_extension(data: bytes) -> str | None:
    """The extension matching the bytes' real format, or None if they are not an image we know.

    Servers answer error pages with ``image/jpeg`` often enough that the header is not trusted.
    """
    for magic, ext in _MAGIC:
        if data.startswith(magic):
            return ext
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return ".webp"
    return None


def image_media_type(data: bytes) -> str | None:
    ext = image_extension(data)
    return None if ext is None else _MEDIA_TYPES[ext]


_MEDIA_TYPES = {
    ".jpg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".webp": "image/webp",
}


class ImageFetcher(Closing):
    """``fetcher(url) -> bytes``; raises UpstreamError (may pass) or PermanentError.

    Downloads go through the HTTP client factory (deadline, 20 MB cap, redirects); only answers
    that declare an image type are accepted, and the bytes decide the media type.
    """

    def __init__(
        self, http: HttpClientFactory | None = None, *, timeout: float | None = None,
        max_bytes: int | None = None,
    ) -> None:
        if http is None:
            read = timeout or DEFAULT_TIMEOUT
            http = HttpClientFactory(HttpLimits(
                read_timeout=read, deadline=4 * read,
                image_max_bytes=max_bytes or HttpLimits.image_max_bytes))
        self._client = http.images()
        self.max_bytes = self._client.max_bytes

    def __call__(self, url: str) -> bytes:
        return self.fetch(url)[0]

    def fetch(self, url: str) -> tuple[bytes, str]:
        """The image's bytes and its media type (from the bytes when recognised)."""
        if not url.startswith(("http://", "https://")):
            raise PermanentError(f"image URL is not http(s): {url!r}")
        reply = self._client.get(url)
        status = reply.status_code
        if status == 429 or status >= 500:
            raise UpstreamError("image", f"HTTP {status} for {url}",
                                retry_after=reply.retry_after)
        if status >= 300:
            raise PermanentError(f"image: HTTP {status} for {url}")
        declared = reply.content_type
        if not declared.startswith("image/"):
            raise PermanentError(f"image: {url} is {declared or 'untyped'}, not an image")
        return reply.content, image_media_type(reply.content) or declared

    def close(self) -> None:
        self._client.close()

