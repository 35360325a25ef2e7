"""/api/queue and the actions on items, against a real app on a real database."""

from __future__ import annotations

import csv
import io
import os

import httpx
import pytest

from emby_processor.db import QueueDB
from tests.api.conftest import WRITE

pytestmark = pytest.mark.anyio

SUMMARY_FIELDS = {
    "id", "file_path", "movie_code", "actress", "status", "error_message", "retry_count",
    "emby_id", "created_at", "stage", "updated_at",
}


async def codes(client: httpx.AsyncClient, **params: str | int) -> list[str | None]:
    response = await client.get("/api/queue", params=params)
    assert response.status_code == 200, response.text
    return [item["movie_code"] for item in response.json()["items"]]


async def test_list_shape_and_default_order(client: httpx.AsyncClient, ids: dict[str, int]) -> None:
    response = await client.get("/api/queue")
    body = response.json()
    assert response.status_code == 200
    assert set(body) == {"items", "total", "page", "limit"}
    assert (body["total"], body["page"], body["limit"]) == (7, 1, 50)
    assert [item["id"] for item in body["items"]] == sorted(ids.values(), reverse=True)
    first = body["items"][-1]
    assert SUMMARY_FIELDS <= set(first)
    assert first["emby_id"] == f"emby-{first['id']}"
    assert first["created_at"].endswith("Z") and first["updated_at"].endswith("Z")


async def test_filters(client: httpx.AsyncClient, ids: dict[str, int]) -> None:
    assert await codes(client, status="error") == ["TEST-123", "SSIS-001"]
    assert await codes(client, status="completed") == ["ABP-124", "ABP-123"]
    assert await codes(client, status="") == await codes(client)  # "all" from the page
    assert await codes(client, movie_code="abp") == ["ABP-124", "ABP-123"]
    assert await codes(client, movie_code="ABP-123") == ["ABP-123"]
    assert await codes(client, actress="Hitomi") == ["SSIS-001", "ABP-123"]
    assert await codes(client, actress="Kaede Fua", status="completed") == ["ABP-124", "ABP-123"]
    assert await codes(client, actress="Nobody") == []
    assert await codes(client, q="summer") == ["ABP-123"]  # title
    assert await codes(client, q="Mikami") == ["MIDE-500"]  # actress
    assert await codes(client, q="unknown file") == [None]  # path
    assert await codes(client, q="ss") == ["SSIS-001"]  # short: code prefix
    assert await codes(client, q="abp", status="completed", movie_code="ABP-12") == [
        "ABP-124", "ABP-123"]


async def test_total_follows_filter(client: httpx.AsyncClient, ids: dict[str, int]) -> None:
    for params, total in (({"status": "error"}, 2), ({"actress": "Kaede Fua"}, 2),
                          ({"q": "abp"}, 2), ({"movie_code": "IPX"}, 1), ({}, 7)):
        response = await client.get("/api/queue", params={**params, "limit": 1})
        assert response.json()["total"] == total, params


async def test_sort_orders(client: httpx.AsyncClient, db: QueueDB, ids: dict[str, int]) -> None:
    oldest = await client.get("/api/queue", params={"sort": "oldest"})
    assert [i["id"] for i in oldest.json()["items"]] == sorted(ids.values())
    db.update_fields(ids["/watch/ABP-123.mp4"], title="touched last")
    updated = await client.get("/api/queue", params={"sort": "updated"})
    assert updated.json()["items"][0]["id"] == ids["/watch/ABP-123.mp4"]


async def test_pagination(client: httpx.AsyncClient, ids: dict[str, int]) -> None:
    pages = []
    for page in (1, 2, 3, 4):
        body = (await client.get("/api/queue", params={"page": page, "limit": 2})).json()
        assert (body["total"], body["page"], body["limit"]) == (7, page, 2)
        pages.append([item["id"] for item in body["items"]])
    assert [len(p) for p in pages] == [2, 2, 2, 1]
    assert [i for p in pages for i in p] == sorted(ids.values(), reverse=True)
    beyond = (await client.get("/api/queue", params={"page": 99})).json()
    assert beyond["items"] == [] and beyond["total"] == 7


@pytest.mark.parametrize(("params", "field"), [
    ({"limit": 0}, "query.limit"), ({"limit": 501}, "query.limit"),
    ({"page": 0}, "query.page"), ({"page": "x"}, "query.page"),
    ({"status": "lost"}, "query.status"), ({"sort": "random"}, "query.sort"),
    ({"q": "x" * 201}, "query.q"),
])
async def test_bad_parameters_are_422_naming_the_field(
    client: httpx.AsyncClient, params: dict[str, str | int], field: str
) -> None:
    response = await client.get("/api/queue", params=params)
    assert response.status_code == 422
    body = response.json()
    assert body["detail"].startswith(field + ":")
    assert body["errors"][0]["field"] == field


async def test_item_detail(client: httpx.AsyncClient, ids: dict[str, int]) -> None:
    item_id = ids["/watch/ABP-123.mp4"]
    response = await client.get(f"/api/queue/{item_id}")
    body = response.json()
    assert response.status_code == 200
    assert body["metadata"] == {"title": "A summer story", "code": "ABP-123"}
    assert body["actresses"] == ["Kaede Fua", "Hitomi"]
    assert body["file_path"] == "/watch/ABP-123.mp4"
    assert {"library_path", "server_path", "error_message", "error_kind", "retry_count",
            "next_attempt_at", "emby_id", "completed_at"} <= set(body)
    assert body["events"][0]["outcome"] == "queued"
    assert all(event["at"].endswith("Z") for event in body["events"])


async def test_item_detail_errors(client: httpx.AsyncClient, ids: dict[str, int]) -> None:
    missing = await client.get("/api/queue/9999")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "item 9999 does not exist"}
    assert (await client.get("/api/queue/0")).status_code == 422
    assert (await client.get("/api/queue/abc")).status_code == 422
    assert (await client.get(f"/api/queue/{2**70}")).status_code == 422


async def test_retry(client: httpx.AsyncClient, db: QueueDB, ids: dict[str, int]) -> None:
    item_id = ids["/watch/TEST-123.mp4"]
    response = await client.post(f"/api/queue/{item_id}/retry", headers=WRITE)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["status"], body["stage"]) == ("pending", "emby")
    assert body["events"][-1]["outcome"] == "retry"
    again = await client.post(f"/api/queue/{item_id}/retry", headers=WRITE)
    assert again.status_code == 409
    assert "only items in error can be retried" in again.json()["detail"]
    missing = await client.post("/api/queue/9999/retry", headers=WRITE)
    assert missing.status_code == 404


async def test_reprocess(client: httpx.AsyncClient, ids: dict[str, int]) -> None:
    done = ids["/watch/ABP-123.mp4"]
    response = await client.post(f"/api/queue/{done}/reprocess-metadata", headers=WRITE)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["status"], body["stage"], body["refresh_metadata"]) == (
        "pending", "metadata", True)
    busy = await client.post(
        f"/api/queue/{ids['/watch/IPX-777.mp4']}/reprocess-metadata", headers=WRITE)
    assert busy.status_code == 409 and "being processed" in busy.json()["detail"]
    no_code = await client.post(
        f"/api/queue/{ids['/watch/unknown file.mp4']}/reprocess-metadata", headers=WRITE)
    assert no_code.status_code == 409 and "no movie code" in no_code.json()["detail"]
    missing = await client.post("/api/queue/9999/reprocess-metadata", headers=WRITE)
    assert missing.status_code == 404


async def test_delete(client: httpx.AsyncClient, db: QueueDB, ids: dict[str, int]) -> None:
    item_id = ids["/watch/SSIS-001.mkv"]
    response = await client.delete(f"/api/queue/{item_id}", headers=WRITE)
    assert response.status_code == 200
    assert response.json() == {"id": item_id, "deleted": True, "ignored": True}
    assert db.get(item_id) is None
    assert db.ignored_paths() == {"/watch/SSIS-001.mkv"}  # what Delete always meant, said
    completed = ids["/watch/ABP-123.mp4"]
    forgot = await client.delete(f"/api/queue/{completed}", headers=WRITE)
    assert forgot.json() == {"id": completed, "deleted": True, "ignored": False}
    assert db.ignored_paths() == {"/watch/SSIS-001.mkv"}
    assert (await client.delete(f"/api/queue/{item_id}", headers=WRITE)).status_code == 404
    busy = await client.delete(f"/api/queue/{ids['/watch/IPX-777.mp4']}", headers=WRITE)
    assert busy.status_code == 409
    assert db.stats()["error"] == 1 and db.stats()["total"] == 5


async def test_retry_errors(client: httpx.AsyncClient, db: QueueDB, ids: dict[str, int]) -> None:
    # without a cause only what a retry can fix: the transient error, not the unknown code
    unknown = await client.post("/api/queue/retry-errors", json={"movie_code": "SSIS"})
    assert unknown.json() == {"retried": 0}
    everything = await client.post("/api/queue/retry-errors", headers=WRITE)
    assert everything.json() == {"retried": 1}
    assert db.require(ids["/watch/TEST-123.mp4"]).status == "pending"
    assert db.require(ids["/watch/SSIS-001.mkv"]).status == "error"
    # a person fixed the cause (added an .nfo): the group is retried on purpose
    group = await client.post("/api/queue/retry-errors", json={"cause": "unknown_code"})
    assert group.json() == {"retried": 1}
    assert db.stats()["error"] == 0
    none_left = await client.post("/api/queue/retry-errors", json={})
    assert none_left.json() == {"retried": 0}
    typo = await client.post("/api/queue/retry-errors", json={"movie": "x"})
    assert typo.status_code == 422 and typo.json()["errors"][0]["field"] == "body.movie"


async def test_csv_export(client: httpx.AsyncClient, ids: dict[str, int]) -> None:
    response = await client.get("/api/queue/export.csv", params={"sort": "oldest"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    assert response.text.startswith("\ufeffid,")  # BOM: Excel then reads UTF-8 right
    rows = list(csv.DictReader(io.StringIO(response.text.lstrip("\ufeff"))))
    assert [int(row["id"]) for row in rows] == sorted(ids.values())
    mide = next(row for row in rows if row["movie_code"] == "MIDE-500")
    assert mide["title"] == "'=HYPERLINK(\"http://evil\")"  # formula defused
    errors = await client.get("/api/queue/export.csv", params={"status": "error"})
    assert len(list(csv.DictReader(io.StringIO(errors.text.lstrip("\ufeff"))))) == 2
    bad = await client.get("/api/queue/export.csv", params={"status": "nope"})
    assert bad.status_code == 422 and bad.headers["content-type"] == "application/json"


async def test_csv_export_spans_many_pages(client: httpx.AsyncClient, db: QueueDB) -> None:
    for n in range(12_000):  # more than two batches
        db.enqueue(f"/watch/bulk-{n}.mp4", 1, n)
    for sort in ("newest", "oldest", "updated"):
        response = await client.get("/api/queue/export.csv", params={"sort": sort})
        rows = list(csv.reader(io.StringIO(response.text.lstrip("\ufeff"))))
        assert len(rows) == 12_001
        ids = [int(row[0]) for row in rows[1:]]
        assert len(set(ids)) == 12_000
        assert ids == sorted(ids, reverse=sort != "oldest")


async def test_csv_cells_read_back_as_the_queue_shows_them(client: httpx.AsyncClient,
                                                           db: QueueDB) -> None:
    odd = "/watch/a,b \"quoted\"\nline\x1b[31m.mp4"
    item, _ = db.enqueue(odd, 1, 1)
    shift_jis, _ = db.enqueue(os.fsdecode("/watch/\x83\x65\x83\x58\x83\x67.mp4".encode(
        "latin-1")), 1, 1)
    db.claim("file", "w")
    db.advance(item.id, "w", "organize", hold=True, movie_code="ABP-001",
               title='Summer, "beach"\r\nday', actresses=["@Mina", "Yui"])
    db.fail(item.id, "w", message="-1 = broken", kind="permanent", retry_in=None)
    response = await client.get("/api/queue/export.csv", headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"  # decoded by httpx
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(response.text.lstrip("\ufeff")))}
    row = rows[str(item.id)]
    assert row["file_path"] == '/watch/a,b "quoted"\nline\\x1b[31m.mp4'  # the escape shown
    assert row["title"] == 'Summer, "beach"\r\nday'
    assert row["actress"] == "'@Mina" and row["error_message"] == "'-1 = broken"
    assert (row["status"], row["cause"], row["part"], row["emby_id"]) == (
        "error", "internal", "", "")
    shown = (await client.get(f"/api/queue/{item.id}")).json()
    assert shown["message"] and (row["message"], row["hint"]) == (shown["message"], shown["hint"])
    assert rows[str(shift_jis.id)]["file_path"] == "/watch/テスト.mp4"
    assert (rows[str(shift_jis.id)]["message"], rows[str(shift_jis.id)]["hint"]) == ("", "")


async def test_text_that_sqlite_cannot_store_is_refused(
    client: httpx.AsyncClient, db: QueueDB, monkeypatch: pytest.MonkeyPatch
) -> None:
    response = await client.post(
        "/api/queue/retry-errors", content=b'{"q": "\\ud800abc"}',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "body.q"

    def unstorable(*args: object) -> int:
        return len("\ud800".encode())  # what sqlite3 does with such text

    monkeypatch.setattr(db, "retry_matching", unstorable)
    response = await client.post("/api/queue/retry-errors", json={"q": "abc"})
    assert response.status_code == 400
    assert "Unicode" in response.json()["detail"]
