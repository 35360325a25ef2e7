"""EmbyUpdater: announce the filed video, wait for the server to index it, write its metadata.

"Not indexed yet" is waiting, not an error: the item goes back to pending with a growing poll
delay until ``EMBY_ITEM_WAIT_SECONDS`` has passed. A rejected API key stops the lane (no item is
taken, nothing retried in a loop) until the key check passes again.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

from emby_processor.db import NewEvent, QueueItem
from emby_processor.emby.client import EmbyClient
from emby_processor.emby.pathmap import PathMap
from emby_processor.emby.updater import EmbyPusher
from emby_processor.errors import (
    NotIndexedYetError,
    UpstreamAuthError,
    UpstreamError,
)
from emby_processor.metadata import MovieMetadata
from emby_processor.timeutil import now_iso, parse_iso, utcnow
from emby_processor.workers.item_worker import ItemLog, ItemWorker, StageDeferred

POLL_MAX_SECONDS = 60.0
AUTH_RECHECK_SECONDS = 60.0


class EmbyGate:
    """Shared by the EmbyUpdater threads: closed while the server rejects our key."""

    def __init__(self, client: EmbyClient, recheck_seconds: float = AUTH_RECHECK_SECONDS) -> None:
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


class EmbyUpdater(ItemWorker):
    kind = "EmbyUpdater"
    lane = "emby"

    def __init__(
        self,
        *args: object,
        client: EmbyClient | None,
        gate: EmbyGate | None,
        path_map: PathMap,
        wait_seconds: float,
        poll_seconds: float,
        read_cover: Callable[[Path, MovieMetadata], tuple[bytes, str] | None],
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.client = client
        self.gate = gate
        self.pusher = EmbyPusher(client) if client is not None else None
        self.path_map = path_map
        self.wait_seconds = wait_seconds
        self.poll_seconds = poll_seconds
        self.read_cover = read_cover

    def ready(self) -> str | None:
        if self.client is None or self.gate is None:
            return "waiting: EMBY_URL and EMBY_API_KEY are not set"
        return self.gate.blocked()

    def handle(self, item: QueueItem, log: ItemLog) -> None:
        assert self.client is not None and self.pusher is not None
        started = time.monotonic()
        video = Path(item.library_path or item.file_path)
        server_path = self.path_map.to_server(str(video))
        code = item.movie_code or video.stem
        try:
            if item.emby_wait_started_at is None:
                self.client.announce(server_path)
                self.db.update_fields(
                    item.id, self.owner, emby_wait_started_at=now_iso(), server_path=server_path,
                    event=self.record("emby", "announced",
                                      f"told the server about {server_path}", started),
                )
                item = self.db.require(item.id)
            emby_id = self.client.find_item(server_path, search_term=code)
            if emby_id is None and self._stacked(item, log):
                return
            if emby_id is None:
                self._wait(item, server_path, log)
            assert item.metadata_json is not None and emby_id is not None
            metadata = MovieMetadata.model_validate_json(item.metadata_json)
            cover = self.read_cover(video, metadata)
            result = self.pusher.apply(
                emby_id, metadata, part=item.part,
                cover=cover[0] if cover else None, cover_type=cover[1] if cover else None,
            )
        except UpstreamError:
            self.db.count_upstream_error("emby")
            raise
        except UpstreamAuthError as error:
            assert self.gate is not None
            self.gate.close(str(error))
            log.error("media server rejected the API key; Emby updates wait: %s", error)
            self.db.defer(item.id, self.owner, AUTH_RECHECK_SECONDS)
            raise StageDeferred from error
        warnings = [*item.warnings, *result.warnings]
        message = f"metadata written to item {emby_id}"
        self.db.advance(
            item.id, self.owner, "done", emby_id=emby_id, warnings=warnings,
            event=self.record("emby", "ok", message, started, {"emby_id": emby_id}),
        )
        log.info("%s: %s", code, message)

    def _stacked(self, item: QueueItem, log: ItemLog) -> bool:
        """Parts 2+ of a movie are stacked by the server into part 1's item: share its id."""
        sibling = self.db.stacked_sibling(item)
        if sibling is None or sibling.emby_id is None:
            return False
        message = f"stacked with part {sibling.part or 1} as item {sibling.emby_id}"
        self.db.advance(
            item.id, self.owner, "done", emby_id=sibling.emby_id,
            event=NewEvent("emby", "ok", message, payload={"emby_id": sibling.emby_id}),
        )
        log.info("%s: %s", item.movie_code, message)
        return True

    def _wait(self, item: QueueItem, server_path: str, log: ItemLog) -> None:
        assert item.emby_wait_started_at is not None
        waited = (utcnow() - parse_iso(item.emby_wait_started_at)).total_seconds()
        if waited >= self.wait_seconds:
            raise NotIndexedYetError(
                f"the media server has not indexed {server_path} after {waited:.0f} s;"
                " check that the library covers this folder and EMBY_PATH_MAP"
            )
        # look again after as long as we have waited so far: the gaps double from
        # EMBY_POLL_SECONDS without counting earlier polls
        delay = min(max(self.poll_seconds, waited), POLL_MAX_SECONDS,
                    max(self.wait_seconds - waited, 0.5))
        self.db.defer(
            item.id, self.owner, delay,
            event=NewEvent("emby", "waiting", f"not indexed yet after {waited:.0f} s"),
        )
        log.info("%s: not indexed yet, looking again in %.0f s", item.movie_code, delay)
        raise StageDeferred

    def before_fail(self, item: QueueItem) -> None:
        # the next attempt announces the file again
        self.db.update_fields(item.id, self.owner, emby_wait_started_at=None)

