"""The poster people expect (docs/providers.md, "Images"): a portrait image at full size.

Providers name up to three images: ``poster_url`` (a large portrait poster: MetaTube's
``big_thumb_url``, an ``.nfo``'s poster), ``cover_url`` (the landscape jacket: back, spine and
front) and ``thumb_url`` (the small front cover, DMM's 147x200 ``ps.jpg``). The poster is, in
order:

1. the large poster, when there is one that is not itself a thumbnail;
2. the front of the jacket: its right part, ``POSTER_RATIO`` times its height wide, cut at the
   jacket's full resolution (what MetaTube's plugin does for its Primary image); a cover that is
   not landscape is used as it is;
3. only when neither exists (or their URL is dead), the thumbnail.

A large image that exists but did not download this time (a transient error) is not replaced by
the thumbnail: the error is raised, and the next run gets the large one. The backdrop is the
jacket as it is (``-fanart.jpg`` and the server's ``Backdrop``).
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

from emby_processor.errors import PermanentError
from emby_processor.metadata import MovieMetadata

from .images import image_extension

log = logging.getLogger(__name__)

#: width / height of a front cover: DMM's is 0.7 (379 of a 538-pixel-high jacket)
POSTER_RATIO = 0.7
#: a picture less tall than this is a thumbnail (DMM's ps.jpg is 200)
THUMBNAIL_HEIGHT = 400
#: wider than tall by this much: a jacket whose front can be cut out
LANDSCAPE_RATIO = 1.2
#: pictures larger than this are never decoded (decompression bombs)
MAX_PIXELS = 50_000_000
JPEG_QUALITY = 92

Fetch = Callable[[str], bytes]


@dataclass(frozen=True)
class Picture:
    data: bytes
    #: where it came from, for messages
    source: str


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) read from the header; None when the bytes are no image Pillow knows."""
    try:
        with Image.open(io.BytesIO(data)) as picture:
            return picture.size
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None


def is_thumbnail(data: bytes) -> bool:
    size = image_size(data)
    return size is not None and size[1] < THUMBNAIL_HEIGHT


def is_landscape(data: bytes) -> bool:
    size = image_size(data)
    return size is not None and size[0] >= LANDSCAPE_RATIO * size[1]


def front_cover(jacket: bytes) -> bytes:
    """The right part of a landscape jacket, ``POSTER_RATIO`` of its height wide, as a JPEG at
    the jacket's resolution. ValueError when the bytes cannot be cut."""
    size = image_size(jacket)
    if size is None:
        raise ValueError("not an image")
    width, height = size
    if width * height > MAX_PIXELS:
        raise ValueError(f"{width}x{height} is over {MAX_PIXELS:,} pixels")
    front = min(width, round(height * POSTER_RATIO))
    with Image.open(io.BytesIO(jacket)) as picture:
        cut = picture.crop((width - front, 0, width, height))
        if cut.mode not in ("RGB", "L"):
            cut = cut.convert("RGB")
        out = io.BytesIO()
        cut.save(out, "JPEG", quality=JPEG_QUALITY)
    return out.getvalue()


def poster_image(metadata: MovieMetadata, fetch: Fetch) -> Picture | None:
    """The portrait poster (see the module docstring); None when no image URL is known.

    Raises the download's error when a large image could not be had this time, or when no URL
    gave an image at all."""
    fallback: Picture | None = None
    failure: Exception | None = None  # a download that may work next time
    dead: Exception | None = None  # a URL that gives no image
    for url in (metadata.poster_url, metadata.cover_url):
        if not url:
            continue
        try:
            data = fetch(url)
        except PermanentError as gone:
            dead = dead or gone
            continue
        except Exception as error:
            failure = failure or error
            continue
        if image_extension(data) is None:
            dead = dead or PermanentError(f"image: {url} answered something that is not an image")
            continue
        if not is_thumbnail(data):
            if url == metadata.cover_url and is_landscape(data):
                return _front_or_whole(data, url)
            return Picture(data, url)
        fallback = fallback or Picture(data, url)
    if failure is not None:
        raise failure
    if fallback is None and metadata.thumb_url:
        fallback = Picture(fetch(metadata.thumb_url), metadata.thumb_url)
    if fallback is None and dead is not None:
        raise dead
    return fallback


def _front_or_whole(jacket: bytes, url: str) -> Picture:
    try:
        return Picture(front_cover(jacket), f"the front of {url}")
    except (ValueError, OSError) as error:
        log.warning("the front of %s could not be cut out (%s); using the whole jacket",
                    url, error)
        return Picture(jacket, url)
