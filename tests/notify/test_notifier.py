"""Notifications through Apprise to a real webhook receiver on 127.0.0.1."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from emby_processor.api import create_app
from emby_processor.config import load_settings
from emby_processor.db import QueueDB
from emby_processor.errors import ConfigError
from emby_processor.health import HealthMonitor
from emby_processor.logbuffer import LogBuffer
from emby_processor.notify import notifier as notifier_module
from emby_processor.notify.notifier import Notifier
from emby_processor.notify.sender import Sender
from tests.api.conftest import WRITE, make_settings
from tests.fakes.server import free_port
from tests.notify.webhook import Receiver, receiver

PUBLIC = "http://nas.lan:8000"
OWNER = "notify-test/worker-1"


@pytest.fixture
def hook() -> Iterator[Receiver]:
    with receiver() as r:
        yield r


@pytest.fixture
def db(tmp_path: Path) -> Iterator[QueueDB]:
    store = QueueDB(tmp_path / "queue.db").open()
    yield store
    store.close()


def fail(db: QueueDB, n: int, *, retry_in: float | None = None, kind: str = "permanent",
         cause: str = "unknown_code") -> int:
    item, _ = db.enqueue(f"/watch/ABP-{n:03d}.mp4", 1000, n)
    db.update_fields(item.id, movie_code=f"ABP-{n:03d}")
    assert db.claim("file", OWNER) is not None
    db.fail(item.id, OWNER, message=f"ABP-{n:03d} not found by metatube", kind=kind,
            retry_in=retry_in, cause=cause)  # type: ignore[arg-type]
    return int(item.id)


def notifier(db: QueueDB, url: str, **options: Any) -> Notifier:
    values: dict[str, Any] = {"health": None, "public_url": PUBLIC, "batch_seconds": 0.2,
                              "digest_hour": None, **options}
    return Notifier(db, Sender([url]), **values)


def run_for(seconds: float, step: Any) -> None:
    """Keep a notifier stepping for a while (to show that nothing more arrives)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        step()
        time.sleep(0.02)


def test_a_burst_of_500_failures_is_one_message(db: QueueDB, hook: Receiver) -> None:
    n = notifier(db, hook.url)
    n.step()  # first start: from now on
    for i in range(500):
        fail(db, i)
    fail(db, 900, retry_in=60, kind="transient")  # retries by itself: nobody is told

    messages = hook.wait_for(1, poke=n.step)
    run_for(0.8, n.step)

    assert len(hook.messages) == 1
    message = messages[0]
    assert message["title"] == "emby-processor: 500 items need you"
    body = message["message"]
    assert "500 items need a person:" in body
    assert "- ABP-000: No metadata site knows this code" in body
    assert "- ABP-009:" in body and "ABP-010" not in body and "… and 490 more" in body
    assert "ABP-900" not in body
    assert body.endswith(f"{PUBLIC}/?status=error")
    assert message["type"] == "warning"


def test_a_restart_neither_repeats_nor_loses(db: QueueDB, hook: Receiver) -> None:
    first = notifier(db, hook.url, batch_seconds=3600)
    first.step()
    fail(db, 1)
    first.step()  # read and collected, not sent yet: then the process stops
    first.close()

    second = notifier(db, hook.url)
    messages = hook.wait_for(1, poke=second.step)
    assert "ABP-001" in messages[0]["message"]

    third = notifier(db, hook.url)
    run_for(0.6, third.step)
    assert len(hook.messages) == 1


def test_health_changes_are_told_once_they_last(
    db: QueueDB, hook: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(notifier_module, "HEALTH_EVERY_SECONDS", 0.0)
    state: dict[str, Any] = {"status": "healthy", "checks": {}}
    n = notifier(db, hook.url, health=lambda: state)
    n.step()
    state.update(status="degraded", checks={"emby": {"status": "error",
                                                     "message": "connection refused"}})
    n.step()
    state.update(status="healthy", checks={})  # a blip: back before the window ended
    run_for(0.6, n.step)
    assert hook.messages == []

    state.update(status="unhealthy", checks={"database": {"status": "error",
                                                          "message": "disk I/O error"}})
    messages = hook.wait_for(1, poke=n.step)
    assert messages[0]["title"] == "emby-processor: health unhealthy"
    assert "Health changed from healthy to unhealthy." in messages[0]["message"]
    assert "- database: disk I/O error" in messages[0]["message"]
    assert messages[0]["type"] == "failure"
    run_for(0.6, n.step)
    assert len(hook.messages) == 1


def test_the_daily_digest_comes_once_at_its_hour(db: QueueDB, hook: Receiver) -> None:
    fail(db, 1)
    fail(db, 2)
    clock = {"now": datetime(2026, 5, 4, 8, 59).astimezone()}
    n = notifier(db, hook.url, digest_hour=9, clock=lambda: clock["now"])
    db.set_control("notify.digest_date", "2026-05-03")  # yesterday's went out
    run_for(0.3, n.step)
    assert hook.messages == []
    clock["now"] = datetime(2026, 5, 4, 9, 0).astimezone()
    messages = hook.wait_for(1, poke=n.step)
    assert messages[0]["title"] == "emby-processor: 0 filed, 2 need you"
    assert "Waiting for a person now: 2." in messages[0]["message"]
    run_for(0.3, n.step)
    assert len(hook.messages) == 1


def test_a_receiver_that_is_down_never_stops_the_notifier(db: QueueDB) -> None:
    closed = f"json://127.0.0.1:{free_port()}/hook"
    n = notifier(db, closed, batch_seconds=0.05)
    n.step()
    fail(db, 1)
    started = time.monotonic()
    run_for(0.5, n.step)  # sends, fails, backs off; no exception reaches the caller
    assert time.monotonic() - started < 10


def test_an_unknown_url_stops_start_up_without_showing_it(tmp_path: Path) -> None:
    from emby_processor.notify import build_sender

    settings = load_settings(_env_file=None, data_dir=tmp_path,
                             notify_urls="json://127.0.0.1/ok,nosuch://secret-token@x")
    with pytest.raises(ConfigError, match="NOTIFY_URLS: entry 2 of 2") as error:
        build_sender(settings)
    assert "secret-token" not in str(error.value)


def test_the_test_button_sends_and_says_what_happened(
    tmp_path: Path, db: QueueDB, hook: Receiver
) -> None:
    closed = f"json://127.0.0.1:{free_port()}/hook"
    settings = make_settings(tmp_path, notify_urls=[hook.url, closed], public_url=PUBLIC)
    app = create_app(settings, db=db, logs=LogBuffer(100), health=HealthMonitor(settings, db))
    with TestClient(app) as client:
        refused = client.post("/api/notify/test")  # a write: the CSRF header is needed
        assert refused.status_code == 403
        response = client.post("/api/notify/test", headers=WRITE)
    body = response.json()
    assert response.status_code == 200 and body["sent"] is True
    assert [d["ok"] for d in body["deliveries"]] == [True, False]
    assert body["deliveries"][1]["error"]
    assert hook.messages[0]["title"] == "emby-processor: test"
    assert PUBLIC in hook.messages[0]["message"]


def test_the_test_button_without_urls_is_a_409(tmp_path: Path, db: QueueDB) -> None:
    settings = make_settings(tmp_path)
    app = create_app(settings, db=db, logs=LogBuffer(100), health=HealthMonitor(settings, db))
    with TestClient(app) as client:
        response = client.post("/api/notify/test", headers=WRITE)
    assert response.status_code == 409 and "NOTIFY_URLS" in response.json()["detail"]


def test_meta_says_whether_notifications_are_set_never_where_they_go(
    tmp_path: Path, db: QueueDB
) -> None:
    secret = "json://user:s3cret-pass@127.0.0.1:9/hook?token=s3cret-token"
    for urls, expected in (([], False), ([secret], True)):
        settings = make_settings(tmp_path, notify_urls=urls)
        app = create_app(settings, db=db, logs=LogBuffer(100), health=HealthMonitor(settings, db))
        with TestClient(app) as client:
            meta = client.get("/api/meta")
            auth = client.get("/api/auth")
        assert meta.status_code == 200 and meta.json()["settings"]["notifications"] is expected
        for answer in (meta, auth):
            assert "s3cret" not in answer.text and "127.0.0.1:9" not in answer.text


def test_the_service_runs_a_notifier_only_when_urls_are_set(tmp_path: Path, db: QueueDB) -> None:
    from emby_processor.composition import Workers, build_upstreams

    for urls, expected in (([], False), (["json://127.0.0.1:9/hook"], True)):
        settings = make_settings(tmp_path, notify_urls=urls)
        upstreams = build_upstreams(settings)
        try:
            kinds = [spec.kind for spec in Workers(settings, db, upstreams).supervisor.specs]
        finally:
            upstreams.close()
        assert ("Notifier" in kinds) is expected
