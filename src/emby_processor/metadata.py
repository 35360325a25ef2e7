"""The normalised metadata model every provider returns (docs/providers.md, section 4)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from pydantic import BaseModel, ConfigDict, Field, model_validator

from emby_processor.fieldlimits import LIMITS, apply_limits

__all__ = ["LIMITS", "MovieMetadata", "Person", "provider_ids"]

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

    @model_validator(mode="after")
    def _limits(self) -> MovieMetadata:
        return apply_limits(self)

    def bound(self) -> MovieMetadata:
        """Apply the limits again after changes made since construction; returns self."""
        return apply_limits(self)

    @property
    def actress_names(self) -> list[str]:
        return [p.name for p in self.actresses]

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
