"""The dashboard in a real browser: Debian's Chromium driven by Playwright, against uvicorn.

- one headless Chromium for the whole session (``browser``), a fresh context per test;
- a fresh app, database and log buffer per test (``dash``), served by uvicorn on a free port;
- every page records what the browser did (requests, failures, console errors, page errors)
  so tests can assert the page loads everything from the app itself and breaks nothing.

Polling: the page polls every 5 s; ``?poll=SECONDS`` shortens it (tests that are about
something else use ``poll=0.5`` so they never wait for a cycle). The test that checks the
5-second promise itself loads the page without it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from emby_processor.api import create_app
from emby_processor.config import Settings
from emby_processor.db import NewEvent, QueueDB
from emby_processor.health import CheckResult, HealthMonitor
from emby_processor.logbuffer import LogBuffer
from tests.conftest import require_dependency
from tests.fakes.server import ServerThread, free_port

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
OWNER = "dashboard-test/worker-1"
EXPECT_MS = 10_000  # generous upper bound for things that happen within one fast poll


# ----------------------------------------------------------------------------------------------
# seeding through QueueDB, the way the workers change items


@dataclass
class Item:
    path: str
    status: str = "pending"  # pending, processing, completed, error
    stage: str = "identify"  # where a pending / error item stands (identify … emby)
    code: str | None = None
    actresses: list[str] = field(default_factory=list)
    title: str | None = None
    metadata: dict[str, Any] | None = None
    error: str = "No metadata found for this code"
    kind: str = "permanent"
    cause: str = "internal"  # a cause code from emby_processor.vocabulary
    #: an error retried by itself in this many seconds (None: it waits for a person)
    retry_in: float | None = None
    library_path: str | None = None
    server_path: str | None = None


class Seeder:
    """Creates items in any state with QueueDB's own methods (enqueue, claim, advance, fail…)."""

    def __init__(self, db: QueueDB) -> None:
        self.db = db
        self._mtime = 0

    def add(self, spec: Item) -> int:
        db = self.db
        self._mtime += 1
        item, created = db.enqueue(spec.path, 1_234_567_890, self._mtime)
        assert created, f"{spec.path} already queued"
        # every earlier item is parked (not due), so the claim takes exactly this one
        claimed = db.claim("file", OWNER)
        assert claimed is not None and claimed.id == item.id
        fields: dict[str, Any] = {}
        if spec.code:
            fields["movie_code"] = spec.code
        if spec.title:
            fields["title"] = spec.title
        if spec.metadata is not None:
            fields["metadata_json"] = json.dumps(spec.metadata, ensure_ascii=False)
        if spec.library_path:
            fields["library_path"] = spec.library_path
        if spec.server_path:
            fields["server_path"] = spec.server_path
        if fields or spec.actresses:
            db.update_fields(item.id, OWNER, actresses=spec.actresses or None, **fields)
        if spec.status == "processing":
            return item.id
        if spec.stage != "emby":
            if spec.stage != "identify":
                db.advance(item.id, OWNER, spec.stage, hold=True)  # type: ignore[arg-type]
            if spec.status == "pending":
                db.defer(item.id, OWNER, 3600)
            elif spec.status == "error":
                db.fail(item.id, OWNER, message=spec.error, kind=spec.kind,
                        retry_in=spec.retry_in, cause=spec.cause)  # type: ignore[arg-type]
            else:
                raise AssertionError(f"{spec.status} needs stage emby")
            return item.id
        db.advance(item.id, OWNER, "emby", event=NewEvent(
            "organize", "ok", "moved into the library", 12.5,
            {"target": spec.library_path or spec.path}))
        again = db.claim("emby", OWNER)
        assert again is not None and again.id == item.id
        if spec.status == "pending":
            db.defer(item.id, OWNER, 3600)
        elif spec.status == "completed":
            db.advance(item.id, OWNER, "done", emby_id=str(100000 + item.id), event=NewEvent(
                "emby", "ok", "metadata written and verified", 340.0))
        else:
            db.fail(item.id, OWNER, message=spec.error, kind=spec.kind, retry_in=spec.retry_in,
                    cause=spec.cause)  # type: ignore[arg-type]
        return item.id

    def many(self, specs: list[Item]) -> list[int]:
        return [self.add(spec) for spec in specs]

    def backdate_completed(self, ids: list[int], when: str = "2020-01-01T00:00:00.000Z") -> None:
        """Make completed items look old (cleanup's cut-off is completed_at)."""
        with sqlite3.connect(self.db.path) as conn:
            conn.executemany("UPDATE items SET completed_at = ? WHERE id = ?",
                             [(when, item_id) for item_id in ids])


def simple(n: int, status: str = "completed", prefix: str = "ABP", **extra: Any) -> Item:
    code = f"{prefix}-{n:03d}"
    stage = extra.pop("stage", "emby" if status in ("completed",) else "identify")
    return Item(f"/watch/{code}.mp4", status, stage, code=code, **extra)


# ----------------------------------------------------------------------------------------------
# the live app


def fake_emby() -> CheckResult:
    return CheckResult("emby", "ok", "Emby Server 4.8.10 'living-room'",
                       {"server_name": "living-room", "version": "4.8.10"})


class Dash:
    """One app on a real database behind uvicorn; ``restart`` brings it back on the same port."""

    def __init__(self, tmp: Path, **setting_overrides: Any) -> None:
        (tmp / "watch").mkdir(exist_ok=True)
        (tmp / "library").mkdir(exist_ok=True)
        self.settings = Settings(  # type: ignore[call-arg]
            _env_file=None, data_dir=tmp / "data", watch_dirs=[tmp / "watch"],
            library_dir=tmp / "library", min_free_disk_mb=0, metadata_providers=[],
            **setting_overrides,
        )
        self.db = QueueDB(self.settings.db_path).open()
        self.logs = LogBuffer(1000)
        self.health = HealthMonitor(self.settings, self.db, upstream_checks={"emby": fake_emby})
        self.health.refresh_now()
        self.app = create_app(self.settings, db=self.db, logs=self.logs, health=self.health,
                              keepalive_seconds=1.0)
        self.seed = Seeder(self.db)
        self.port = free_port()
        self.server: ServerThread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Dash:
        self.server = ServerThread(self.app, self.port).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def workers(self, state: str = "running") -> None:
        for name in ("FileProcessor", "EmbyUpdater", "RetryHandler"):
            self.db.beat(name, state, processed=0)

    def close(self) -> None:
        self.stop()
        self.db.close()


@pytest.fixture
def dash(tmp_path: Path) -> Iterator[Dash]:
    app = Dash(tmp_path).start()
    yield app
    app.close()


# ----------------------------------------------------------------------------------------------
# the browser


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    require_dependency(CHROMIUM.exists(), "Debian chromium at /usr/bin/chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - dev extra not installed
        require_dependency(False, "playwright (pip install -e .[dev])")
        raise
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                     args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class Recorder:
    """What one page did: every request, failure, bad response, console error and JS error."""

    requests: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    bad_responses: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def external(self) -> list[str]:
        return [url for url in self.requests
                if urlsplit(url).scheme in ("http", "https", "ws", "wss")
                and urlsplit(url).hostname not in ("127.0.0.1", "localhost")]


def attach_recorder(page: Any) -> Recorder:
    rec = Recorder()
    page.on("request", lambda r: rec.requests.append(r.url))
    page.on("requestfailed", lambda r: rec.failed.append(f"{r.url} {r.failure}"))
    page.on("response", lambda r: r.status >= 400 and rec.bad_responses.append(
        f"{r.status} {r.url}"))
    page.on("console", lambda m: m.type == "error" and rec.console_errors.append(m.text))
    page.on("pageerror", lambda e: rec.page_errors.append(str(e)))

    def on_dialog(dialog: Any) -> None:
        rec.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    return rec


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    # reduced motion: Bootstrap skips its fade transitions, so modals open and close at once
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB",
                              timezone_id="Europe/Berlin", reduced_motion="reduce")
    # no internet: anything not on this machine fails, as on a LAN server without a gateway
    ctx.route(lambda url: urlsplit(url).hostname not in ("127.0.0.1", "localhost"),
              lambda route: route.abort("internetdisconnected"))
    ctx.set_default_timeout(EXPECT_MS)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: Any) -> Iterator[Any]:
    pg = context.new_page()
    pg.rec = attach_recorder(pg)
    yield pg
    assert pg.rec.page_errors == [], f"JavaScript errors on the page: {pg.rec.page_errors}"
    assert pg.rec.dialogs == [], f"unexpected dialogs: {pg.rec.dialogs}"


def open_dashboard(page: Any, dash: Dash, query: str = "poll=0.5") -> Any:
    """Load the page and wait until the first poll has filled the queue table."""
    from playwright.sync_api import expect

    page.goto(f"{dash.url}/{'?' + query if query else ''}")
    expect(page.locator("body[data-reachable='true']")).to_have_count(1)
    expect(page.locator("#queue-body")).not_to_contain_text("Loading…")
    return page


def unfold(page: Any, name: str) -> None:
    """Open the folded panel whose heading is ``name`` (on a phone most panels start folded)."""
    from playwright.sync_api import expect

    toggle = page.get_by_role("button", name=name, exact=True)
    if toggle.get_attribute("aria-expanded") == "false":
        toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")


# ----------------------------------------------------------------------------------------------
# accessibility: axe-core from npm (tests/dashboard/axe, installed by `make test` and .ci/run)

AXE_JS = Path(__file__).resolve().parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
AXE_IMPACTS = ("serious", "critical")


@pytest.fixture(scope="session")
def axe_source() -> str:
    require_dependency(AXE_JS.exists(),
                       "axe-core (npm ci in tests/dashboard/axe; `make test` does it)")
    return AXE_JS.read_text(encoding="utf-8")


def describe_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        targets = [" ".join(map(str, node["target"])) for node in v["nodes"][:5]]
        lines.append(f"{v['impact']} {v['id']}: {v['help']} -> {targets}")
    return "\n".join(lines)


class Axe:
    """Runs axe-core in a page (evaluated through the DevTools protocol, so the page's CSP,
    which allows no inline script, does not stop it) and returns its violations."""

    def __init__(self, source: str) -> None:
        self.source = source

    def violations(self, page: Any, include: str | None = None,
                   impacts: tuple[str, ...] = AXE_IMPACTS) -> list[dict[str, Any]]:
        if not page.evaluate("typeof window.axe === 'object'"):
            page.evaluate(self.source)
        found: list[dict[str, Any]] = page.evaluate(
            """async (include) => {
                const result = await window.axe.run(include || document,
                                                    {resultTypes: ['violations']});
                return result.violations;
            }""", include)
        return [v for v in found if v["impact"] in impacts]


@pytest.fixture
def axe(axe_source: str) -> Axe:
    return Axe(axe_source)
