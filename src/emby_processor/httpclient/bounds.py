"""Bodies read as a stream, decompressed here chunk by chunk, and dropped as soon as they pass
their cap (the deadline on every socket operation is ``wire.py``'s)."""

from __future__ import annotations

import time
import zlib
from typing import Any

from emby_processor.httpclient.wire import Headers, Response, Timeout, current_deadline


class BodyTooLarge(Exception):
    pass


class _Decoder:
    """Content-Encoding gzip/deflate, decoded with a bound on the output of every chunk."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self._raw_deflate = False
        self._z = self._new()

    def _new(self) -> Any:
        if self.encoding in ("gzip", "x-gzip"):
            return zlib.decompressobj(16 + zlib.MAX_WBITS)
        if self.encoding == "deflate":
            return zlib.decompressobj(-zlib.MAX_WBITS if self._raw_deflate else zlib.MAX_WBITS)
        return None

    def feed(self, data: bytes, limit: int) -> bytes:
        """At most ``limit`` bytes of decoded output for ``data`` (more means over the cap)."""
        if self._z is None:
            return data
        try:
            return bytes(self._z.decompress(data, limit))
        except zlib.error:
            if self.encoding == "deflate" and not self._raw_deflate:
                # servers send raw deflate as often as the zlib format the standard asks for
                self._raw_deflate = True
                self._z = self._new()
                return bytes(self._z.decompress(data, limit))
            raise

    def flush(self) -> bytes:
        return bytes(self._z.flush()) if self._z is not None else b""


def _decoder(headers: Headers) -> _Decoder:
    encodings = [e.strip().lower() for e in headers.get("content-encoding", "").split(",")]
    known = [e for e in encodings if e in ("gzip", "x-gzip", "deflate")]
    # one layer is all anyone sends; an encoding we do not know is passed through
    return _Decoder(known[-1] if known else "identity")


def read_capped(response: Response, cap: int) -> bytes:
    decoder = _decoder(response.headers)
    length = response.headers.get("content-length", "")
    if decoder.encoding == "identity" and length.isdigit() and int(length) > cap:
        raise BodyTooLarge(f"announced {int(length)} bytes")
    body = bytearray()
    while chunk := response.read():
        deadline = current_deadline()
        if deadline is not None and time.monotonic() > deadline:
            raise Timeout("deadline")
        body += decoder.feed(chunk, cap - len(body) + 1)
        if len(body) > cap:
            raise BodyTooLarge("more than that")
    body += decoder.flush()
    if len(body) > cap:
        raise BodyTooLarge("more than that")
    return bytes(body)
