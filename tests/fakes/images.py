"""Tiny valid images and an image server, so covers and actress photos download for real.

``jpeg(width, height)`` builds a baseline grey JPEG from scratch (no imaging library needed):
every 8x8 block is flat mid-grey, so each block is two Huffman bits and the file stays tiny.

``FakeImages.real_sizes = True`` serves DMM's real shapes (what r18.dev's ``jacket_thumb_url``
and ``jacket_full_url`` point at): ``…ps.jpg`` is the small front cover, 147x200, and
``…pl.jpg`` the full landscape jacket, 800x538, back on the left and front on the right
(``JACKET_FRONT`` wide, coloured ``FRONT`` so a crop of it can be told from the back).
"""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Iterable
from functools import cache

from PIL import Image
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

THUMB_SIZE = (147, 200)  # DMM ps.jpg: the front cover, small
JACKET_SIZE = (800, 538)  # DMM pl.jpg: back, spine and front
JACKET_FRONT = 379  # width of the front cover at the right of the jacket
FRONT = (200, 40, 40)  # red: the front cover
BACK = (40, 60, 160)  # blue: the back cover and spine


@cache
def dmm_image(kind: str) -> bytes:
    """A real JPEG shaped like DMM's ``ps`` (front cover) or ``pl`` (whole jacket) image."""
    if kind == "ps":
        picture = Image.new("RGB", THUMB_SIZE, FRONT)
    else:
        picture = Image.new("RGB", JACKET_SIZE, BACK)
        width, height = JACKET_SIZE
        picture.paste(FRONT, (width - JACKET_FRONT, 0, width, height))
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=90)
    return out.getvalue()


def jpeg_size(data: bytes) -> tuple[int, int]:
    """(width, height) read back from a JPEG's SOF0 segment; for tests of downloaded images."""
    start = data.index(b"\xff\xc0")
    height, width = struct.unpack(">HH", data[start + 5 : start + 9])
    return width, height


class FakeImages:
    """Serves an image for any path: ``.png`` paths get a PNG, everything else a JPEG.

    ``real_sizes`` gives ``…ps.jpg``/``…pl.jpg`` DMM's sizes; ``missing`` paths answer 404,
    ``delay`` slows every answer, ``requests`` logs them.
    Point ``cover_url``/``image_url`` of fake records at ``url(base, path)``.
    """

    def __init__(self, *, delay: float = 0.0, missing: Iterable[str] = ()) -> None:
        self.delay = delay
        self.missing = set(missing)
        #: ``…ps.jpg`` and ``…pl.jpg`` come in DMM's real sizes (see the module docstring)
        self.real_sizes = False
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
        if self.real_sizes and path.lower().endswith(("ps.jpg", "pl.jpg")):
            return Response(dmm_image(path.lower()[-6:-4]), media_type="image/jpeg")
        return Response(TINY_JPEG, media_type="image/jpeg")


def url(base: str, path: str) -> str:
    return base.rstrip("/") + "/" + path.lstrip("/")
