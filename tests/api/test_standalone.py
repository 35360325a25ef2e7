"""The dashboard on its own: ``create_app(settings)`` and the lazy ``emby_processor.api:app``."""

from __future__ import annotations

import importlib
import logging
import sys
from pathlib import Path

import httpx
import pytest

from emby_processor.api import create_app
from tests.api.conftest import WRITE, make_settings

pytestmark = pytest.mark.anyio


async def test_standalone_app_opens_and_closes_what_it_built(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    app = create_app(settings)
    ctx = app.state.ctx
    assert not settings.db_path.exists()  # nothing happens before the lifespan starts
    root_handlers = list(logging.getLogger().handlers)
    try:
        async with app.router.lifespan_context(app):
            assert settings.db_path.exists()
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                health = (await client.get("/api/health")).json()
                assert health["database"] == "connected"
                assert health["checks"]["emby"]["status"] == "warning"  # not configured
                assert (await client.post("/api/scan", headers=WRITE)).status_code == 200
                logging.getLogger("emby_processor.test").warning("hello from the api process")
                recent = (await client.get("/api/logs/recent")).json()
                assert recent[-1]["message"] == "hello from the api process"
        with pytest.raises(Exception, match="closed"):
            ctx.db.stats()
    finally:
        for handler in list(logging.getLogger().handlers):
            if handler not in root_handlers:
                logging.getLogger().removeHandler(handler)


def test_lazy_module_attribute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("WATCH_DIRS", str(tmp_path))
    monkeypatch.setenv("METADATA_PROVIDERS", "nfo")
    monkeypatch.chdir(tmp_path)  # no stray .env
    for name in [m for m in sys.modules if m == "emby_processor.api"]:
        monkeypatch.delitem(sys.modules, name)
    module = importlib.import_module("emby_processor.api")
    assert "app" not in vars(module)  # importing builds nothing
    app = module.app
    assert vars(module)["app"] is app and module.app is app
    assert app.state.ctx.settings.data_dir == tmp_path / "data"
    with pytest.raises(AttributeError):
        _ = module.nothing
