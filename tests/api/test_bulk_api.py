"""Bulk work on the queue: POST /api/queue/bulk/{action} and POST /api/ignored/unignore."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from emby_processor.api import create_app
from emby_processor.api.routes.bulk import BULK_LIMIT
from emby_processor.db import QueueDB
from emby_processor.health import HealthMonitor
from emby_processor.logbuffer import LogBuffer
from tests.api.conftest import WRITE, make_settings
from tests.api.seed import STANDARD, Spec, seed

pytestmark = pytest.mark.anyio

TRANSIENT = "/watch/TEST-123.mp4"
UNKNOWN = "/watch/SSIS-001.mkv"
DONE = "/watch/ABP-123.mp4"
BUSY = "/watch/IPX-777.mp4"
WAITING = "/watch/unknown file.mp4"
NO_CODE = "/watch/NOCODE.mp4"
#: errors that retry by themselves, more than a page of the table and more than a batch
NET = [Spec(f"/watch/NET-{n:03}.mp4", "error", stage="emby", code=f"NET-{n:03}", error="timeout",
            kind="transient", cause="server_unreachable") for n in range(250)]


@pytest.fixture
def ids(db: QueueDB) -> dict[str, int]:
    extra = [Spec(NO_CODE, "error", cause="no_code", error="no code"), *NET]
    return seed(db, [*STANDARD, *extra])


async def post(client: httpx.AsyncClient, path: str, body: object) -> httpx.Response:
    return await client.post(path, json=body)


async def test_bulk_retry_acts_on_what_a_retry_can_fix(
    client: httpx.AsyncClient, db: QueueDB, ids: dict[str, int]
) -> None:
    chosen = [ids[TRANSIENT], ids[UNKNOWN], ids[DONE], ids[BUSY], ids[NO_CODE], 99999]
    response = await post(client, "/api/queue/bulk/retry", {"ids": chosen})
    assert response.status_code == 200, response.text
    body = response.json()
    # the transient error and the unknown code (its button offers Retry) go back to pending;
    # the completed item, the one a worker holds, the file without a code and the id that
    # does not exist are left alone
    assert body == {"action": "retry", "requested": 6, "skipped": 4, "ignored": [],
                    "changed": sorted([ids[TRANSIENT], ids[UNKNOWN]])}
    assert db.require(ids[TRANSIENT]).status == "pending"
    assert db.require(ids[UNKNOWN]).status == "pending"
    assert db.require(ids[NO_CODE]).status == "error"
    assert db.require(ids[BUSY]).status == "processing"
    assert db.events(ids[TRANSIENT])[-1].outcome == "retry"
    # retried again: nothing left in error among them
    again = await post(client, "/api/queue/bulk/retry", {"ids": [ids[TRANSIENT]]})
    assert again.json()["changed"] == [] and again.json()["skipped"] == 1


async def test_bulk_reprocess_refetches_what_has_a_code(
    client: httpx.AsyncClient, db: QueueDB, ids: dict[str, int]
) -> None:
    chosen = [ids[DONE], ids["/watch/ABP-124.mp4"], ids[WAITING], ids[BUSY]]
    response = await post(client, "/api/queue/bulk/reprocess", {"ids": chosen})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["changed"] == [ids[DONE], ids["/watch/ABP-124.mp4"]] and body["skipped"] == 2
    for item_id in body["changed"]:
        item = db.require(item_id)
        assert (item.status, item.stage, item.refresh_metadata) == ("pending", "metadata", True)
        assert db.events(item_id)[-1].outcome == "reprocess"
    assert db.require(ids[WAITING]).stage == "identify"  # no code to look up


async def test_bulk_ignore_and_its_undo(
    client: httpx.AsyncClient, db: QueueDB, ids: dict[str, int]
) -> None:
    chosen = [ids[UNKNOWN], ids[WAITING], ids[DONE], ids[BUSY]]
    response = await post(client, "/api/queue/bulk/ignore", {"ids": chosen})
    assert response.status_code == 200, response.text
    body = response.json()
    # pending and error items are ignored; a completed one and one a worker holds stay
    assert body["changed"] == [ids[UNKNOWN], ids[WAITING]] and body["skipped"] == 2
    assert len(body["ignored"]) == 2
    assert db.get(ids[UNKNOWN]) is None and db.get(ids[WAITING]) is None
    assert db.ignored_paths() == {UNKNOWN, "/watch/unknown file.mp4"}
    version = db.ignored_version()
    undo = await post(client, "/api/ignored/unignore", {"ids": body["ignored"]})
    assert undo.status_code == 200, undo.text
    assert sorted(undo.json()["unignored"]) == sorted(body["ignored"])
    assert db.ignored_paths() == set()
    # the watcher looks at both again
    assert db.released_paths(version - 1) == {UNKNOWN, "/watch/unknown file.mp4"}
    twice = await post(client, "/api/ignored/unignore", {"ids": body["ignored"]})
    assert twice.json() == {"unignored": []}


async def test_bulk_by_filter_acts_on_every_matching_item(
    client: httpx.AsyncClient, db: QueueDB, ids: dict[str, int]
) -> None:
    # more than one page of the table (50 rows) and more than one transaction
    response = await post(client, "/api/queue/bulk/retry",
                          {"filter": {"status": "error", "movie_code": "NET"}})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["requested"] == len(NET) and len(body["changed"]) == len(NET)
    assert all(db.require(ids[spec.path]).status == "pending" for spec in NET)
    assert db.require(ids[TRANSIENT]).status == "error"  # not matching: untouched
    # the kinds of trouble and causes filter as the table does
    needs = await post(client, "/api/queue/bulk/retry",
                       {"filter": {"status": "needs_attention", "cause": "unknown_code"}})
    assert needs.json()["changed"] == sorted([ids[UNKNOWN], ids[TRANSIENT]])
    no_code = await post(client, "/api/queue/bulk/retry",
                         {"filter": {"status": "needs_attention", "cause": "no_code"}})
    assert no_code.json()["requested"] == 1 and no_code.json()["skipped"] == 1
    nothing = await post(client, "/api/queue/bulk/ignore", {"filter": {"q": "code:ZZZ"}})
    assert nothing.json() == {"action": "ignore", "requested": 0, "changed": [], "skipped": 0,
                              "ignored": []}


@pytest.mark.parametrize(("path", "body", "field"), [
    ("/api/queue/bulk/retry", {}, "body"),
    ("/api/queue/bulk/retry", {"ids": [1], "filter": {}}, "body"),
    ("/api/queue/bulk/retry", {"ids": []}, "body.ids"),
    ("/api/queue/bulk/retry", {"ids": None}, "body.ids"),
    ("/api/queue/bulk/retry", {"ids": [1.5]}, "body.ids.0"),
    ("/api/queue/bulk/retry", {"ids": [0]}, "body.ids.0"),
    ("/api/queue/bulk/retry", {"ids": ["1"]}, "body.ids.0"),
    ("/api/queue/bulk/retry", {"filter": {"status": "lost"}}, "body.filter.status"),
    ("/api/queue/bulk/retry", {"filter": {"movie": "ABP"}}, "body.filter.movie"),
    ("/api/queue/bulk/retry", {"filter": {"cause": "nope"}}, "body.filter.cause"),
    ("/api/queue/bulk/delete", {"ids": [1]}, "path.action"),
    ("/api/ignored/unignore", {"ids": []}, "body.ids"),
])
async def test_bad_input_is_a_422_naming_the_field(
    client: httpx.AsyncClient, ids: dict[str, int], path: str, body: object, field: str
) -> None:
    response = await post(client, path, body)
    assert response.status_code == 422, response.text
    answer = response.json()
    assert answer["detail"] and answer["errors"][0]["field"] == field


async def test_a_body_that_is_not_json_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/queue/bulk/retry", content=b"{ids",
                                 headers={"Content-Type": "application/json"})
    assert response.status_code == 422 and response.json()["detail"]


async def test_the_limit(client: httpx.AsyncClient, db: QueueDB, ids: dict[str, int]) -> None:
    too_many = await post(client, "/api/queue/bulk/retry",
                          {"ids": list(range(1, BULK_LIMIT + 2))})
    assert too_many.status_code == 422
    assert f"at most {BULK_LIMIT}" in too_many.json()["detail"]
    at_limit = await post(client, "/api/queue/bulk/retry", {"ids": list(range(1, BULK_LIMIT + 1))})
    assert at_limit.status_code == 200 and at_limit.json()["requested"] == BULK_LIMIT
    undo = await post(client, "/api/ignored/unignore", {"ids": list(range(1, BULK_LIMIT + 2))})
    assert undo.status_code == 422


async def test_a_filter_matching_more_than_the_limit_is_refused(
    client: httpx.AsyncClient, db: QueueDB, monkeypatch: pytest.MonkeyPatch,
    ids: dict[str, int],
) -> None:
    monkeypatch.setattr("emby_processor.api.routes.bulk.BULK_LIMIT", 3)
    response = await post(client, "/api/queue/bulk/ignore", {"filter": {}})
    assert response.status_code == 400
    assert "more than 3 items match this filter" in response.json()["detail"]
    assert db.stats()["total"] == len(ids)  # nothing was touched
    fits = await post(client, "/api/queue/bulk/retry", {"filter": {"status": "completed"}})
    assert fits.status_code == 200 and fits.json()["requested"] == 2


async def test_bulk_writes_need_the_token_when_one_is_set(
    tmp_path: Path, db: QueueDB, logs: LogBuffer
) -> None:
    ids = seed(db, [*STANDARD])
    settings = make_settings(tmp_path, api_token="s3cret")
    health = HealthMonitor(settings, db, upstream_checks={})
    app = create_app(settings, db=db, logs=logs, health=health)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        body = {"ids": [ids[TRANSIENT]]}
        for path in ("/api/queue/bulk/retry", "/api/ignored/unignore"):
            missing = await client.post(path, json=body)
            assert missing.status_code == 401 and "API token" in missing.json()["detail"]
        assert db.require(ids[TRANSIENT]).status == "error"
        right = await client.post("/api/queue/bulk/retry", json=body,
                                  headers={**WRITE, "Authorization": "Bearer s3cret"})
        assert right.status_code == 200 and right.json()["changed"] == [ids[TRANSIENT]]
