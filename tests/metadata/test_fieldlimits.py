"""Field limits on MovieMetadata: cut once when a record is made, noted, and stable after that."""

from __future__ import annotations

from emby_processor.metadata import LIMITS, MovieMetadata, Person
from emby_processor.organizer import Organizer
from emby_processor.providers.chain import merge


def test_a_record_within_the_limits_is_untouched() -> None:
    record = MovieMetadata(code="ABP-123", title="見本", actresses=[Person(name="見本花子")],
                           source="metatube")
    assert record.truncated == []
    assert record.title == "見本" and record.actresses[0].name == "見本花子"


def test_long_text_is_cut_and_noted() -> None:
    record = MovieMetadata(
        code="ABP-123", title="t" * 10_000_000, plot="p" * 100_000, maker="m" * 5000,
        genres=[f"genre {n}" for n in range(500)], source="metatube",
        actresses=[Person(name="n" * 100_000, aliases=["a" * 300] * 3)],
    )
    assert len(record.title) == LIMITS.title and record.title.endswith("…")
    assert len(record.plot or "") == LIMITS.plot
    assert len(record.maker or "") == LIMITS.name
    assert len(record.genres) == LIMITS.list_items
    assert len(record.actresses[0].name) == LIMITS.name
    assert record.actresses[0].aliases == ["a" * (LIMITS.name - 1) + "…"]
    assert "title from metatube cut to 1,000 of 10,000,000 characters" in record.truncated
    assert "genres from metatube: kept the first 100 of 500" in record.truncated
    assert any(note.startswith("actress name from metatube cut") for note in record.truncated)


def test_an_over_long_url_is_dropped_not_cut() -> None:
    url = "https://img.example/" + "x" * 5000
    record = MovieMetadata(code="ABP-123", cover_url=url, screenshot_urls=[url, "https://ok/1"],
                           actresses=[Person(name="a", image_url=url)])
    assert record.cover_url is None and record.actresses[0].image_url is None
    assert record.screenshot_urls == ["https://ok/1"]
    assert any("cover url dropped" in note for note in record.truncated)


def test_lone_surrogates_become_readable() -> None:
    record = MovieMetadata(code="ABP-123", title="bad \ud800 title",
                           actresses=[Person(name="x\udcff")])
    assert record.title == "bad \ufffd title"
    record.model_dump_json().encode("utf-8")  # storable and sendable


def test_a_stored_record_reads_back_the_same() -> None:
    record = MovieMetadata(code="ABP-123", title="t" * 5000, source="r18dev")
    again = MovieMetadata.model_validate_json(record.model_dump_json())
    assert again.title == record.title and again.truncated == record.truncated


def test_the_chain_keeps_every_answers_notes() -> None:
    complete = dict(title="x", release_date="2020-01-01", maker="m", cover_url="https://c/1",
                    actresses=[Person(name="a")])
    first = MovieMetadata(code="ABP-123", source="metatube", plot="p" * 20_000, **complete)
    second = MovieMetadata(code="ABP-123", source="r18dev", series="s" * 1000)
    merged = merge("ABP-123", [("metatube", first), ("r18dev", second)])
    assert merged.truncated == [*first.truncated, *second.truncated]
    merged.actresses[0].aliases = ["b" * 10_000]  # a provider added to it after construction
    assert merged.bound().actresses[0].aliases == ["b" * (LIMITS.name - 1) + "…"]
    assert any(note.startswith("alias") for note in merged.truncated)


def test_the_notes_become_the_items_warnings(tmp_path) -> None:  # type: ignore[no-untyped-def]
    video = tmp_path / "ABP-123.mp4"
    video.write_bytes(b"video")
    record = MovieMetadata(code="ABP-123", title="t" * 5000, source="metatube")
    result = Organizer(None, "none", write_images=False).finish(video, record)
    assert result.warnings[0] == "metadata: title from metatube cut to 1,000 of 5,000 characters"
    assert len(video.with_suffix(".nfo").read_bytes()) < 4000
