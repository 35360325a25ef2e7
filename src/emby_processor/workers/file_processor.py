"""FileProcessor: identify → metadata → organize, one item at a time per thread."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Protocol

from emby_processor.db import QueueItem
from emby_processor.errors import NoCodeError, ProcessingError, SourceMissingError
from emby_processor.metadata import MovieMetadata
from emby_processor.moviecode import explain
from emby_processor.organizer import Organizer
from emby_processor.organizer.filer import MoveIntent, execute, recover
from emby_processor.workers.item_worker import ItemLog, ItemWorker


class MetadataSource(Protocol):
    def fetch(
        self, code: str, *, path: Path | None = None, refresh: bool = False
    ) -> MovieMetadata: ...


class FileProcessor(ItemWorker):
    kind = "FileProcessor"
    lane = "file"

    def __init__(
        self, *args: object, metadata: MetadataSource, organizer: Organizer, **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.metadata = metadata
        self.organizer = organizer

    def handle(self, item: QueueItem, log: ItemLog) -> None:
        # the three stages run back to back while the item is held; each one is recorded,
        # so a failure or a crash resumes at the stage that did not finish
        if item.stage == "identify":
            item = self._identify(item, log)
        if item.stage == "metadata":
            item = self._metadata(item, log)
        if item.stage == "organize":
            self._organize(item, log)

    def _identify(self, item: QueueItem, log: ItemLog) -> QueueItem:
        started = time.monotonic()
        explained = explain(item.file_path)
        parsed = explained.result
        if parsed is None:
            raise NoCodeError(f"no movie code found in {Path(item.file_path).name!r}")
        rule = f"{explained.family}: {explained.rule}"
        extras = [f"part {parsed.part}"] if parsed.part else []
        extras += ["subtitles"] if parsed.subtitles else []
        extras += ["uncensored"] if parsed.uncensored else []
        message = f"code {parsed.code}" + (f" ({', '.join(extras)})" if extras else "")
        self.db.move_stage(
            item.id, self.owner, "metadata", movie_code=parsed.code, part=parsed.part,
            subtitles=parsed.subtitles, uncensored=parsed.uncensored, code_rule=rule,
            event=self.record("identify", "ok", message, started, {"rule": rule}),
        )
        log.info("%s: %s", Path(item.file_path).name, message)
        return self.db.require(item.id)

    def _metadata(self, item: QueueItem, log: ItemLog) -> QueueItem:
        started = time.monotonic()
        assert item.movie_code is not None
        metadata = self.metadata.fetch(
            item.movie_code, path=Path(item.file_path), refresh=item.refresh_metadata
        )
        self.db.set_actresses(item.id, metadata.actress_names)
        filed = item.library_path is not None and item.organize_intent is None
        sources = sorted(set(metadata.provenance.values())) or [metadata.source]
        message = f"{metadata.title or item.movie_code} from {', '.join(sources)}"
        self.db.move_stage(
            item.id, self.owner, "organize", title=metadata.title,
            metadata_json=metadata.model_dump_json(), refresh_metadata=False,
            event=self.record("metadata", "ok", message, started,
                              {"source": metadata.source, "provenance": metadata.provenance}),
        )
        log.info("%s: metadata %s", item.movie_code, message)
        if filed:
            # a re-fetch for an item already in the library: refresh its sidecars, push again
            assert item.library_path is not None
            self._sidecars(item.id, Path(item.library_path), metadata, log)
            self.db.advance(item.id, self.owner, "emby", emby_wait_started_at=None)
        return self.db.require(item.id)

    def _organize(self, item: QueueItem, log: ItemLog) -> None:
        started = time.monotonic()
        assert item.metadata_json is not None and item.movie_code is not None
        metadata = MovieMetadata.model_validate_json(item.metadata_json)
        video = self._file_video(item, metadata, log)
        moved = str(video) != item.file_path
        message = f"filed as {video}" if moved else f"left in place at {video}"
        self.db.update_fields(
            item.id, self.owner, library_path=str(video), organize_intent=None,
            event=self.record("organize", "ok", message, started, {"path": str(video)}),
        )
        log.info("%s: %s", item.movie_code, message)
        self._sidecars(item.id, video, metadata, log)
        self.db.advance(item.id, self.owner, "emby", emby_wait_started_at=None)

    def _file_video(self, item: QueueItem, metadata: MovieMetadata, log: ItemLog) -> Path:
        if item.organize_intent:
            # an earlier run stopped in the middle of filing this video: finish or undo it
            intent = MoveIntent.from_json(item.organize_intent)
            outcome = recover(intent)
            log.warning("item %s: resumed an interrupted %s: %s", item.id, intent.mode, outcome)
            self.db.update_fields(item.id, self.owner, organize_intent=None)
            if outcome.completed:
                return Path(intent.target)
        elif item.library_path and Path(item.library_path).exists():
            return Path(item.library_path)
        source = Path(item.file_path)
        if not source.exists():
            raise SourceMissingError(f"the video is gone from {source}")
        assert item.movie_code is not None
        planned = self.organizer.plan(source, metadata, item.movie_code, item.part)
        if planned is None:
            return source
        self.db.update_fields(item.id, self.owner, organize_intent=planned.to_json())

        def record(step: MoveIntent) -> None:
            self.db.update_fields(item.id, self.owner, organize_intent=step.to_json())

        try:
            return execute(planned, on_step=record)
        except ProcessingError:
            # execute() rolled back before raising: nothing is left half done to resume
            self.db.update_fields(item.id, self.owner, organize_intent=None)
            raise

    def _sidecars(self, item_id: int, video: Path, metadata: MovieMetadata, log: ItemLog) -> None:
        result = self.organizer.finish(video, metadata)
        self.db.update_fields(item_id, self.owner, warnings=list(result.warnings))
        for warning in result.warnings:
            log.warning("item %s: %s", item_id, warning)
