"""Render ``MovieMetadata`` as an Emby/Jellyfin/Kodi ``.nfo`` (docs/providers.md, section 5).

Scraped text is data: it goes into the tree through ElementTree, which escapes it, after
characters that XML 1.0 cannot carry at all (NUL and other control characters) are removed.
"""

from __future__ import annotations

import re
from xml.etree.ElementTree import Element, SubElement, indent, tostring

from emby_processor.metadata import (
    CODE_KEY,
    CONTENT_ID_KEY,
    METATUBE_KEY,
    MovieMetadata,
    provider_ids,
)

DECLARATION = '<?xml version="1.0" encoding="utf-8" standalone="yes"?>\n'

# everything outside XML 1.0's Char production, plus lone surrogates that UTF-8 cannot encode
_ILLEGAL = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def clean_text(value: str) -> str:
    return _ILLEGAL.sub("", value.replace("\r\n", "\n").replace("\r", "\n")).strip()


def _no_slash(value: str) -> str:
    # Emby splits studios and genres on "/"; the full-width solidus reads the same
    return value.replace("/", "／")


def _no_comma(value: str) -> str:
    # Emby splits director names on ","
    return value.replace(",", "，")


def _add(parent: Element, tag: str, value: object, **attrs: str) -> None:
    if value is None:
        return
    text = clean_text(str(value))
    if text:
        SubElement(parent, tag, attrs).text = text


def render_nfo(metadata: MovieMetadata, *, mpaa: str = "JP-18+") -> bytes:
    """The ``.nfo`` document as UTF-8 bytes: only elements Emby, Jellyfin, Kodi or the MetaTube
    plugin read (docs/providers.md, 5.2), the ids under the keys the API writes. ``<id>`` is
    never written: Emby reads it as IMDb."""
    m = metadata
    root = Element("movie")
    _add(root, "title", f"{m.code} {m.title}".strip() if m.title else m.code)
    _add(root, "originaltitle", m.original_title)
    _add(root, "sorttitle", m.code)
    _add(root, "plot", m.plot)
    if m.release_date:
        _add(root, "premiered", m.release_date.isoformat())
    _add(root, "year", m.year or (m.release_date.year if m.release_date else None))
    _add(root, "runtime", m.runtime_minutes)
    _add(root, "mpaa", mpaa)
    _add(root, "studio", _no_slash(m.maker) if m.maker else None)
    _add(root, "set", m.series)
    for tag in dict.fromkeys(t for t in (m.label, m.series, m.maker) if t):
        _add(root, "tag", tag)
    for genre in m.genres:
        _add(root, "genre", _no_slash(genre))
    for director in m.directors:
        _add(root, "director", _no_comma(director))
    for order, person in enumerate(m.actresses):
        if not clean_text(person.name):
            continue
        actor = SubElement(root, "actor")
        _add(actor, "name", person.name)
        _add(actor, "role", "Actress")
        _add(actor, "sortorder", order)
        _add(actor, "thumb", person.image_url)
    if m.rating is not None:
        _add(root, "rating", f"{min(10.0, max(0.0, m.rating)):.1f}")
    _add(root, "votes", m.votes)
    _add(root, "website", m.homepage_url)
    _add(root, "trailer", m.trailer_url)
    ids = provider_ids(m)
    # the MetaTube plugin reads <metatubeid> into the same key as our API write
    _add(root, "metatubeid", ids.pop(METATUBE_KEY, None))
    default = CONTENT_ID_KEY if CONTENT_ID_KEY in ids else CODE_KEY
    for key, value in ids.items():
        _add(root, "uniqueid", value, type=key, **({"default": "true"} if key == default else {}))
    indent(root, space="  ")
    return (DECLARATION + tostring(root, encoding="unicode") + "\n").encode("utf-8")
