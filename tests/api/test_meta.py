"""GET /api/meta: the vocabulary the page shows, the same words the store and the CSV use."""

from __future__ import annotations

import csv
import io

import httpx
import pytest

from emby_processor.db import QueueDB
from emby_processor.vocabulary import CAUSES
from tests.api.seed import Spec, make

pytestmark = pytest.mark.anyio


async def test_meta_lists_every_status_stage_and_cause(client: httpx.AsyncClient) -> None:
    body = (await client.get("/api/meta")).json()
    assert [s["name"] for s in body["statuses"]] == ["pending", "processing", "completed",
                                                     "error"]
    lanes = {s["name"]: s["lane"] for s in body["stages"]}
    assert lanes == {"identify": "file", "metadata": "file", "organize": "file",
                     "emby": "emby", "done": None}
    causes = {c["code"]: c for c in body["causes"]}
    assert {"no_code", "unknown_code", "ambiguous_match", "target_exists",
            "not_indexed", "server_auth"} <= set(causes)
    for cause in causes.values():
        assert cause["kind"] in ("transient", "permanent")
        assert cause["title"] and cause["hint"], cause
    assert {k["name"]: k["label"] for k in body["error_kinds"]} == {
        "transient": "Retrying", "permanent": "Needs you"}


async def test_row_fields_are_the_queue_rows_and_the_csv_columns(
    client: httpx.AsyncClient, db: QueueDB
) -> None:
    make(db, Spec("/watch/ABP-123.mp4", status="error", code="ABP-123"))
    names = [f["name"] for f in (await client.get("/api/meta")).json()["row_fields"]]
    row = (await client.get("/api/queue")).json()["items"][0]
    assert set(names) <= set(row)
    exported = (await client.get("/api/queue/export.csv")).text.lstrip("\ufeff")
    assert next(csv.reader(io.StringIO(exported))) == names


async def test_an_error_carries_its_cause(client: httpx.AsyncClient, db: QueueDB) -> None:
    item_id = make(db, Spec("/watch/ABP-124.mp4", status="error", code="ABP-124",
                            cause="target_exists"))
    row = (await client.get("/api/queue", params={"status": "error"})).json()["items"][0]
    assert row["id"] == item_id and row["cause"] == "target_exists"
    detail = (await client.get(f"/api/queue/{item_id}")).json()
    assert detail["cause"] == "target_exists"
    retried = (await client.post(f"/api/queue/{item_id}/reprocess-metadata",
                                 headers={"X-Requested-With": "emby-processor"})).json()
    assert retried["cause"] is None and retried["error_message"] is None


def test_every_cause_has_words_for_people() -> None:
    for code, cause in CAUSES.items():
        assert cause.code == code
        assert cause.title[0].isupper() and not cause.title.endswith(".")
        assert cause.hint.endswith(".")
