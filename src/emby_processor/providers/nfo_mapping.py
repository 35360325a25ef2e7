"""``<movie>`` element of a Kodi-style ``.nfo`` -> ``MovieMetadata``.

Reads what this project writes (``nfo_writer``) and the common variants other tools write:
``<set><name>``, ``<ratings><rating><value>``, MDC's ``<num>``/``<maker>``/``<label>``/
``<cover>``, Kodi's ``<thumb aspect="poster">`` and ``<fanart><thumb>``. Only http(s) image
URLs are taken; local image paths are the organizer's business.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from xml.etree.ElementTree import Element

from emby_processor.metadata import MovieMetadata, Person
from emby_processor.providers import fields
from emby_processor.providers.codes import normalize_code

_JAPANESE = re.compile("[\u3040-\u30ff\u3400-\u9fff]")
_LEADING_INT = re.compile(r"\s*(\d+)")
_CODE_LIKE = re.compile(r"[A-Za-z0-9]+(?:[-_][A-Za-z0-9]+){0,3}")
_BRACKETS = "[]()【】「」"


def map_nfo(root: Element, code: str, nfo: Path) -> MovieMetadata:
    title = _strip_code(_text(root, "title") or "", code)
    release = _date(root, "premiered", "releasedate", "release")
    year = _int(root, "year")
    ids = {u.get("type", "").lower(): (u.text or "").strip() for u in root.iter("uniqueid")}
    cid = ids.get("dmmcid") or ids.get("dmm") or ids.get("cid") or None
    external = {"dmm_cid": cid} if cid else {}
    metatube = _text(root, "metatubeid")
    if metatube:
        external["metatube"] = metatube
    return MovieMetadata(
        code=code,
        content_id=cid,
        title=title,
        original_title=_text(root, "originaltitle"),
        plot=_text(root, "plot") or _text(root, "outline"),
        language="ja" if _JAPANESE.search(title) else "en",
        release_date=release,
        year=release.year if release else year,
        runtime_minutes=_int(root, "runtime"),
        directors=_all(root, "director"),
        maker=_text(root, "studio") or _text(root, "maker"),
        label=_text(root, "label"),
        series=_text(root, "set/name") or _text(root, "set") or _text(root, "series"),
        genres=_all(root, "genre"),
        actresses=[p for a in root.findall("actor") if (p := _person(a))],
        cover_url=_url(root, "fanart/thumb", "cover", "fanart"),
        poster_url=_poster(root),
        trailer_url=_url(root, "trailer"),
        rating=_rating(root),
        votes=_int(root, "votes"),
        homepage_url=_url(root, "website"),
        source="nfo",
        source_id=str(nfo),
        external_ids=external,
    )


def _text(root: Element, path: str) -> str | None:
    element = root.find(path)
    if element is None or element.text is None:
        return None
    return element.text.strip() or None


def _all(root: Element, tag: str) -> list[str]:
    return fields.unique(e.text.strip() for e in root.findall(tag) if e.text and e.text.strip())


def _int(root: Element, tag: str) -> int | None:
    match = _LEADING_INT.match(_text(root, tag) or "")
    return fields.positive_int(match[1]) if match else None


def _date(root: Element, *tags: str) -> date | None:
    for tag in tags:
        parsed = fields.calendar_date(_text(root, tag))
        if parsed:
            return parsed
    return None


def _url(root: Element, *paths: str) -> str | None:
    for path in paths:
        value = _text(root, path)
        if value and value.startswith(("http://", "https://")):
            return value
    return None


def _poster(root: Element) -> str | None:
    thumbs = [t for t in root.findall("thumb") if t.text]
    posters = [t for t in thumbs if t.get("aspect", "poster") == "poster"]
    for thumb in posters:
        value = (thumb.text or "").strip()
        if value.startswith(("http://", "https://")):
            return value
    return None


def _rating(root: Element) -> float | None:
    raw = _text(root, "rating") or _text(root, "ratings/rating/value")
    try:
        value = float(raw) if raw else None
    except ValueError:
        return None
    return min(10.0, value) if value and value > 0 else None


def _person(actor: Element) -> Person | None:
    name = _text(actor, "name")
    if not name:
        return None
    thumb = _text(actor, "thumb")
    return Person(
        name=name,
        name_ja=name if _JAPANESE.search(name) else None,
        aliases=_all(actor, "altname"),
        image_url=thumb if thumb and thumb.startswith(("http://", "https://")) else None,
    )


def _strip_code(title: str, code: str) -> str:
    """``ABP-123 Title`` -> ``Title``: the code prefix is not part of the title."""
    token = title_code(title)
    if token is None or not normalize_code(token).startswith(normalize_code(code)):
        return title.strip()
    words = title.strip().split(maxsplit=1)
    return words[1].strip() if len(words) > 1 else title.strip()


def title_code(title: str) -> str | None:
    """The code-like first word of a title (``ABP-123 …``, ``[ABP-123] …``), if any."""
    words = title.strip().split(maxsplit=1)
    if not words:
        return None
    word = re.split(r"[\]】)」]", words[0].lstrip(_BRACKETS), maxsplit=1)[0]
    return word if is_code_like(word) else None


def is_code_like(value: str) -> bool:
    return (
        _CODE_LIKE.fullmatch(value) is not None
        and any(c.isdigit() for c in value)
        and (any(c.isalpha() for c in value) or "-" in value or "_" in value)
    )
