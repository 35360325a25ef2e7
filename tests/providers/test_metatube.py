"""MetaTubeProvider against the fake MetaTube server over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from emby_processor.errors import UpstreamAuthError, UpstreamError
from emby_processor.httpclient import USER_AGENT
from emby_processor.providers.metatube import MetaTubeProvider
from tests.fakes.metatube import ZERO_DATE, sample_actor, sample_movie
from tests.providers.conftest import Served


@pytest.fixture
def client(metatube: Served) -> Iterator[MetaTubeProvider]:
    provider = MetaTubeProvider(metatube.url, timeout=5)
    yield provider
    provider.close()


def test_maps_every_field_of_movie_info(metatube: Served, client: MetaTubeProvider) -> None:
    metatube.fake.add_movie(sample_movie("ABP-123", actresses=["見本花子", "例示月子"]))
    m = client.fetch("ABP-123")
    assert m is not None
    assert m.code == "ABP-123"
    assert m.content_id == "118abp00123"
    assert m.title == m.original_title == "ABP-123 の見本タイトル"
    assert m.plot == "ABP-123 のあらすじの例。"
    assert m.language == "ja"
    assert m.release_date == date(2021, 6, 1) and m.year == 2021
    assert m.runtime_minutes == 120
    assert m.directors == ["見本監督"]
    assert (m.maker, m.label, m.series) == ("見本メーカー", "見本レーベル", "見本シリーズ")
    assert m.genres == ["単体作品", "ドラマ"]
    assert [p.name for p in m.actresses] == ["見本花子", "例示月子"]
    assert m.cover_url is not None and m.cover_url.endswith("118abp00123pl.jpg")
    assert m.poster_url is None  # no big_thumb_url: the jacket's front is cut out
    assert m.thumb_url is not None and m.thumb_url.endswith("118abp00123ps.jpg")
    assert len(m.screenshot_urls) == 2
    assert m.trailer_url is not None and m.trailer_url.endswith("_dmb_w.mp4")
    assert m.rating == pytest.approx(8.2)
    assert m.homepage_url == "https://video.dmm.co.jp/av/content/?id=118abp00123"
    assert m.source == "metatube" and m.source_id == "FANZA:118abp00123"
    assert m.external_ids == {"metatube": "FANZA:118abp00123", "dmm_cid": "118abp00123"}
    assert m.is_complete()


def test_empty_null_zero_values_are_missing(metatube: Served, client: MetaTubeProvider) -> None:
    metatube.fake.add_movie(
        sample_movie(
            "ABP-124", provider="JavBus", movie_id="ABP-124", actresses=[], summary="",
            director="", release_date=ZERO_DATE, runtime=0, score=0, genres=None,
            preview_images=None, maker="", label="", series="", thumb_url="",
        )
    )  # fmt: skip
    m = client.fetch("ABP-124")
    assert m is not None
    assert m.plot is None and m.directors == [] and m.release_date is None and m.year is None
    assert m.runtime_minutes is None and m.rating is None and m.genres == []
    assert m.screenshot_urls == [] and m.actresses == [] and m.poster_url is m.thumb_url is None
    assert m.maker is None and m.label is None and m.series is None
    assert m.content_id is None  # only FANZA ids are DMM content ids
    assert m.external_ids == {"metatube": "JavBus:ABP-124"}


def test_big_images_and_hls_trailer_are_used(metatube: Served, client: MetaTubeProvider) -> None:
    metatube.fake.add_movie(
        sample_movie(
            "ABP-125", big_cover_url="https://x.invalid/big_pl.jpg",
            big_thumb_url="https://x.invalid/big_ps.jpg", preview_video_url="",
            preview_video_hls_url="https://x.invalid/t.m3u8",
        )
    )  # fmt: skip
    m = client.fetch("ABP-125")
    assert m is not None
    assert m.cover_url == "https://x.invalid/big_pl.jpg"
    assert m.poster_url == "https://x.invalid/big_ps.jpg"
    assert m.trailer_url == "https://x.invalid/t.m3u8"


def test_release_date_is_taken_as_written_not_converted(
    metatube: Served, client: MetaTubeProvider
) -> None:
    metatube.fake.add_movie(sample_movie("ABP-126", release_date="2014-05-01T00:00:00+09:00"))
    m = client.fetch("ABP-126")
    assert m is not None and m.release_date == date(2014, 5, 1)


def test_picks_the_candidate_whose_number_is_the_code(
    metatube: Served, client: MetaTubeProvider
) -> None:
    fake = metatube.fake
    fake.fuzzy_search = True
    fake.add_movie(sample_movie("ABP-1230", title="near miss ranked first"))
    fake.add_movie(sample_movie("ABP-123", provider="JavBus", movie_id="ABP-123", title="bus"))
    fake.add_movie(sample_movie("ABP-123", provider="DUGA", movie_id="abp123", title="duga"))
    m = client.fetch("abp123")
    assert m is not None
    # the near miss is skipped; of the real matches the server's order decides (DUGA > JavBus)
    assert m.title == "duga" and m.source_id == "DUGA:abp123"
    search = fake.requests.all("/v1/movies/search")[0]
    assert search.query == {"q": "abp123", "provider": "", "fallback": "True"}
    assert [r.path for r in fake.requests.all("/v1/movies/")][1:] == ["/v1/movies/DUGA/abp123"]


def test_only_near_misses_mean_not_found(metatube: Served, client: MetaTubeProvider) -> None:
    metatube.fake.fuzzy_search = True
    metatube.fake.add_movie(sample_movie("ABP-1234"))
    assert client.fetch("ABP-123") is None
    assert len(metatube.fake.requests.all("/v1/movies/")) == 1  # no info fetch


def test_fc2_numbers_with_and_without_ppv_match(metatube: Served, client: MetaTubeProvider) -> None:
    metatube.fake.add_movie(sample_movie("FC2-PPV-1234567", provider="FC2", movie_id="1234567"))
    m = client.fetch("FC2-PPV-1234567")
    assert m is not None and m.code == "FC2-PPV-1234567"
    assert m.source_id == "FC2:1234567"


def test_unknown_code_is_none(metatube: Served, client: MetaTubeProvider) -> None:
    assert client.fetch("ZZZ-999") is None
    assert len(metatube.fake.requests.all("/v1/movies/search")) == 1


def test_refresh_asks_the_server_not_to_use_its_cache(
    metatube: Served, client: MetaTubeProvider
) -> None:
    metatube.fake.add_movie(sample_movie("ABP-123"))
    client.fetch("ABP-123")
    client.fetch("ABP-123", refresh=True)
    lazies = [r.query["lazy"] for r in metatube.fake.requests.all("/v1/movies/FANZA")]
    assert lazies == ["True", "False"]


def test_ids_are_url_escaped_in_the_path(metatube: Served, client: MetaTubeProvider) -> None:
    metatube.fake.add_movie(sample_movie("ABP-123", provider="JavBus", movie_id="a/b c"))
    m = client.fetch("ABP-123")
    assert m is not None and m.external_ids["metatube"] == "JavBus:a%2Fb%20c"


def test_sends_token_and_user_agent(metatube: Served) -> None:
    metatube.fake.token = "s3cret"
    metatube.fake.add_movie(sample_movie("ABP-123"))
    provider = MetaTubeProvider(metatube.url, "s3cret", timeout=5)
    try:
        assert provider.fetch("ABP-123") is not None
    finally:
        provider.close()
    request = metatube.fake.requests.all()[0]
    assert request.headers["authorization"] == "Bearer s3cret"
    assert request.user_agent == USER_AGENT
    assert USER_AGENT.startswith("emby-processor/")
    assert "(+https://github.com/emby-processor/emby-processor)" in USER_AGENT


@pytest.mark.parametrize("token", [None, "wrong"])
def test_rejected_token_is_a_permanent_auth_error(metatube: Served, token: str | None) -> None:
    metatube.fake.token = "s3cret"
    provider = MetaTubeProvider(metatube.url, token, timeout=5)
    try:
        with pytest.raises(UpstreamAuthError) as caught:
            provider.fetch("ABP-123")
    finally:
        provider.close()
    assert caught.value.kind == "permanent"
    assert "401" in str(caught.value)


def test_server_error_is_transient(metatube: Served, client: MetaTubeProvider) -> None:
    metatube.fake.faults.set("500")
    with pytest.raises(UpstreamError) as caught:
        client.fetch("ABP-123")
    assert caught.value.kind == "transient" and "500" in str(caught.value)


def test_429_carries_retry_after(metatube: Served, client: MetaTubeProvider) -> None:
    metatube.fake.retry_after = "7"
    metatube.fake.faults.set("429")
    with pytest.raises(UpstreamError) as caught:
        client.fetch("ABP-123")
    assert caught.value.retry_after == 7.0 and "429" in str(caught.value)


def test_recovers_after_transient_faults(metatube: Served, client: MetaTubeProvider) -> None:
    metatube.fake.add_movie(sample_movie("ABP-123"))
    metatube.fake.faults.set("500", times=1)
    with pytest.raises(UpstreamError):
        client.fetch("ABP-123")
    assert client.fetch("ABP-123") is not None


def test_slow_server_times_out(metatube: Served) -> None:
    metatube.fake.delay = 2.0
    provider = MetaTubeProvider(metatube.url, timeout=0.3)
    try:
        with pytest.raises(UpstreamError) as caught:
            provider.fetch("ABP-123")
    finally:
        provider.close()
    assert "time limit" in str(caught.value) and caught.value.kind == "transient"


def test_connection_refused_is_transient() -> None:
    from tests.fakes.server import free_port

    provider = MetaTubeProvider(f"http://127.0.0.1:{free_port()}", timeout=2)
    try:
        with pytest.raises(UpstreamError, match="cannot connect"):
            provider.fetch("ABP-123")
    finally:
        provider.close()


@pytest.mark.parametrize(
    ("mode", "message"),
    [
        ("html", "HTML page instead of JSON"),
        ("truncated", "truncated or invalid JSON"),
        ("drop", "closed the connection"),
    ],
)
def test_broken_answers_give_readable_errors(
    metatube: Served, client: MetaTubeProvider, mode: str, message: str
) -> None:
    metatube.fake.add_movie(sample_movie("ABP-123"))
    metatube.fake.faults.set(mode)
    with pytest.raises(UpstreamError, match=message):
        client.fetch("ABP-123")


def test_wrong_movie_is_returned_as_is_for_the_chain_to_reject(
    metatube: Served, client: MetaTubeProvider
) -> None:
    metatube.fake.add_movie(sample_movie("ABP-123"))
    metatube.fake.faults.set("wrong_movie")
    m = client.fetch("ABP-123")
    assert m is not None and m.code == "WRONG-999"


def test_failing_candidate_falls_back_to_the_next(
    metatube: Served, client: MetaTubeProvider
) -> None:
    fake = metatube.fake
    fake.add_movie(sample_movie("ABP-123"))
    fake.add_movie(sample_movie("ABP-123", provider="JavBus", movie_id="ABP-123", title="bus"))
    fake.faults.set("500", path_prefix="/v1/movies/FANZA/")
    m = client.fetch("ABP-123")
    assert m is not None and m.title == "bus"


def test_an_incomplete_record_is_no_record_and_the_next_candidate_answers(
    metatube: Served, client: MetaTubeProvider
) -> None:
    fake = metatube.fake
    fake.validate = True  # the real server's IsValid: no cover -> 500 "incomplete metadata"
    fake.add_movie(sample_movie("ABP-123", cover_url=""))
    fake.add_movie(sample_movie("ABP-123", provider="JavBus", movie_id="ABP-123", title="bus"))
    m = client.fetch("ABP-123")
    assert m is not None and m.title == "bus"


def test_only_incomplete_records_mean_metatube_does_not_know_the_code(
    metatube: Served, client: MetaTubeProvider
) -> None:
    fake = metatube.fake
    fake.validate = True
    fake.add_movie(sample_movie("ABP-123", cover_url=""))
    fake.add_movie(sample_movie("ABP-123", provider="JavBus", movie_id="ABP-123", cover_url=""))
    assert client.fetch("ABP-123") is None  # not an outage: asking again gives the same
    info = [r for r in fake.requests.all() if not r.path.startswith("/v1/movies/search")]
    assert len(info) == 2  # each candidate asked once


def test_another_500_beside_an_incomplete_record_stays_transient(
    metatube: Served, client: MetaTubeProvider
) -> None:
    fake = metatube.fake
    fake.validate = True
    fake.add_movie(sample_movie("ABP-123", cover_url=""))
    fake.add_movie(sample_movie("ABP-123", provider="JavBus", movie_id="ABP-123"))
    fake.faults.set("500", path_prefix="/v1/movies/JavBus/")
    with pytest.raises(UpstreamError, match="HTTP 500") as caught:
        client.fetch("ABP-123")
    assert caught.value.kind == "transient"


def test_actress_images_come_from_actor_search(
    metatube: Served, client: MetaTubeProvider, images: Served
) -> None:
    fake = metatube.fake
    fake.add_movie(sample_movie("ABP-123", actresses=["見本花子", "無名"]))
    fake.add_actor(sample_actor("見本花子", aliases=["みほん"], image_base=images.url))
    m = client.fetch("ABP-123")
    assert m is not None
    hanako, unknown = m.actresses
    assert hanako.image_url is not None and hanako.image_url.startswith(images.url)
    assert hanako.aliases == ["みほん"]
    assert unknown.image_url is None
    queries = [r.query["q"] for r in fake.requests.all("/v1/actors/search")]
    assert queries == ["見本花子", "無名"]


def test_actor_search_failure_does_not_fail_the_fetch(
    metatube: Served, client: MetaTubeProvider
) -> None:
    fake = metatube.fake
    fake.add_movie(sample_movie("ABP-123", actresses=["一", "二", "三"]))
    fake.faults.set("500", path_prefix="/v1/actors/")
    m = client.fetch("ABP-123")
    assert m is not None and [p.image_url for p in m.actresses] == [None, None, None]
    # after the first failure the remaining look-ups are skipped
    assert len(fake.requests.all("/v1/actors/search")) == 1


def test_check_reports_reachability_and_token(metatube: Served) -> None:
    metatube.fake.token = "s3cret"
    good = MetaTubeProvider(metatube.url, "s3cret", timeout=5)
    bad = MetaTubeProvider(metatube.url, "nope", timeout=5)
    try:
        assert good.check().ok
        assert "v1.0.0-fake" in good.check().message
        status = bad.check()
        assert not status.ok and "token" in status.message
        metatube.fake.faults.set("500")
        assert not good.check().ok
    finally:
        good.close()
        bad.close()


def test_html_404_suggests_a_wrong_url(r18: Served) -> None:
    # the r18.dev fake answers every unknown path with an HTML 404 page
    provider = MetaTubeProvider(r18.url, timeout=5)
    try:
        with pytest.raises(UpstreamError, match=r"is .* a MetaTube server"):
            provider.fetch("ABP-123")
    finally:
        provider.close()


def test_missing_token_says_what_to_set(metatube: Served, client: MetaTubeProvider) -> None:
    metatube.fake.token = "s3cret"
    with pytest.raises(UpstreamAuthError, match="METATUBE_TOKEN"):
        client.fetch("ABP-123")


def test_check_is_quick_even_when_the_server_hangs(metatube: Served) -> None:
    metatube.fake.faults.set("timeout")
    provider = MetaTubeProvider(metatube.url, timeout=30, check_timeout=0.3)
    try:
        status = provider.check()
    finally:
        provider.close()
    assert not status.ok and "time limit" in status.message
