"""Identify: the file name -> the movie code, part and flags (docs/moviecode.md)."""

from __future__ import annotations

from pathlib import Path

from emby_processor.errors import NoCodeError
from emby_processor.item import QueueItem
from emby_processor.moviecode import explain
from emby_processor.pipeline.outcome import Advance, Fail, Outcome, StageContext


def identify(item: QueueItem, ctx: StageContext) -> Outcome:
    name = Path(item.file_path).name
    explained = explain(item.file_path)
    parsed = explained.result
    if parsed is None:
        return Fail(NoCodeError(f"no movie code found in {name!r}"))
    rule = f"{explained.family}: {explained.rule}"
    extras = [f"part {parsed.part}"] if parsed.part else []
    extras += ["subtitles"] if parsed.subtitles else []
    extras += ["uncensored"] if parsed.uncensored else []
    message = f"code {parsed.code}" + (f" ({', '.join(extras)})" if extras else "")
    ctx.log.info("%s: %s", name, message)
    return Advance(
        "metadata", ctx.event("identify", "ok", message, {"rule": rule}),
        fields={"movie_code": parsed.code, "part": parsed.part, "subtitles": parsed.subtitles,
                "uncensored": parsed.uncensored, "code_rule": rule},
    )
