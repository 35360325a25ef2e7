from __future__ import annotations

import pytest

from emby_processor.mediaserver.dialect import EMBY, JELLYFIN, detect
from tests.mediaserver.conftest import Media

EMBY_PUBLIC = {
    "LocalAddress": "http://192.168.1.5:8096", "LocalAddresses": ["http://192.168.1.5:8096"],
    "WanAddress": "", "RemoteAddresses": [], "ServerName": "nas", "Version": "4.8.11.0",
    "Id": "4f1dbe372c3c456d9757dea582898ec3",
}
JELLYFIN_PUBLIC = {
    "LocalAddress": "http://192.168.1.5:8096", "ServerName": "nas", "Version": "10.11.11",
    "ProductName": "Jellyfin Server", "OperatingSystem": "",
    "Id": "0b9a3884f83e4a28a515d5565ada5d50", "StartupWizardCompleted": True,
}


def test_detects_both_servers_from_public_info() -> None:
    assert detect(EMBY_PUBLIC) is EMBY
    assert detect(JELLYFIN_PUBLIC) is JELLYFIN


def test_dialects_differ_where_the_document_says() -> None:
    assert (EMBY.prefix, JELLYFIN.prefix) == ("/emby", "")
    assert EMBY.auth_headers("k") == {"X-Emby-Token": "k"}
    assert JELLYFIN.auth_headers("k") == {"Authorization": 'MediaBrowser Token="k"'}
    assert (EMBY.find_by, JELLYFIN.find_by) == ("path", "search")
    assert (EMBY.tags_field, JELLYFIN.tags_field) == ("TagItems", "Tags")
    # the user item route is the one both have in every version (Jellyfin 10.8 has no other)
    assert EMBY.item_route("1", "u") == JELLYFIN.item_route("1", "u") == "/Users/u/Items/1"


def test_something_else_is_not_a_media_server() -> None:
    with pytest.raises(ValueError, match="does not look like Emby or Jellyfin"):
        detect({"hello": "world"})


def test_client_detects_the_fake_and_finds_an_admin(media: Media) -> None:
    info = media.client.server_info()
    assert info.dialect.kind == media.fake.dialect
    assert info.version == media.fake.version
    assert info.product == ("Emby Server" if media.fake.dialect == "emby" else "Jellyfin Server")
    media.client.check_key()
    # The first user is not an administrator; the second is.
    assert media.client.resolve_user_id() == media.fake.admin_user_id
    assert media.client.server_info() is info  # cached: asked once
    assert len(media.fake.requests_to("/System/Info/Public")) <= 2
