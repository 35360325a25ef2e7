"""Proxies from the environment (HTTP_PROXY, HTTPS_PROXY, ALL_PROXY, NO_PROXY) are used as
httpx would use them, with the deadline still on every socket operation; loopback is always
direct."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from emby_processor.errors import UpstreamError
from emby_processor.httpclient import HttpClientFactory, HttpLimits
from emby_processor.httpclient.proxies import proxy_mounts
from tests.http.test_connections import Upstream

LIMITS = HttpLimits(read_timeout=5, connect_timeout=2, deadline=5, max_connections=2)


@pytest.fixture
def proxy() -> Iterator[Upstream]:
    server = Upstream()  # answers every request itself: as a proxy, it is the whole internet
    yield server
    server.close()


def test_requests_go_through_the_proxy_in_the_environment(
    proxy: Upstream, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    client = HttpClientFactory(LIMITS).client("r18dev", "http://r18.example")
    assert client.get("/videos/vod/movies/detail/-/combined=abp123/json").status_code == 200
    assert proxy.lines == [
        "GET http://r18.example/videos/vod/movies/detail/-/combined=abp123/json HTTP/1.1"]


def test_no_proxy_and_loopback_go_direct(
    proxy: Upstream, monkeypatch: pytest.MonkeyPatch
) -> None:
    direct = Upstream()
    try:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        monkeypatch.setenv("NO_PROXY", "metatube.invalid,.internal.invalid")
        factory = HttpClientFactory(LIMITS)
        # a service on this machine answers directly, not through a proxy elsewhere
        assert factory.client("metatube", direct.url).get("/v1/movies").status_code == 200
        assert direct.lines == ["GET /v1/movies HTTP/1.1"]
        for host in ("metatube.invalid", "emby.internal.invalid"):  # bypassed: looked up here
            with pytest.raises(UpstreamError):
                factory.client("metatube", f"http://{host}").get("/x")
        assert proxy.lines == []
    finally:
        direct.close()


def test_the_mounts_follow_the_environment_as_httpx_reads_it() -> None:
    def make(url: str | None) -> httpx.BaseTransport:
        return httpx.MockTransport(lambda request: httpx.Response(200, text=str(url)))

    assert proxy_mounts(make, {}) == {}
    assert proxy_mounts(make, {"HTTPS_PROXY": "http://p:3128", "NO_PROXY": "*"}) == {}
    mounts = proxy_mounts(make, {"all_proxy": "http://p:3128", "no_proxy": "10.0.0.5, ::1,a.lan"})
    assert {key for key, value in mounts.items() if value is not None} == {"http://", "https://"}
    assert {key for key, value in mounts.items() if value is None} == {
        "all://localhost", "all://127.0.0.1", "all://[::1]", "all://10.0.0.5", "all://*a.lan"}
    # a SOCKS proxy is not one httpx's own transport speaks: no mount, requests stay direct
    assert proxy_mounts(make, {"ALL_PROXY": "socks5://p:1080"}) == {}
