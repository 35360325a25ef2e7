"""Metadata: the movie code -> ``MovieMetadata`` from the provider chain (docs/providers.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from emby_processor.item import QueueItem
from emby_processor.metadata import MovieMetadata
from emby_processor.pipeline.outcome import Advance, Outcome, StageContext


class MetadataSource(Protocol):
    """The provider chain as the stage sees it: raises a ProcessingError when nobody answers."""

    def fetch(
        self, code: str, *, path: Path | None = None, refresh: bool = False
    ) -> MovieMetadata: ...


def fetch_metadata(item: QueueItem, ctx: StageContext, *, source: MetadataSource) -> Outcome:
    assert item.movie_code is not None, "identify runs first"
    movie = source.fetch(item.movie_code, path=Path(item.file_path),
                         refresh=item.refresh_metadata)
    sources = sorted(set(movie.provenance.values())) or [movie.source]
    message = f"{movie.title or item.movie_code} from {', '.join(sources)}"
    ctx.log.info("%s: metadata %s", item.movie_code, message)
    # an item already in the library goes on to organize too: it finds the video filed and
    # only refreshes the sidecars
    return Advance(
        "organize",
        ctx.event("metadata", "ok", message,
                  {"source": movie.source, "provenance": movie.provenance}),
        fields={"title": movie.title, "metadata_json": movie.model_dump_json(),
                "refresh_metadata": False},
        actresses=movie.actress_names,
        movie=movie,
    )
