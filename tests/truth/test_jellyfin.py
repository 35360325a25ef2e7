"""Jellyfin as it really is: stacked parts, ``|`` in values, visibility, versions 10.8 to 12."""

from __future__ import annotations

import pytest

from tests.pipeline.stack import InProcess, Stack
from tests.truth.conftest import QUICK, file_one, finished, server_path


@pytest.mark.xfail(strict=True, raises=AssertionError, reason=(
    "names the one stacked movie after the part it wrote last: '… (Part 1)', sorted as "
    "'CODE Part 01'"))
def test_stacked_parts_are_one_movie_named_without_a_part(
    jellyfin: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    jellyfin.emby.stacking = True
    jellyfin.movie_on_metatube("ABP-200", actresses=("Yui Hatano",), title="Two Discs")
    jellyfin.drop("ABP-200-cd1.mp4")
    jellyfin.drop("ABP-200-cd2.mp4")
    with InProcess(jellyfin, monkeypatch, **QUICK) as run:
        items = finished(run, 2)
    folder = jellyfin.library / "Yui Hatano" / "ABP-200"
    movie = jellyfin.emby.item_for(server_path(jellyfin, folder / "ABP-200-cd2.mp4"))
    assert movie is not None and movie["PartCount"] == 2
    assert [i.emby_id for i in items.values()] == [movie["Id"], movie["Id"]]
    full = jellyfin.emby.get(movie["Id"])
    assert full["Name"].startswith("ABP-200") and "Two Discs" in full["Name"]
    assert "Part" not in full["Name"] and "Part" not in full.get("ForcedSortName", "")


@pytest.mark.xfail(strict=True, raises=AssertionError, reason=(
    "waits for an item at the second part's own path, which a stacking server never makes, "
    "unless the first part went through the service in the same run"))
def test_a_part_joins_the_stack_its_first_part_already_is(
    jellyfin: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    jellyfin.emby.stacking = True
    jellyfin.movie_on_metatube("ABP-200", actresses=("Yui Hatano",))
    first = jellyfin.library / "Yui Hatano" / "ABP-200" / "ABP-200-cd1.mp4"
    first.parent.mkdir(parents=True)
    first.write_bytes(b"filed last year")
    movie_id = jellyfin.emby.add_item(server_path(jellyfin, first))
    second = file_one(jellyfin, monkeypatch, "ABP-200-cd2.mp4")
    assert (second.status, second.emby_id) == ("completed", movie_id), second.error_message
    assert jellyfin.emby.get(movie_id)["PartCount"] == 2


@pytest.mark.xfail(strict=True, raises=AssertionError, reason=(
    "writes a '|' inside a genre or tag; Jellyfin splits it on read, so the read-back check "
    "fails and the item retries until it gives up"))
def test_a_pipe_inside_a_genre_or_label_is_not_an_endless_retry(
    jellyfin: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    jellyfin.emby.split_pipes = True
    jellyfin.movie_on_metatube("MIDV-018", actresses=("Nana Yagi",),
                               genres=["Drama|Romance", "単体作品"], label="S1|Premium")
    item = file_one(jellyfin, monkeypatch, "MIDV-018.mp4")
    assert item.status == "completed", item.error_message
    held = jellyfin.emby.get(item.emby_id or "")
    assert not [v for v in [*held["Genres"], *held["Tags"]] if "|" in v]


@pytest.mark.xfail(strict=True, raises=AssertionError, reason=(
    "reads items back as the first administrator, who may not see a JP-18+ item; the 404 is "
    "taken for 'item gone'"))
def test_an_administrator_with_a_parental_limit_is_not_the_reader(
    jellyfin: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    jellyfin.emby.add_user("family-admin", max_parental_rating=16, first=True)
    jellyfin.movie_on_metatube("MIDV-018", actresses=("Nana Yagi",))
    item = file_one(jellyfin, monkeypatch, "MIDV-018.mp4")
    assert item.status == "completed", item.error_message
    assert jellyfin.emby.get(item.emby_id or "")["OfficialRating"] == "JP-18+"


@pytest.mark.xfail(strict=True, raises=AssertionError, reason=(
    "reads items as the first administrator even when that user cannot see the library; "
    "the 404 is taken for 'item gone'"))
def test_an_administrator_limited_to_other_libraries_is_not_the_reader(
    jellyfin: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    jellyfin.emby.add_library_root("/mnt/media/family")
    jellyfin.emby.add_user("family-admin", libraries=["/mnt/media/family"], first=True)
    jellyfin.movie_on_metatube("MIDV-018", actresses=("Nana Yagi",))
    item = file_one(jellyfin, monkeypatch, "MIDV-018.mp4")
    assert item.status == "completed", item.error_message


@pytest.mark.xfail(strict=True, raises=AssertionError, reason=(
    "reads the item with GET /Items/{id}, which Jellyfin 10.8 does not have, and declares the "
    "item gone"))
def test_jellyfin_10_8(jellyfin: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    jellyfin.emby.set_jellyfin_version("10.8")
    jellyfin.movie_on_metatube("MIDV-018", actresses=("Nana Yagi",))
    item = file_one(jellyfin, monkeypatch, "MIDV-018.mp4")
    assert item.status == "completed", item.error_message


@pytest.mark.parametrize("version", ["10.9", "10.10", "10.11", "12"])
def test_jellyfin_versions_from_10_9(
    jellyfin: Stack, monkeypatch: pytest.MonkeyPatch, version: str
) -> None:
    jellyfin.emby.set_jellyfin_version(version)
    jellyfin.movie_on_metatube("MIDV-018", actresses=("Nana Yagi",))
    # the URL as people paste it from Emby habits: 12.0 no longer strips /emby on its side
    item = file_one(jellyfin, monkeypatch, "MIDV-018.mp4",
                    EMBY_URL=jellyfin.servers["emby"].url + "/emby")
    assert item.status == "completed", item.error_message
    assert "Nana Yagi" in [p["Name"] for p in jellyfin.emby.get(item.emby_id or "")["People"]]
