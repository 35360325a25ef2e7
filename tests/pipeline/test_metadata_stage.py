"""The metadata stage on an item snapshot: what it keeps of an uncertain answer, and a person's
earlier choice surviving a re-fetch."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from emby_processor.errors import AmbiguousMatchError
from emby_processor.item import QueueItem
from emby_processor.metadata import MovieMetadata
from emby_processor.pipeline.metadata import fetch_metadata
from emby_processor.pipeline.outcome import Advance, Fail, StageContext

GUESS = MovieMetadata(code="XYZ-030", title="Probably XYZ-030", source="r18dev",
                      source_id="436xyz00030", content_id="436xyz00030", match="fuzzy",
                      plot="Fresh plot")
OTHER = MovieMetadata(code="XYZ-030", title="Another one", source="metatube",
                      source_id="FANZA:xyz00030")


class Unsure:
    def __init__(self) -> None:
        self.asked: list[bool] = []

    def fetch(self, code: str, *, path: Path | None = None,
              refresh: bool = False) -> MovieMetadata:
        self.asked.append(refresh)
        raise AmbiguousMatchError("not sure", [GUESS, OTHER])


def context() -> StageContext:
    return StageContext(logging.LoggerAdapter(logging.getLogger("tests.metadata"), {}),
                        save_intent=lambda intent: None)


def item(**fields: object) -> QueueItem:
    return QueueItem(id=1, file_path="/watch/XYZ-030.mp4", file_size=1, file_mtime_ns=1,
                     status="processing", stage="metadata", movie_code="XYZ-030",
                     **fields)  # type: ignore[arg-type]


def test_an_uncertain_answer_fails_and_keeps_the_candidates() -> None:
    outcome = fetch_metadata(item(), context(), source=Unsure())
    assert isinstance(outcome, Fail) and outcome.error.cause == "ambiguous_match"
    kept = json.loads(outcome.fields["candidates_json"])
    assert [c["id"] for c in kept] == ["r18dev:436xyz00030", "metatube:FANZA:xyz00030"]
    assert kept[0]["record"]["plot"] == "Fresh plot"


def test_a_re_fetch_keeps_the_movie_a_person_chose() -> None:
    chosen = GUESS.model_copy(update={"match": "chosen", "plot": "Old plot"})
    source = Unsure()
    outcome = fetch_metadata(item(metadata_json=chosen.model_dump_json(), refresh_metadata=True),
                             context(), source=source)
    assert isinstance(outcome, Advance) and outcome.stage == "organize", outcome
    assert outcome.movie is not None and outcome.movie.match == "chosen"
    assert outcome.movie.plot == "Fresh plot"  # the new answer, still the chosen movie
    assert outcome.fields["candidates_json"] is not None and source.asked == [True]
