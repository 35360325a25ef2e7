"""An uncertain match is not written: the item waits with its candidates, and a person's choice
files it and writes it (docs/providers.md, 4.4)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from emby_processor.api import create_app
from emby_processor.db import QueueItem
from tests.fakes.r18dev import other_channel_record, sample_record
from tests.pipeline.stack import InProcess, Stack, wait_for
from tests.truth.conftest import QUICK, finished

WRITE = {"X-Requested-With": "emby-processor"}


@contextmanager
def dashboard(run: InProcess) -> Iterator[TestClient]:
    app = create_app(run.settings, db=run.db, upstream_checks={})
    with TestClient(app, base_url="http://127.0.0.1") as client:
        yield client


def written_titles(stack: Stack) -> list[str]:
    return [str(stack.emby.get(held["Id"])["Name"]) for held in
            stack.emby.items_by_path().values()]


def choose_and_finish(run: InProcess, item: QueueItem, candidate: str) -> QueueItem:
    with dashboard(run) as client:
        answer = client.post(f"/api/queue/{item.id}/choose", json={"candidate": candidate},
                             headers=WRITE)
        assert answer.status_code == 200, answer.text

    def completed() -> QueueItem | None:
        now = run.db.require(item.id)
        return now if now.status == "completed" else None

    done: QueueItem = wait_for(completed, 30, run.describe)
    return done


def test_a_guess_waits_with_its_candidates_and_a_choice_files_it(
    emby: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a label nobody knows the channel of: the lookup answers a record without the code
    real = sample_record("XYZ-030", content_id="777xyz030", image_base=emby.image_base())
    guess = other_channel_record(real, dvd_id=None, title="Probably XYZ-030")
    emby.r18dev.add_other_channel(real, guess)
    video = emby.drop("XYZ-030.mp4")
    with InProcess(emby, monkeypatch, **QUICK) as run:
        item = finished(run, 1)["XYZ-030.mp4"]
        assert (item.status, item.error_kind, item.cause) == (
            "error", "permanent", "ambiguous_match")
        assert video.exists() and emby.emby.announced == []  # not filed, nothing written
        with dashboard(run) as client:
            kept = client.get(f"/api/queue/{item.id}/candidates").json()["candidates"]
        assert [(c["id"], c["title"], c["found_by"]) for c in kept] == [
            ("r18dev:436xyz00030", "Probably XYZ-030", "fuzzy")]
        done = choose_and_finish(run, item, "r18dev:436xyz00030")
    assert done.title == "Probably XYZ-030" and not video.exists()
    held = emby.emby.get(done.emby_id or "")
    assert "Probably XYZ-030" in held["Name"] and held["LockData"] is True


def test_two_providers_with_different_movies_wait_for_a_person(
    emby: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    # MetaTube's record has no cast, so r18.dev is asked too, and describes another movie
    emby.movie_on_metatube("ABC-777", actresses=())
    emby.r18dev.add_movie(sample_record(
        "ABC-777", content_id="436abc00777", image_base=emby.image_base(),
        title_en="Best Of Compilation 4 Hours",
        title_ja="ベスト・オブ・コンピレーション", release_date="2009-03-01",
        maker_name_en="Other Channel", maker_name_ja="Other Channel"))
    emby.drop("ABC-777.mp4")
    with InProcess(emby, monkeypatch, **QUICK) as run:
        item = finished(run, 1)["ABC-777.mp4"]
        assert (item.status, item.cause) == ("error", "ambiguous_match")
        assert "different movies" in (item.error_message or "")
        assert written_titles(emby) == []
        with dashboard(run) as client:
            kept = client.get(f"/api/queue/{item.id}/candidates").json()["candidates"]
        assert [c["source"] for c in kept] == ["metatube", "r18dev"]
        done = choose_and_finish(run, item, kept[0]["id"])
    assert done.title == "ABC-777 の見本タイトル"
    assert written_titles(emby) == ["ABC-777 の見本タイトル"]


def test_channels_of_written_answers_are_remembered(
    emby: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    emby.movie_on_r18dev("XYZ-001", content_id="777xyz00001")
    emby.drop("XYZ-001.mp4")
    with InProcess(emby, monkeypatch, **QUICK) as run:
        assert finished(run, 1)["XYZ-001.mp4"].status == "completed"
        assert run.db.channel_prefixes("XYZ") == ["777"]
    # the next release of the label that a lookup answers from another channel is found
    real = sample_record("XYZ-002", content_id="777xyz00002", image_base=emby.image_base(),
                         title_en="The Real XYZ-002")
    emby.r18dev.add_other_channel(real, other_channel_record(real, dvd_id="XYZ-002"))
    emby.drop("XYZ-002.mp4")
    with InProcess(emby, monkeypatch, **QUICK) as run:
        item = finished(run, 2)["XYZ-002.mp4"]
    assert item.status == "completed" and item.title == "The Real XYZ-002"
    assert Path(item.library_path or "").exists()
