"""r18.dev ``combined`` record -> ``MovieMetadata`` (docs/providers.md, 2.2 and 4.1).

English is preferred for the title, plot and names; the Japanese title stays in
``original_title`` and the kanji names in ``Person.name_ja``. Old records use a nested legacy
shape (``maker{name}``, ``images{jacket_image{…}}``, ``sample{high}``), read as a fallback.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from emby_processor.metadata import MatchKind, MovieMetadata, Person
from emby_processor.providers import fields

ACTRESS_IMAGE_PREFIX = "https://pics.dmm.co.jp/mono/actjpgs/"
PUBLIC_PAGE = "https://r18.dev/videos/vod/movies/detail/-/id={content_id}/"


def map_record(
    record: Mapping[str, Any], code: str, *, match: MatchKind = "exact"
) -> MovieMetadata:
    """``code`` is used only when the record has no ``dvd_id`` (a cid-validated fallback);
    ``match`` says how the record was found (``r18dev_resolve``)."""
    content_id = fields.text(record, "content_id") or ""
    title_en = fields.first_text(record, "title_en", "title")
    title_ja = fields.text(record, "title_ja")
    release = fields.calendar_date(record.get("release_date"))
    external = {"r18dev": content_id, "dmm_cid": content_id} if content_id else {}
    return MovieMetadata(
        code=fields.text(record, "dvd_id") or code,
        content_id=content_id or None,
        title=title_en or title_ja or "",
        original_title=title_ja,
        plot=fields.first_text(record, "comment_en", "description_en"),
        language="en" if title_en else "ja",
        release_date=release,
        year=release.year if release else None,
        runtime_minutes=fields.positive_int(record.get("runtime_mins")),
        directors=_directors(record),
        maker=_named(record, "maker"),
        label=_named(record, "label"),
        series=_named(record, "series"),
        genres=fields.unique(
            name
            for c in fields.dicts(record.get("categories"))
            if (name := fields.first_text(c, "name_en", "name_ja"))
        ),
        actresses=[_actress(a) for a in fields.dicts(record.get("actresses")) if _has_name(a)],
        cover_url=fields.text(record, "jacket_full_url") or _legacy_jacket(record),
        thumb_url=fields.text(record, "jacket_thumb_url"),  # 147x200: r18.dev has no poster
        screenshot_urls=_gallery(record),
        trailer_url=fields.text(record, "sample_url") or _legacy_sample(record),
        homepage_url=PUBLIC_PAGE.format(content_id=content_id) if content_id else None,
        source="r18dev",
        source_id=content_id,
        external_ids=external,
        match=match,
    )


def actress_image(value: str | None) -> str | None:
    """r18.dev gives a bare file name (``mihon_hanako.jpg``) for DMM's actress photo folder."""
    if not value:
        return None
    if value.startswith(("http://", "https://")):
        return value
    return ACTRESS_IMAGE_PREFIX + value.lstrip("/")


def _named(record: Mapping[str, Any], key: str) -> str | None:
    flat = fields.first_text(record, f"{key}_name_en", f"{key}_name_ja")
    if flat:
        return flat
    legacy = record.get(key)
    return fields.text(legacy, "name") if isinstance(legacy, Mapping) else None


def _directors(record: Mapping[str, Any]) -> list[str]:
    names = [
        name
        for d in fields.dicts(record.get("directors"))
        if (name := fields.first_text(d, "name_romaji", "name_kanji"))
    ]
    legacy = fields.text(record, "director")
    return fields.unique(names or ([legacy] if legacy else []))


def _has_name(actress: Mapping[str, Any]) -> bool:
    return fields.first_text(actress, "name_romaji", "name_kanji", "name_kana") is not None


def _actress(actress: Mapping[str, Any]) -> Person:
    romaji = fields.text(actress, "name_romaji")
    kanji = fields.text(actress, "name_kanji")
    kana = fields.text(actress, "name_kana")
    ident = actress.get("id")
    return Person(
        name=romaji or kanji or kana or "",
        name_ja=kanji,
        name_romaji=romaji,
        name_kana=kana,
        image_url=actress_image(fields.text(actress, "image_url")),
        external_ids={"r18dev": str(ident)} if isinstance(ident, int | str) and ident else {},
    )


def _gallery(record: Mapping[str, Any]) -> list[str]:
    urls = [u for g in fields.dicts(record.get("gallery")) if (u := fields.text(g, "image_full"))]
    if not urls:
        images = record.get("images")
        if isinstance(images, Mapping):
            urls = fields.strings(images.get("sample_images"))
    return fields.unique(urls)


def _legacy_jacket(record: Mapping[str, Any]) -> str | None:
    images = record.get("images")
    jacket = images.get("jacket_image") if isinstance(images, Mapping) else None
    return fields.first_text(jacket, "large", "large2") if isinstance(jacket, Mapping) else None


def _legacy_sample(record: Mapping[str, Any]) -> str | None:
    sample = record.get("sample")
    return fields.first_text(sample, "high", "low") if isinstance(sample, Mapping) else None
