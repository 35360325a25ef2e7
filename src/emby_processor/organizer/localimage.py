"""Reading an image that sits beside a video (its poster or fanart sidecar) safely.

Watch folders and the library are not only ours: anyone who can write there can leave a
``<video>-poster.jpg`` that is a symbolic link to a secret, a FIFO that blocks the reader, or a
huge file. A local image is used only when it is

- a regular file itself (``lstat``; a symbolic link is refused, not followed; the file is opened
  with ``O_NOFOLLOW | O_NONBLOCK`` and checked again on the open descriptor, so swapping it for a
  link or a FIFO between the look and the read does not help),
- at most ``max_bytes`` (never more is read, even if it grows meanwhile),
- an image by its bytes (JPEG, PNG, GIF or WebP), whatever its name says.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from .images import DEFAULT_MAX_BYTES, image_media_type

_OPEN_FLAGS = (
    os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_CLOEXEC", 0)
)


class LocalImageRefused(Exception):
    """The file exists but is not used; the message says why."""


def read_local_image(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[bytes, str]:
    """The image's bytes and media type; FileNotFoundError or LocalImageRefused otherwise."""
    info = os.lstat(path)
    _check(info, path, max_bytes)
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as error:
        if error.errno == errno.ELOOP:  # it became a symbolic link after the lstat
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
