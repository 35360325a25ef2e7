"""The normalised metadata model every provider returns (docs/providers.md, section 4)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import PurePath
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from emby_processor.fieldlimits import LIMITS, apply_limits

__all__ = ["LIMITS", "MatchKind", "MovieMetadata", "Person", "candidate_id", "candidate_summary",
           "provider_ids"]

#: how a provider found its answer (docs/providers.md, 4.4): the record names the code and was
#: found by it; its content id was built from a DMM channel prefix known for the label; it was
#: found at a guessed content id; only its content id's label and number match (no code in it);
#: a person chose it among the candidates
MatchKind = Literal["exact", "known_prefix", "guessed", "fuzzy", "chosen"]
#: answers trusted on their own; the others need another provider to agree
CONFIDENT_MATCHES: frozenset[MatchKind] = frozenset({"exact", "known_prefix", "chosen"})

#: the ids we write, under one key each, in the media server's ``ProviderIds`` and in the
#: ``.nfo`` (``<uniqueid type="…">``; MetaTube's as ``<metatubeid>``, which the MetaTube plugin
#: reads into the same key): docs/providers.md, section 5
CODE_KEY = "JavCode"
CONTENT_ID_KEY = "DmmCid"
METATUBE_KEY = "MetaTube"


class Person(BaseModel):
    """An actress (or director) as one provider knows her."""

    model_config = ConfigDict(frozen=False)

    name: str
    name_ja: str | None = None
    name_romaji: str | None = None
    name_kana: str | None = None
    aliases: list[str] = Field(default_factory=list)
    image_url: str | None = None
    external_ids: dict[str, str] = Field(default_factory=dict)


class MovieMetadata(BaseModel):
    """Everything we know about one movie, in the project's own shape.

    Every field is held to ``LIMITS`` when a record is made (``fieldlimits``): what was cut is
    listed in ``truncated``.
    """

    code: str
    content_id: str | None = None
    title: str = ""
    original_title: str | None = None
    plot: str | None = None
    language: str = "ja"
    release_date: date | None = None
    year: int | None = None
    runtime_minutes: int | None = None
    directors: list[str] = Field(default_factory=list)
    maker: str | None = None
    label: str | None = None
    series: str | None = None
    genres: list[str] = Field(default_factory=list)
    actresses: list[Person] = Field(default_factory=list)
    #: the large landscape jacket (back, spine, front)
    cover_url: str | None = None
    #: a large portrait poster, when the provider has one
    poster_url: str | None = None
    #: the small front cover (DMM's 147x200 ps.jpg): a poster only when nothing larger exists
    thumb_url: str | None = None
    screenshot_urls: list[str] = Field(default_factory=list)
    trailer_url: str | None = None
    rating: float | None = None
    votes: int | None = None
    homepage_url: str | None = None
    source: str = ""
    source_id: str = ""
    external_ids: dict[str, str] = Field(default_factory=dict)
    fetched_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    #: field name -> provider that supplied it, filled in by the provider chain
    provenance: dict[str, str] = Field(default_factory=dict)
    #: notes on what was cut to fit the field limits (shown as the item's warnings)
    truncated: list[str] = Field(default_factory=list)
    #: how the provider found this record
    match: MatchKind = "exact"
    #: other providers whose answers describe the same movie (filled in by the chain)
    agreed_by: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _limits(self) -> MovieMetadata:
        return apply_limits(self)

    def bound(self) -> MovieMetadata:
        """Apply the limits again after changes made since construction; returns self."""
        return apply_limits(self)

    @property
    def actress_names(self) -> list[str]:
        return [p.name for p in self.actresses]

    @property
    def confident(self) -> bool:
        """Good enough to write and lock: found by its code (or a known channel), chosen by a
        person, or confirmed by another provider."""
        return self.match in CONFIDENT_MATCHES or bool(self.agreed_by)

    def is_complete(self) -> bool:
        """A record good enough to stop asking further providers."""
        return bool(
            self.title and self.release_date and self.actresses and self.cover_url and self.maker
        )


def provider_ids(metadata: MovieMetadata) -> dict[str, str]:
    """Our ids of the movie by their one key (``CODE_KEY``, ``CONTENT_ID_KEY``,
    ``METATUBE_KEY``); ids we do not know are left out."""
    metatube = metadata.external_ids.get("metatube") or (
        metadata.source_id if metadata.source == "metatube" else None
    )
    ids = {
        CODE_KEY: metadata.code,
        CONTENT_ID_KEY: metadata.content_id or metadata.external_ids.get("dmm_cid"),
        METATUBE_KEY: metatube,
    }
    return {key: value for key, value in ids.items() if value}


def candidate_id(metadata: MovieMetadata) -> str:
    """A stable id of one provider's record: ``r18dev:118abc00030``, ``metatube:FANZA:…``,
    ``nfo:ABC-030.nfo`` (the file name, not its folder)."""
    ident = metadata.source_id
    if metadata.source == "nfo":
        ident = PurePath(ident).name
    return f"{metadata.source or 'unknown'}:{ident or metadata.content_id or metadata.code}"


def candidate_summary(metadata: MovieMetadata) -> dict[str, Any]:
    """A candidate as the item keeps it: what a person compares, and the whole record, so that
    choosing it needs no new request."""
    return {
        "id": candidate_id(metadata),
        "source": metadata.source,
        "content_id": metadata.content_id,
        "title": metadata.title,
        "release_date": metadata.release_date.isoformat() if metadata.release_date else None,
        "maker": metadata.maker,
        "actresses": metadata.actress_names,
        "cover_url": metadata.cover_url,
        "found_by": metadata.match,
        "agreed_by": list(metadata.agreed_by),
        "record": metadata.model_dump(mode="json"),
    }
