"""The candidates an uncertain match keeps, a person's choice, and the DMM channels seen."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from emby_processor.db import ItemConflict, ItemNotFound, QueueDB, UnknownCandidate
from emby_processor.metadata import MovieMetadata, Person, candidate_summary

OWNER = "test/worker"


@pytest.fixture
def db(tmp_path: Path) -> Iterator[QueueDB]:
    store = QueueDB(tmp_path / "queue.db").open()
    yield store
    store.close()


def candidates() -> list[MovieMetadata]:
    return [
        MovieMetadata(code="ABF-030", title="The Real ABF-030", source="r18dev",
                      source_id="118abf030", content_id="118abf030", match="fuzzy",
                      release_date=date(2021, 6, 1), maker="Prestige",
                      actresses=[Person(name="Hanako Mihon")], cover_url="https://x/pl.jpg"),
        MovieMetadata(code="ABF-030", title="Best Of Compilation", source="metatube",
                      source_id="FANZA:436abf00030", content_id="436abf00030"),
    ]


def uncertain(db: QueueDB) -> int:
    """An item whose metadata step kept candidates (as the worker applies that Fail)."""
    item, _ = db.enqueue("/watch/ABF-030.mp4", 100, 1)
    assert db.claim("file", OWNER) is not None
    db.advance(item.id, OWNER, "metadata", hold=True, movie_code="ABF-030")
    kept = json.dumps([candidate_summary(c) for c in candidates()])
    db.fail(item.id, OWNER, message="not sure", kind="permanent", retry_in=None,
            cause="ambiguous_match", fields={"candidates_json": kept})
    return item.id


def test_the_item_keeps_its_candidates(db: QueueDB) -> None:
    item_id = uncertain(db)
    kept = db.candidates(item_id)
    assert [c["id"] for c in kept] == ["r18dev:118abf030", "metatube:FANZA:436abf00030"]
    first = kept[0]
    assert (first["title"], first["release_date"], first["maker"]) == (
        "The Real ABF-030", "2021-06-01", "Prestige")
    assert first["actresses"] == ["Hanako Mihon"] and first["cover_url"] == "https://x/pl.jpg"
    assert first["found_by"] == "fuzzy" and first["record"]["content_id"] == "118abf030"
    item = db.require(item_id)
    assert (item.status, item.cause, item.to_dict()["candidate_count"]) == (
        "error", "ambiguous_match", 2)


def test_choosing_writes_the_record_and_carries_the_item_on(db: QueueDB) -> None:
    item_id = uncertain(db)
    item = db.choose_candidate(item_id, "r18dev:118abf030")
    assert (item.status, item.stage, item.error_cause, item.retry_count) == (
        "pending", "organize", None, 0)
    assert item.title == "The Real ABF-030" and item.actresses == ["Hanako Mihon"]
    assert item.person_asked  # its write may overwrite what is locked on the server
    movie = item.movie
    assert movie is not None and movie.match == "chosen" and movie.confident
    assert movie.content_id == "118abf030" and movie.release_date == date(2021, 6, 1)
    assert db.claim("file", OWNER) is not None  # due now, in the file lane
    (event,) = [e for e in db.events(item_id) if e.outcome == "chosen"]
    assert event.stage == "metadata" and "r18dev:118abf030" in event.message
    assert db.candidates(item_id)  # kept: a person may change their mind


def test_what_cannot_be_chosen(db: QueueDB) -> None:
    with pytest.raises(ItemNotFound):
        db.choose_candidate(999, "r18dev:118abf030")
    item_id = uncertain(db)
    with pytest.raises(UnknownCandidate, match="r18dev:118abf030, metatube:FANZA:436abf00030"):
        db.choose_candidate(item_id, "r18dev:999")
    db.retry(item_id)
    claimed = db.claim("file", OWNER)
    assert claimed is not None and claimed.id == item_id
    with pytest.raises(ItemConflict, match="being processed"):
        db.choose_candidate(item_id, "r18dev:118abf030")
    plain, _ = db.enqueue("/watch/ABP-123.mp4", 100, 2)
    with pytest.raises(ItemConflict, match="no candidates"):
        db.choose_candidate(plain.id, "r18dev:118abf030")


def test_channels_seen_are_kept_most_seen_first(tmp_path: Path) -> None:
    db = QueueDB(tmp_path / "queue.db").open()
    db.learn_channel("xyz", "777")
    db.learn_channel("XYZ", "")
    db.learn_channel("XYZ", "")
    db.learn_channel("XYZ", "h_" + "9" * 20)  # no DMM prefix is that long
    db.close()
    again = QueueDB(tmp_path / "queue.db").open()
    try:
        assert again.channel_prefixes("xyz") == ["", "777"]
        assert again.channel_prefixes("ABC") == []
    finally:
        again.close()
