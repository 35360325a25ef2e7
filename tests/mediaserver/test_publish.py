"""The publish stage against the fake, in both dialects, over real HTTP: announce, find, read,
change, write, images, read back — run on an item snapshot, as the EmbyUpdater runs it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from emby_processor.errors import MediaServerError, NotIndexedYetError, PermanentError
from emby_processor.mediaserver.dto import LOCKED_FIELDS, tag_names
from emby_processor.pipeline.outcome import Advance, Fail, Outcome, Wait
from emby_processor.pipeline.publish import AUTH_RECHECK_SECONDS
from tests.mediaserver.conftest import (
    JPEG,
    PNG,
    SERVER_ROOT,
    Media,
    filed,
    run_publish,
    sample_metadata,
    wait_for,
)

LOCAL = Path("/library/見本花子/ABP-123/ABP-123.mp4")
SERVER = f"{SERVER_ROOT}/見本花子/ABP-123/ABP-123.mp4"
HANAKO_PHOTO = "http://img.invalid/hanako.jpg"


def photos_from(images: dict[str, bytes]) -> Callable[[str], tuple[bytes, str]]:
    def fetch(url: str) -> tuple[bytes, str]:
        if url not in images:
            raise PermanentError(f"image: HTTP 404 for {url}")
        return images[url], "image/png"

    return fetch


def done(outcome: Outcome) -> Advance:
    assert isinstance(outcome, Advance) and outcome.stage == "done", outcome
    return outcome


def test_publish_writes_everything_the_server_then_holds(media: Media) -> None:
    fake = media.fake
    parts = media.parts(cover=(JPEG, "image/jpeg"), photos=photos_from({HANAKO_PHOTO: PNG}))
    outcome, item = run_publish(filed(sample_metadata(photos=True), LOCAL), parts)
    emby_id = done(outcome).fields["emby_id"]
    assert item.server_path == SERVER and fake.announced == [SERVER]
    held = fake.items_by_path()[SERVER]
    assert held["Id"] == emby_id
    assert emby_id.isdigit() if fake.dialect == "emby" else len(emby_id) == 32
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
    assert fake.image(emby_id) == JPEG
    # the person the movie's People created got her photo; the one without a URL got none
    hanako, reiko = fake.person("見本花子"), fake.person("例子")
    assert hanako is not None and fake.image(hanako["Id"]) == PNG
    assert reiko is not None and fake.image(reiko["Id"]) is None
    assert done(outcome).fields["warnings"] == []
    assert outcome.event.outcome == "ok" and emby_id in outcome.event.message


def test_publish_speaks_the_dialect(media: Media) -> None:
    run_publish(filed(sample_metadata(), LOCAL), media.parts(cover=(JPEG, "image/jpeg")))
    writes = media.fake.requests_to("/Items/", method="POST")
    assert writes
    for request in writes:
        assert request.path.startswith(media.fake.prefix + "/Items/")
        if media.fake.dialect == "emby":
            assert request.headers["x-emby-token"] == media.fake.api_key
        else:
            assert request.headers["authorization"] == f'MediaBrowser Token="{media.fake.api_key}"'


def test_existing_data_survives_and_publishing_again_is_idempotent(media: Media) -> None:
    item_id = media.fake.add_item(
        SERVER, Tags=["my-tag"], ProviderIds={"Tmdb": "42"}, CommunityRating=7.5,
    )
    movie = sample_metadata(photos=True)
    parts = media.parts(cover=(JPEG, "image/jpeg"), photos=photos_from({HANAKO_PHOTO: PNG}))
    first, _ = run_publish(filed(movie, LOCAL), parts)
    # a metadata re-fetch publishes again: the item is renamed by now, the photo is there
    second, _ = run_publish(filed(movie, LOCAL), parts)
    assert done(first).fields["emby_id"] == done(second).fields["emby_id"] == item_id
    held = media.fake.get(item_id)
    assert tag_names(held) == ["my-tag", "ABSOLUTELY PERFECT", "見本シリーズ", "プレステージ"]
    assert held["ProviderIds"]["Tmdb"] == "42"
    assert held["CommunityRating"] == 7.5
    assert len(media.fake.items_by_path()) == 1
    uploads = media.fake.requests_to("/Images/Primary", method="POST")
    assert len(uploads) == 3  # the cover twice, the photo once


def test_a_person_with_a_photo_is_left_alone(media: Media) -> None:
    media.fake.add_person("見本花子", image=JPEG)
    downloads: list[str] = []

    def photos(url: str) -> tuple[bytes, str]:
        downloads.append(url)
        return PNG, "image/png"

    outcome, _ = run_publish(filed(sample_metadata(photos=True), LOCAL),
                             media.parts(photos=photos))
    person = media.fake.person("見本花子")
    assert person is not None and media.fake.image(person["Id"]) == JPEG
    assert downloads == []  # not even downloaded
    assert done(outcome).fields["warnings"] == []


def test_photo_failures_are_warnings_and_photos_can_be_switched_off(media: Media) -> None:
    movie = sample_metadata(photos=True)
    broken, _ = run_publish(filed(movie, LOCAL), media.parts(photos=photos_from({})))
    assert done(broken).fields["warnings"] == [
        f"actress photo for 見本花子: image: HTTP 404 for {HANAKO_PHOTO}"]
    media.fake.fail_next(1, 500, path="/Persons")
    lookup, _ = run_publish(filed(movie, LOCAL, warnings=["kept from organize"]),
                            media.parts(photos=photos_from({})))
    warnings = done(lookup).fields["warnings"]
    assert warnings[0] == "kept from organize"
    assert warnings[1].startswith("actress photo for 見本花子: ")
    before = len(media.fake.requests_to("/Persons"))
    off, _ = run_publish(filed(movie, LOCAL), media.parts(photos=None))
    assert done(off).fields["warnings"] == []
    assert len(media.fake.requests_to("/Persons")) == before


def test_jellyfin_finds_a_file_not_named_after_its_code(
    make_media: Callable[..., Media],
) -> None:
    media = make_media("jellyfin")
    # decoys the name search would also hit, to make sure the path decides
    media.fake.add_item(f"{SERVER_ROOT}/other/ABP-123.mp4")
    local = Path("/library/abp00123hhb.mp4")
    outcome, item = run_publish(filed(sample_metadata(), local), media.parts())
    assert item.server_path == f"{SERVER_ROOT}/abp00123hhb.mp4"
    assert media.fake.get(done(outcome).fields["emby_id"])["Path"] == item.server_path


def test_not_indexed_yet_is_waiting_until_it_is(make_media: Callable[..., Media],
                                                  dialect: str) -> None:
    media = make_media(dialect, index_delay=0.6)
    parts = media.parts(poll_seconds=0.2)
    outcome, item = run_publish(filed(sample_metadata(), LOCAL), parts)
    assert isinstance(outcome, Wait) and outcome.seconds == 0.2
    assert outcome.event is not None and outcome.event.outcome == "waiting"
    polls: list[Outcome] = []

    def indexed() -> bool:
        found, _ = run_publish(item, parts)  # a later poll: announced already, so only a find
        polls.append(found)
        return isinstance(found, Advance)

    wait_for(indexed, timeout=10)
    held = media.fake.get(done(polls[-1]).fields["emby_id"])
    assert held["Name"] == "ABP-123 見本タイトル"
    assert media.fake.announced == [item.server_path]  # announced once, then only polled


def test_waiting_too_long_fails_and_the_next_attempt_announces_again(
    make_media: Callable[..., Media],
) -> None:
    media = make_media("emby", index_delay=60)
    outcome, _ = run_publish(filed(sample_metadata(), LOCAL), media.parts(wait_seconds=0))
    assert isinstance(outcome, Fail) and isinstance(outcome.error, NotIndexedYetError)
    assert "EMBY_PATH_MAP" in outcome.error.message
    assert outcome.fields == {"emby_wait_started_at": None}


def test_a_stacked_part_takes_its_siblings_id(make_media: Callable[..., Media]) -> None:
    media = make_media("emby", index_delay=60)
    sibling = filed(sample_metadata(), LOCAL, part=1, item_id=7, emby_id="4242")
    cd2 = filed(sample_metadata(), LOCAL.with_name("ABP-123-cd2.mp4"), part=2)
    outcome, _ = run_publish(cd2, media.parts(sibling=sibling))
    assert done(outcome).fields == {"emby_id": "4242"}
    assert "stacked with part 1" in outcome.event.message


def test_a_server_that_silently_drops_a_field_fails_verification(media: Media) -> None:
    media.fake.ignore_fields = {"Genres", "LockData"}
    outcome, _ = run_publish(filed(sample_metadata(), LOCAL), media.parts())
    assert isinstance(outcome, Fail) and isinstance(outcome.error, MediaServerError)
    message = outcome.error.message
    assert outcome.error.kind == "transient"
    assert "did not keep what we wrote" in message
    assert "Genres" in message and "LockData" in message and "Name" not in message
    assert media.upstream_errors == ["emby"]


def test_a_rejected_key_closes_the_gate_and_waits(make_media: Callable[..., Media],
                                                  dialect: str) -> None:
    media = make_media(dialect, api_key="wrong")
    parts = media.parts()
    outcome, _ = run_publish(filed(sample_metadata(), LOCAL), parts)
    assert isinstance(outcome, Wait) and outcome.seconds == AUTH_RECHECK_SECONDS
    reason = parts.gate.blocked()
    assert reason is not None and "EMBY_API_KEY" in reason


def test_parts_are_named_and_sorted(media: Media) -> None:
    outcome, _ = run_publish(filed(sample_metadata(), LOCAL, part=2), media.parts())
    held = media.fake.get(done(outcome).fields["emby_id"])
    assert held["Name"] == "ABP-123 見本タイトル (Part 2)"
    assert held["ForcedSortName"] == "ABP-123 Part 02"
