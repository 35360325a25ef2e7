"""Every unhappy answer becomes the right error kind, with a readable message."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Route

from emby_processor.errors import PermanentError, UpstreamAuthError, UpstreamError
from emby_processor.mediaserver.client import MediaServerClient
from tests.fakes.server import free_port, serve
from tests.mediaserver.conftest import Media


def test_wrong_key_is_an_auth_error(make_media: Callable[..., Media], dialect: str) -> None:
    media = make_media(dialect, api_key="wrong")
    media.client.server_info()  # public: works without a key
    with pytest.raises(UpstreamAuthError) as info:
        media.client.check_key()
    assert info.value.kind == "permanent" and "EMBY_API_KEY" in str(info.value)
    with pytest.raises(UpstreamAuthError):
        media.client.announce(["/mnt/media/a.mp4"])


@pytest.mark.parametrize(("status", "retry_after"), [(503, 7), (429, 30), (500, None)])
def test_busy_server_is_transient_with_retry_after(
    media: Media, status: int, retry_after: int | None
) -> None:
    media.client.server_info()
    media.fake.fail_next(1, status, retry_after=retry_after)
    with pytest.raises(UpstreamError) as info:
        media.client.check_key()
    assert info.value.kind == "transient"
    assert info.value.retry_after == retry_after
    assert f"HTTP {status}" in str(info.value)
    media.client.check_key()  # and it passes


def test_down_server_and_dropped_connections_are_transient(media: Media) -> None:
    media.fake.down = True
    with pytest.raises(UpstreamError) as info:
        media.client.server_info()
    assert info.value.retry_after == 5
    media.fake.down_mode = "close"
    with pytest.raises(UpstreamError, match="closed the connection"):
        media.client.server_info()
    media.fake.down = False
    assert media.client.server_info().dialect.kind == media.fake.dialect


def test_timeouts_and_refused_connections_are_transient(
    make_media: Callable[..., Media],
) -> None:
    media = make_media("jellyfin", timeout=0.3)
    media.fake.delay = 1.0
    with pytest.raises(UpstreamError, match="timed out") as info:
        media.client.server_info()
    assert info.value.kind == "transient"
    with MediaServerClient(f"http://127.0.0.1:{free_port()}", "k") as nowhere, \
            pytest.raises(UpstreamError, match="cannot reach"):
        nowhere.server_info()


def test_item_gone_is_permanent(media: Media) -> None:
    for call in (lambda: media.client.get_item("123456"),
                 lambda: media.client.update_item("123456", {"Name": "x"})):
        with pytest.raises(PermanentError, match="gone"):
            call()


def test_a_web_page_instead_of_json_is_a_readable_error() -> None:
    page = Starlette(routes=[Route("/{path:path}", lambda request: HTMLResponse("<html>x</html>"))])
    with serve(page) as server, MediaServerClient(server.url, "k") as client, \
            pytest.raises(UpstreamError, match=r"text/html.*not JSON.*EMBY_URL"):
        client.server_info()


def test_base_url_with_emby_suffix_and_configured_user(make_media: Callable[..., Media]) -> None:
    media = make_media("emby")
    with MediaServerClient(media.server.url + "/emby/", media.fake.api_key,
                           user_id="given") as client:
        assert client.server_info().dialect.kind == "emby"
        assert client.resolve_user_id() == "given"
    assert not media.fake.requests_to("/Users/Query")
