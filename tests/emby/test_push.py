"""The whole push against the fake, in both dialects, over real HTTP."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from emby_processor.emby.updater import LOCKED_FIELDS, tag_names
from emby_processor.errors import NotIndexedYetError, UpstreamError
from tests.emby.conftest import JPEG, PATH_MAP, PNG, SERVER_ROOT, Media, sample_metadata, wait_for

LOCAL = Path("/library/見本花子/ABP-123/ABP-123.mp4")
SERVER = f"{SERVER_ROOT}/見本花子/ABP-123/ABP-123.mp4"


def test_push_writes_everything_the_server_then_holds(media: Media) -> None:
    fake = media.fake
    result = media.pusher.push(
        LOCAL, sample_metadata(), part=None, cover=JPEG, cover_type="image/jpeg",
        actress_images={"見本花子": PNG, "Nobody": PNG}, path_map=PATH_MAP,
    )
    assert result.server_path == SERVER
    assert fake.announced == [SERVER]
    held = fake.items_by_path()[SERVER]
    assert held["Id"] == result.emby_id
    assert result.emby_id.isdigit() if fake.dialect == "emby" else len(result.emby_id) == 32
    assert held["Name"] == "ABP-123 見本タイトル"
    assert held["OriginalTitle"] == "見本タイトル"
    assert held["ForcedSortName"] == "ABP-123"
    assert held["Overview"] == "あらすじの例。"
    assert held["PremiereDate"].startswith("2021-06-01")
    assert held["ProductionYear"] == 2021
    assert held["OfficialRating"] == "JP-18+"
    assert [s["Name"] for s in held["Studios"]] == ["プレステージ"]
    assert held["Genres"] == ["単体作品", "ドラマ"]
    assert tag_names(held) == ["ABSOLUTELY PERFECT", "見本シリーズ", "プレステージ"]
    assert ("TagItems" in held) == (fake.dialect == "emby")
    assert [(p["Name"], p["Type"]) for p in held["People"]] == [
        ("見本花子", "Actor"), ("例子", "Actor"), ("見本監督", "Director")]
    assert held["ProviderIds"] == {"JavCode": "ABP-123", "DmmCid": "118abp00123",
                                   "MetaTube": "FANZA:118abp00123"}
    assert held["LockedFields"] == list(LOCKED_FIELDS) and held["LockData"] is True
    assert "Primary" in held["ImageTags"]
    assert fake.image(result.emby_id) == JPEG
    # Persons came from People; the one with a photo got it, the unknown one is a warning.
    hanako = fake.person("見本花子")
    assert hanako is not None and fake.image(hanako["Id"]) == PNG
    assert result.warnings == ["actress photo for Nobody: no person item on the server"]


def test_push_speaks_the_dialect(media: Media) -> None:
    media.pusher.push(LOCAL, sample_metadata(), cover=JPEG, path_map=PATH_MAP)
    writes = media.fake.requests_to("/Items/", method="POST")
    assert writes
    for request in writes:
        assert request.path.startswith(media.fake.prefix + "/Items/")
        if media.fake.dialect == "emby":
            assert request.headers["x-emby-token"] == media.fake.api_key
        else:
            assert request.headers["authorization"] == f'MediaBrowser Token="{media.fake.api_key}"'


def test_existing_data_survives_and_repush_is_idempotent(media: Media) -> None:
    item_id = media.fake.add_item(
        SERVER, Tags=["my-tag"], ProviderIds={"Tmdb": "42"}, CommunityRating=7.5,
    )
    md = sample_metadata()
    first = media.pusher.push(LOCAL, md, path_map=PATH_MAP, cover=JPEG)
    # Reprocess: the item is renamed by now, and the photo is already there.
    second = media.pusher.push(LOCAL, md, path_map=PATH_MAP, cover=JPEG,
                               actress_images={"見本花子": PNG}, announce=False)
    assert first.emby_id == second.emby_id == item_id
    held = media.fake.get(item_id)
    assert tag_names(held) == ["my-tag", "ABSOLUTELY PERFECT", "見本シリーズ", "プレステージ"]
    assert held["ProviderIds"]["Tmdb"] == "42"
    assert held["CommunityRating"] == 7.5
    assert len(media.fake.items_by_path()) == 1


def test_person_with_a_photo_is_left_alone(media: Media) -> None:
    media.fake.add_person("見本花子", image=JPEG)
    result = media.pusher.push(LOCAL, sample_metadata(), path_map=PATH_MAP,
                               actress_images={"見本花子": PNG})
    person = media.fake.person("見本花子")
    assert person is not None and media.fake.image(person["Id"]) == JPEG
    assert result.warnings == []


def test_jellyfin_finds_a_file_not_named_after_its_code(
    make_media: Callable[..., Media],
) -> None:
    media = make_media("jellyfin")
    # Decoys the name search would also hit, to make sure the path decides.
    media.fake.add_item(f"{SERVER_ROOT}/other/ABP-123.mp4")
    local = Path("/library/abp00123hhb.mp4")
    result = media.pusher.push(local, sample_metadata(), path_map=PATH_MAP)
    assert result.server_path == f"{SERVER_ROOT}/abp00123hhb.mp4"
    assert media.fake.get(result.emby_id)["Path"] == result.server_path


def test_not_indexed_yet_until_the_delay_passes(make_media: Callable[..., Media],
                                                 dialect: str) -> None:
    media = make_media(dialect, index_delay=0.6)
    pusher, md = media.pusher, sample_metadata()
    started = time.monotonic()
    server_path = pusher.announce(LOCAL, path_map=PATH_MAP)
    with pytest.raises(NotIndexedYetError) as info:
        pusher.push(LOCAL, md, path_map=PATH_MAP, announce=False)
    assert info.value.kind == "transient" and server_path in str(info.value)

    def indexed() -> bool:
        try:
            pusher.find(LOCAL, code=md.code, path_map=PATH_MAP)
        except NotIndexedYetError:
            return False
        return True

    wait_for(indexed, timeout=10)
    assert time.monotonic() - started >= 0.5
    result = pusher.push(LOCAL, md, path_map=PATH_MAP, announce=False)
    assert media.fake.get(result.emby_id)["Name"] == "ABP-123 見本タイトル"
    assert media.fake.announced == [server_path]  # announced once, then only polled


def test_a_server_that_silently_drops_a_field_fails_verification(media: Media) -> None:
    media.fake.ignore_fields = {"Genres", "LockData"}
    with pytest.raises(UpstreamError) as info:
        media.pusher.push(LOCAL, sample_metadata(), path_map=PATH_MAP)
    message = str(info.value)
    assert info.value.kind == "transient"
    assert "did not keep what we wrote" in message
    assert "Genres" in message and "LockData" in message and "Name" not in message


def test_worker_style_announce_then_find_then_apply(media: Media) -> None:
    """The worker announces once, polls with find, then applies to the id it found."""
    server_path = media.pusher.announce(LOCAL, path_map=PATH_MAP)
    item_id = media.client.find_item(server_path, search_term="ABP-123")
    assert item_id is not None
    result = media.pusher.apply(item_id, sample_metadata(), part=2, cover=JPEG,
                                cover_type="image/jpeg")
    assert (result.emby_id, result.server_path, result.warnings) == (item_id, SERVER, [])
    held = media.fake.get(item_id)
    assert held["Name"] == "ABP-123 見本タイトル (Part 2)"
    assert held["ForcedSortName"] == "ABP-123 Part 02"
