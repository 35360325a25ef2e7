"""Organize: file the video into the library (crash-safe, through a move intent) and write its
sidecars (``.nfo``, poster, fanart) beside it, wherever it ends up.

A duplicate a person settled (``item.resolution``) is filed their way: ``keep_both`` under a
numbered name beside the library's copy, ``replace`` after the library's copy moved aside
(its own move intent, so a crash in the middle is finished or undone like any filing)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from emby_processor.errors import ProcessingError, SourceMissingError
from emby_processor.item import QueueItem
from emby_processor.metadata import MovieMetadata
from emby_processor.organizer import Organizer
from emby_processor.organizer.filer import MoveIntent, execute, recover
from emby_processor.pipeline.outcome import Advance, Outcome, StageContext


@dataclass(frozen=True)
class Filed:
    video: Path
    how: str
    #: where the library's copy went (a replaced duplicate)
    aside: Path | None = None


def organize(item: QueueItem, ctx: StageContext, *, organizer: Organizer) -> Outcome:
    movie = item.movie
    assert movie is not None and item.movie_code is not None, "metadata runs first"
    filed = _file_video(item, movie, organizer, ctx)
    video = filed.video
    message = {"filed": f"filed as {video}", "in place": f"left in place at {video}",
               "already filed": f"already filed at {video}"}[filed.how]
    payload = {"path": str(video)}
    if filed.aside is not None:
        message += f"; the library's copy moved to {filed.aside}"
        payload["set_aside"] = str(filed.aside)
    ctx.log.info("%s: %s", item.movie_code, message)
    sidecars = organizer.finish(video, movie)
    for warning in sidecars.warnings:
        ctx.log.warning("item %s: %s", item.id, warning)
    return Advance(
        "emby", ctx.event("organize", "ok", message, payload),
        fields={"library_path": str(video), "organize_intent": None, "resolution": None,
                "warnings": list(sidecars.warnings), "emby_wait_started_at": None},
    )


def _file_video(
    item: QueueItem, movie: MovieMetadata, organizer: Organizer, ctx: StageContext
) -> Filed:
    """Where the video is once filed, and how it got there."""
    aside: Path | None = None
    if item.organize_intent:
        # an earlier run stopped in the middle of filing this video: finish or undo it
        intent = MoveIntent.from_json(item.organize_intent)
        recovered = recover(intent)
        ctx.log.warning("item %s: resumed an interrupted %s: %s", item.id, intent.mode,
                        recovered)
        if recovered.completed and intent.purpose == "file":
            # the intent stays until the outcome records the new path, in the same transaction
            return Filed(Path(intent.target), "filed")
        if recovered.completed:
            aside = Path(intent.target)
        ctx.save_intent(None)
    elif item.library_path and Path(item.library_path).exists():
        filed = Path(item.library_path)
        return Filed(filed, "in place" if filed == Path(item.file_path) else "already filed")
    source = Path(item.file_path)
    if not source.exists():
        raise SourceMissingError(f"the video is gone from {source}")
    assert item.movie_code is not None
    if item.resolution == "replace":
        aside = _set_aside(item, movie, organizer, ctx) or aside
    planned = organizer.plan(source, movie, item.movie_code, item.part,
                             keep_both=item.resolution == "keep_both")
    if planned is None:
        return Filed(source, "in place", aside)
    return Filed(_run(planned, ctx), "filed", aside)


def _set_aside(
    item: QueueItem, movie: MovieMetadata, organizer: Organizer, ctx: StageContext
) -> Path | None:
    """Move the library's copy out of the way (a person chose to replace it)."""
    assert item.movie_code is not None
    planned = organizer.set_aside(Path(item.file_path), movie, item.movie_code, item.part)
    if planned is None:
        return None
    moved = _run(planned, ctx)
    ctx.save_intent(None)
    ctx.log.info("item %s: the library's copy moved aside to %s", item.id, moved)
    return moved


def _run(planned: MoveIntent, ctx: StageContext) -> Path:
    ctx.save_intent(planned.to_json())  # before anything on disk changes
    try:
        return execute(planned, on_step=lambda step: ctx.save_intent(step.to_json()))
    except ProcessingError:
        # execute() rolled back before raising: nothing is left half done to resume
        ctx.save_intent(None)
        raise
