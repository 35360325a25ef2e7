"""Limits on scraped metadata: what one provider answer may cost the rest of the service.

Every field of a ``MovieMetadata`` goes on to the database (columns, search index, events), the
live log, the ``.nfo`` beside the video and the media server. A provider that answers a 10 MB
title or a 100,000-character actress name would otherwise cost hundreds of megabytes in each of
those places, or fail the movie where the name goes into a URL. So each answer is cut once, where
it becomes a ``MovieMetadata`` (``MovieMetadata`` runs :func:`apply_limits` as its validator, and
the provider chain once more on the merged record), and a note says what was cut:

- text is cut at a character limit and ends with ``…``; lone surrogates become readable text;
- a list keeps its first entries;
- a URL over the limit is dropped, not cut (half a URL points somewhere else).

The notes go to ``MovieMetadata.truncated`` and from there to the item's warnings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from emby_processor.safetext import readable

if TYPE_CHECKING:
    from emby_processor.metadata import MovieMetadata, Person


@dataclass(frozen=True)
class FieldLimits:
    title: int = 1000  # characters: title, original_title
    plot: int = 10_000
    name: int = 200  # a person's names and aliases, maker, label, series, a genre, a director
    code: int = 100  # codes, ids, the language, external id values
    url: int = 2048
    list_items: int = 100  # actresses, genres, screenshots
    short_list: int = 20  # directors, a person's aliases
    external_ids: int = 50
    notes: int = 50


LIMITS = FieldLimits()

_NAMES = ("maker", "label", "series")
_CODES = ("code", "content_id", "language", "source", "source_id")
_URLS = ("cover_url", "poster_url", "thumb_url", "trailer_url", "homepage_url")
_PERSON_NAMES = ("name", "name_ja", "name_romaji", "name_kana")


class _Notes:
    """What was cut, one line per kind of field (the longest original is reported)."""

    def __init__(self, source: str) -> None:
        self.source = f" from {source}" if source else ""
        self._cut: dict[str, tuple[int, int]] = {}
        self._lists: dict[str, tuple[int, int]] = {}
        self._urls: dict[str, int] = {}

    def cut(self, what: str, limit: int, length: int) -> None:
        self._cut[what] = (limit, max(length, self._cut.get(what, (0, 0))[1]))

    def shortened(self, what: str, limit: int, length: int) -> None:
        self._lists[what] = (limit, max(length, self._lists.get(what, (0, 0))[1]))

    def dropped_url(self, what: str, length: int) -> None:
        self._urls[what] = max(length, self._urls.get(what, 0))

    def lines(self) -> list[str]:
        return [
            *(f"{what}{self.source} cut to {limit:,} of {length:,} characters"
              for what, (limit, length) in self._cut.items()),
            *(f"{what}{self.source}: kept the first {limit:,} of {length:,}"
              for what, (limit, length) in self._lists.items()),
            *(f"{what}{self.source} dropped: a URL of {length:,} characters"
              for what, length in self._urls.items()),
        ]


def apply_limits(metadata: MovieMetadata) -> MovieMetadata:
    """Cut ``metadata`` to ``LIMITS`` in place, adding notes to ``truncated``; returns it."""
    notes = _Notes(metadata.source if len(metadata.source) <= LIMITS.code else "")
    text = _texter(notes)
    for name in _CODES:
        setattr(metadata, name, text(getattr(metadata, name), LIMITS.code, name))
    metadata.title = text(metadata.title, LIMITS.title, "title") or ""
    metadata.original_title = text(metadata.original_title, LIMITS.title, "original title")
    metadata.plot = text(metadata.plot, LIMITS.plot, "plot")
    for name in _NAMES:
        setattr(metadata, name, text(getattr(metadata, name), LIMITS.name, name))
    for name in _URLS:
        setattr(metadata, name, _url(getattr(metadata, name), name.replace("_", " "), notes))
    metadata.genres = _texts(metadata.genres, LIMITS.list_items, LIMITS.name, "genre", notes)
    metadata.directors = _texts(
        metadata.directors, LIMITS.short_list, LIMITS.name, "director", notes)
    urls = _first(metadata.screenshot_urls, LIMITS.list_items, "screenshots", notes)
    metadata.screenshot_urls = [u for u in (_url(u, "screenshot", notes) for u in urls) if u]
    metadata.actresses = _first(metadata.actresses, LIMITS.list_items, "actresses", notes)
    for person in metadata.actresses:
        _limit_person(person, text, notes)
    metadata.external_ids = _ids(metadata.external_ids, text, notes)
    earlier = [readable(note)[: LIMITS.title] for note in metadata.truncated]
    metadata.truncated = list(dict.fromkeys([*earlier, *notes.lines()]))[: LIMITS.notes]
    return metadata


Texter = Callable[[str | None, int, str], str | None]


def _texter(notes: _Notes) -> Texter:
    def text(value: str | None, limit: int, what: str) -> str | None:
        if value is None:
            return None
        if len(value) > limit:
            notes.cut(what, limit, len(value))
            value = value[: limit - 1] + "…"
        return readable(value)

    return text


def _limit_person(person: Person, text: Texter, notes: _Notes) -> None:
    for name in _PERSON_NAMES:
        limited = text(getattr(person, name), LIMITS.name, f"actress {name.replace('_', ' ')}")
        setattr(person, name, limited if name != "name" else limited or "")
    person.aliases = _texts(person.aliases, LIMITS.short_list, LIMITS.name, "alias", notes)
    person.image_url = _url(person.image_url, "actress image URL", notes)
    person.external_ids = _ids(person.external_ids, text, notes)


def _first(values: list[Any], limit: int, what: str, notes: _Notes) -> list[Any]:
    if len(values) > limit:
        notes.shortened(what, limit, len(values))
        return values[:limit]
    return values


def _texts(values: list[str], count: int, limit: int, what: str, notes: _Notes) -> list[str]:
    text = _texter(notes)
    kept = (text(value, limit, what) for value in _first(values, count, f"{what}s", notes))
    return list(dict.fromkeys(value for value in kept if value))


def _url(value: str | None, what: str, notes: _Notes) -> str | None:
    if value is not None and len(value) > LIMITS.url:
        notes.dropped_url(what, len(value))
        return None
    return readable(value) if value is not None else None


def _ids(ids: dict[str, str], text: Texter, notes: _Notes) -> dict[str, str]:
    items = _first(list(ids.items()), LIMITS.external_ids, "external ids", notes)
    return {
        str(text(key, LIMITS.code, "external id name")):
            str(text(value, LIMITS.name, "external id"))
        for key, value in items
    }
