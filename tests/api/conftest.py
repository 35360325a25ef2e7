from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from emby_processor.api import create_app
from emby_processor.config import Settings
from emby_processor.db import QueueDB
from emby_processor.health import CheckResult, HealthMonitor
from emby_processor.logbuffer import LogBuffer
from tests.api.seed import STANDARD, seed

WRITE = {"X-Requested-With": "emby-processor"}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def make_settings(tmp_path: Path, **overrides: object) -> Settings:
    (tmp_path / "watch").mkdir(exist_ok=True)
    (tmp_path / "library").mkdir(exist_ok=True)
    values: dict[str, object] = {
        "data_dir": tmp_path / "data", "watch_dirs": [tmp_path / "watch"],
        "library_dir": tmp_path / "library", "min_free_disk_mb": 0,
        "metadata_providers": [], **overrides,
    }
    return Settings(_env_file=None, **values)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture
def db(settings: Settings) -> Iterator[QueueDB]:
    store = QueueDB(settings.db_path).open()
    yield store
    store.close()


@pytest.fixture
def logs() -> LogBuffer:
    return LogBuffer(1000)


def fake_emby() -> CheckResult:
    return CheckResult("emby", "ok", "Emby Server 4.8 'test'", {"version": "4.8"})


@pytest.fixture
def health(settings: Settings, db: QueueDB) -> HealthMonitor:
    monitor = HealthMonitor(settings, db, upstream_checks={"emby": fake_emby})
    monitor.refresh_now()
    return monitor


@pytest.fixture
def app(settings: Settings, db: QueueDB, logs: LogBuffer, health: HealthMonitor) -> FastAPI:
    return create_app(settings, db=db, logs=logs, health=health, keepalive_seconds=0.2)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@pytest.fixture
def ids(db: QueueDB) -> dict[str, int]:
    return seed(db, STANDARD)
