"""Emby as it really is: shared genre/studio/tag names, a 500 for a write to an unknown item."""

from __future__ import annotations

import pytest

from tests.pipeline.stack import Stack
from tests.truth.conftest import file_one, server_path


@pytest.mark.xfail(strict=True, raises=AssertionError, reason=(
    "compares genres, studios and tags case-sensitively; Emby answers in the casing of the "
    "shared name it already has and the item retries until it gives up"))
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


@pytest.mark.xfail(strict=True, raises=AssertionError, reason=(
    "takes Emby's 500 for a write to an item id that no longer exists for an outage and "
    "retries later, instead of finding the file's new item at once"))
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
