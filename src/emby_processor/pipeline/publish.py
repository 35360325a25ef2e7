"""Publish: the whole media-server step for one item (docs/mediaserver.md, "The publish flow").

announce the file (and the parts it stacks with) → find the server's item for it
(``pipeline.locate``) → read its full DTO → change what we own (``mediaserver.dto.build_update``),
keeping the fields the item has locked unless a person asked → write it → upload the cover and
actress photos → read it back and ``verify`` that the server kept everything.

"Not indexed yet" is waiting, not an error: the stage returns ``Wait`` with a growing poll delay
until ``EMBY_ITEM_WAIT_SECONDS`` has passed since the announcement. A rejected API key closes the
``ServerGate``: the lane takes no item (nothing is retried in a loop) until the key is accepted
again. An item id the server no longer knows (404, or Emby's 500) is looked for again at once:
a re-scan gives a file a new id. A field the server did not keep is a permanent
``field_dropped``. Actress photos are decoration: their failures only become warnings.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from emby_processor.errors import (
    NotIndexedYetError,
    PermanentError,
    ProcessingError,
    UpstreamAuthError,
    UpstreamError,
)
from emby_processor.item import QueueItem
from emby_processor.mediaserver.client import ItemGone, MediaServerClient, ServerFault
from emby_processor.mediaserver.dto import build_update, keep_locked, verify
from emby_processor.mediaserver.pathmap import PathMap
from emby_processor.metadata import MovieMetadata
from emby_processor.pipeline.locate import Found, locate, stack_paths
from emby_processor.pipeline.outcome import Advance, Fail, Outcome, StageContext, Wait
from emby_processor.safetext import display_path
from emby_processor.timeutil import now_iso, parse_iso, utcnow

POLL_MAX_SECONDS = 60.0
AUTH_RECHECK_SECONDS = 60.0
#: actresses whose photo is looked up per movie (each lookup is a request)
MAX_PHOTO_LOOKUPS = 10
#: Emby's ``Path=`` filter may not match a server's own spelling of a path (a Windows server's
#: case): once this long has passed since the announcement (or a quarter of
#: EMBY_ITEM_WAIT_SECONDS, if shorter) the item is also looked for by name. The servers scan a
#: folder about a minute after it is announced.
NAME_SEARCH_AFTER_SECONDS = 90.0
#: how often a part looks again for an earlier part of its movie that is not filed yet
EARLIER_PART_POLL_SECONDS = 5.0
#: a failed attempt announces the file again on the next one
_ANNOUNCE_AGAIN = {"emby_wait_started_at": None}

CoverReader = Callable[[Path, MovieMetadata], tuple[bytes, str] | None]
#: url -> (bytes, media type); raises a ProcessingError when the image cannot be had
ImageSource = Callable[[str], tuple[bytes, str]]


class ServerGate:
    """Shared by the media-server lane's threads: closed while the server rejects our key."""

    def __init__(self, client: MediaServerClient,
                 recheck_seconds: float = AUTH_RECHECK_SECONDS) -> None:
        self.client = client
        self.recheck_seconds = recheck_seconds
        self._lock = threading.Lock()
        self._closed_reason: str | None = None
        self._next_check = 0.0

    def close(self, reason: str) -> None:
        with self._lock:
            self._closed_reason = reason
            self._next_check = time.monotonic() + self.recheck_seconds

    def blocked(self) -> str | None:
        """Why the lane may not take items now (None: it may), checking the key again once the
        recheck interval has passed."""
        with self._lock:
            if self._closed_reason is None or time.monotonic() < self._next_check:
                return self._closed_reason
            self._next_check = time.monotonic() + self.recheck_seconds
        try:
            self.client.check_key()
        except (UpstreamAuthError, UpstreamError) as error:
            self.close(str(error))
            return str(error)
        with self._lock:
            self._closed_reason = None
        return None


@dataclass(frozen=True)
class PublishParts:
    """The collaborators of the publish stage."""

    server: MediaServerClient
    gate: ServerGate
    path_map: PathMap
    wait_seconds: float
    poll_seconds: float
    read_cover: CoverReader
    #: downloads actress photos; None when they are not uploaded (UPLOAD_ACTRESS_PHOTOS)
    photos: ImageSource | None
    #: the other parts of the same movie in the queue (a read of the queue)
    other_parts: Callable[[QueueItem], Sequence[QueueItem]]
    #: counts a failed request to the media server (for /metrics)
    on_upstream_error: Callable[[str], None]
    #: the video file extensions (the files of a folder the server may stack)
    video_extensions: frozenset[str] = frozenset()
    #: the landscape jacket for the Backdrop image (None: no backdrop is uploaded)
    read_backdrop: CoverReader | None = None


def publish(item: QueueItem, ctx: StageContext, *, parts: PublishParts) -> Outcome:
    video = Path(item.library_path or item.file_path)
    server_path = parts.path_map.to_server(str(video))
    unreadable = _unreadable_name(server_path)
    if unreadable is not None:
        return Fail(unreadable, fields=_ANNOUNCE_AGAIN)
    try:
        stack = stack_paths(video, server_path, parts.path_map, parts.video_extensions)
        if item.emby_wait_started_at is None:
            return _announce(item, ctx, parts, server_path, stack)
        found = _find(item, parts, server_path, stack)
        if found.item_id is None or (found.unstacked and not _waited_out(item, parts)):
            return _not_indexed(item, ctx, parts, server_path, found)
        return _write_found(item, ctx, parts, found, video, server_path, stack)
    except UpstreamAuthError as error:
        parts.gate.close(str(error))
        ctx.log.error("media server rejected the API key; Emby updates wait: %s", error)
        return Wait(AUTH_RECHECK_SECONDS)
    except UpstreamError as error:
        parts.on_upstream_error("emby")
        return Fail(error, fields=_ANNOUNCE_AGAIN)
    except ProcessingError as error:
        return Fail(error, fields=_ANNOUNCE_AGAIN)


def _unreadable_name(server_path: str) -> PermanentError | None:
    """The error for a path the server cannot be told: not UTF-8 (the server decodes file names
    as UTF-8 and could neither find nor open it, and JSON cannot carry it)."""
    try:
        server_path.encode("utf-8")
    except UnicodeEncodeError:
        return PermanentError(
            f"the media server cannot be told about {display_path(server_path)}: the name is not"
            " UTF-8 (often Shift-JIS), and Emby and Jellyfin read file names only as UTF-8."
            " Rename the file, or let the service file it into the library (LIBRARY_DIR), which"
            " gives it a name of its own; then retry", cause="bad_name")
    return None


def _announce(item: QueueItem, ctx: StageContext, parts: PublishParts, server_path: str,
              stack: Sequence[str]) -> Outcome:
    earlier = _earlier_part_on_its_way(item, parts)
    if earlier is not None:
        # the server stacks what it finds together: wait for the first part to be filed
        ctx.log.info("%s: waiting for part %s to be filed first", item.movie_code, earlier.part)
        return Wait(max(parts.poll_seconds, EARLIER_PART_POLL_SECONDS))
    # the server scans the folder: announcing every part is what it will see anyway
    parts.server.announce([server_path, *(p for p in stack if p != server_path)])
    return Advance(
        "emby", ctx.event("emby", "announced", f"told the server about {server_path}"),
        fields={"emby_wait_started_at": now_iso(), "server_path": server_path},
    )


def _earlier_part_on_its_way(item: QueueItem, parts: PublishParts) -> QueueItem | None:
    """An earlier part of the same movie that is neither filed nor given up on yet."""
    if item.part is None:
        return None
    for other in parts.other_parts(item):
        moving = other.status in ("pending", "processing") or (
            other.status == "error" and other.next_attempt_at is not None)
        not_filed = other.stage in ("identify", "metadata", "organize")
        if (other.part or 0) < item.part and not_filed and moving:
            return other
    return None


def _waited(item: QueueItem) -> float:
    assert item.emby_wait_started_at is not None
    return (utcnow() - parse_iso(item.emby_wait_started_at)).total_seconds()


def _waited_out(item: QueueItem, parts: PublishParts) -> bool:
    return _waited(item) >= parts.wait_seconds


def _find(item: QueueItem, parts: PublishParts, server_path: str, stack: Sequence[str]) -> Found:
    by_name = _waited(item) >= min(NAME_SEARCH_AFTER_SECONDS, parts.wait_seconds / 4)
    return locate(parts.server, server_path, stack,
                  search_term=item.movie_code or Path(server_path).stem, by_name=by_name)


def _not_indexed(
    item: QueueItem, ctx: StageContext, parts: PublishParts, server_path: str, found: Found
) -> Outcome:
    waited = _waited(item)
    if waited >= parts.wait_seconds:
        return Fail(NotIndexedYetError(
            f"the media server has not indexed {server_path} after {waited:.0f} s;"
            " check that the library covers this folder and EMBY_PATH_MAP"
        ), fields=_ANNOUNCE_AGAIN)
    # look again after as long as we have waited so far: the gaps double from
    # EMBY_POLL_SECONDS without counting earlier polls
    delay = min(max(parts.poll_seconds, waited), POLL_MAX_SECONDS,
                max(parts.wait_seconds - waited, 0.5))
    what = (f"part {found.unstacked} not stacked yet" if found.unstacked
            else f"not indexed yet after {waited:.0f} s")
    ctx.log.info("%s: %s, looking again in %.0f s", item.movie_code, what, delay)
    return Wait(delay, ctx.event("emby", "waiting", what))


def _write_found(item: QueueItem, ctx: StageContext, parts: PublishParts, found: Found,
                 video: Path, server_path: str, stack: Sequence[str]) -> Outcome:
    """Write the item found; when the server no longer knows its id (a re-scan gave the file a
    new one: 404, or Emby's 500 for an unknown id), find it again at once and write that one."""
    assert found.item_id is not None
    try:
        return _write(item, ctx, parts, found.item_id, video, found.via)
    except (ItemGone, ServerFault) as error:
        again = _find(item, parts, server_path, stack)
        if again.item_id is not None and again.item_id != found.item_id:
            ctx.log.info("%s: item %s is gone; the file is item %s now", item.movie_code,
                         found.item_id, again.item_id)
            return _write(item, ctx, parts, again.item_id, video, again.via)
        if not (isinstance(error, ItemGone) and again.item_id == found.item_id):
            raise
        # the server still lists the item, but the reading user got 404: it may not see it
        parts.server.forget_reader()
        raise PermanentError(
            f"{error.message}; the server still lists it, so the reading user"
            f" {parts.server.reader().name} may not see it: {_SEE_ALL}", cause="server_user",
        ) from error


_SEE_ALL = ("set EMBY_USER_ID to a user who sees every library with no parental limit below 18,"
            " or leave it unset to have one chosen")


def _write(
    item: QueueItem, ctx: StageContext, parts: PublishParts, emby_id: str, video: Path,
    via: str | None,
) -> Outcome:
    movie = item.movie
    assert movie is not None, "the metadata stage ran first"
    server = parts.server
    cover = parts.read_cover(video, movie)  # the portrait poster
    dialect = server.server_info().dialect
    current = server.get_item(emby_id)
    sent, kept = build_update(current, movie, dialect), list[str]()
    if not item.person_asked:
        sent, kept = keep_locked(current, sent)
    server.update_item(emby_id, sent)
    if cover:
        server.upload_image(emby_id, "Primary", *cover)
    # each upload adds one more backdrop, so the jacket is read (or downloaded) only when the
    # item has none yet
    if parts.read_backdrop and not sent.get("BackdropImageTags"):
        backdrop = parts.read_backdrop(video, movie)
        if backdrop:
            server.upload_image(emby_id, "Backdrop", *backdrop)
    warnings = _actress_photos(item, movie, ctx, parts) if parts.photos else []
    if kept:
        warnings.insert(0, f"kept {', '.join(kept)} as locked in the media server; re-fetch the"
                           " metadata to overwrite")
    readback = server.get_item(emby_id)
    problems = verify(sent, readback, dialect)
    if cover and not _has_primary(readback):
        problems.append("Primary image: uploaded, but the item has no primary image tag")
    if problems:
        raise PermanentError(
            f"{dialect.kind}: the server did not keep what was written to item {emby_id}: "
            + "; ".join(problems), cause="field_dropped")
    message = f"metadata written to item {emby_id}"
    if via is not None:
        message += f", the movie the server stacked this part into (found by {via})"
    ctx.log.info("%s: %s", item.movie_code or video.stem, message)
    return Advance("done", ctx.event("emby", "ok", message, {"emby_id": emby_id}),
                   fields={"emby_id": emby_id, "warnings": [*item.warnings, *warnings],
                           "person_asked": False})


def _actress_photos(
    item: QueueItem, movie: MovieMetadata, ctx: StageContext, parts: PublishParts
) -> list[str]:
    """Upload the photo of each actress whose person item has none; warnings, never errors."""
    assert parts.photos is not None
    warnings: list[str] = []
    for person in movie.actresses[:MAX_PHOTO_LOOKUPS]:
        if not person.image_url:
            continue
        try:
            found = parts.server.find_person(person.name)
            if found is None:
                warnings.append(f"actress photo for {person.name}: no person item on the server")
            elif not _has_primary(found):
                data, media_type = parts.photos(person.image_url)
                parts.server.upload_image(str(found["Id"]), "Primary", data, media_type)
        except (ProcessingError, ValueError, KeyError) as error:
            warnings.append(f"actress photo for {person.name}: {error}")
    for warning in warnings:
        ctx.log.warning("item %s: %s", item.id, warning)
    return warnings


def _has_primary(dto: dict[str, Any]) -> bool:
    return bool((dto.get("ImageTags") or {}).get("Primary"))
