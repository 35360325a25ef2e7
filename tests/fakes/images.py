"""Tiny valid images and an image server, so covers and actress photos download for real.

``jpeg(width, height)`` builds a baseline grey JPEG from scratch (no imaging library needed):
every 8x8 block is flat mid-grey, so each block is two Huffman bits and the file stays tiny.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterable

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from tests.fakes.common import RequestLog, pause


def _segment(marker: int, payload: bytes) -> bytes:
    return struct.pack(">HH", 0xFF00 | marker, len(payload) + 2) + payload


def jpeg(width: int = 8, height: int = 8) -> bytes:
    """A valid baseline JPEG of the given size, uniformly grey (luminance 128)."""
    if not (0 < width < 65536 and 0 < height < 65536):
        raise ValueError("JPEG dimensions must be 1..65535")
    quant = _segment(0xDB, bytes([0x00]) + bytes([1] * 64))
    frame = _segment(0xC0, struct.pack(">BHHB", 8, height, width, 1) + bytes([1, 0x11, 0]))
    # one-symbol Huffman tables: DC category 0 and AC end-of-block, each coded as the bit "0"
    one_code = bytes([1] + [0] * 15)
    dc_table = _segment(0xC4, bytes([0x00]) + one_code + bytes([0x00]))
    ac_table = _segment(0xC4, bytes([0x10]) + one_code + bytes([0x00]))
    scan = _segment(0xDA, bytes([1, 1, 0x00, 0, 63, 0]))
    blocks = -(-width // 8) * -(-height // 8)
    bits = "00" * blocks
    bits += "1" * (-len(bits) % 8)  # pad with ones, as the standard requires
    data = int(bits, 2).to_bytes(len(bits) // 8, "big")
    return b"\xff\xd8" + quant + frame + dc_table + ac_table + scan + data + b"\xff\xd9"


def png(width: int = 8, height: int = 8, rgb: tuple[int, int, int] = (64, 96, 192)) -> bytes:
    """A valid PNG of the given size in one colour."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


TINY_JPEG = jpeg(8, 8)
TINY_PNG = png(8, 8)


def jpeg_size(data: bytes) -> tuple[int, int]:
    """(width, height) read back from a JPEG's SOF0 segment; for tests of downloaded images."""
    start = data.index(b"\xff\xc0")
    height, width = struct.unpack(">HH", data[start + 5 : start + 9])
    return width, height


class FakeImages:
    """Serves an image for any path: ``.png`` paths get a PNG, everything else a JPEG.

    ``missing`` paths answer 404, ``delay`` slows every answer, ``requests`` logs them.
    Point ``cover_url``/``image_url`` of fake records at ``url(base, path)``.
    """

    def __init__(self, *, delay: float = 0.0, missing: Iterable[str] = ()) -> None:
        self.delay = delay
        self.missing = set(missing)
        self.requests = RequestLog()
        self.app = Starlette(routes=[Route("/{path:path}", self._image)])

    async def _image(self, request: Request) -> Response:
        self.requests.record(request)
        if self.delay:
            await pause(request, self.delay)
        path = request.url.path
        if path in self.missing:
            return PlainTextResponse("not found", status_code=404)
        if path.lower().endswith(".png"):
            return Response(TINY_PNG, media_type="image/png")
        return Response(TINY_JPEG, media_type="image/jpeg")


def url(base: str, path: str) -> str:
    return base.rstrip("/") + "/" + path.lstrip("/")
