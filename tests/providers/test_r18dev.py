"""R18DevProvider against the fake r18.dev over real HTTP."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest

from emby_processor.errors import UpstreamBlockedError, UpstreamError
from emby_processor.httpclient import USER_AGENT
from emby_processor.providers.channels import ChannelBook, MemoryChannels
from emby_processor.providers.r18dev import CacheEntry, R18DevProvider
from emby_processor.providers.r18dev_mapping import map_record
from tests.fakes.r18dev import DETAIL, other_channel_record, sample_record
from tests.providers.conftest import Served

Make = Callable[..., R18DevProvider]


@pytest.fixture
def make(r18: Served) -> Iterator[Make]:
    made: list[R18DevProvider] = []

    def factory(**kwargs: Any) -> R18DevProvider:
        kwargs.setdefault("min_interval", 0.0)
        kwargs.setdefault("backoff_base", 0.05)
        kwargs.setdefault("timeout", 5.0)
        provider = R18DevProvider(r18.url, **kwargs)
        made.append(provider)
        return provider

    yield factory
    for provider in made:
        provider.close()


def paths(r18: Served) -> list[str]:
    return [r.path.removeprefix(DETAIL) for r in r18.fake.requests.all()]


def test_maps_record_preferring_english(r18: Served, make: Make) -> None:
    r18.fake.add_movie(sample_record("ABP-123"))
    m = make().fetch("ABP-123")
    assert m is not None
    assert m.code == "ABP-123" and m.content_id == "118abp00123"
    assert m.title == "Sample Title of ABP-123" and m.language == "en"
    assert m.original_title == "ABP-123 の見本タイトル"
    assert m.plot == "A short English synopsis of ABP-123."
    assert m.release_date == date(2021, 6, 1) and m.year == 2021
    assert m.runtime_minutes == 120
    assert m.directors == ["Kantoku Mihon"]
    assert m.maker == "Sample Maker"
    assert m.label == "見本レーベル"  # label_name_en is null: Japanese is better than nothing
    assert m.series == "Sample Series"
    assert m.genres == ["Featured Actress", "Drama"]
    (actress,) = m.actresses
    assert actress.name == "Hanako Mihon" and actress.name_ja == "見本花子"
    assert actress.name_romaji == "Hanako Mihon"
    assert actress.image_url == "https://pics.dmm.co.jp/mono/actjpgs/actress_0.jpg"
    assert actress.external_ids == {"r18dev": "22"}
    assert m.cover_url is not None and m.cover_url.endswith("118abp00123pl.jpg")
    assert m.poster_url is None  # r18.dev has no large poster: the jacket's front is cut out
    assert m.thumb_url is not None and m.thumb_url.endswith("118abp00123ps.jpg")
    assert m.screenshot_urls and m.screenshot_urls[0].endswith("jp-1.jpg")
    assert m.trailer_url is not None and m.trailer_url.endswith("_mhb_w.mp4")
    assert m.homepage_url == "https://r18.dev/videos/vod/movies/detail/-/id=118abp00123/"
    assert m.rating is None and m.votes is None
    assert m.source == "r18dev" and m.source_id == "118abp00123"
    assert m.external_ids == {"r18dev": "118abp00123", "dmm_cid": "118abp00123"}
    assert m.is_complete()


def test_japanese_when_english_is_null(r18: Served, make: Make) -> None:
    r18.fake.add_movie(sample_record("ABP-123", english=False))
    m = make().fetch("ABP-123")
    assert m is not None
    assert m.title == "ABP-123 の見本タイトル" and m.language == "ja" and m.plot is None
    assert m.maker == "見本メーカー" and m.genres == ["単体作品", "ドラマ"]


def test_mapping_tolerates_nulls_missing_keys_and_legacy_shape() -> None:
    m = map_record(
        {
            "content_id": "abc00001", "dvd_id": None, "title": "Old Title",
            "release_date": "2010-01-02 10:00:00", "runtime_mins": None, "actresses": None,
            "maker": {"name": "Old Maker"}, "director": "Old Director",
            "images": {"jacket_image": {"large": "https://x.invalid/pl.jpg"},
                       "sample_images": ["https://x.invalid/1.jpg"]},
            "sample": {"high": "https://x.invalid/t.mp4"},
            "categories": [{"id": 1, "name_en": None, "name_ja": None}],
        },
        "ABC-001",
    )  # fmt: skip
    assert m.code == "ABC-001" and m.title == "Old Title"
    assert m.release_date == date(2010, 1, 2) and m.runtime_minutes is None
    assert m.maker == "Old Maker" and m.directors == ["Old Director"]
    assert m.cover_url == "https://x.invalid/pl.jpg"
    assert m.screenshot_urls == ["https://x.invalid/1.jpg"]
    assert m.trailer_url == "https://x.invalid/t.mp4"
    assert m.actresses == [] and m.genres == []


def test_actress_image_url_prefix_rule() -> None:
    record = sample_record("ABP-123")
    record["actresses"] = [
        {"id": 1, "image_url": "https://cdn.invalid/a.jpg", "name_kanji": "甲", "name_romaji": "A"},
        {"id": 2, "image_url": None, "name_kanji": "乙", "name_romaji": None},
        {"id": 3, "image_url": "/b.jpg", "name_kanji": None, "name_romaji": None},
    ]
    people = map_record(record, "ABP-123").actresses
    assert [p.image_url for p in people] == ["https://cdn.invalid/a.jpg", None]
    assert people[1].name == "乙"  # no romaji: the kanji name is the display name


def test_lookup_asks_the_compact_form_first_then_the_code_as_written(
    r18: Served, make: Make
) -> None:
    r18.fake.add_movie(sample_record("ABP-123"), lookup_keys=["ABP-123"])
    m = make().fetch("ABP-123")
    assert m is not None and m.match == "exact"
    assert paths(r18) == ["/dvd_id=abp123/json", "/dvd_id=ABP-123/json",
                          "/combined=118abp00123/json"]  # fmt: skip


def test_lookup_with_another_dvd_id_is_rejected(r18: Served, make: Make) -> None:
    r18.fake.add_movie(sample_record("ABP-124"))
    r18.fake.add_lookup("ABP-123", {"content_id": "118abp00124", "dvd_id": "ABP-124"})
    assert make(guess_content_ids=False).fetch("ABP-123") is None
    assert "/combined=118abp00124/json" not in paths(r18)


def test_a_record_without_the_code_is_only_a_fuzzy_match(r18: Served, make: Make) -> None:
    r18.fake.add_movie(sample_record("ABP-123", dvd_id=None), lookup_keys=[])
    r18.fake.add_fuzzy("ABP-123", "118abp00123")
    m = make().fetch("ABP-123")
    assert m is not None and m.code == "ABP-123" and m.content_id == "118abp00123"
    assert m.match == "fuzzy" and not m.confident
    # the label's known channel (118) first, then the unprefixed guesses
    assert paths(r18) == [
        "/dvd_id=abp123/json", "/dvd_id=ABP-123/json", "/combined=118abp00123/json",
        "/combined=118abp123/json", "/combined=abp00123/json", "/combined=abp123/json",
    ]  # fmt: skip


def test_fuzzy_record_of_another_movie_is_ignored(r18: Served, make: Make) -> None:
    r18.fake.add_movie(sample_record("XYZ-999", content_id="999xyz00999"))
    r18.fake.add_fuzzy("ABP-123", "999xyz00999")
    assert make(guess_content_ids=False).fetch("ABP-123") is None
    assert "/combined=999xyz00999/json" not in paths(r18)


def test_guessed_content_id_is_validated_and_only_a_guess(r18: Served, make: Make) -> None:
    r18.fake.add_movie(sample_record("ABP-123", content_id="abp00123"), lookup_keys=[])
    m = make().fetch("ABP-123")
    assert m is not None and m.content_id == "abp00123"
    assert m.match == "guessed" and not m.confident
    r18.fake.add_movie(sample_record("ABP-777", content_id="abp00124"), lookup_keys=[])
    assert make().fetch("ABP-124") is None  # the record says ABP-777


def test_partial_lookup_answer_is_used_when_combined_is_missing(r18: Served, make: Make) -> None:
    r18.fake.add_lookup("ABP-123", sample_record("ABP-123"))
    m = make().fetch("ABP-123")
    assert m is not None and m.title == "Sample Title of ABP-123"


# -- one code, several DMM channels (docs/providers.md, 2.3 and 2.4) ----------------------------


@pytest.mark.parametrize("dvd_id", [None, "ABF-030"], ids=["dvd_id-null", "labelled"])
def test_the_labels_known_channel_beats_another_channels_lookup_answer(
    r18: Served, make: Make, dvd_id: str | None
) -> None:
    real = sample_record("ABF-030", content_id="118abf030", title_en="The Real ABF-030")
    r18.fake.add_other_channel(real, other_channel_record(real, dvd_id=dvd_id))
    m = make().fetch("ABF-030")  # the shipped table knows ABF as Prestige's 118
    assert m is not None and m.title == "The Real ABF-030" and m.content_id == "118abf030"
    assert m.match == "known_prefix" and m.confident
    assert paths(r18)[-2:] == ["/combined=118abf00030/json", "/combined=118abf030/json"]


def test_an_answer_on_the_labels_main_channel_needs_no_more_requests(
    r18: Served, make: Make
) -> None:
    r18.fake.add_movie(sample_record("ABF-031", content_id="118abf00031"))
    m = make().fetch("ABF-031")
    assert m is not None and m.match == "exact"
    assert paths(r18) == ["/dvd_id=abf031/json", "/combined=118abf00031/json"]


def test_a_labelled_answer_stands_when_no_known_channel_has_the_movie(
    r18: Served, make: Make
) -> None:
    r18.fake.add_movie(sample_record("ABF-032", content_id="436abf00032"))
    m = make().fetch("ABF-032")
    assert m is not None and m.match == "exact" and m.content_id == "436abf00032"
    assert "/combined=118abf00032/json" in paths(r18)


def test_channels_learned_from_answers_are_asked(r18: Served, make: Make) -> None:
    book = ChannelBook(MemoryChannels(), shipped={})
    real = sample_record("XYZ-002", content_id="777xyz00002", title_en="The Real XYZ-002")
    r18.fake.add_other_channel(real, other_channel_record(real, dvd_id="XYZ-002"))
    provider = make(channels=book)
    unlearned = provider.fetch("XYZ-002")
    assert unlearned is not None and unlearned.title != "The Real XYZ-002"  # nothing known yet
    book.learn("XYZ-001", "777xyz00001")  # an answer seen earlier
    m = provider.fetch("XYZ-002", refresh=True)
    assert m is not None and m.title == "The Real XYZ-002" and m.match == "known_prefix"


def test_a_known_channels_record_without_the_code_is_fuzzy(r18: Served, make: Make) -> None:
    r18.fake.add_movie(sample_record("ABF-033", content_id="118abf00033", dvd_id=None),
                       lookup_keys=[])
    m = make(guess_content_ids=False).fetch("ABF-033")
    assert m is not None and m.match == "fuzzy" and m.content_id == "118abf00033"


@pytest.mark.parametrize("mode", ["ok", "html200"])
def test_not_found(r18: Served, make: Make, mode: str) -> None:
    r18.fake.faults.set(mode)
    assert make().fetch("ABP-123") is None


def test_sends_polite_browser_like_headers(r18: Served, make: Make) -> None:
    r18.fake.cloudflare = True  # lets browser-like requests through, challenges the others
    r18.fake.add_movie(sample_record("ABP-123"))
    assert make().fetch("ABP-123") is not None
    for request in r18.fake.requests.all():
        assert request.user_agent == USER_AGENT  # still says who is asking
        assert "application/json" in request.headers["accept"]
        assert "*/*" in request.headers["accept"]
        assert request.headers["accept-language"].startswith("en")
        assert request.headers["referer"] == r18.url.rstrip("/") + "/"


def test_a_challenge_pauses_every_request_for_a_while(r18: Served, make: Make) -> None:
    r18.fake.add_movie(sample_record("ABP-123"))
    r18.fake.faults.set("403", times=1)
    provider = make(block_pause=30.0)
    with pytest.raises(UpstreamBlockedError) as first:
        provider.fetch("ABP-123")
    assert first.value.cause == "provider_blocked" and first.value.kind == "transient"
    assert first.value.retry_after == pytest.approx(30.0, abs=1)
    asked = len(r18.fake.requests)
    # the challenge is over on the site, but nobody asks again before the pause has passed
    with pytest.raises(UpstreamBlockedError, match="bot challenge") as again:
        provider.fetch("ABP-124")
    assert len(r18.fake.requests) == asked
    assert 0 < (again.value.retry_after or 0) <= 30.0
    status = provider.check()
    assert not status.ok and "challenge" in status.message and len(r18.fake.requests) == asked


def test_the_pause_after_a_challenge_grows_and_ends(r18: Served, make: Make) -> None:
    r18.fake.add_movie(sample_record("ABP-123"))
    provider = make(block_pause=0.2, max_block_pause=0.3)
    r18.fake.faults.set("403", times=2)
    with pytest.raises(UpstreamBlockedError) as first:
        provider.fetch("ABP-123")
    assert first.value.retry_after == pytest.approx(0.2, abs=0.05)
    wait_until_unblocked(provider)
    with pytest.raises(UpstreamBlockedError) as second:
        provider.fetch("ABP-123")
    assert second.value.retry_after == pytest.approx(0.3, abs=0.05)  # doubled, capped
    wait_until_unblocked(provider)
    assert provider.fetch("ABP-123") is not None  # the site lets us in again


def wait_until_unblocked(provider: R18DevProvider, timeout: float = 3.0) -> None:
    deadline = time.monotonic() + timeout
    while provider.blocked_for() > 0:
        assert time.monotonic() < deadline, "still paused"
        time.sleep(0.02)


def test_one_request_at_a_time_with_spacing_across_threads(r18: Served, make: Make) -> None:
    for n in range(1, 5):
        r18.fake.add_movie(sample_record(f"ABP-{n:03d}"))
    r18.fake.delay = 0.05
    provider = make(min_interval=0.15)
    threads = [threading.Thread(target=provider.fetch, args=(f"ABP-{n:03d}",)) for n in range(1, 5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    starts = sorted(r.time for r in r18.fake.requests.all())
    assert len(starts) == 8  # lookup + combined for each code
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert min(gaps) >= 0.15 - 0.03


def test_no_overlap_even_without_spacing(r18: Served, make: Make) -> None:
    for n in range(1, 4):
        r18.fake.add_movie(sample_record(f"ABP-{n:03d}"))
    r18.fake.delay = 0.1
    provider = make(min_interval=0.0)
    threads = [threading.Thread(target=provider.fetch, args=(f"ABP-{n:03d}",)) for n in range(1, 4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    starts = sorted(r.time for r in r18.fake.requests.all())
    # each request takes >= 0.1 s on the server, so serial requests start >= 0.1 s apart
    assert min(b - a for a, b in itertools.pairwise(starts)) >= 0.08


def test_429_waits_for_retry_after_then_succeeds(r18: Served, make: Make) -> None:
    r18.fake.add_movie(sample_record("ABP-123"))
    r18.fake.faults.set("429", times=1)
    assert make().fetch("ABP-123") is not None
    first, second = r18.fake.requests.all()[:2]
    assert first.path == second.path
    assert second.time - first.time >= 1.0 - 0.03  # Retry-After: 1 beats the 0.05 s backoff


def test_503_backs_off_exponentially(r18: Served, make: Make) -> None:
    r18.fake.add_movie(sample_record("ABP-123"))
    r18.fake.faults.set("503", times=2)
    assert make(backoff_base=0.2).fetch("ABP-123") is not None
    t = [r.time for r in r18.fake.requests.all()]
    assert len(t) == 4  # 503, 503, lookup, combined
    assert t[1] - t[0] >= 0.2 - 0.03
    assert t[2] - t[1] >= 0.4 - 0.03


def test_gives_up_after_max_retries_with_retry_after(r18: Served, make: Make) -> None:
    r18.fake.retry_after = None
    r18.fake.faults.set("429")
    with pytest.raises(UpstreamError) as caught:
        make(max_retries=2).fetch("ABP-123")
    assert len(r18.fake.requests) == 3
    assert caught.value.kind == "transient" and caught.value.retry_after == pytest.approx(0.2)
    assert "429" in str(caught.value)


def test_long_retry_after_is_handed_to_the_retry_handler(r18: Served, make: Make) -> None:
    r18.fake.retry_after = "120"
    r18.fake.faults.set("429")
    with pytest.raises(UpstreamError) as caught:
        make(max_retries=3).fetch("ABP-123")
    assert len(r18.fake.requests) == 1  # no thread sleeps for two minutes
    assert caught.value.retry_after == 120.0


def test_cloudflare_challenge_is_blocked_not_missing(r18: Served, make: Make) -> None:
    r18.fake.faults.set("403")
    with pytest.raises(UpstreamBlockedError) as caught:
        make().fetch("ABP-123")
    assert "Just a moment" in str(caught.value) and caught.value.kind == "transient"


@pytest.mark.parametrize(
    ("mode", "message"),
    [("truncated", "truncated or invalid JSON"), ("500", "HTTP 500"), ("drop", "closed")],
)
def test_broken_answers_are_transient(r18: Served, make: Make, mode: str, message: str) -> None:
    r18.fake.add_movie(sample_record("ABP-123"))
    r18.fake.faults.set(mode)
    with pytest.raises(UpstreamError, match=message):
        make().fetch("ABP-123")


def test_timeout(r18: Served, make: Make) -> None:
    r18.fake.faults.set("timeout")
    with pytest.raises(UpstreamError, match="time limit"):
        make(timeout=0.3).fetch("ABP-123")


def test_cache_answers_a_retry_and_refresh_bypasses_it(r18: Served, make: Make) -> None:
    r18.fake.add_movie(sample_record("ABP-123"))
    provider = make()
    first = provider.fetch("ABP-123")
    asked = len(r18.fake.requests)
    again = provider.fetch("abp-123")
    assert again == first and len(r18.fake.requests) == asked
    assert again is not first  # callers may change their copy
    provider.fetch("ABP-123", refresh=True)
    assert len(r18.fake.requests) == 2 * asked


def test_not_found_is_cached_too(r18: Served, make: Make) -> None:
    provider = make()
    assert provider.fetch("ZZZ-001") is None
    asked = len(r18.fake.requests)
    assert provider.fetch("ZZZ-001") is None
    assert len(r18.fake.requests) == asked


def test_errors_are_not_cached(r18: Served, make: Make) -> None:
    r18.fake.add_movie(sample_record("ABP-123"))
    r18.fake.faults.set("500", times=1)
    provider = make()
    with pytest.raises(UpstreamError):
        provider.fetch("ABP-123")
    assert provider.fetch("ABP-123") is not None


def test_cache_expires_and_can_be_shared(r18: Served, make: Make) -> None:
    r18.fake.add_movie(sample_record("ABP-123"))
    shared: dict[str, CacheEntry] = {}
    make(cache=shared).fetch("ABP-123")
    assert "ABP123" in shared
    asked = len(r18.fake.requests)
    make(cache=shared).fetch("ABP-123")
    assert len(r18.fake.requests) == asked
    expiring = make(cache_ttl=0.0)
    expiring.fetch("ABP-123")
    expiring.fetch("ABP-123")
    assert len(r18.fake.requests) == 3 * asked


def test_check_is_cached_and_reports_blocks(r18: Served, make: Make) -> None:
    provider = make()
    assert provider.check().ok
    assert provider.check().ok
    assert len(r18.fake.requests) == 1
    r18.fake.faults.set("403")
    status = make().check()
    assert not status.ok and "blocked" in status.message


def test_check_does_not_wait_behind_a_running_fetch(r18: Served, make: Make) -> None:
    r18.fake.add_movie(sample_record("ABP-123"))
    r18.fake.delay = 0.5
    provider = make()
    fetching = threading.Thread(target=provider.fetch, args=("ABP-123",))
    fetching.start()
    try:
        r18.fake.requests.wait_for(1)
        status = provider.check()
        assert status.ok and "busy" in status.message
        assert [r.path for r in r18.fake.requests.all()] == [DETAIL + "/dvd_id=abp123/json"]
    finally:
        fetching.join()
