"""The fake must bite like the real servers, or the push tests prove nothing."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from tests.mediaserver.conftest import SERVER_ROOT, Media


def test_partial_update_clears_fields_on_emby(make_media: Callable[..., Media]) -> None:
    media = make_media("emby")
    item_id = media.fake.add_item(
        f"{SERVER_ROOT}/ABP-123.mp4", Overview="plot", Genres=["g"], Tags=["t"],
        ProviderIds={"JavCode": "ABP-123"}, LockData=True, ProductionYear=2021,
    )
    with httpx.Client(base_url=media.server.url) as http:
        headers = {"X-Emby-Token": media.fake.api_key}
        response = http.post(f"/emby/Items/{item_id}", json={"Name": "renamed"}, headers=headers)
    assert response.status_code == 204
    held = media.fake.get(item_id)
    assert held["Name"] == "renamed"
    for cleared in ("Overview", "ProductionYear", "ForcedSortName"):
        assert cleared not in held
    assert held["Genres"] == [] and held["TagItems"] == [] and held["ProviderIds"] == {}
    assert held["LockData"] is False


def test_emby_keeps_tags_only_from_tag_items(make_media: Callable[..., Media]) -> None:
    media = make_media("emby")
    item_id = media.fake.add_item(f"{SERVER_ROOT}/ABP-123.mp4")
    dto = media.fake.get(item_id)
    dto["Tags"] = ["only-in-tags"]
    with httpx.Client(base_url=media.server.url) as http:
        http.post(f"/emby/Items/{item_id}", json=dto,
                  headers={"X-Emby-Token": media.fake.api_key}).raise_for_status()
    held = media.fake.get(item_id)
    assert held["TagItems"] == [] and "Tags" not in held


def test_jellyfin_rejects_partial_updates_and_needs_user_id(
    make_media: Callable[..., Media],
) -> None:
    media = make_media("jellyfin")
    item_id = media.fake.add_item(f"{SERVER_ROOT}/ABP-123.mp4", Overview="plot")
    auth = {"Authorization": f'MediaBrowser Token="{media.fake.api_key}"'}
    with httpx.Client(base_url=media.server.url, headers=auth) as http:
        partial = http.post(f"/Items/{item_id}", json={"Name": "x", "Genres": []})
        assert partial.status_code == 500
        assert partial.text == "Error processing request."
        assert partial.headers["content-type"].startswith("text/plain")
        assert http.get(f"/Items/{item_id}").status_code == 404
        full = http.get(f"/Items/{item_id}", params={"userId": media.fake.admin_user_id})
        assert full.json()["Overview"] == "plot"
        # Everything but Overview: it is cleared, not kept.
        body = {k: v for k, v in full.json().items() if k != "Overview"}
        assert http.post(f"/Items/{item_id}", json=body).status_code == 204
        assert "Overview" not in media.fake.get(item_id)
        # Jellyfin has no Path filter: it answers with everything.
        listed = http.get("/Items", params={"Path": "/nowhere", "Fields": "Path"}).json()
        assert [i["Path"] for i in listed["Items"]] == [f"{SERVER_ROOT}/ABP-123.mp4"]
        assert "Overview" not in listed["Items"][0] and "StartIndex" in listed
        # Legacy Emby auth is off, as in Jellyfin 12.0.
        legacy = httpx.get(f"{media.server.url}/System/Info",
                           headers={"X-Emby-Token": media.fake.api_key})
        assert legacy.status_code == 401 and legacy.content == b""


def test_announced_paths_outside_the_library_are_ignored(media: Media) -> None:
    media.client.announce(["/elsewhere/ABP-123.mp4"])
    media.client.announce([f"{SERVER_ROOT}x/ABP-123.mp4"])
    assert media.fake.items_by_path() == {}
    assert media.fake.announced == ["/elsewhere/ABP-123.mp4", f"{SERVER_ROOT}x/ABP-123.mp4"]


def test_ids_look_like_each_server(media: Media) -> None:
    item_id = media.fake.add_item(f"{SERVER_ROOT}/a.mp4")
    if media.fake.dialect == "emby":
        assert item_id.isdigit()
    else:
        assert len(item_id) == 32 and int(item_id, 16) >= 0


def test_image_upload_checks_content_type(media: Media) -> None:
    item_id = media.fake.add_item(f"{SERVER_ROOT}/a.mp4")
    response = httpx.post(
        f"{media.server.url}{media.fake.prefix}/Items/{item_id}/Images/Primary",
        content=b"aGVsbG8=", params={"api_key": media.fake.api_key, "ApiKey": media.fake.api_key},
        headers={"Content-Type": "text/plain"},
    )
    assert response.status_code == 400
    assert media.fake.image(item_id) is None
