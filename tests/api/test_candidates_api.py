"""GET /api/queue/{id}/candidates and POST /api/queue/{id}/choose."""

from __future__ import annotations

import httpx
import pytest

from emby_processor.db import QueueDB
from tests.api.conftest import WRITE
from tests.db.test_candidates import uncertain

pytestmark = pytest.mark.anyio


async def test_the_candidates_of_an_uncertain_item(
    client: httpx.AsyncClient, db: QueueDB
) -> None:
    item_id = uncertain(db)
    answer = await client.get(f"/api/queue/{item_id}/candidates")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["id"], body["movie_code"], body["cause"]) == (item_id, "ABF-030",
                                                              "ambiguous_match")
    first = body["candidates"][0]
    assert first["id"] == "r18dev:118abf030" and first["found_by"] == "fuzzy"
    assert {"source", "content_id", "title", "release_date", "maker", "actresses", "cover_url",
            "agreed_by", "record"} <= first.keys()
    detail = (await client.get(f"/api/queue/{item_id}")).json()
    assert detail["candidate_count"] == 2


async def test_an_item_without_candidates_has_an_empty_list(
    client: httpx.AsyncClient, db: QueueDB
) -> None:
    plain, _ = db.enqueue("/watch/ABP-123.mp4", 100, 7)
    answer = await client.get(f"/api/queue/{plain.id}/candidates")
    assert answer.status_code == 200 and answer.json()["candidates"] == []
    missing = await client.get("/api/queue/9999/candidates")
    assert missing.status_code == 404 and "does not exist" in missing.json()["detail"]


async def test_choosing_carries_the_item_on(client: httpx.AsyncClient, db: QueueDB) -> None:
    item_id = uncertain(db)
    answer = await client.post(f"/api/queue/{item_id}/choose",
                               json={"candidate": "r18dev:118abf030"}, headers=WRITE)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["status"], body["stage"], body["cause"]) == ("pending", "organize", None)
    assert body["title"] == "The Real ABF-030" and body["metadata"]["match"] == "chosen"
    assert body["events"][-1]["outcome"] == "chosen"


@pytest.mark.parametrize(("item", "candidate", "status", "message"), [
    ("missing", "r18dev:118abf030", 404, "does not exist"),
    ("plain", "r18dev:118abf030", 409, "no candidates"),
    ("uncertain", "r18dev:nope", 422, "no candidate 'r18dev:nope'"),
])
async def test_what_cannot_be_chosen_says_why(
    client: httpx.AsyncClient, db: QueueDB, item: str, candidate: str, status: int,
    message: str,
) -> None:
    ids = {"missing": 9999, "uncertain": uncertain(db),
           "plain": db.enqueue("/watch/ABP-123.mp4", 100, 8)[0].id}
    answer = await client.post(f"/api/queue/{ids[item]}/choose", json={"candidate": candidate},
                               headers=WRITE)
    assert answer.status_code == status and message in answer.json()["detail"]


async def test_a_bad_body_is_a_422(client: httpx.AsyncClient, db: QueueDB) -> None:
    item_id = uncertain(db)
    for body in ({}, {"candidate": ""}, {"candidate": 5}, {"candidate": "x", "extra": 1}):
        answer = await client.post(f"/api/queue/{item_id}/choose", json=body, headers=WRITE)
        assert answer.status_code == 422, body


async def test_a_cross_site_choice_is_refused(client: httpx.AsyncClient, db: QueueDB) -> None:
    item_id = uncertain(db)
    answer = await client.post(f"/api/queue/{item_id}/choose",
                               json={"candidate": "r18dev:118abf030"},
                               headers={"Sec-Fetch-Site": "cross-site", **WRITE})
    assert answer.status_code == 403
    assert db.require(item_id).status == "error"  # nothing changed
