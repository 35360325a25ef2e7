"""Metadata: the movie code -> ``MovieMetadata`` from the provider chain (docs/providers.md).

Only a confident answer goes on (to be filed and written, locked). When the chain is not sure
which movie the file is, the step fails with the candidates it found, which the item keeps
(``candidates_json``) until a person chooses one or a later run is sure. A re-fetch of an item
whose movie a person chose keeps that movie while it is still among the candidates.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from emby_processor.errors import ProcessingError
from emby_processor.item import QueueItem
from emby_processor.metadata import MovieMetadata, candidate_id, candidate_summary
from emby_processor.pipeline.outcome import Advance, Fail, Outcome, StageContext


class MetadataSource(Protocol):
    """The provider chain as the stage sees it: raises a ProcessingError when nobody answers."""

    def fetch(
        self, code: str, *, path: Path | None = None, refresh: bool = False
    ) -> MovieMetadata: ...


def fetch_metadata(item: QueueItem, ctx: StageContext, *, source: MetadataSource) -> Outcome:
    assert item.movie_code is not None, "identify runs first"
    kept: str | None = None
    try:
        movie = source.fetch(item.movie_code, path=Path(item.file_path),
                             refresh=item.refresh_metadata)
    except ProcessingError as error:
        if not error.candidates:
            raise
        kept = json.dumps([candidate_summary(c) for c in error.candidates], ensure_ascii=False)
        again = _chosen_before(item, error.candidates)
        if again is None:
            # nothing is written: the item keeps the movies it could be, for a person to choose
            ctx.log.warning("%s: %d candidate(s) kept: %s", item.movie_code,
                            len(error.candidates),
                            ", ".join(candidate_id(c) for c in error.candidates))
            return Fail(error, fields={"candidates_json": kept})
        movie = again
    sources = sorted(set(movie.provenance.values())) or [movie.source]
    message = f"{movie.title or item.movie_code} from {', '.join(sources)}"
    ctx.log.info("%s: metadata %s", item.movie_code, message)
    # an item already in the library goes on to organize too: it finds the video filed and
    # only refreshes the sidecars
    return Advance(
        "organize",
        ctx.event("metadata", "ok", message,
                  {"source": movie.source, "provenance": movie.provenance,
                   "found_by": movie.match, "agreed_by": movie.agreed_by}),
        fields={"title": movie.title, "metadata_json": movie.model_dump_json(),
                "refresh_metadata": False, "candidates_json": kept},
        actresses=movie.actress_names,
        movie=movie,
    )


def _chosen_before(item: QueueItem, candidates: Sequence[MovieMetadata]) -> MovieMetadata | None:
    """The fresh answer for the movie a person chose earlier, when it is still a candidate: a
    re-fetch of a chosen item refreshes that movie instead of asking the person again."""
    before = item.movie
    if before is None or before.match != "chosen":
        return None
    wanted = candidate_id(before)
    for candidate in candidates:
        if candidate_id(candidate) == wanted:
            return candidate.model_copy(update={"match": "chosen", "code": item.movie_code})
    return None
