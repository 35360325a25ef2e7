"""Download poster and fanart images: bounded in time and size, and only real images."""

from __future__ import annotations

from types import TracebackType

import httpx

from emby_processor.errors import PermanentError, UpstreamError
from emby_processor.httputil import USER_AGENT

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)

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


class ImageFetcher:
    """``fetcher(url) -> bytes``; raises UpstreamError (may pass) or PermanentError.

    Owns its httpx client unless one is passed in.
    """

    def __init__(
        self,
        client: httpx.Client | None = None,
        *,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> None:
        self._owns_client = client is None
        self._client = client or httpx.Client(
            timeout=timeout, follow_redirects=True, headers={"User-Agent": USER_AGENT}
        )
        self._timeout = timeout
        self.max_bytes = max_bytes

    def __call__(self, url: str) -> bytes:
        return self.fetch(url)[0]

    def fetch(self, url: str) -> tuple[bytes, str]:
        """The image's bytes and its media type (from the bytes when recognised)."""
        if not url.startswith(("http://", "https://")):
            raise PermanentError(f"image URL is not http(s): {url!r}")
        try:
            with self._client.stream("GET", url, timeout=self._timeout) as response:
                declared = self._check_response(url, response)
                data = self._read_capped(url, response)
                return data, image_media_type(data) or declared
        except httpx.TimeoutException:
            raise UpstreamError("image", f"timed out fetching {url}") from None
        except httpx.HTTPError as exc:
            raise UpstreamError("image", f"cannot fetch {url}: {exc}") from None

    def _check_response(self, url: str, response: httpx.Response) -> str:
        status = response.status_code
        if status == 429 or status >= 500:
            raise UpstreamError("image", f"HTTP {status} for {url}")
        if status >= 300:
            raise PermanentError(f"image: HTTP {status} for {url}")
        header: str = response.headers.get("content-type", "")
        content_type = header.split(";")[0].strip().lower()
        if not content_type.startswith("image/"):
            raise PermanentError(f"image: {url} is {content_type or 'untyped'}, not an image")
        length = response.headers.get("content-length", "")
        if length.isdigit() and int(length) > self.max_bytes:
            raise PermanentError(f"image: {url} is {length} bytes, over {self.max_bytes}")
        return content_type

    def _read_capped(self, url: str, response: httpx.Response) -> bytes:
        chunks: list[bytes] = []
        total = 0
        for chunk in response.iter_bytes():
            total += len(chunk)
            if total > self.max_bytes:
                raise PermanentError(f"image: {url} is over {self.max_bytes} bytes")
            chunks.append(chunk)
        return b"".join(chunks)

    def close(self) -> None:
        if self._owns_client:
            self._client.close()

    def __enter__(self) -> ImageFetcher:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
