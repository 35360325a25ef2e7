"""NfoProvider reading .nfo files beside a video on a real file system."""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

import pytest

from emby_processor.metadata import MovieMetadata, Person
from emby_processor.nfo_writer import render_nfo
from emby_processor.providers.nfo import NfoProvider

KODI_NFO = """<?xml version="1.0" encoding="UTF-8" standalone="yes" ?>
<movie>
  <title>[ABP-123] Sample Title</title>
  <originaltitle>見本タイトル</originaltitle>
  <num>ABP-123</num>
  <outline>Outline only.</outline>
  <releasedate>2014-05-01</releasedate>
  <runtime>120 min</runtime>
  <maker>Sample Maker</maker>
  <label>Sample Label</label>
  <set><name>Sample Series</name></set>
  <genre>Drama</genre>
  <genre>Drama</genre>
  <director>Kantoku</director>
  <actor><name>Hanako</name><altname>花子</altname><thumb>https://x.invalid/h.jpg</thumb></actor>
  <actor><name>NoThumb</name><thumb>C:\\actors\\n.jpg</thumb></actor>
  <ratings><rating name="dmm"><value>8.6</value></rating></ratings>
  <thumb aspect="poster">https://x.invalid/ps.jpg</thumb>
  <fanart><thumb>https://x.invalid/pl.jpg</thumb></fanart>
  <uniqueid type="imdb">tt0123456</uniqueid>
</movie>
https://www.example.invalid/scraper-url
"""


@pytest.fixture
def video(tmp_path: Path) -> Path:
    path = tmp_path / "ABP-123.mp4"
    path.write_bytes(b"\x00" * 16)
    return path


def test_reads_our_own_nfo_back(video: Path) -> None:
    written = MovieMetadata(
        code="ABP-123", content_id="118abp00123", title="見本タイトル",
        original_title="見本タイトル", plot="あらすじ", release_date=date(2021, 6, 1),
        runtime_minutes=120, directors=["見本監督"], maker="見本メーカー", series="見本シリーズ",
        genres=["ドラマ"], actresses=[Person(name="見本花子", image_url="https://x.invalid/a.jpg")],
        rating=8.4, votes=3, homepage_url="https://x.invalid/home",
        trailer_url="https://x.invalid/t.mp4", external_ids={"metatube": "FANZA:118abp00123"},
    )  # fmt: skip
    video.with_suffix(".nfo").write_bytes(render_nfo(written))
    m = NfoProvider().fetch("ABP-123", path=video)
    assert m is not None
    assert m.code == "ABP-123" and m.title == "見本タイトル" and m.language == "ja"
    assert m.original_title == "見本タイトル" and m.plot == "あらすじ"
    assert m.release_date == date(2021, 6, 1) and m.year == 2021
    assert m.runtime_minutes == 120 and m.directors == ["見本監督"]
    assert m.maker == "見本メーカー" and m.series == "見本シリーズ" and m.genres == ["ドラマ"]
    assert [(p.name, p.name_ja, p.image_url) for p in m.actresses] == [
        ("見本花子", "見本花子", "https://x.invalid/a.jpg")
    ]
    assert m.rating == 8.4 and m.votes == 3
    assert m.homepage_url == "https://x.invalid/home" and m.trailer_url == "https://x.invalid/t.mp4"
    assert m.content_id == "118abp00123"
    assert m.external_ids == {"dmm_cid": "118abp00123", "metatube": "FANZA:118abp00123"}
    assert m.source == "nfo" and m.source_id == str(video.with_suffix(".nfo"))


def test_reads_kodi_and_mdc_variants(video: Path) -> None:
    (video.parent / "movie.nfo").write_text(KODI_NFO, encoding="utf-8")
    m = NfoProvider().fetch("ABP-123", path=video)
    assert m is not None
    assert m.title == "Sample Title" and m.language == "en"
    assert m.plot == "Outline only." and m.release_date == date(2014, 5, 1)
    assert m.runtime_minutes == 120
    assert (m.maker, m.label, m.series) == ("Sample Maker", "Sample Label", "Sample Series")
    assert m.genres == ["Drama"] and m.directors == ["Kantoku"]
    assert [p.name for p in m.actresses] == ["Hanako", "NoThumb"]
    assert m.actresses[0].aliases == ["花子"]
    assert m.actresses[0].image_url == "https://x.invalid/h.jpg"
    assert m.actresses[1].image_url is None  # local paths are not URLs
    assert m.rating == 8.6
    assert m.poster_url == "https://x.invalid/ps.jpg" and m.cover_url == "https://x.invalid/pl.jpg"


def test_video_named_nfo_wins_over_movie_nfo(video: Path) -> None:
    (video.parent / "movie.nfo").write_text(KODI_NFO, encoding="utf-8")
    video.with_suffix(".nfo").write_bytes(render_nfo(MovieMetadata(code="ABP-123", title="own")))
    m = NfoProvider().fetch("ABP-123", path=video)
    assert m is not None and m.title == "own"


def test_nfo_for_another_code_is_rejected(video: Path, caplog: pytest.LogCaptureFixture) -> None:
    video.with_suffix(".nfo").write_bytes(render_nfo(MovieMetadata(code="ABP-124", title="x")))
    with caplog.at_level(logging.WARNING):
        assert NfoProvider().fetch("ABP-123", path=video) is None
    assert "does not name ABP-123" in caplog.text


@pytest.mark.parametrize(
    "body",
    [
        "<movie><title>ABP-123 t</title><num>ABP-999</num></movie>",  # fields disagree
        '<movie><title>t</title><uniqueid type="dmm">118abp00999</uniqueid></movie>',
        "<movie><title>ABP-1234 t</title></movie>",
    ],
)
def test_any_conflicting_code_rejects(video: Path, body: str) -> None:
    video.with_suffix(".nfo").write_text(body, encoding="utf-8")
    assert NfoProvider().fetch("ABP-123", path=video) is None


@pytest.mark.parametrize(
    "body",
    [
        "<movie><title>ABP-123-C Subtitled</title></movie>",
        "<movie><title>【abp00123】t</title></movie>",
        '<movie><title>t</title><uniqueid type="dmm">118abp00123</uniqueid></movie>',
        "<movie><title>t</title><sorttitle>abp-123</sorttitle></movie>",
    ],
)
def test_code_is_recognised_in_its_usual_places(tmp_path: Path, body: str) -> None:
    video = tmp_path / "some name.mkv"
    (tmp_path / "movie.nfo").write_text(body, encoding="utf-8")
    assert NfoProvider().fetch("ABP-123", path=video) is not None


def test_codeless_nfo_only_counts_when_named_after_the_video(video: Path) -> None:
    body = "<movie><title>Just a title</title></movie>"
    (video.parent / "movie.nfo").write_text(body, encoding="utf-8")
    assert NfoProvider().fetch("ABP-123", path=video) is None
    video.with_suffix(".nfo").write_text(body, encoding="utf-8")
    m = NfoProvider().fetch("ABP-123", path=video)
    assert m is not None and m.title == "Just a title"


@pytest.mark.parametrize(
    "body",
    [
        b"<movie><title>ABP-123",  # truncated
        b"not xml at all",
        b"",
        b"<tvshow><title>ABP-123</title></tvshow>",
        b'<?xml version="1.0"?><!DOCTYPE m [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
        b"<movie><title>&b;</title></movie>",  # entity expansion
        b'<?xml version="1.0"?><!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<movie><title>&x;</title></movie>",  # external entity
        b"\xff\xfe\x00garbage",
    ],
)
def test_malformed_or_hostile_nfo_is_ignored(
    video: Path, body: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    video.with_suffix(".nfo").write_bytes(body)
    with caplog.at_level(logging.WARNING):
        assert NfoProvider().fetch("ABP-123", path=video) is None
    assert str(video.with_suffix(".nfo")) in caplog.text


def test_oversized_nfo_is_ignored(video: Path) -> None:
    video.with_suffix(".nfo").write_bytes(b"<movie>" + b" " * 2000 + b"</movie>")
    assert NfoProvider(max_bytes=1000).fetch("ABP-123", path=video) is None


def test_without_a_path_or_file_there_is_nothing(video: Path) -> None:
    provider = NfoProvider()
    assert provider.fetch("ABP-123") is None
    assert provider.fetch("ABP-123", path=video) is None
    assert provider.fetch_for_file(video.parent / "missing" / "x.mp4", "ABP-123") is None
    assert provider.check().ok
