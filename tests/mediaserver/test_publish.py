"""The publish stage against the fake, in both dialects, over real HTTP: announce, find, read,
change, write, images, read back — run on an item snapshot, as the EmbyUpdater runs it."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from emby_processor.errors import NotIndexedYetError, PermanentError
from emby_processor.mediaserver.dto import LOCKED_FIELDS, tag_names
from emby_processor.mediaserver.pathmap import PathMap
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
    started = time.monotonic()
    outcome, item = run_publish(filed(sample_metadata(), LOCAL), parts)
    took = time.monotonic() - started
    # the first look again comes after EMBY_POLL_SECONDS, or after as long as the announce and
    # the find took when that was longer (a slow server is given as long as it needed)
    assert isinstance(outcome, Wait) and 0.2 <= outcome.seconds <= max(0.2, took)
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


def test_a_field_the_server_really_dropped_is_a_permanent_error_naming_it(media: Media) -> None:
    media.fake.ignore_fields = {"Genres", "LockData"}
    outcome, _ = run_publish(filed(sample_metadata(), LOCAL), media.parts())
    assert isinstance(outcome, Fail) and outcome.error.kind == "permanent"
    assert outcome.error.cause == "field_dropped"
    message = outcome.error.message
    assert "did not keep what was written" in message
    assert "Genres: wrote ['単体作品', 'ドラマ'], the server holds []" in message
    assert "LockData: wrote True, the server holds False" in message
    assert "Name" not in message
    assert media.upstream_errors == []  # the server answered: not an outage


def test_a_rejected_key_closes_the_gate_and_waits(make_media: Callable[..., Media],
                                                  dialect: str) -> None:
    media = make_media(dialect, api_key="wrong")
    parts = media.parts()
    outcome, _ = run_publish(filed(sample_metadata(), LOCAL), parts)
    assert isinstance(outcome, Wait) and outcome.seconds == AUTH_RECHECK_SECONDS
    reason = parts.gate.blocked()
    assert reason is not None and "EMBY_API_KEY" in reason


def test_a_part_is_named_and_sorted_as_the_movie(media: Media) -> None:
    outcome, _ = run_publish(filed(sample_metadata(), LOCAL, part=2), media.parts())
    held = media.fake.get(done(outcome).fields["emby_id"])
    assert held["Name"] == "ABP-123 見本タイトル"
    assert held["ForcedSortName"] == "ABP-123"


def _parts_on_disk(root: Path) -> tuple[Path, Path]:
    folder = root / "見本花子" / "ABP-123"
    folder.mkdir(parents=True)
    cd1, cd2 = folder / "ABP-123-cd1.mp4", folder / "ABP-123-cd2.mp4"
    for video in (cd1, cd2, folder / "ABP-123-cd1.nfo"):
        video.write_bytes(b"x")
    return cd1, cd2


def test_a_later_part_finds_the_stack_by_its_first_parts_path(
    make_media: Callable[..., Media], dialect: str, tmp_path: Path,
) -> None:
    media = make_media(dialect)
    media.fake.stacking = True
    cd1, cd2 = _parts_on_disk(tmp_path)
    parts = media.parts(path_map=PathMap.parse(f"{tmp_path}={SERVER_ROOT}"))
    # the second part gets to the server first; the first one has no emby_id anywhere
    outcome, _ = run_publish(filed(sample_metadata(), cd2, part=2), parts)
    # both parts announced (the server scans the folder anyway), the .nfo is no part
    assert sorted(media.fake.announced) == [f"{SERVER_ROOT}/見本花子/ABP-123/{n}"
                                            for n in ("ABP-123-cd1.mp4", "ABP-123-cd2.mp4")]
    stacked = media.fake.item_for(f"{SERVER_ROOT}/見本花子/ABP-123/ABP-123-cd2.mp4")
    assert stacked is not None and stacked["PartCount"] == 2
    assert done(outcome).fields["emby_id"] == stacked["Id"]
    assert "ABP-123-cd1.mp4" in outcome.event.message
    first, _ = run_publish(filed(sample_metadata(), cd1, part=1), parts)
    assert done(first).fields["emby_id"] == stacked["Id"]
    assert media.fake.get(stacked["Id"])["Name"] == "ABP-123 見本タイトル"


def test_a_part_waits_for_an_earlier_part_that_is_not_filed_yet(media: Media) -> None:
    movie = sample_metadata()
    earlier = replace(filed(movie, LOCAL.with_name("ABP-123-cd1.mp4"), part=1, item_id=7),
                      stage="metadata", status="pending", library_path=None)
    cd2 = filed(movie, LOCAL.with_name("ABP-123-cd2.mp4"), part=2)
    outcome, _ = run_publish(cd2, media.parts(other_parts=[earlier]))
    assert isinstance(outcome, Wait) and media.fake.announced == []
    given_up = replace(earlier, status="error", error_kind="permanent", next_attempt_at=None)
    outcome, _ = run_publish(cd2, media.parts(other_parts=[given_up]))
    assert media.fake.announced  # a first part given up on does not hold the second back


def test_a_name_that_is_not_utf8_is_a_plain_permanent_error(media: Media) -> None:
    local = Path("/library") / os.fsdecode(b"\x8c\xa9\x96{ ABP-123.mp4")  # Shift-JIS
    outcome, _ = run_publish(filed(sample_metadata(), local), media.parts())
    assert isinstance(outcome, Fail) and outcome.error.kind == "permanent"
    assert outcome.error.cause == "bad_name"
    assert "見本 ABP-123.mp4" in outcome.error.message and "UTF-8" in outcome.error.message
    outcome.error.message.encode("utf-8")  # shown readably, storable as text
    assert media.fake.requests == []


def test_locked_fields_are_overwritten_only_when_a_person_asked(media: Media) -> None:
    item_id = media.fake.add_item(SERVER, Name="my own title", LockedFields=["Name"])
    outcome, _ = run_publish(filed(sample_metadata(), LOCAL), media.parts())
    assert done(outcome).fields["warnings"] == [
        "kept Name as locked in the media server; re-fetch the metadata to overwrite"]
    assert media.fake.get(item_id)["Name"] == "my own title"
    asked, _ = run_publish(filed(sample_metadata(), LOCAL, person_asked=True), media.parts())
    assert done(asked).fields == {"emby_id": item_id, "warnings": [], "person_asked": False}
    assert media.fake.get(item_id)["Name"] == "ABP-123 見本タイトル"
