"""render_nfo output, parsed back with a real XML parser."""

from __future__ import annotations

from datetime import date
from xml.etree.ElementTree import Element

from defusedxml.ElementTree import fromstring

from emby_processor.mediaserver.dialect import JELLYFIN
from emby_processor.mediaserver.dto import build_update
from emby_processor.metadata import MovieMetadata, Person
from emby_processor.nfo_writer import render_nfo


def sample() -> MovieMetadata:
    return MovieMetadata(
        code="ABC-123",
        content_id="118abc00123",
        title="見本タイトル",
        original_title="見本タイトル",
        plot="あらすじの例。",
        release_date=date(2021, 6, 1),
        year=2021,
        runtime_minutes=120,
        directors=["見本監督"],
        maker="見本メーカー",
        label="見本レーベル",
        series="見本シリーズ",
        genres=["単体作品", "ドラマ"],
        actresses=[
            Person(name="見本花子", image_url="https://pics.dmm.co.jp/mono/actjpgs/m.jpg"),
            Person(name="例示月子"),
        ],
        rating=8.4,
        votes=12,
        homepage_url="https://video.dmm.co.jp/av/content/?id=118abc00123",
        trailer_url="https://cc3001.dmm.co.jp/litevideo/t.mp4",
        external_ids={"metatube": "FANZA:118abc00123", "dmm_cid": "118abc00123"},
    )


def parse(data: bytes) -> Element:
    root: Element = fromstring(data)
    return root


def texts(root: Element, tag: str) -> list[str]:
    return [e.text or "" for e in root.findall(tag)]


def test_section_5_document() -> None:
    data = render_nfo(sample())
    assert data.startswith(b'<?xml version="1.0" encoding="utf-8" standalone="yes"?>\n<movie>')
    root = parse(data)
    assert root.tag == "movie"
    assert root.findtext("title") == "ABC-123 見本タイトル"
    assert root.findtext("originaltitle") == "見本タイトル"
    assert root.findtext("sorttitle") == "ABC-123"
    assert root.findtext("plot") == "あらすじの例。"
    assert root.findtext("premiered") == "2021-06-01"
    assert root.findtext("year") == "2021"
    assert root.findtext("runtime") == "120"
    assert root.findtext("mpaa") == "JP-18+"
    assert root.findtext("studio") == "見本メーカー"
    assert root.findtext("set") == "見本シリーズ"
    assert texts(root, "tag") == ["見本レーベル", "見本シリーズ", "見本メーカー"]
    assert texts(root, "genre") == ["単体作品", "ドラマ"]
    assert texts(root, "director") == ["見本監督"]
    actors = root.findall("actor")
    assert [a.findtext("name") for a in actors] == ["見本花子", "例示月子"]
    assert [a.findtext("role") for a in actors] == ["Actress", "Actress"]
    assert [a.findtext("sortorder") for a in actors] == ["0", "1"]
    assert actors[0].findtext("thumb") == "https://pics.dmm.co.jp/mono/actjpgs/m.jpg"
    assert actors[1].find("thumb") is None
    assert root.findtext("rating") == "8.4"
    assert root.findtext("votes") == "12"
    assert root.findtext("website") == "https://video.dmm.co.jp/av/content/?id=118abc00123"
    assert root.findtext("trailer") == "https://cc3001.dmm.co.jp/litevideo/t.mp4"
    assert root.findtext("metatubeid") == "FANZA:118abc00123"
    uids = {u.get("type"): (u.text, u.get("default")) for u in root.iter("uniqueid")}
    assert uids == {"JavCode": ("ABC-123", None), "DmmCid": ("118abc00123", "true")}
    assert root.find("id") is None  # Emby would take it for an IMDb id


def jellyfin_reads_ids(root: Element, plugin_keys: tuple[str, ...] = ("MetaTube",)) -> dict[
        str, str]:
    """The provider ids Jellyfin's NFO reader takes from a document: each ``<uniqueid
    type="X">`` as X, verbatim, and ``<{key lower-cased}id>`` for a plugin's key."""
    ids = {u.get("type") or "": (u.text or "").strip() for u in root.iter("uniqueid")}
    for key in plugin_keys:
        value = root.findtext(f"{key.lower()}id")
        if value:
            ids[key] = value
    return ids


def test_every_id_has_the_same_key_in_the_nfo_and_in_the_api() -> None:
    m = sample()
    written = build_update({"Name": "x", "ProviderIds": {}}, m, JELLYFIN)
    assert jellyfin_reads_ids(parse(render_nfo(m))) == written["ProviderIds"]
    m.content_id, m.external_ids = None, {}
    written = build_update({"Name": "x", "ProviderIds": {}}, m, JELLYFIN)
    assert jellyfin_reads_ids(parse(render_nfo(m))) == written["ProviderIds"] == {
        "JavCode": "ABC-123"}


def test_only_elements_that_a_reader_reads() -> None:
    # every element of a full document, and who reads it (docs/providers.md, 5.2)
    read_by = {
        "title": "all", "originaltitle": "all", "sorttitle": "all", "plot": "all",
        "premiered": "all", "year": "all", "runtime": "all", "mpaa": "all", "studio": "all",
        "set": "all", "tag": "all", "genre": "all", "director": "all", "actor": "all",
        "rating": "all", "votes": "Emby, Kodi", "website": "Emby",
        "trailer": "Emby, Kodi (Jellyfin only YouTube plugin links)",
        "metatubeid": "the MetaTube plugin", "uniqueid": "Jellyfin, Kodi",
    }
    assert {e.tag for e in parse(render_nfo(sample()))} == set(read_by)
    assert parse(render_nfo(sample())).find("releasedate") is None  # premiered says it


def test_mpaa_is_configurable_and_empty_fields_are_left_out() -> None:
    root = parse(render_nfo(MovieMetadata(code="ABC-001"), mpaa="XXX"))
    assert root.findtext("mpaa") == "XXX"
    assert root.findtext("title") == "ABC-001"
    assert [e.tag for e in root] == ["title", "sorttitle", "mpaa", "uniqueid"]  # the code


def test_slashes_and_commas_do_not_split_names() -> None:
    m = sample()
    m.maker, m.genres, m.directors = "S1/No.1 Style", ["Big/Tall", "Drama"], ["Doe, John"]
    root = parse(render_nfo(m))
    assert "/" not in (root.findtext("studio") or "")
    assert root.findtext("studio") == "S1／No.1 Style"
    assert texts(root, "genre") == ["Big／Tall", "Drama"]
    assert texts(root, "director") == ["Doe， John"]


def test_hostile_text_stays_data() -> None:
    hostile = "<script>alert('x')</script> & \"q\" ]]> \u200fRTL\u202e 🎬 end"
    m = sample()
    m.title = hostile
    m.plot = "a\x00b\x07c\x1bd\ufffee\r\nf"
    m.actresses = [Person(name="</name><evil/>", image_url="https://x.invalid/?a=1&b=2")]
    data = render_nfo(m)
    assert b"<script>" not in data and b"<evil/>" not in data
    assert b"\x00" not in data
    data.decode("utf-8")  # valid UTF-8 throughout
    root = parse(data)
    assert root.findtext("title") == f"ABC-123 {hostile}".replace("\r", "")
    assert root.findtext("plot") == "abcde\nf"
    actor = root.find("actor")
    assert actor is not None and actor.findtext("name") == "</name><evil/>"
    assert actor.findtext("thumb") == "https://x.invalid/?a=1&b=2"
    assert root.find("evil") is None and root.find(".//script") is None


def test_rating_is_clamped_and_dot_decimal() -> None:
    m = sample()
    m.rating = 12.345
    assert parse(render_nfo(m)).findtext("rating") == "10.0"
