"""AUTH_MODE: none (as before), token (scripts), password (people sign in)."""

from __future__ import annotations

import stat
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from argon2 import PasswordHasher

from emby_processor.api import create_app
from emby_processor.cli import EXIT_CONFIG, main
from emby_processor.config import load_settings
from emby_processor.db import QueueDB
from emby_processor.errors import ConfigError
from emby_processor.health import HealthMonitor
from emby_processor.logbuffer import LogBuffer
from tests.api.conftest import WRITE, make_settings
from tests.api.seed import Spec, make

pytestmark = pytest.mark.anyio
PASSWORD = "correct horse battery"
# a cheap hash: verifying it takes a millisecond (the real default costs ~50 ms and 64 MiB)
HASH = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD)
TOKEN = "t0ken-for-scripts-0123456789"


def client_for(tmp_path: Path, db: QueueDB, **overrides: object) -> httpx.AsyncClient:
    settings = make_settings(tmp_path, **overrides)
    app = create_app(settings, db=db, logs=LogBuffer(100), health=HealthMonitor(settings, db))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


@pytest.fixture
async def password_client(tmp_path: Path, db: QueueDB) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(tmp_path, db, auth_mode="password", auth_password_hash=HASH,
                          api_token=TOKEN) as c:
        yield c


async def sign_in(client: httpx.AsyncClient, password: str = PASSWORD,
                  next_path: str = "/") -> httpx.Response:
    return await client.post("/sign-in", data={"password": password, "next": next_path})


async def test_by_default_everyone_may_read(client: httpx.AsyncClient) -> None:
    assert (await client.get("/api/stats")).status_code == 200
    assert (await client.get("/api/auth")).json() == {
        "mode": "none", "signed_in": True, "sign_in": None}
    assert "checks" in (await client.get("/api/health")).json()


async def test_token_mode_needs_the_token_for_every_read(tmp_path: Path, db: QueueDB) -> None:
    item_id = make(db, Spec("/watch/ABP-1.mp4", status="error", code="ABP-1"))
    async with client_for(tmp_path, db, auth_mode="token", api_token=TOKEN) as c:
        bearer = {"Authorization": f"Bearer {TOKEN}"}
        for path in ("/api/stats", "/api/queue", f"/api/queue/{item_id}", "/", "/metrics",
                     "/openapi.json", "/docs", "/static/js/main.js", "/api/history"):
            refused = await c.get(path)
            assert refused.status_code == 401, path
            assert refused.headers["www-authenticate"] == "Bearer"
            assert (await c.get(path, headers=bearer)).status_code == 200, path
        wrong = await c.get("/api/stats", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        health = (await c.get("/api/health")).json()
        assert set(health) == {"status"}
        assert "checks" in (await c.get("/api/health", headers=bearer)).json()
        # the write protections still apply on top: no CSRF header, no change
        no_csrf = await c.post(f"/api/queue/{item_id}/retry", headers=bearer)
        assert no_csrf.status_code == 403
        done = await c.post(f"/api/queue/{item_id}/retry", headers={**bearer, **WRITE})
        assert done.status_code == 200


async def test_password_mode_sends_pages_to_sign_in_and_refuses_the_api(
    password_client: httpx.AsyncClient,
) -> None:
    c = password_client
    page = await c.get("/?poll=1", headers={"Accept": "text/html"})
    assert page.status_code == 303
    assert page.headers["location"] == "/sign-in?next=%2F%3Fpoll%3D1"
    api = await c.get("/api/queue")
    assert api.status_code == 401 and api.json()["sign_in"] == "/sign-in"
    assert set((await c.get("/api/health")).json()) == {"status"}
    form = await c.get("/sign-in", params={"next": "/?poll=1"})
    assert form.status_code == 200 and 'name="password"' in form.text
    assert "default-src 'self'" in form.headers["content-security-policy"]
    assert (await c.get("/api/auth")).json()["signed_in"] is False


async def test_signing_in_sets_a_strict_session_cookie(
    password_client: httpx.AsyncClient,
) -> None:
    c = password_client
    wrong = await sign_in(c, "guess")
    assert wrong.status_code == 401 and "Wrong password" in wrong.text
    signed = await sign_in(c, next_path="/?status=error")
    assert signed.status_code == 303 and signed.headers["location"] == "/?status=error"
    cookie = signed.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "max-age=" in cookie
    assert (await c.get("/api/stats")).status_code == 200
    assert "checks" in (await c.get("/api/health")).json()
    assert (await c.get("/", headers={"Accept": "text/html"})).status_code == 200
    assert (await c.get("/api/auth")).json()["signed_in"] is True

    out = await c.post("/sign-out")
    assert out.status_code == 303 and out.headers["location"] == "/sign-in"
    assert (await c.get("/api/stats")).status_code == 401


async def test_a_forged_or_foreign_cookie_is_refused(
    password_client: httpx.AsyncClient, tmp_path: Path, db: QueueDB
) -> None:
    await sign_in(password_client)
    value = password_client.cookies["emby_processor_session"]
    expires, nonce, signature = value.split(".")
    forged = f"{int(expires) + 10**6}.{nonce}.{signature}"
    async with client_for(tmp_path, db, auth_mode="password", auth_password_hash=HASH) as other:
        other.cookies.set("emby_processor_session", value)
        assert (await other.get("/api/stats")).status_code == 200  # same secret, same password
        other.cookies.set("emby_processor_session", forged)
        assert (await other.get("/api/stats")).status_code == 401
    new_hash = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash("new one!")
    async with client_for(tmp_path, db, auth_mode="password",
                          auth_password_hash=new_hash) as changed:
        changed.cookies.set("emby_processor_session", value)
        assert (await changed.get("/api/stats")).status_code == 401  # password changed
    secret = tmp_path / "data" / "session-secret"
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600


async def test_scripts_may_use_the_token_in_password_mode(
    password_client: httpx.AsyncClient,
) -> None:
    response = await password_client.get(
        "/api/stats", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200


async def test_sign_in_is_rate_limited_per_address(password_client: httpx.AsyncClient) -> None:
    for _ in range(5):
        assert (await sign_in(password_client, "wrong")).status_code == 401
    limited = await sign_in(password_client)  # even the right password waits now
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["retry-after"]) <= 60
    assert "Too many" in limited.text


async def test_sign_in_goes_only_to_paths_on_this_site(
    password_client: httpx.AsyncClient,
) -> None:
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        response = await sign_in(password_client, next_path=target)
        assert response.headers["location"] == "/", target


async def test_cross_site_forms_cannot_sign_in_or_out(
    password_client: httpx.AsyncClient,
) -> None:
    for path in ("/sign-in", "/sign-out"):
        response = await password_client.post(
            path, data={"password": PASSWORD}, headers={"Origin": "https://evil.example"})
        assert response.status_code == 403, path
        assert "set-cookie" not in response.headers


def test_a_bad_combination_stops_start_up_naming_the_setting(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(ConfigError, match="AUTH_PASSWORD_HASH"):
        load_settings(auth_mode="password")
    with pytest.raises(ConfigError, match="API_TOKEN"):
        load_settings(auth_mode="token")
    monkeypatch.setenv("AUTH_MODE", "password")
    assert main(["api"]) == EXIT_CONFIG
    assert "AUTH_PASSWORD_HASH" in capsys.readouterr().err


def test_hash_password_makes_a_hash_the_sign_in_accepts() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "emby_processor", "hash-password"], input="s3cret-words\n",
        capture_output=True, text=True, timeout=60, check=True)
    made = done.stdout.strip()
    assert made.startswith("$argon2id$") and PasswordHasher().verify(made, "s3cret-words")
    assert "AUTH_PASSWORD_HASH" in done.stderr
    assert load_settings(_env_file=None, auth_mode="password",
                         auth_password_hash=made).auth_mode == "password"
