"""Emby as it really is: shared genre/studio/tag names, a 500 for a write to an unknown item,
Windows paths, and fields a person locked."""

from __future__ import annotations

import pytest

from tests.pipeline.stack import InProcess, Stack, wait_for
from tests.truth.conftest import QUICK, file_one, finished, server_path


def test_a_genre_in_the_casing_emby_already_has_counts_as_written(
    emby: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    emby.emby.shared_names = True
    emby.emby.add_item("/mnt/media/jav/Other/OLD-001/OLD-001.mp4",
                       Genres=["Big Tits"], Studios=["Sample Maker"])
    emby.movie_on_metatube("ABP-123", actresses=("Kaede Fua",),
                           genres=["big tits", "ドラマ"], maker="sample maker")
    item = file_one(emby, monkeypatch, "ABP-123.mp4")
    assert item.status == "completed", item.error_message
    held = emby.emby.get(item.emby_id or "")
    assert held["Genres"] == ["Big Tits", "ドラマ"]
    assert [s["Name"] for s in held["Studios"]] == ["Sample Maker"]


def test_a_500_for_a_vanished_item_id_finds_the_new_item(
    emby: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    emby.emby.unknown_item_status = 500
    emby.movie_on_metatube("ABP-123", actresses=("Kaede Fua",), title="Summer Story")
    video = emby.library / "Kaede Fua" / "ABP-123" / "ABP-123.mp4"
    emby.emby.reindex_on_next_read(server_path(emby, video))
    item = file_one(emby, monkeypatch, "ABP-123.mp4")
    assert item.status == "completed", item.error_message
    assert item.emby_id == emby.emby.items_by_path()[server_path(emby, video)]["Id"]
    assert item.retry_count == 0


def test_a_windows_server_that_spells_the_path_its_own_way_still_finds_the_item(
    emby: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    emby.emby.windows_paths = True
    emby.emby.add_library_root("D:\\Media\\JAV")
    emby.movie_on_metatube("ABP-123", actresses=("Kaede Fua",), title="Summer Story")
    # the map as people type it: another case and forward slashes
    item = file_one(emby, monkeypatch, "ABP-123.mp4", EMBY_PATH_MAP=f"{emby.library}=d:/media/jav")
    assert item.status == "completed", item.error_message
    held = emby.emby.items_by_path()["D:\\Media\\JAV\\Kaede Fua\\ABP-123\\ABP-123.mp4"]
    assert item.emby_id == held["Id"]
    assert emby.emby.get(held["Id"])["Name"] == "ABP-123 Summer Story"


def test_a_field_locked_on_the_server_is_kept_until_a_person_asks(
    emby: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    video = emby.library / "Kaede Fua" / "ABP-123" / "ABP-123.mp4"
    movie_id = emby.emby.add_item(server_path(emby, video), Name="ABP-123 the title I chose",
                                  LockedFields=["Name"])
    emby.movie_on_metatube("ABP-123", actresses=("Kaede Fua",), title="Summer Story")
    emby.drop("ABP-123.mp4")
    with InProcess(emby, monkeypatch, **QUICK) as run:
        item = finished(run, 1)["ABP-123.mp4"]
        assert (item.status, item.emby_id) == ("completed", movie_id), item.error_message
        held = emby.emby.get(movie_id)
        assert held["Name"] == "ABP-123 the title I chose"
        assert held["Overview"] == "ABP-123 のあらすじの例。"  # what is not locked is written
        assert [w for w in item.warnings if "Name" in w and "locked" in w]
        run.db.reprocess(item.id)  # "Re-fetch" on the page: a person asks
        wait_for(lambda: (i := run.item("ABP-123.mp4")) is not None and i.status == "completed",
                 30, run.describe)
    assert emby.emby.get(movie_id)["Name"] == "ABP-123 Summer Story"
