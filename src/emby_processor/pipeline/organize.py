"""Organize: file the video into the library (crash-safe, through a move intent) and write its
sidecars (``.nfo``, poster, fanart) beside it, wherever it ends up."""

from __future__ import annotations

from pathlib import Path

from emby_processor.errors import ProcessingError, SourceMissingError
from emby_processor.item import QueueItem
from emby_processor.metadata import MovieMetadata
from emby_processor.organizer import Organizer
from emby_processor.organizer.filer import MoveIntent, execute, recover
from emby_processor.pipeline.outcome import Advance, Outcome, StageContext


def organize(item: QueueItem, ctx: StageContext, *, organizer: Organizer) -> Outcome:
    movie = item.movie
    assert movie is not None and item.movie_code is not None, "metadata runs first"
    video, how = _file_video(item, movie, organizer, ctx)
    message = {"filed": f"filed as {video}", "in place": f"left in place at {video}",
               "already filed": f"already filed at {video}"}[how]
    ctx.log.info("%s: %s", item.movie_code, message)
    sidecars = organizer.finish(video, movie)
    for warning in sidecars.warnings:
        ctx.log.warning("item %s: %s", item.id, warning)
    return Advance(
        "emby", ctx.event("organize", "ok", message, {"path": str(video)}),
        fields={"library_path": str(video), "organize_intent": None,
                "warnings": list(sidecars.warnings), "emby_wait_started_at": None},
    )


def _file_video(
    item: QueueItem, movie: MovieMetadata, organizer: Organizer, ctx: StageContext
) -> tuple[Path, str]:
    """Where the video is once filed, and how it got there."""
    if item.organize_intent:
        # an earlier run stopped in the middle of filing this video: finish or undo it
        intent = MoveIntent.from_json(item.organize_intent)
        recovered = recover(intent)
        ctx.log.warning("item %s: resumed an interrupted %s: %s", item.id, intent.mode,
                        recovered)
        if recovered.completed:
            # the intent stays until the outcome records the new path, in the same transaction
            return Path(intent.target), "filed"
        ctx.save_intent(None)
    elif item.library_path and Path(item.library_path).exists():
        filed = Path(item.library_path)
        return filed, "in place" if filed == Path(item.file_path) else "already filed"
    source = Path(item.file_path)
    if not source.exists():
        raise SourceMissingError(f"the video is gone from {source}")
    assert item.movie_code is not None
    planned = organizer.plan(source, movie, item.movie_code, item.part)
    if planned is None:
        return source, "in place"
    ctx.save_intent(planned.to_json())  # before anything on disk changes
    try:
        return execute(planned, on_step=lambda step: ctx.save_intent(step.to_json())), "filed"
    except ProcessingError:
        # execute() rolled back before raising: nothing is left half done to resume
        ctx.save_intent(None)
        raise
