"""Writes only from the dashboard's own origin; token mode; allowed hosts; headers; the page."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from emby_processor.api import create_app
from emby_processor.api.routes import page
from emby_processor.db import QueueDB
from emby_processor.health import HealthMonitor
from emby_processor.logbuffer import LogBuffer
from tests.api.conftest import WRITE, make_settings

pytestmark = pytest.mark.anyio
HOST = "http://testserver"


def client_for(app: FastAPI) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url=HOST)


@pytest.mark.parametrize("headers", [
    {"Origin": "http://evil.example", **WRITE},
    {"Origin": "http://testserver:8080", **WRITE},  # same host, other port
    {"Origin": "null", **WRITE},
    {"Sec-Fetch-Site": "cross-site", **WRITE},
    {"Sec-Fetch-Site": "cross-site", "Content-Type": "application/json"},
    {"Content-Type": "application/x-www-form-urlencoded"},  # a plain HTML form
    {"Content-Type": "multipart/form-data; boundary=x"},
    {"Content-Type": "text/plain"},
    {},
])
async def test_cross_site_and_form_writes_are_refused(
    client: httpx.AsyncClient, db: QueueDB, headers: dict[str, str]
) -> None:
    for method, path in (("POST", "/api/workers/pause"), ("POST", "/api/cleanup"),
                         ("DELETE", "/api/queue/1"), ("POST", "/api/queue/retry-errors"),
                         ("POST", "/api/queue/1/code"), ("POST", "/api/queue/1/ignore"),
                         ("POST", "/api/queue/1/duplicate"), ("DELETE", "/api/ignored/1"),
                         ("POST", "/api/health/acknowledge"), ("POST", "/api/queue/bulk/retry"),
                         ("POST", "/api/queue/bulk/reprocess"), ("POST", "/api/queue/bulk/ignore"),
                         ("POST", "/api/ignored/unignore")):
        response = await client.request(method, path, headers=headers, content=b"a=b")
        assert response.status_code == 403, (method, path, headers)
        assert response.json()["detail"]
    assert db.get_control("paused") is None


@pytest.mark.parametrize("headers", [
    WRITE,
    {"Content-Type": "application/json"},
    {"Origin": HOST, **WRITE},
    {"Origin": HOST, "Sec-Fetch-Site": "same-origin", "Content-Type": "application/json"},
    {"Sec-Fetch-Site": "none", **WRITE},
])
async def test_same_origin_writes_are_accepted(
    client: httpx.AsyncClient, db: QueueDB, headers: dict[str, str]
) -> None:
    response = await client.post("/api/workers/pause", headers=headers)
    assert response.status_code == 200, response.text
    assert db.get_control("paused") == "1"


async def test_reads_need_nothing(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/stats", headers={"Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers


async def test_reverse_proxy_host_without_port(client: httpx.AsyncClient) -> None:
    headers = {"Host": "media.example", "Origin": "https://media.example", **WRITE}
    assert (await client.post("/api/scan", headers=headers)).status_code == 200
    headers["Origin"] = "https://media.example:8443"
    assert (await client.post("/api/scan", headers=headers)).status_code == 403


async def make_app(tmp_path: Path, db: QueueDB, **overrides: object) -> FastAPI:
    settings = make_settings(tmp_path, **overrides)
    return create_app(settings, db=db, logs=LogBuffer(100),
                      health=HealthMonitor(settings, db))


async def test_token_mode(tmp_path: Path, db: QueueDB) -> None:
    app = await make_app(tmp_path, db, api_token="s3cret")
    async with client_for(app) as client:
        missing = await client.post("/api/workers/pause", headers=WRITE)
        assert missing.status_code == 401
        assert "API token" in missing.json()["detail"]
        assert missing.headers["www-authenticate"] == "Bearer"
        wrong = await client.post("/api/workers/pause",
                                  headers={**WRITE, "Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        basic = await client.post("/api/workers/pause",
                                  headers={**WRITE, "Authorization": "Basic s3cret"})
        assert basic.status_code == 401
        right = await client.post("/api/workers/pause",
                                  headers={**WRITE, "Authorization": "Bearer s3cret"})
        assert right.status_code == 200
        assert (await client.get("/api/stats")).status_code == 200  # reads stay open
        cross = await client.post("/api/workers/pause", headers={
            "Authorization": "Bearer s3cret", "Origin": "http://evil.example", **WRITE})
        assert cross.status_code == 403


async def test_allowed_hosts(tmp_path: Path, db: QueueDB) -> None:
    app = await make_app(tmp_path, db, allowed_hosts=["testserver", "*.lan"])
    async with client_for(app) as client:
        assert (await client.get("/api/stats")).status_code == 200
        ok = await client.get("/api/stats", headers={"Host": "nas.lan:8000"})
        assert ok.status_code == 200
        rebound = await client.get("/api/stats", headers={"Host": "attacker.example"})
        assert rebound.status_code == 400
        assert "ALLOWED_HOSTS" in rebound.json()["detail"]
        assert rebound.headers["x-content-type-options"] == "nosniff"


# A Host header that is not ``host[:port]``. Each was a 500 or was let in before; the raw bytes
# are what an HTTP server hands over (it decodes nothing), ``\xb2`` being a superscript two.
MALFORMED_HOSTS = [
    b"[",
    b"a:b:c",
    b"[::1",
    b"nas.lan:99999",
    b"nas.lan:\xb2",
    "n\u00e4s.lan".encode(),
    b"user@nas.lan",
    b"nas.lan/path",
    b"a" * 300,
]


@pytest.mark.parametrize("allowed", [[], ["testserver", "*.lan", "*"]])
@pytest.mark.parametrize("host", MALFORMED_HOSTS)
async def test_malformed_host_is_a_400_with_a_message(
    tmp_path: Path, db: QueueDB, host: bytes, allowed: list[str]
) -> None:
    app = await make_app(tmp_path, db, allowed_hosts=allowed)
    async with client_for(app) as client:
        for method, path, headers in (
            ("GET", "/api/stats", {}),
            ("POST", "/api/scan", {"Origin": HOST, **WRITE}),
        ):
            response = await client.request(method, path, headers={"Host": host, **headers})
            assert response.status_code == 400, (method, path, response.text)
            detail = response.json()["detail"]
            assert detail.startswith("malformed Host header"), detail
            assert len(detail) < 200  # a long header is not echoed back whole
            assert response.headers["x-content-type-options"] == "nosniff"
    assert db.get_control("scan_requested_at") is None


@pytest.mark.parametrize("host", [b"nas.lan", b"NAS.lan:8000", b"192.168.1.5:8000", b"[::1]:8000",
                                  b"my_nas.lan", b"nas.lan:", b""])
async def test_well_formed_hosts_pass_without_allowed_hosts(
    client: httpx.AsyncClient, host: bytes
) -> None:
    response = await client.get("/api/stats", headers={"Host": host})
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(("allowed", "host", "status"), [
    (["nas.lan"], "NAS.LAN:8000", 200),  # host names are case-insensitive
    (["*.example.lan"], "media.example.lan", 200),
    (["*.example.lan"], "a.b.example.lan:8000", 200),
    (["*.example.lan"], "example.lan", 400),
    (["*.example.lan"], "badexample.lan", 400),
    (["*"], "anything.example", 200),
    (["::1"], "[::1]:8000", 200),  # an IPv6 address may be listed with or without brackets
    (["[::1]"], "[::1]", 200),
    (["192.168.1.5"], "192.168.1.5:8000", 200),
    (["192.168.1.5"], "192.168.1.50", 400),
    (["www.nas.lan"], "nas.lan", 400),  # refused, not redirected to www.
])
async def test_allowed_hosts_patterns(
    tmp_path: Path, db: QueueDB, allowed: list[str], host: str, status: int
) -> None:
    app = await make_app(tmp_path, db, allowed_hosts=allowed)
    async with client_for(app) as client:
        response = await client.get("/api/stats", headers={"Host": host})
        assert response.status_code == status, response.text
        if status == 400:
            assert response.json() == {"detail": f"host {host!r} is not in ALLOWED_HOSTS"}


async def test_cors_only_when_configured(tmp_path: Path, db: QueueDB) -> None:
    app = await make_app(tmp_path, db, cors_origins=["http://other.lan:3000"])
    async with client_for(app) as client:
        preflight = await client.options("/api/workers/pause", headers={
            "Origin": "http://other.lan:3000", "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type"})
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == "http://other.lan:3000"
        allowed = await client.post("/api/workers/pause", json={}, headers={
            "Origin": "http://other.lan:3000", "Sec-Fetch-Site": "cross-site"})
        assert allowed.status_code == 200
        other = await client.post("/api/workers/pause", json={},
                                  headers={"Origin": "http://evil.example"})
        assert other.status_code == 403


async def test_security_headers_everywhere(client: httpx.AsyncClient) -> None:
    for path in ("/api/stats", "/api/nothing", "/openapi.json", "/"):
        response = await client.get(path)
        assert response.headers["x-content-type-options"] == "nosniff", path
        assert response.headers["referrer-policy"] == "same-origin", path


async def test_page_gets_a_fresh_nonce(client: httpx.AsyncClient, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "dashboard.html").write_text(
        '<html><style nonce="{{CSP_NONCE}}">b{}</style>'
        '<script nonce="{{CSP_NONCE}}">1</script></html>', encoding="utf-8")
    monkeypatch.setattr(page, "STATIC_DIR", tmp_path / "static")
    nonces = []
    for _ in range(2):
        response = await client.get("/")
        csp = response.headers["content-security-policy"]
        nonce = re.search(r"'nonce-([^']+)'", csp).group(1)  # type: ignore[union-attr]
        assert response.text.count(f'nonce="{nonce}"') == 2
        assert "{{CSP_NONCE}}" not in response.text
        assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp
        assert response.headers["cache-control"] == "no-store"
        nonces.append(nonce)
    assert nonces[0] != nonces[1]


async def test_page_placeholder_and_bootstrap(client: httpx.AsyncClient, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(page, "STATIC_DIR", tmp_path / "absent")
    response = await client.get("/")
    assert response.status_code == 200 and "/docs" in response.text
    css = await client.get("/static/vendor/bootstrap/css/bootstrap.min.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    js = await client.get("/static/vendor/bootstrap/js/bootstrap.bundle.min.js")
    assert js.status_code == 200


async def test_gzip_for_big_json_not_for_small(client: httpx.AsyncClient, db: QueueDB) -> None:
    for n in range(30):
        db.enqueue(f"/watch/GZ-{n:03d}.mp4", 1, n)
    big = await client.get("/api/queue", headers={"Accept-Encoding": "gzip"})
    assert big.headers["content-encoding"] == "gzip"
    small = await client.get("/api/stats", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in small.headers


async def test_installed_dashboard_page_gets_its_nonce(client: httpx.AsyncClient) -> None:
    if not (page.STATIC_DIR / "dashboard.html").exists():
        pytest.skip("the dashboard page is not installed")
    response = await client.get("/")
    nonce = re.search(r"'nonce-([^']+)'", response.headers["content-security-policy"])
    assert nonce is not None
    assert "{{CSP_NONCE}}" not in response.text
    assert f'nonce="{nonce.group(1)}"' in response.text
    for asset in re.findall(r'(?:href|src)="(/static/[^"]+)"', response.text):
        assert (await client.get(asset)).status_code == 200, asset
