"""The HTTP client factory against a hostile server: bounded in time, memory and trust."""

from __future__ import annotations

import gzip
import logging
import math
import time
import tracemalloc
from collections.abc import Iterator

import pytest

from emby_processor.errors import MediaServerError, UpstreamError
from emby_processor.httpclient import (
    USER_AGENT,
    HttpClientFactory,
    HttpLimits,
    parse_retry_after,
)
from tests.fakes.hostile import HostileServer, Mode
from tests.fakes.server import ServerThread, free_port, serve

MIB = 1024 * 1024
LIMITS = HttpLimits(read_timeout=1.0, connect_timeout=1.0, deadline=1.5,
                    json_max_bytes=MIB, image_max_bytes=2 * MIB, retry_after_max=60.0)


@pytest.fixture(scope="module")
def hostile_server() -> Iterator[tuple[HostileServer, ServerThread]]:
    hostile = HostileServer()
    with serve(hostile.app) as server:
        yield hostile, server


@pytest.fixture
def hostile(hostile_server: tuple[HostileServer, ServerThread]) -> HostileServer:
    hostile, _ = hostile_server
    hostile.mode, hostile.by_query, hostile.bytes_sent = Mode.json({}), {}, 0
    hostile.requests.clear()
    hostile.headers.clear()
    return hostile


@pytest.fixture
def url(hostile_server: tuple[HostileServer, ServerThread]) -> str:
    return hostile_server[1].url


def test_a_dripping_answer_is_cut_at_the_deadline(hostile: HostileServer, url: str) -> None:
    hostile.mode = Mode.drip(interval=0.2, seconds=30)
    client = HttpClientFactory(LIMITS).client("metatube", url)
    started = time.monotonic()
    with pytest.raises(UpstreamError, match=r"deadline of 1\.5 s \(UPSTREAM_DEADLINE_SECONDS\)"):
        client.get("/v1/movies/search")
    assert time.monotonic() - started < 3.0
    client.close()


def test_the_media_server_error_type_is_kept(hostile: HostileServer, url: str) -> None:
    hostile.mode = Mode.drip(interval=0.2, seconds=30)
    client = HttpClientFactory(LIMITS).client("emby", url, error=MediaServerError)
    with pytest.raises(MediaServerError, match="deadline") as caught:
        client.get("/emby/Items")
    assert caught.value.kind == "transient" and caught.value.cause == "server_unreachable"
    client.close()


def test_a_huge_body_stops_at_the_cap(hostile: HostileServer, url: str) -> None:
    hostile.mode = Mode.huge(200 * MIB)
    client = HttpClientFactory(LIMITS).client("r18dev", url)
    tracemalloc.start()
    try:
        with pytest.raises(UpstreamError, match=f"more than {MIB} bytes"):
            client.get("/videos")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 * MIB
    client.close()


def test_a_gzip_bomb_is_never_inflated_past_the_cap(hostile: HostileServer, url: str) -> None:
    hostile.mode = Mode.gzip_bomb(100 * MIB)
    client = HttpClientFactory(LIMITS).client("metatube", url)
    tracemalloc.start()
    try:
        with pytest.raises(UpstreamError, match="more than"):
            client.get("/v1/movies/search")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 * MIB
    client.close()


def test_small_compressed_answers_are_read(hostile: HostileServer, url: str) -> None:
    hostile.mode = Mode("json", body=gzip.compress(b'{"ok": true}'),
                        headers=(("content-encoding", "gzip"),))
    client = HttpClientFactory(LIMITS).client("metatube", url)
    reply = client.get("/")
    assert reply.status_code == 200 and reply.json() == {"ok": True}
    client.close()


def test_images_have_their_own_cap(hostile: HostileServer, url: str) -> None:
    hostile.mode = Mode.huge(int(1.5 * MIB), content_type="image/jpeg")
    images = HttpClientFactory(LIMITS).images()
    assert len(images.get(url + "/cover.jpg").content) == int(1.5 * MIB)
    hostile.mode = Mode.huge(3 * MIB, content_type="image/jpeg")
    with pytest.raises(UpstreamError, match=f"more than {2 * MIB} bytes"):
        images.get(url + "/cover.jpg")
    images.close()


@pytest.mark.parametrize(
    ("header", "expected"),
    [("12", 12.0), ("0", 0.0), ("inf", None), ("-inf", None), ("nan", None), ("-5", None),
     ("soon", None), ("1e300", 60.0), ("99999999999", 60.0),
     ("Wed, 21 Oct 2099 07:28:00 GMT", 60.0), ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0)],
)
def test_retry_after_is_finite_non_negative_and_capped(
    hostile: HostileServer, url: str, header: str, expected: float | None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    hostile.mode = Mode.retry_after(header)
    client = HttpClientFactory(LIMITS).client("metatube", url)
    with caplog.at_level(logging.WARNING, logger="emby_processor.http"):
        reply = client.get("/v1/movies/search")
    assert reply.status_code == 429
    assert reply.retry_after == expected
    if expected is None:
        assert "ignored" in caplog.text
    client.close()


def test_retry_after_parser_without_a_cap() -> None:
    assert parse_retry_after(None) is None
    assert parse_retry_after("  ") is None
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after("1e300") == 1e300
    assert parse_retry_after("inf") is None and parse_retry_after("NaN") is None
    later = parse_retry_after("Wed, 21 Oct 2099 07:28:00 GMT")
    assert later is not None and math.isfinite(later) and later > 0


def test_user_agent_and_translated_connection_errors(hostile: HostileServer, url: str) -> None:
    client = HttpClientFactory(LIMITS).client("metatube", url)
    client.get("/")
    assert hostile.requests == ["/"]
    nowhere = HttpClientFactory(LIMITS).client("metatube", f"http://127.0.0.1:{free_port()}")
    with pytest.raises(UpstreamError, match="cannot reach"):
        nowhere.get("/")
    assert USER_AGENT.startswith("emby-processor/")
    client.close()
    nowhere.close()


def test_redirects_are_followed_without_reading_their_bodies_or_leaking_tokens(
    hostile: HostileServer, url: str
) -> None:
    elsewhere = HostileServer(mode=Mode.json({"here": True}))
    with serve(elsewhere.app) as other:
        hostile.mode = Mode.redirect(other.url + "/landing", body_size=500 * MIB)
        client = HttpClientFactory(LIMITS).client(
            "metatube", url, headers={"Authorization": "Bearer s3cret"})
        reply = client.get("/start")
        assert reply.json() == {"here": True} and reply.url == other.url + "/landing"
        assert hostile.headers[0]["authorization"] == "Bearer s3cret"
        assert "authorization" not in elsewhere.headers[0]
        assert hostile.bytes_sent < 100 * MIB  # the redirect's body was not read through
        client.close()


def test_a_redirect_loop_is_an_error(hostile: HostileServer, url: str) -> None:
    hostile.mode = Mode.redirect(url + "/again")
    client = HttpClientFactory(LIMITS).client("r18dev", url)
    with pytest.raises(UpstreamError, match="TooManyRedirects"):
        client.get("/start")
    assert len(hostile.requests) == 6
    client.close()
