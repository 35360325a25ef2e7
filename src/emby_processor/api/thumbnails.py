"""Small copies of an item's poster for the page, made once and kept on disk.

The source is only ever the poster sidecar beside the item's filed video (else its fanart), found
from the item's row: a request names an item id and a width, never a path. The source is read
with ``organizer.localimage`` (regular file, size cap, real image). Nothing is downloaded here:
an item without a local poster has no thumbnail, and the page shows a placeholder.

Decoding is bounded: images over ``MAX_PIXELS`` are refused before their pixels are decoded
(Pillow's own decompression-bomb limit is set to the same figure), and JPEGs are decoded at a
reduced scale straight away (``draft``).

Cache: ``DATA_DIR/thumbs/<item>-<width>-<key>.jpg``, where the key is a hash of the source's
identity (device, inode, size, modification time) and the width, and is the response's ETag. A
new or changed poster gets a new key, so a stale thumbnail is never served; the older one of the
same item and width is removed when the new one is written. When the folder grows over its
budget, the thumbnails written longest ago are removed first.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import threading
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps

from emby_processor.organizer.localimage import LocalImageRefused, read_local_image
from emby_processor.organizer.sidecars import sidecar_paths

logger = logging.getLogger(__name__)

#: the widths served; a page asks for the one that fits (1x or 2x of a row, a card, the details)
SIZES = (96, 192, 300, 600)
#: a poster larger than this many pixels is refused before decoding (a 6000 × 8000 scan passes)
MAX_PIXELS = 50_000_000
#: the largest source file read
MAX_SOURCE_BYTES = 20 * 1024 * 1024
QUALITY = 82

Image.MAX_IMAGE_PIXELS = MAX_PIXELS


class NoPoster(Exception):
    """The item has no usable poster; the message says why (for the 404)."""


@dataclass(frozen=True)
class Thumbnail:
    data: bytes
    etag: str


class ThumbnailCache:
    def __init__(self, folder: Path, max_bytes: int) -> None:
        self.folder = folder
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._total: int | None = None  # bytes in the folder, counted at the first write

    def etag(self, item_id: int, video: Path, width: int) -> tuple[Path, str]:
        """The source image and the key of its thumbnail, from metadata only (no read)."""
        for kind in ("poster", "fanart"):
            source = sidecar_paths(video)[kind]
            try:
                info = os.lstat(source)
            except OSError:
                continue
            identity = f"{item_id}:{width}:{info.st_dev}:{info.st_ino}:{info.st_size}:" \
                       f"{info.st_mtime_ns}"
            return source, hashlib.sha256(identity.encode()).hexdigest()[:24]
        raise NoPoster("no poster or fanart beside the video")

    def get(self, item_id: int, video: Path, width: int) -> Thumbnail:
        """The thumbnail, made now if it is not cached yet; NoPoster when there is none."""
        source, key = self.etag(item_id, video, width)
        path = self.folder / f"{item_id}-{width}-{key}.jpg"
        try:
            return Thumbnail(path.read_bytes(), key)
        except FileNotFoundError:
            pass
        try:
            data, _ = read_local_image(source, MAX_SOURCE_BYTES)
        except FileNotFoundError:
            raise NoPoster("no poster or fanart beside the video") from None
        except (LocalImageRefused, OSError) as error:
            logger.warning("item %s: poster not used: %s", item_id, error,
                           extra={"item_id": item_id})
            raise NoPoster(f"the poster is not usable: {error}") from None
        thumbnail = render(data, width)
        self._store(path, thumbnail, f"{item_id}-{width}-")
        return Thumbnail(thumbnail, key)

    def remote(self, url: str, width: int, download: Callable[[str], bytes]) -> Thumbnail:
        """A thumbnail of the image at ``url`` (a cover a provider named, never a URL from a
        request), downloaded once by ``download`` and kept like the others."""
        key = hashlib.sha256(f"{url}\n{width}".encode()).hexdigest()[:24]
        path = self.folder / f"remote-{key}.jpg"
        try:
            return Thumbnail(path.read_bytes(), key)
        except FileNotFoundError:
            pass
        thumbnail = render(download(url), width)
        self._store(path, thumbnail, f"remote-{key}")
        return Thumbnail(thumbnail, key)

    def _store(self, path: Path, data: bytes, prefix: str) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        temp.write_bytes(data)
        os.replace(temp, path)
        with self._lock:
            if self._total is None:
                self._total = sum(size for _, _, size in self._files())
            else:
                self._total += len(data)
            for entry in self.folder.glob(f"{prefix}*.jpg"):
                if entry != path:  # the same item and width from an older poster
                    self._remove(entry)
            if self._total > self.max_bytes:
                self._evict(keep=path)

    def _files(self) -> list[tuple[float, Path, int]]:
        out = []
        for entry in os.scandir(self.folder):
            if entry.name.endswith(".jpg") and not entry.name.startswith("."):
                try:
                    info = entry.stat(follow_symlinks=False)
                except OSError:
                    continue
                out.append((info.st_mtime, Path(entry.path), info.st_size))
        return out

    def _remove(self, path: Path) -> None:
        try:
            size = path.stat().st_size
            path.unlink()
        except OSError:
            return
        if self._total is not None:
            self._total -= size

    def _evict(self, keep: Path) -> None:
        """Remove the oldest thumbnails until the folder is under 90 % of its budget (the one
        just written stays: it is about to be served)."""
        target = self.max_bytes * 0.9
        files = sorted(self._files())
        self._total = sum(size for _, _, size in files)
        for _, path, _ in files:
            if self._total <= target:
                break
            if path != keep:
                self._remove(path)


def render(data: bytes, width: int) -> bytes:
    """A JPEG ``width`` pixels wide (never enlarged), at most three times as tall."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=("JPEG", "PNG", "GIF", "WEBP")) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise NoPoster(f"the poster is {image.width} × {image.height} pixels, "
                                   f"over {MAX_PIXELS}")
                image.draft("RGB", (width, width * 3))
                picture = ImageOps.exif_transpose(image) or image
                picture.thumbnail((width, width * 3), Image.Resampling.LANCZOS)
                out = io.BytesIO()
                picture.convert("RGB").save(out, "JPEG", quality=QUALITY, optimize=True,
                                            progressive=True)
        except (OSError, ValueError, Image.DecompressionBombError,
                Image.DecompressionBombWarning) as error:
            raise NoPoster(f"the poster cannot be decoded: {error}") from None
    return out.getvalue()
