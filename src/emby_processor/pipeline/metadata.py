"""Metadata: the movie code -> ``MovieMetadata`` from the provider chain (docs/providers.md).

Only a confident answer goes on (to be filed and written, locked). When the chain is not sure
which movie the file is, the step fails with the candidates it found, which the item keeps
(``candidates_json``) until a person chooses one or a later run is sure.
"""

from __future__ import annotations

import json
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
    try:
        movie = source.fetch(item.movie_code, path=Path(item.file_path),
                             refresh=item.refresh_metadata)
    except ProcessingError as error:
        if not error.candidates:
            raise
        # nothing is written: the item keeps the movies it could be, for a person to choose
        ctx.log.warning("%s: %d candidate(s) kept: %s", item.movie_code, len(error.candidates),
                        ", ".join(candidate_id(c) for c in error.candidates))
        kept = json.dumps([candidate_summary(c) for c in error.candidates], ensure_ascii=False)
        return Fail(error, fields={"candidates_json": kept})
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
                "refresh_metadata": False, "candidates_json": None},
        actresses=movie.actress_names,
        movie=movie,
    )
