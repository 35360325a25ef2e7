"""``.nfo``, poster and fanart beside a filed video (Emby/Kodi naming).

For ``ABP-123-cd1.mp4`` the sidecars are ``ABP-123-cd1.nfo``, ``ABP-123-cd1-poster.jpg`` and
``ABP-123-cd1-fanart.jpg``: each part of a multi-part movie gets its own set.

- The ``.nfo`` carries a marker comment on its second line. An existing ``.nfo`` with the marker
  is ours and is replaced (atomically) when the content changes; one without it is the user's
  and is never touched (a note says so). Deleting the marker line keeps a hand-edited file.
- Images are written only when missing: an existing poster or fanart (the user's, or ours from
  an earlier run) is kept; delete it to get a fresh one. The poster is a portrait at full size
  (``artwork.poster_image``: a large poster, else the front cut out of the jacket, a thumbnail
  only when nothing larger exists); the fanart is the whole jacket. Both are named ``.jpg``
  whatever the format (Emby and Kodi read the bytes); bytes that are no image are refused.
- Nothing here fails the item: a download or write failure becomes a line in
  ``SidecarResult.warnings``, and the next reprocess tries again.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from emby_processor.errors import TargetExistsError
from emby_processor.metadata import MovieMetadata
from emby_processor.nfo_writer import render_nfo

from .artwork import Picture, poster_image
from .fsutil import (
    NAME_MAX,
    TEMP_SUFFIX,
    fsync_dir,
    publish,
    remove_if_exists,
    temp_path_for,
    truncate_utf8,
    utf8_len,
)
from .images import image_extension

NFO_MARKER = b"<!-- emby-processor: generated file; delete this line to keep your own edits -->"
_MARKER_KEY = b"emby-processor: generated"
_SNIFF_BYTES = 4096


@dataclass
class SidecarResult:
    written: list[Path] = field(default_factory=list)
    #: files that already existed and were left alone
    kept: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def sidecar_paths(video_path: Path) -> dict[str, Path]:
    stem = video_path.stem
    return {
        "nfo": video_path.with_name(f"{stem}.nfo"),
        "poster": video_path.with_name(f"{stem}-poster.jpg"),
        "fanart": video_path.with_name(f"{stem}-fanart.jpg"),
    }


def write_sidecars(
    video_path: Path,
    metadata: MovieMetadata,
    *,
    write_nfo: bool,
    write_images: bool,
    fetch_image: Callable[[str], bytes],
) -> SidecarResult:
    result = SidecarResult()
    paths = sidecar_paths(video_path)
    _remove_stale_temps(list(paths.values()))
    if write_nfo:
        _write_nfo(paths["nfo"], metadata, result)
    if write_images:
        _write_images(paths, metadata, fetch_image, result)
    return result


def with_marker(xml: bytes) -> bytes:
    """``xml`` with the marker comment after its declaration (a comment may not precede it)."""
    if _MARKER_KEY in xml[:_SNIFF_BYTES]:
        return xml
    if xml.startswith(b"<?xml"):
        end = xml.index(b"?>") + 2
        rest = xml[end:].lstrip(b"\r\n")
        return xml[:end] + b"\n" + NFO_MARKER + b"\n" + rest
    return NFO_MARKER + b"\n" + xml


def _write_nfo(path: Path, metadata: MovieMetadata, result: SidecarResult) -> None:
    data = with_marker(render_nfo(metadata))
    try:
        existing = _read_head(path)
        if existing is not None and _MARKER_KEY not in existing:
            result.kept.append(path)
            result.warnings.append(f"kept {path.name}: it was not written by emby-processor")
            return
        if existing is not None and path.read_bytes() == data:
            result.kept.append(path)
            return
        if _write_atomic(path, data, replace=existing is not None):
            result.written.append(path)
        else:
            result.kept.append(path)
            result.warnings.append(f"kept {path.name}: it appeared while being written")
    except OSError as exc:
        result.warnings.append(f"{path.name} not written: {exc.strerror or exc}")


def _write_images(
    paths: dict[str, Path],
    metadata: MovieMetadata,
    fetch_image: Callable[[str], bytes],
    result: SidecarResult,
) -> None:
    fetch = _Downloads(fetch_image)
    pictures: dict[str, Callable[[], Picture | None]] = {
        "poster": lambda: poster_image(metadata, fetch),
        "fanart": lambda: Picture(fetch(url), url) if (url := metadata.cover_url) else None,
    }
    for kind, make in pictures.items():
        path = paths[kind]
        if os.path.lexists(path):
            result.kept.append(path)
            continue
        try:
            picture = make()
        except Exception as exc:  # any failure of an image only becomes a note on the item
            result.warnings.append(f"{kind} image not downloaded: {exc or type(exc).__name__}")
            continue
        if picture is None:
            result.warnings.append(f"{kind} image not written: no image URL is known")
            continue
        if image_extension(picture.data) is None:
            result.warnings.append(
                f"{kind} image not downloaded from {picture.source}: the answer is not an image")
            continue
        try:
            if _write_atomic(path, picture.data, replace=False):
                result.written.append(path)
            else:
                result.kept.append(path)
        except OSError as exc:
            result.warnings.append(f"{path.name} not written: {exc.strerror or exc}")


class _Downloads:
    """Each URL downloaded once for the poster and the fanart (the jacket serves both)."""

    def __init__(self, fetch: Callable[[str], bytes]) -> None:
        self._fetch = fetch
        self._done: dict[str, bytes | Exception] = {}

    def __call__(self, url: str) -> bytes:
        if url not in self._done:
            try:
                self._done[url] = self._fetch(url)
            except Exception as exc:
                self._done[url] = exc
        answer = self._done[url]
        if isinstance(answer, Exception):
            raise answer
        return answer


def _read_head(path: Path) -> bytes | None:
    try:
        with open(path, "rb") as fh:
            return fh.read(_SNIFF_BYTES)
    except FileNotFoundError:
        return None


def _remove_stale_temps(paths: list[Path]) -> None:
    """Drop temp names that a write of these sidecars left when the process was killed.

    Only the holder of the video's item writes its sidecars, so a temp name of one of them that
    exists now belongs to a write that can no longer finish.
    """
    folder = paths[0].parent
    room = NAME_MAX - utf8_len(f"..00000000{TEMP_SUFFIX}")
    patterns = [
        re.compile(rf"\.{re.escape(truncate_utf8(p.name, room))}\.[0-9a-f]{{8}}"
                   rf"{re.escape(TEMP_SUFFIX)}")
        for p in paths
    ]
    try:
        names = [e.name for e in os.scandir(folder) if e.name.endswith(TEMP_SUFFIX)]
    except OSError:
        return
    for name in names:
        if any(pattern.fullmatch(name) for pattern in patterns):
            try:
                remove_if_exists(folder / name)
            except OSError:
                continue


def _write_atomic(path: Path, data: bytes, *, replace: bool) -> bool:
    """Write via a temp file; False when ``replace`` is off and ``path`` appeared meanwhile."""
    temp = temp_path_for(path)
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if replace:
            os.replace(temp, path)
        else:
            try:
                publish(temp, path, allow_rename=True)
            except TargetExistsError:
                return False
        fsync_dir(path.parent)
        return True
    finally:
        remove_if_exists(temp)
