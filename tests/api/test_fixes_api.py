"""What a person fixes through the API: the two kinds of trouble, the "Needs you" inbox, the
message catalogue on every item, a code set by hand, ignoring a file and taking it back,
settling a duplicate, and cleanup's count before it runs."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import httpx
import pytest

from emby_processor.catalogue import CATALOGUE
from emby_processor.config import Settings
from emby_processor.db import NewEvent, QueueDB
from emby_processor.vocabulary import CAUSES
from tests.api.conftest import WRITE
from tests.api.seed import OWNER, STANDARD, Spec, make, seed

pytestmark = pytest.mark.anyio


def retrying(db: QueueDB, path: str, code: str) -> int:
    """An item whose transient error is retried by itself in a minute."""
    item, _ = db.enqueue(path, 10, 1)
    claimed = db.claim("file", OWNER)
    assert claimed is not None and claimed.id == item.id
    db.update_fields(item.id, OWNER, movie_code=code)
    db.advance(item.id, OWNER, "metadata", hold=True)
    db.fail(item.id, OWNER, message="metatube: timed out", kind="transient", retry_in=60,
            cause="provider_unreachable")
    return item.id


async def test_two_kinds_of_trouble_have_their_own_counts_and_filters(
    client: httpx.AsyncClient, db: QueueDB
) -> None:
    retry_id = retrying(db, "/watch/ABP-001.mp4", "ABP-001")
    stuck = [make(db, Spec(f"/watch/file {n}.mp4", "error", error="no movie code found",
                           cause="no_code")) for n in range(2)]
    stats = (await client.get("/api/stats")).json()
    assert (stats["error"], stats["needs_attention"], stats["retrying"]) == (3, 2, 1)
    needs = (await client.get("/api/queue", params={"status": "needs_attention"})).json()
    assert sorted(item["id"] for item in needs["items"]) == stuck and needs["total"] == 2
    again = (await client.get("/api/queue", params={"status": "retrying"})).json()
    assert [item["id"] for item in again["items"]] == [retry_id] and again["total"] == 1
    by_cause = (await client.get("/api/queue", params={"cause": "no_code"})).json()
    assert by_cause["total"] == 2
    assert (await client.get("/api/queue", params={"cause": "nope"})).status_code == 422


async def test_every_item_says_what_happened_and_what_can_be_done(
    client: httpx.AsyncClient, db: QueueDB
) -> None:
    ids = seed(db, [*STANDARD, Spec("/watch/holiday video.mp4", "error",
                                    error="no movie code found", cause="no_code")])
    item_id = ids["/watch/holiday video.mp4"]
    row = next(i for i in (await client.get("/api/queue")).json()["items"] if i["id"] == item_id)
    assert row["cause"] == "no_code"
    assert row["message"] == "No movie code could be read from “holiday video.mp4”."
    assert row["hint"] == CAUSES["no_code"].hint
    assert row["actions"] == ["set_code", "ignore"]  # no Retry: it would only fail again
    unknown = (await client.get(f"/api/queue/{ids['/watch/SSIS-001.mkv']}")).json()
    assert unknown["message"] == "No site knows SSIS-001."
    assert unknown["actions"][:2] == ["set_code", "retry"]
    done = (await client.get(f"/api/queue/{ids['/watch/ABP-123.mp4']}")).json()
    assert (done["message"], done["hint"]) == (None, None)
    assert done["actions"] == ["reprocess"]  # nothing to ignore, no code to set once filed
    busy = (await client.get(f"/api/queue/{ids['/watch/IPX-777.mp4']}")).json()
    assert busy["actions"] == []


async def test_the_catalogue_covers_every_cause_and_reaches_the_page(
    client: httpx.AsyncClient,
) -> None:
    assert set(CATALOGUE) == set(CAUSES)
    meta = (await client.get("/api/meta")).json()
    for cause in meta["causes"]:
        assert cause["message"].endswith(".") and "{n}" in cause["many"], cause
        assert cause["actions"] and "{" not in cause["one"], cause
    assert {a["name"] for a in meta["actions"]} >= {"set_code", "choose", "duplicate", "ignore"}
    assert meta["settings"] == {"max_retries": 5, "cleanup_completed_after_days": 30,
                                "notifications": False}
    assert [t["label"] for t in meta["troubles"]] == ["Needs you", "Retrying"]


async def test_inbox_groups_what_needs_a_person_by_cause(
    client: httpx.AsyncClient, db: QueueDB
) -> None:
    empty = (await client.get("/api/inbox")).json()
    assert empty == {"total": 0, "groups": []}
    for n in range(5):
        make(db, Spec(f"/watch/clip {n}.mp4", "error", error="no code", cause="no_code"))
    make(db, Spec("/watch/ABP-123.mp4", "error", stage="organize", code="ABP-123",
                  error="target exists: /library/ABP-123.mp4", cause="target_exists"))
    retrying(db, "/watch/ABP-002.mp4", "ABP-002")  # retries by itself: not in the inbox
    body = (await client.get("/api/inbox", params={"per_group": 2})).json()
    assert body["total"] == 6
    assert [(g["cause"], g["count"], g["heading"]) for g in body["groups"]] == [
        ("no_code", 5, "5 files have no code"), ("target_exists", 1, "1 duplicate")]
    no_code = body["groups"][0]
    assert no_code["actions"] == ["set_code", "ignore"] and len(no_code["items"]) == 2
    assert no_code["items"][0]["message"].startswith("No movie code could be read from")


async def test_parse_explains_a_name(client: httpx.AsyncClient) -> None:
    body = (await client.get("/api/parse", params={"name": "[Thz.la]abp-123-C.mp4"})).json()
    assert (body["code"], body["subtitles"], body["family"]) == ("ABP-123", True, "standard")
    assert body["matched"] and body["rule"]
    none = (await client.get("/api/parse", params={"name": "holiday video.mp4"})).json()
    assert none["code"] is None and none["family"] == ""
    assert (await client.get("/api/parse")).status_code == 422


async def test_set_code_by_hand_sends_the_item_back_to_metadata(
    client: httpx.AsyncClient, db: QueueDB
) -> None:
    item_id = make(db, Spec("/watch/holiday video cd2.mp4", "error", error="no code",
                            cause="no_code"))
    response = await client.post(f"/api/queue/{item_id}/code", json={"code": "abp123"},
                                 headers=WRITE)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["movie_code"], body["code_rule"], body["status"], body["stage"]) == (
        "ABP-123", "manual", "pending", "metadata")
    assert body["cause"] is None and body["retry_count"] == 0 and body["refresh_metadata"]
    assert body["person_asked"]  # a person decided: locked fields may be written
    assert body["events"][-1]["message"] == "code set by hand: ABP-123"
    # a label the parser does not know is looked up as written
    loose = await client.post(f"/api/queue/{item_id}/code", json={"code": " kin8 3456 "},
                              headers=WRITE)
    assert loose.json()["movie_code"] == "KIN8-3456"
    bad = await client.post(f"/api/queue/{item_id}/code", json={"code": "§§"}, headers=WRITE)
    assert bad.status_code == 422
    missing = await client.post("/api/queue/999/code", json={"code": "ABP-1"}, headers=WRITE)
    assert missing.status_code == 404


async def test_set_code_is_refused_for_a_filed_item(
    client: httpx.AsyncClient, ids: dict[str, int]
) -> None:
    filed = await client.post(f"/api/queue/{ids['/watch/ABP-123.mp4']}/code",
                              json={"code": "ABP-999"}, headers=WRITE)
    assert filed.status_code == 409
    busy = await client.post(f"/api/queue/{ids['/watch/IPX-777.mp4']}/code",
                             json={"code": "ABP-999"}, headers=WRITE)
    assert busy.status_code == 409


async def test_ignore_lists_the_file_and_unignore_takes_it_back(
    client: httpx.AsyncClient, db: QueueDB, settings: Settings
) -> None:
    video = settings.watch_dirs[0] / "sample.mp4"
    video.write_bytes(b"x" * 10)
    item_id = make(db, Spec(str(video), "error", error="no code", cause="no_code"))
    ignored = (await client.post(f"/api/queue/{item_id}/ignore", headers=WRITE)).json()
    assert (ignored["file_path"], ignored["cause"], ignored["present"]) == (
        str(video), "no_code", True)
    assert db.get(item_id) is None
    listed = (await client.get("/api/ignored")).json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == ignored["id"]
    assert (await client.get("/api/stats")).json()["ignored"] == 1
    version = db.ignored_version()
    back = await client.delete(f"/api/ignored/{ignored['id']}", headers=WRITE)
    assert back.status_code == 200 and back.json()["file_path"] == str(video)
    assert (await client.get("/api/ignored")).json()["total"] == 0
    assert db.ignored_version() != version  # the watcher looks at the file again
    again = await client.delete(f"/api/ignored/{ignored['id']}", headers=WRITE)
    assert again.status_code == 404


def duplicate(db: QueueDB, settings: Settings) -> tuple[int, Path, Path]:
    """A new ABP-123 in the watch folder while the library already holds one."""
    library = settings.library_dir
    assert library is not None
    target = library / "Kaede Fua" / "ABP-123" / "ABP-123.mp4"
    target.parent.mkdir(parents=True)
    target.write_bytes(b"old" * 100)
    source = settings.watch_dirs[0] / "ABP-123.mp4"
    source.write_bytes(b"new" * 200)
    owner_id = make(db, Spec("/watch/old/ABP-123.mp4", "completed", code="ABP-123",
                             title="Summer"))
    with sqlite3.connect(db.path) as conn:
        conn.execute("UPDATE items SET library_path = ? WHERE id = ?", (str(target), owner_id))
    item, _ = db.enqueue(str(source), 600, 7)
    assert db.claim("file", OWNER) is not None
    db.update_fields(item.id, OWNER, movie_code="ABP-123",
                     metadata_json=json.dumps({"code": "ABP-123", "title": "Summer"}))
    db.advance(item.id, OWNER, "organize", hold=True,
               event=NewEvent("metadata", "ok", "found"))
    db.fail(item.id, OWNER, message=f"target exists: {target} (source: {source})",
            kind="permanent", retry_in=None, cause="target_exists",
            payload={"target": str(target), "source": str(source)})
    return item.id, source, target


async def test_a_duplicate_shows_both_files_side_by_side(
    client: httpx.AsyncClient, db: QueueDB, settings: Settings
) -> None:
    item_id, source, target = duplicate(db, settings)
    body = (await client.get(f"/api/queue/{item_id}/duplicate")).json()
    assert body["new"] == {**body["new"], "path": str(source), "exists": True, "size": 600}
    assert body["existing"] == {**body["existing"], "path": str(target), "size": 300}
    assert body["existing_item"]["title"] == "Summer"
    assert body["both_name"] == "ABP-123 (2).mp4"
    assert body["aside_path"] == str(
        settings.library_dir / ".replaced" / "Kaede Fua" / "ABP-123" / "ABP-123.mp4")
    other = make(db, Spec("/watch/x.mp4", "error", cause="no_code"))
    assert (await client.get(f"/api/queue/{other}/duplicate")).status_code == 409


@pytest.mark.parametrize(("keep", "resolution"), [("new", "replace"), ("both", "keep_both")])
async def test_settling_a_duplicate_sends_it_back_to_filing(
    client: httpx.AsyncClient, db: QueueDB, settings: Settings, keep: str, resolution: str
) -> None:
    item_id, source, target = duplicate(db, settings)
    body = (await client.post(f"/api/queue/{item_id}/duplicate", json={"keep": keep},
                              headers=WRITE)).json()
    item = body["item"]
    assert body["ignored"] is None
    assert (item["status"], item["stage"], item["resolution"]) == ("pending", "organize",
                                                                    resolution)
    assert source.exists() and target.exists()  # the files move when the worker files it
    twice = await client.post(f"/api/queue/{item_id}/duplicate", json={"keep": keep},
                              headers=WRITE)
    assert twice.status_code == 409


async def test_keeping_the_library_copy_ignores_the_new_file(
    client: httpx.AsyncClient, db: QueueDB, settings: Settings
) -> None:
    item_id, source, _ = duplicate(db, settings)
    body = (await client.post(f"/api/queue/{item_id}/duplicate", json={"keep": "library"},
                              headers=WRITE)).json()
    assert body["item"] is None and body["ignored"]["file_path"] == str(source)
    assert db.get(item_id) is None and db.ignored_paths() == {str(source)}
    bad = await client.post(f"/api/queue/{item_id}/duplicate", json={"keep": "old"},
                            headers=WRITE)
    assert bad.status_code == 422


async def test_cleanup_says_how_many_before_it_runs(
    client: httpx.AsyncClient, db: QueueDB, ids: dict[str, int]
) -> None:
    assert (await client.get("/api/cleanup/preview")).json() == {"count": 0, "older_than_days": 30}
    with sqlite3.connect(db.path) as conn:
        conn.execute("UPDATE items SET completed_at = '2000-01-01T00:00:00.000000Z'"
                     " WHERE id = ?", (ids["/watch/ABP-123.mp4"],))
    assert (await client.get("/api/cleanup/preview")).json()["count"] == 1
    now = (await client.get("/api/cleanup/preview", params={"older_than_days": 0})).json()
    assert now == {"count": 2, "older_than_days": 0}
    done = (await client.post("/api/cleanup", json={"older_than_days": 0})).json()
    assert done["deleted"] == now["count"]


def test_links_into_the_media_servers_web_app(tmp_path: Path) -> None:
    from emby_processor.api.links import server_link
    from tests.api.conftest import make_settings

    emby = make_settings(tmp_path, emby_url="http://nas:8096/emby/", emby_api_key="k")
    details = {"kind": "emby", "server_id": "abc", "version": "4.8.10"}
    assert server_link(emby, details, "123") == (
        "http://nas:8096/web/index.html#!/item?id=123&serverId=abc")
    jelly = make_settings(tmp_path, emby_url="https://jf.lan", emby_api_key="k")
    assert server_link(jelly, {"kind": "jellyfin", "server_id": "f00", "version": "10.10.3"},
                       "9a") == "https://jf.lan/web/#/details?id=9a&serverId=f00"
    assert server_link(jelly, {"product": "Jellyfin Server", "version": "10.8.13"}, "9a") == (
        "https://jf.lan/web/#!/details?id=9a")
    assert server_link(jelly, details, None) is None
    assert server_link(make_settings(tmp_path), details, "123") is None  # no EMBY_URL


async def test_a_filed_item_links_its_poster(
    client: httpx.AsyncClient, db: QueueDB, settings: Settings
) -> None:
    library = settings.library_dir
    assert library is not None
    video = library / "ABP-123.mp4"
    video.write_bytes(b"v")
    item_id = make(db, Spec("/watch/ABP-123.mp4", "completed", code="ABP-123"))
    with sqlite3.connect(db.path) as conn:
        conn.execute("UPDATE items SET library_path = ? WHERE id = ?", (str(video), item_id))
    assert (await client.get(f"/api/queue/{item_id}")).json()["poster_url"] is None
    assert (await client.get("/api/queue")).json()["items"][0]["poster_url"] is None
    video.with_name("ABP-123-poster.jpg").write_bytes(b"\xff\xd8\xff")
    body = (await client.get(f"/api/queue/{item_id}")).json()
    assert body["poster_url"] == f"/api/queue/{item_id}/poster?size=300"
    # the queue's row carries the small one, so the page asks only for posters that exist
    row = (await client.get("/api/queue")).json()["items"][0]
    assert row["poster_url"] == f"/api/queue/{item_id}/poster?size=96"
