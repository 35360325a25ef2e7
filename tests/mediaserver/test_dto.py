"""The pure part: what we send, and how a readback is judged."""

from __future__ import annotations

from typing import Any

from emby_processor.mediaserver.dialect import EMBY, JELLYFIN
from emby_processor.mediaserver.dto import LOCKED_FIELDS, build_update, keep_locked, verify
from emby_processor.metadata import MovieMetadata
from tests.mediaserver.conftest import sample_metadata


def emby_dto() -> dict[str, Any]:
    return {
        "Name": "ABP-123", "Id": "10378", "Path": "/mnt/media/ABP-123.mp4", "SortName": "abp-123",
        "ForcedSortName": "abp-123", "Overview": None, "Genres": None, "Tags": None,
        "TagItems": [{"Name": "mine", "Id": 7}], "Studios": [], "People": [],
        "ProviderIds": {"Tmdb": "42", "Empty": ""}, "LockedFields": ["SortName"],
        "Taglines": None, "CommunityRating": 7.5, "ImageTags": {},
    }


def test_sets_every_owned_field_and_keeps_the_rest() -> None:
    sent = build_update(emby_dto(), sample_metadata(), EMBY)
    assert sent["Name"] == "ABP-123 見本タイトル"
    assert sent["OriginalTitle"] == "見本タイトル"
    assert sent["ForcedSortName"] == "ABP-123"
    assert sent["Overview"] == "あらすじの例。"
    assert sent["PremiereDate"] == "2021-06-01T00:00:00.0000000Z"
    assert sent["ProductionYear"] == 2021
    assert sent["Studios"] == [{"Name": "プレステージ"}]
    assert sent["Genres"] == ["単体作品", "ドラマ"]
    assert sent["People"] == [
        {"Name": "見本花子", "Type": "Actor", "Role": ""},
        {"Name": "例子", "Type": "Actor", "Role": ""},
        {"Name": "見本監督", "Type": "Director", "Role": ""},
    ]
    assert sent["OfficialRating"] == "JP-18+"
    assert sent["LockData"] is True
    assert sent["LockedFields"] == ["SortName", *LOCKED_FIELDS]  # the item's own locks stay
    # Existing provider ids survive, empty ones are dropped, ours are added.
    assert sent["ProviderIds"] == {
        "Tmdb": "42", "JavCode": "ABP-123", "DmmCid": "118abp00123",
        "MetaTube": "FANZA:118abp00123",
    }
    # Fields we do not own ride along untouched (the post is a full replace).
    assert sent["CommunityRating"] == 7.5
    assert sent["Path"] == "/mnt/media/ABP-123.mp4"


def test_the_old_nfo_key_of_our_content_id_is_replaced_by_the_one_key() -> None:
    # Jellyfin read 0.1.0's .nfo (<uniqueid type="dmm">) into ProviderIds["dmm"]
    dto = {**emby_dto(), "ProviderIds": {"dmm": "118abp00123", "Tmdb": "42"}}
    sent = build_update(dto, sample_metadata(), JELLYFIN)
    assert sent["ProviderIds"] == {"Tmdb": "42", "JavCode": "ABP-123", "DmmCid": "118abp00123",
                                   "MetaTube": "FANZA:118abp00123"}
    # someone else's id under that key is not ours to drop
    dto["ProviderIds"] = {"dmm": "999other00001"}
    assert build_update(dto, sample_metadata(), JELLYFIN)["ProviderIds"]["dmm"] == (
        "999other00001")


def test_emby_tags_go_to_both_fields_consistently() -> None:
    sent = build_update(emby_dto(), sample_metadata(), EMBY)
    tags = ["mine", "ABSOLUTELY PERFECT", "見本シリーズ", "プレステージ"]
    assert sent["Tags"] == tags
    assert sent["TagItems"] == [{"Name": t} for t in tags]


def test_jellyfin_gets_tags_only() -> None:
    dto = {"Name": "x", "Tags": ["mine"], "Genres": [], "ProviderIds": {}}
    sent = build_update(dto, sample_metadata(), JELLYFIN)
    assert sent["Tags"][0] == "mine"
    assert "TagItems" not in sent


def test_never_sends_null_arrays_or_a_missing_provider_map() -> None:
    sent = build_update({"Name": "x"}, MovieMetadata(code="ABP-123"), JELLYFIN)
    for key in ("Genres", "Tags", "Studios", "People", "LockedFields"):
        assert sent[key] == [] or isinstance(sent[key], list), key
    assert sent["ProviderIds"] == {"JavCode": "ABP-123"}
    nulls = build_update(emby_dto(), MovieMetadata(code="ABP-123"), EMBY)
    assert nulls["Taglines"] == [] and nulls["Genres"] == []


def test_missing_metadata_keeps_what_the_server_has() -> None:
    dto = {**emby_dto(), "Overview": "server plot", "Genres": ["g"], "Studios": [{"Name": "s"}]}
    sent = build_update(dto, MovieMetadata(code="ABP-123", title="t"), EMBY)
    assert (sent["Overview"], sent["Genres"], sent["Studios"]) == ("server plot", ["g"],
                                                                    [{"Name": "s"}])


def test_titles_that_already_carry_the_code() -> None:
    md = MovieMetadata(code="ABP-123", title="ABP-123 Already Prefixed")
    sent = build_update({}, md, EMBY)
    assert sent["Name"] == "ABP-123 Already Prefixed"
    assert sent["ForcedSortName"] == "ABP-123"


def test_verify_accepts_a_faithful_readback_in_server_shape() -> None:
    sent = build_update(emby_dto(), sample_metadata(), EMBY)
    readback = {**sent, "Tags": None, "PremiereDate": "2021-06-01T00:00:00.0000000Z",
                "TagItems": [{"Name": t, "Id": i} for i, t in enumerate(sent["Tags"])],
                "Studios": [{"Name": "プレステージ", "Id": 99}],
                "People": [{**p, "Id": "1"} for p in reversed(sent["People"])]}
    assert verify(sent, readback, EMBY) == []


def test_verify_names_every_dropped_field() -> None:
    sent = build_update({"Tags": [], "Genres": [], "ProviderIds": {}}, sample_metadata(),
                        JELLYFIN)
    readback = {**sent, "Genres": [], "LockData": False, "ProviderIds": {"JavCode": "ABP-123"},
                "Tags": sent["Tags"][:1], "Overview": None}
    problems = verify(sent, readback, JELLYFIN)
    joined = "\n".join(problems)
    for field in ("Genres", "LockData", "ProviderIds.DmmCid", "Tags", "Overview"):
        assert field in joined
    assert len(problems) == 6  # Genres, LockData, Tags, Overview, DmmCid, MetaTube


def test_a_pipe_inside_a_genre_studio_or_tag_is_never_sent() -> None:
    md = MovieMetadata(code="MIDV-018", title="t", genres=["Drama|Romance", "|単体作品"],
                       maker="S1 | NO.1 STYLE", label="S1|Premium")
    sent = build_update({"Tags": ["mine"], "Genres": [], "ProviderIds": {}}, md, JELLYFIN)
    assert sent["Genres"] == ["Drama / Romance", "単体作品"]
    assert sent["Studios"] == [{"Name": "S1 / NO.1 STYLE"}]
    assert sent["Tags"] == ["mine", "S1 / Premium", "S1 / NO.1 STYLE"]


def test_a_field_kept_in_another_form_counts_as_written() -> None:
    sent = build_update(emby_dto(), sample_metadata(), EMBY)
    sent["Genres"] = ["big tits", "Drama|Romance"]
    readback = {**sent, "Genres": ["Big Tits", "Drama", "Romance"],  # re-cased, split
                "ForcedSortName": "abp-123", "Overview": sent["Overview"] + " ",
                "Studios": [{"Name": "プレステージ", "Id": 1}],
                "TagItems": [{"Name": t.upper(), "Id": i} for i, t in enumerate(sent["Tags"])],
                "People": [{**p, "Name": p["Name"].upper()} for p in sent["People"]]}
    assert verify(sent, readback, EMBY) == []


def test_locked_fields_are_kept_and_named_when_they_would_change() -> None:
    current = {**emby_dto(), "Name": "my title", "Overview": "my plot",
               "LockedFields": ["Name", "Cast"], "People": [{"Name": "me", "Type": "Actor"}]}
    sent, changed = keep_locked(current, build_update(current, sample_metadata(), EMBY))
    assert (sent["Name"], sent["People"]) == ("my title", [{"Name": "me", "Type": "Actor"}])
    assert sent["Overview"] == "あらすじの例。"  # not locked: written
    assert changed == ["Name", "People"]
    # LockData locks everything we own; values already as we would write them are no change
    ours = build_update(emby_dto(), sample_metadata(), EMBY)
    again, changed = keep_locked(ours, build_update(ours, sample_metadata(), EMBY))
    assert changed == [] and again["Name"] == ours["Name"]
    locked = {**ours, "Genres": ["hand-picked"]}
    kept, changed = keep_locked(locked, build_update(locked, sample_metadata(), EMBY))
    assert (kept["Genres"], changed) == (["hand-picked"], ["Genres"])
