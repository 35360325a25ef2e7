"""Publish: the whole media-server step for one item (docs/mediaserver.md, "The publish flow").

announce the file → find the server's item for it → read its full DTO → change what we own
(``mediaserver.dto.build_update``) → write it → upload the cover and actress photos → read it
back and ``verify`` that the server kept everything.

"Not indexed yet" is waiting, not an error: the stage returns ``Wait`` with a growing poll delay
until ``EMBY_ITEM_WAIT_SECONDS`` has passed since the announcement. A rejected API key closes the
``ServerGate``: the lane takes no item (nothing is retried in a loop) until the key is accepted
again. Actress photos are decoration: their failures only become warnings on the item.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from emby_processor.errors import (
    MediaServerError,
    NotIndexedYetError,
    ProcessingError,
    UpstreamAuthError,
    UpstreamError,
)
from emby_processor.item import QueueItem
from emby_processor.mediaserver.client import MediaServerClient
from emby_processor.mediaserver.dto import build_update, verify
from emby_processor.mediaserver.pathmap import PathMap
from emby_processor.metadata import MovieMetadata
from emby_processor.pipeline.outcome import Advance, Fail, Outcome, StageContext, Wait
from emby_processor.timeutil import now_iso, parse_iso, utcnow

POLL_MAX_SECONDS = 60.0
AUTH_RECHECK_SECONDS = 60.0
#: actresses whose photo is looked up per movie (each lookup is a request)
MAX_PHOTO_LOOKUPS = 10
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
    #: another part of the same movie that the server already knows (a read of the queue)
    stacked_sibling: Callable[[QueueItem], QueueItem | None]
    #: counts a failed request to the media server (for /metrics)
    on_upstream_error: Callable[[str], None]
    #: the landscape jacket for the Backdrop image (None: no backdrop is uploaded)
    read_backdrop: CoverReader | None = None


def publish(item: QueueItem, ctx: StageContext, *, parts: PublishParts) -> Outcome:
    video = Path(item.library_path or item.file_path)
    server_path = parts.path_map.to_server(str(video))
    try:
        if item.emby_wait_started_at is None:
            parts.server.announce(server_path)
            return Advance(
                "emby", ctx.event("emby", "announced", f"told the server about {server_path}"),
                fields={"emby_wait_started_at": now_iso(), "server_path": server_path},
            )
        emby_id = parts.server.find_item(server_path, search_term=item.movie_code or video.stem)
        if emby_id is None:
            return _not_indexed(item, ctx, parts, server_path)
        return _write(item, ctx, parts, emby_id, video)
    except UpstreamAuthError as error:
        parts.gate.close(str(error))
        ctx.log.error("media server rejected the API key; Emby updates wait: %s", error)
        return Wait(AUTH_RECHECK_SECONDS)
    except UpstreamError as error:
        parts.on_upstream_error("emby")
        return Fail(error, fields=_ANNOUNCE_AGAIN)
    except ProcessingError as error:
        return Fail(error, fields=_ANNOUNCE_AGAIN)


def _not_indexed(
    item: QueueItem, ctx: StageContext, parts: PublishParts, server_path: str
) -> Outcome:
    sibling = parts.stacked_sibling(item)
    if sibling is not None and sibling.emby_id is not None:
        # parts 2+ of a movie are stacked by the server into part 1's item: share its id
        message = f"stacked with part {sibling.part or 1} as item {sibling.emby_id}"
        ctx.log.info("%s: %s", item.movie_code, message)
        return Advance("done", ctx.event("emby", "ok", message, {"emby_id": sibling.emby_id}),
                       fields={"emby_id": sibling.emby_id})
    assert item.emby_wait_started_at is not None
    waited = (utcnow() - parse_iso(item.emby_wait_started_at)).total_seconds()
    if waited >= parts.wait_seconds:
        return Fail(NotIndexedYetError(
            f"the media server has not indexed {server_path} after {waited:.0f} s;"
            " check that the library covers this folder and EMBY_PATH_MAP"
        ), fields=_ANNOUNCE_AGAIN)
    # look again after as long as we have waited so far: the gaps double from
    # EMBY_POLL_SECONDS without counting earlier polls
    delay = min(max(parts.poll_seconds, waited), POLL_MAX_SECONDS,
                max(parts.wait_seconds - waited, 0.5))
    ctx.log.info("%s: not indexed yet, looking again in %.0f s", item.movie_code, delay)
    return Wait(delay, ctx.event("emby", "waiting", f"not indexed yet after {waited:.0f} s"))


def _write(
    item: QueueItem, ctx: StageContext, parts: PublishParts, emby_id: str, video: Path
) -> Outcome:
    movie = item.movie
    assert movie is not None, "the metadata stage ran first"
    server = parts.server
    cover = parts.read_cover(video, movie)  # the portrait poster
    backdrop = parts.read_backdrop(video, movie) if parts.read_backdrop else None
    dialect = server.server_info().dialect
    sent = build_update(server.get_item(emby_id), movie, dialect, part=item.part)
    server.update_item(emby_id, sent)
    if cover:
        server.upload_image(emby_id, "Primary", *cover)
    if backdrop and not sent.get("BackdropImageTags"):  # each upload adds one more backdrop
        server.upload_image(emby_id, "Backdrop", *backdrop)
    warnings = _actress_photos(item, movie, ctx, parts) if parts.photos else []
    readback = server.get_item(emby_id)
    problems = verify(sent, readback, dialect)
    if cover and not _has_primary(readback):
        problems.append("Primary image: uploaded, but the item has no primary image tag")
    if problems:
        raise MediaServerError(
            dialect.kind, "the server did not keep what we wrote: " + "; ".join(problems))
    message = f"metadata written to item {emby_id}"
    ctx.log.info("%s: %s", item.movie_code or video.stem, message)
    return Advance("done", ctx.event("emby", "ok", message, {"emby_id": emby_id}),
                   fields={"emby_id": emby_id, "warnings": [*item.warnings, *warnings]})


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
