"""A file dropped into the watch folder ends up in the library with its metadata in Emby.

The real service (watcher, workers, providers, organizer, Emby client) runs in this process
against fake upstreams that speak real HTTP.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakes.metatube import sample_actor
from tests.pipeline.stack import (
    SERVER_LIBRARY,
    InProcess,
    Stack,
    running_stack,
    sha256,
    wait_for,
)


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    with running_stack(tmp_path) as running:
        yield running


def test_files_flow_from_watch_folder_to_emby(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    stack.movie_on_metatube("ABP-123", actresses=("Kaede Fua",), title="Summer Story")
    stack.movie_on_metatube("ABP-200", actresses=("Yui Hatano",))
    stack.movie_on_metatube("FC2-1234567", provider="FC2", movie_id="1234567",
                            actresses=(), maker="FC2 Seller")
    stack.movie_on_r18dev("SSIS-001", actresses=(("三上悠亜", "Yua Mikami"),))
    originals = {
        name: sha256(stack.drop(name))
        for name in (
            "[Thz.la]abp-123-C.mp4", "SSIS-001.mkv", "FC2-PPV-1234567.mp4",
            "ABP-200-cd1.mp4", "ABP-200-cd2.mp4", "holiday video.mp4", "ZZZ-999.mp4",
        )
    }
    with InProcess(stack, monkeypatch) as run:
        wait_for(lambda: run.settled(len(originals)), 60, lambda: run.describe())
        items = run.by_name()

    # identified, looked up, filed, pushed
    abp = items["[Thz.la]abp-123-C.mp4"]
    assert (abp.status, abp.movie_code, abp.subtitles, abp.actress) == (
        "completed", "ABP-123", True, "Kaede Fua")
    video = stack.library / "Kaede Fua" / "ABP-123" / "ABP-123.mp4"
    assert abp.library_path == str(video)
    assert sha256(video) == originals["[Thz.la]abp-123-C.mp4"]
    assert not (stack.watch / "[Thz.la]abp-123-C.mp4").exists()
    assert video.with_suffix(".nfo").read_text(encoding="utf-8").count("Summer Story") >= 1
    assert video.with_name("ABP-123-poster.jpg").stat().st_size > 0
    server_item = stack.emby.items_by_path()[f"{SERVER_LIBRARY}/Kaede Fua/ABP-123/ABP-123.mp4"]
    assert abp.emby_id == server_item["Id"]
    full = stack.emby.get(server_item["Id"])
    assert full["Name"].startswith("ABP-123")
    assert [p["Name"] for p in full["People"] if p["Type"] == "Actor"] == ["Kaede Fua"]
    assert full["LockData"] is True
    assert stack.emby.image(server_item["Id"]) is not None

    # r18.dev answered where MetaTube did not
    ssis = items["SSIS-001.mkv"]
    assert ssis.status == "completed" and ssis.actress == "Yua Mikami"
    assert (stack.library / "Yua Mikami" / "SSIS-001" / "SSIS-001.mkv").exists()

    fc2 = items["FC2-PPV-1234567.mp4"]
    assert fc2.status == "completed" and fc2.movie_code == "FC2-1234567"
    assert (stack.library / "Unknown" / "FC2-1234567" / "FC2-1234567.mp4").exists()

    # both parts filed together and known to the server as the one movie it stacked them into
    cd1, cd2 = items["ABP-200-cd1.mp4"], items["ABP-200-cd2.mp4"]
    assert (cd1.part, cd2.part) == (1, 2)
    assert cd1.status == cd2.status == "completed"
    assert cd1.emby_id and cd1.emby_id == cd2.emby_id
    assert stack.emby.get(cd1.emby_id)["PartCount"] == 2
    folder = stack.library / "Yui Hatano" / "ABP-200"
    assert sorted(p.name for p in folder.glob("*.mp4")) == ["ABP-200-cd1.mp4", "ABP-200-cd2.mp4"]

    # what cannot be identified or found waits for a person, untouched
    holiday = items["holiday video.mp4"]
    assert (holiday.status, holiday.error_kind) == ("error", "permanent")
    assert "no movie code" in (holiday.error_message or "")
    assert holiday.cause == "no_code"
    assert sha256(stack.watch / "holiday video.mp4") == originals["holiday video.mp4"]
    unknown = items["ZZZ-999.mp4"]
    assert (unknown.status, unknown.error_kind, unknown.movie_code) == (
        "error", "permanent", "ZZZ-999")
    assert unknown.cause == "unknown_code"
    assert (stack.watch / "ZZZ-999.mp4").exists()


def test_jellyfin_dialect_end_to_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with running_stack(tmp_path, dialect="jellyfin") as stack:
        stack.movie_on_metatube("MIDV-018", actresses=("Nana Yagi",))
        stack.drop("MIDV-018.mp4")
        with InProcess(stack, monkeypatch) as run:
            (item,) = wait_for(lambda: run.settled(1), 30, "item done")
        assert item.status == "completed", item.error_message
        full = stack.emby.get(item.emby_id or "")
        assert len(item.emby_id or "") == 32
        assert "Nana Yagi" in [p["Name"] for p in full["People"]]
        assert "見本レーベル" in full["Tags"]  # the label, as Jellyfin stores tags


def test_provider_outage_then_recovery(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    stack.movie_on_metatube("IPX-535", actresses=("Momo Sakura",))
    stack.metatube.faults.set("500")
    stack.drop("IPX-535.mp4")
    with InProcess(stack, monkeypatch, METADATA_PROVIDERS="metatube,nfo") as run:
        failed = wait_for(
            lambda: [i for i in run.items() if i.status == "error" and i.retry_count >= 1],
            30, "the outage is recorded as a transient error",
        )
        assert failed[0].error_kind == "transient"
        assert "HTTP 500" in (failed[0].error_message or "")
        stack.metatube.faults.set("ok")
        (item,) = wait_for(
            lambda: [i for i in run.items() if i.status == "completed"], 30, run.describe)
        outcomes = [e.outcome for e in run.db.events(item.id)]
        assert run.db.upstream_errors()["metatube"] >= 1
        steps = {(stage, outcome) for stage, outcome, _, _ in run.db.event_stats()}
        assert {("metadata", "error"), ("metadata", "ok"), ("emby", "ok")} <= steps
    assert item.retry_count >= 1
    assert outcomes.index("error") < outcomes.index("retry") < len(outcomes) - 1
    assert item.error_message is None


def test_slow_indexing_is_waiting_not_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with running_stack(tmp_path, index_delay=3.0) as stack:
        stack.movie_on_metatube("JUL-100", actresses=("Yu Shinoda",))
        stack.drop("JUL-100.mp4")
        with InProcess(stack, monkeypatch) as run:
            waiting = wait_for(
                lambda: [e for i in run.items() for e in run.db.events(i.id)
                         if e.outcome == "waiting"], 20, "a waiting event")
            assert waiting
            assert all(i.status != "error" for i in run.items())
            (item,) = wait_for(lambda: run.settled(1), 30, "indexed and updated")
        assert item.status == "completed" and item.retry_count == 0


def test_rejected_api_key_stops_the_emby_lane_without_a_hot_loop(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    stack.movie_on_metatube("CAWD-001", actresses=("Kana Ito",))
    stack.drop("CAWD-001.mp4")
    with InProcess(stack, monkeypatch, EMBY_API_KEY="wrong-key") as run:
        wait_for(lambda: [i for i in run.items() if i.stage == "emby" and i.library_path],
                 20, "filed and waiting at the Emby step")
        wait_for(lambda: stack.emby.requests_to("/Library/Media/Updated") or
                 stack.emby.requests_to("/System/Info"), 10, "the key was tried")
        wait_for(lambda: run.service.gate is not None and run.service.gate.blocked(), 10,
                 "gate closed")
        before = len(stack.emby.requests)
        # over the next two heartbeats (about 4 s) the closed lane sends almost nothing
        beats: set[str] = set()

        def two_more_heartbeats() -> bool:
            beats.update(b.beat_at for b in run.db.heartbeats() if b.name == "EmbyUpdater")
            return len(beats) >= 3

        wait_for(two_more_heartbeats, 15, "heartbeats")
        assert len(stack.emby.requests) - before <= 2
        item = run.items()[0]
        assert item.status in ("pending", "processing") and item.error_kind is None
        health_message = run.service.gate.blocked() if run.service.gate else ""
        assert "401" in (health_message or "") or "key" in (health_message or "").lower()


def test_existing_target_is_a_permanent_error_naming_both_paths(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    stack.movie_on_metatube("PRED-111", actresses=("Ai Hoshina",))
    target = stack.library / "Ai Hoshina" / "PRED-111" / "PRED-111.mp4"
    target.parent.mkdir(parents=True)
    target.write_bytes(b"the user's own copy")
    source = stack.drop("PRED-111.mp4")
    with InProcess(stack, monkeypatch) as run:
        (item,) = wait_for(lambda: run.settled(1), 30, "item fails")
    assert (item.status, item.error_kind) == ("error", "permanent")
    assert str(source) in (item.error_message or "") and str(target) in (item.error_message or "")
    assert target.read_bytes() == b"the user's own copy"
    assert source.exists()
    assert item.organize_intent is None  # nothing half done is left to "resume" on retry


@pytest.mark.parametrize("upload", ["true", "false"])
def test_actress_photos_reach_the_media_server_unless_switched_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, upload: str
) -> None:
    with running_stack(tmp_path) as stack:
        stack.movie_on_metatube("SONE-100", actresses=("Saika Kawakita",))
        stack.metatube.add_actor(sample_actor("Saika Kawakita", image_base=stack.image_base()))
        stack.drop("SONE-100.mp4")
        with InProcess(stack, monkeypatch, UPLOAD_ACTRESS_PHOTOS=upload) as run:
            (item,) = wait_for(lambda: run.settled(1), 30, run.describe)
        assert item.status == "completed", item.error_message
        person = stack.emby.person("Saika Kawakita")
        assert person is not None
        photo = stack.emby.image(person["Id"])
        assert (photo is not None) == (upload == "true")
        assert item.warnings == []
