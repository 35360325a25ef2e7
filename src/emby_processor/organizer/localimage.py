"""Reading an image that sits beside a video (its poster or fanart sidecar) safely.

Watch folders are not ours: anyone who can write to one can leave a ``<video>-poster.jpg`` that
is a symlink to ``/proc/self/environ``, a FIFO, a 1 GiB sparse file or a copy of a settings
file. What is read from there is uploaded to the media server, so a local image is used only
when it is

- a regular file itself (``lstat``: a symlink is refused, not followed; the file is opened with
  ``O_NOFOLLOW | O_NONBLOCK`` and checked again on the open descriptor, so swapping it for a link
  or a FIFO between the look and the read does not help),
- at most ``max_bytes`` (20 MB, as for downloaded images; never more is read, even if it grows),
- and an image by its bytes (JPEG, PNG, GIF or WebP).

The name declares an image (``.jpg`` and friends); the bytes decide which one: the sidecar writer
names every poster ``.jpg`` whatever its format, so a PNG in a ``.jpg`` is sent as ``image/png``.
"""

from __future__ import annotations

import errno
import logging
import os
import stat
from collections.abc import Callable
from pathlib import Path

from emby_processor.metadata import MovieMetadata

from .artwork import front_cover, is_landscape, is_thumbnail, poster_image
from .images import DEFAULT_MAX_BYTES, image_media_type
from .sidecars import sidecar_paths

logger = logging.getLogger(__name__)

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".gif", ".webp"})
_OPEN_FLAGS = (
    os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_CLOEXEC", 0)
)


class LocalImageRefused(Exception):
    """The file exists but is not used; the message says why (for the log)."""


def read_local_image(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[bytes, str]:
    """The image's bytes and media type; FileNotFoundError or LocalImageRefused otherwise."""
    if path.suffix.lower() not in IMAGE_SUFFIXES:
        raise LocalImageRefused(f"{path.name} is not named as an image")
    info = os.lstat(path)
    _check(info, path, max_bytes)
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as error:
        if error.errno == errno.ELOOP:  # it became a symlink after the lstat
            raise LocalImageRefused(f"{path.name} is a symbolic link") from None
        raise
    try:
        opened = os.fstat(fd)
        _check(opened, path, max_bytes)
        if (opened.st_dev, opened.st_ino) != (info.st_dev, info.st_ino):
            raise LocalImageRefused(f"{path.name} was replaced while it was read")
        data = _read_at_most(fd, max_bytes + 1)
    finally:
        os.close(fd)
    if len(data) > max_bytes:
        raise LocalImageRefused(f"{path.name} grew over {max_bytes} bytes while it was read")
    media_type = image_media_type(data)
    if media_type is None:
        raise LocalImageRefused(f"{path.name} is not an image (JPEG, PNG, GIF or WebP)")
    return data, media_type


TypedImage = tuple[bytes, str]
Reader = Callable[[Path, MovieMetadata], TypedImage | None]


def cover_reader(fetch: Callable[[str], TypedImage]) -> Reader:
    """For the media server's Primary image: the portrait poster (``artwork``). The poster
    beside the video when it is a usable image, unless it is a thumbnail beside a larger jacket
    (whose front is cut out instead); else the poster made from downloads with ``fetch``; None
    when there is none or it cannot be had now."""

    def read(video: Path, metadata: MovieMetadata) -> TypedImage | None:
        poster, fanart = _local(video, "poster"), _local(video, "fanart")
        if poster is not None and not (is_thumbnail(poster[0]) and _larger(fanart)):
            return poster
        if fanart is not None and is_landscape(fanart[0]):
            try:
                return front_cover(fanart[0]), "image/jpeg"
            except (ValueError, OSError) as error:
                logger.warning("the front of the fanart beside %s could not be cut out: %s",
                               video.name, error)
        if poster is not None:
            return poster
        try:
            picture = poster_image(metadata, lambda url: fetch(url)[0])
        except Exception as error:  # a missing cover never blocks the metadata
            logger.warning("cover for %s not downloaded: %s", metadata.code, error)
            return None
        return _typed(picture.data) if picture else None

    return read


def backdrop_reader(fetch: Callable[[str], TypedImage]) -> Reader:
    """For the media server's Backdrop image: the fanart beside the video (the jacket), else the
    jacket downloaded with ``fetch`` when it is landscape; None otherwise."""

    def read(video: Path, metadata: MovieMetadata) -> TypedImage | None:
        fanart = _local(video, "fanart")
        if fanart is not None:
            return fanart
        if not metadata.cover_url:
            return None
        try:
            data, media_type = fetch(metadata.cover_url)
        except Exception as error:  # a backdrop is decoration
            logger.warning("backdrop for %s not downloaded: %s", metadata.code, error)
            return None
        return (data, media_type) if is_landscape(data) else None

    return read


def local_cover(video: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[bytes, str] | None:
    """The poster beside ``video``, else its fanart, when one is a usable image (see above)."""
    for kind in ("poster", "fanart"):
        found = _local(video, kind, max_bytes)
        if found is not None:
            return found
    return None


def _local(video: Path, kind: str, max_bytes: int = DEFAULT_MAX_BYTES) -> TypedImage | None:
    """The ``kind`` sidecar beside ``video`` when it is a usable image; refusals are logged."""
    path = sidecar_paths(video)[kind]
    try:
        return read_local_image(path, max_bytes)
    except FileNotFoundError:
        return None
    except LocalImageRefused as refused:
        logger.warning("%s image beside %s not used: %s", kind, video.name, refused)
    except OSError as error:
        logger.warning("%s image beside %s not read: %s", kind, video.name,
                       error.strerror or error)
    return None


def _larger(image: TypedImage | None) -> bool:
    return image is not None and not is_thumbnail(image[0])


def _typed(data: bytes) -> TypedImage:
    return data, image_media_type(data) or "image/jpeg"


def _check(info: os.stat_result, path: Path, max_bytes: int) -> None:
    if stat.S_ISLNK(info.st_mode):
        raise LocalImageRefused(f"{path.name} is a symbolic link")
    if not stat.S_ISREG(info.st_mode):
        raise LocalImageRefused(f"{path.name} is not a regular file")
    if info.st_size > max_bytes:
        raise LocalImageRefused(f"{path.name} is {info.st_size} bytes, over {max_bytes}")


def _read_at_most(fd: int, limit: int) -> bytes:
    chunks: list[bytes] = []
    left = limit
    while left > 0:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)
