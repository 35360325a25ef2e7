"""Jellyfin as it really is: stacked parts, ``|`` in values, visibility, versions 10.8 to 12."""

from __future__ import annotations

import pytest

from emby_processor.health.checks import emby_check
from emby_processor.vocabulary import CAUSES
from tests.pipeline.stack import InProcess, Stack
from tests.truth.conftest import QUICK, file_one, finished, server_path


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


def test_an_administrator_with_a_parental_limit_is_not_the_reader(
    jellyfin: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    jellyfin.emby.add_user("family-admin", max_parental_rating=16, first=True)
    jellyfin.movie_on_metatube("MIDV-018", actresses=("Nana Yagi",))
    item = file_one(jellyfin, monkeypatch, "MIDV-018.mp4")
    assert item.status == "completed", item.error_message
    assert jellyfin.emby.get(item.emby_id or "")["OfficialRating"] == "JP-18+"


def test_an_administrator_limited_to_other_libraries_is_not_the_reader(
    jellyfin: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    jellyfin.emby.add_library_root("/mnt/media/family")
    jellyfin.emby.add_user("family-admin", libraries=["/mnt/media/family"], first=True)
    jellyfin.movie_on_metatube("MIDV-018", actresses=("Nana Yagi",))
    item = file_one(jellyfin, monkeypatch, "MIDV-018.mp4")
    assert item.status == "completed", item.error_message


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


def test_a_part_whose_first_part_failed_still_joins_the_stack(
    jellyfin: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    jellyfin.emby.stacking = True
    jellyfin.movie_on_metatube("ABP-200", actresses=("Yui Hatano",), title="Two Discs")
    folder = jellyfin.library / "Yui Hatano" / "ABP-200"
    folder.mkdir(parents=True)
    (folder / "ABP-200-cd1.mp4").write_bytes(b"another copy of the first disc")
    jellyfin.drop("ABP-200-cd1.mp4")
    jellyfin.drop("ABP-200-cd2.mp4")
    with InProcess(jellyfin, monkeypatch, **QUICK) as run:
        items = finished(run, 2)
    cd1, cd2 = items["ABP-200-cd1.mp4"], items["ABP-200-cd2.mp4"]
    assert (cd1.status, cd1.cause) == ("error", "target_exists")
    movie = jellyfin.emby.item_for(server_path(jellyfin, folder / "ABP-200-cd2.mp4"))
    assert movie is not None and movie["PartCount"] == 2
    assert (cd2.status, cd2.emby_id) == ("completed", movie["Id"]), cd2.error_message
    assert jellyfin.emby.get(movie["Id"])["Name"] == "ABP-200 Two Discs"


def test_when_no_user_can_see_the_movies_the_item_and_the_health_panel_say_so(
    jellyfin: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    for user in jellyfin.emby.users:
        user["Policy"]["MaxParentalRating"] = 16
    jellyfin.movie_on_metatube("MIDV-018", actresses=("Nana Yagi",))
    jellyfin.drop("MIDV-018.mp4")
    with InProcess(jellyfin, monkeypatch, **QUICK) as run:
        item = finished(run, 1)["MIDV-018.mp4"]
        assert run.upstreams.media_server is not None
        check = emby_check(run.upstreams.media_server)()
    assert (item.status, item.cause) == ("error", "server_user"), item.error_message
    assert "parental limit" in (item.error_message or "")
    assert check.status == "error"
    assert check.message.startswith(CAUSES["server_user"].title)
    assert "EMBY_USER_ID" in check.message
