"""The page itself: it loads at `/` with no internet, shows live numbers, health, dark mode,
fits a tablet, and is usable by keyboard."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.dashboard.conftest import Dash, Item, attach_recorder, open_dashboard, simple

pytestmark = pytest.mark.browser

STATIC = Path(__file__).resolve().parents[2] / "src" / "emby_processor" / "static"


def test_page_loads_every_asset_from_the_app_with_no_internet(dash: Dash, page):
    dash.workers()
    dash.seed.many([simple(1, "completed", actresses=["Kaede Fua"]), simple(2, "error")])
    response = page.goto(f"{dash.url}/?poll=0.5")
    assert response is not None and response.status == 200
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "'unsafe-inline'" not in csp
    expect(page.locator("body[data-reachable='true']")).to_have_count(1)
    expect(page.locator("#stat-total")).to_have_text("2")
    expect(page.locator("#overall-status")).to_have_text("healthy")
    expect(page.locator("#log-status")).to_have_text("live")

    # Bootstrap's CSS and JS really arrived (from the xstatic package, not a CDN)
    assert page.evaluate("typeof window.bootstrap.Modal") == "function"
    background = page.eval_on_selector("#overall-status",
                                       "b => getComputedStyle(b).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent")

    rec = page.rec
    paths = {r.split("?")[0].split(str(dash.port), 1)[1] for r in rec.requests}
    assert {"/", "/static/vendor/bootstrap/css/bootstrap.min.css",
            "/static/vendor/bootstrap/js/bootstrap.bundle.min.js", "/static/js/main.js",
            "/static/dashboard.css", "/api/meta", "/api/health", "/api/stats", "/api/queue",
            "/api/logs"} <= paths
    assert rec.external() == [], "the page asked the internet for something"
    assert rec.failed == [], f"failed requests: {rec.failed}"
    assert rec.bad_responses == [], f"error responses: {rec.bad_responses}"
    # CSP violations, blocked inline code and 404s all show up as console errors
    assert rec.console_errors == [], f"console errors: {rec.console_errors}"


def test_page_script_is_es_modules_served_as_javascript_and_revalidated(dash: Dash, page):
    """Every module in static/js is loaded (none dead), as JavaScript (or the browser refuses to
    run it), and revalidated on each use (an upgrade never mixes old and new modules)."""
    served: dict[str, dict[str, str]] = {}
    page.on("response", lambda r: "/static/" in r.url and served.__setitem__(
        r.url.split(str(dash.port), 1)[1], {**r.headers, "status": str(r.status)}))
    open_dashboard(page, dash)
    expect(page.locator("body[data-ready='true']")).to_have_count(1)
    modules = {f"/static/js/{p.name}" for p in (STATIC / "js").glob("*.js")}
    assert modules and modules <= served.keys(), f"modules never loaded: {modules - served.keys()}"
    assert page.locator("script[type='module']").count() == 1
    # the others are asked for at once, not one import level after another
    preloaded = set(page.locator("link[rel='modulepreload']").evaluate_all(
        "links => links.map(l => new URL(l.href).pathname)"))
    assert preloaded == modules - {"/static/js/main.js"}
    assert page.locator("script:not([type='module'])[src]").count() == 1  # Bootstrap's bundle
    for path, headers in served.items():
        assert headers["status"] in ("200", "304"), (path, headers)
        assert headers.get("cache-control") == "no-cache", (path, headers)
        assert headers.get("etag"), (path, headers)
        if path.endswith(".js"):
            assert headers["content-type"].startswith("text/javascript"), (path, headers)
    # a second visit asks again and gets "not modified" (the browser keeps the files)
    with page.expect_response(lambda r: r.url.endswith("/static/js/main.js")) as again:
        page.reload()
    assert again.value.status in (200, 304)
    assert again.value.request.headers.get("if-none-match") or again.value.status == 200
    assert page.rec.external() == [] and page.rec.console_errors == []


def test_every_file_the_page_loads_ships_in_the_package():
    """The wheel (and the Docker image built from it) carries what pyproject's package-data
    names; a module left out would load locally (editable install) and 404 in the image."""
    import tomllib

    pyproject = tomllib.loads((STATIC.parents[2] / "pyproject.toml").read_text("utf-8"))
    globs = pyproject["tool"]["setuptools"]["package-data"]["emby_processor"]
    package = STATIC.parent
    shipped = {path for pattern in globs for path in package.glob(pattern) if path.is_file()}
    files = {path for path in STATIC.rglob("*") if path.is_file()}
    assert files - shipped == set(), "static files the package would leave out"


def test_stats_change_on_screen_within_5_seconds(dash: Dash, page):
    """No ?poll= override: the real 5-second cycle."""
    ids = dash.seed.many([simple(n, "error") for n in range(1, 4)])
    open_dashboard(page, dash, query="")
    expect(page.locator("#stat-needs_attention")).to_have_text("3")
    expect(page.locator("#stat-pending")).to_have_text("0")

    dash.db.retry(ids[0])  # someone else (the CLI, another tab) changes the queue
    changed = time.monotonic()
    expect(page.locator("#stat-needs_attention")).to_have_text("2", timeout=6000)
    expect(page.locator("#stat-pending")).to_have_text("1", timeout=1000)
    elapsed = time.monotonic() - changed
    assert elapsed <= 5.5, f"stats took {elapsed:.1f} s to change"
    # the chart follows the same numbers
    expect(page.locator("#chart-title")).to_contain_text("Pending 1")


def test_health_panel_shows_workers_checks_and_problems(dash: Dash, page):
    dash.db.beat("FileProcessor", "running", processed=12)
    dash.db.beat("EmbyUpdater", "idle")
    # RetryHandler never beat: stopped, so the service is degraded and says why
    open_dashboard(page, dash)
    expect(page.locator("#overall-status")).to_have_text("degraded")
    workers = page.locator("#health-workers")
    expect(workers).to_contain_text("FileProcessor")
    expect(workers).to_contain_text("running")
    expect(workers).to_contain_text("RetryHandler")
    expect(workers).to_contain_text("stopped")
    problem = page.locator(".check-warning[data-check='workers']")
    expect(problem).to_contain_text("RetryHandler stopped")
    expect(page.locator("[data-check='emby']")).to_contain_text("4.8.10 'living-room'")
    expect(page.locator("#health-body")).to_contain_text("connected")
    expect(page.locator("#health-meta")).to_contain_text("up ")

    dash.workers()  # everything comes back
    expect(page.locator("#overall-status")).to_have_text("healthy")
    expect(page.locator(".check-warning")).to_have_count(0)


def test_pause_resume_and_scan_now(dash: Dash, page):
    """Harmless and reversible: each acts at once, pause and resume with an Undo."""
    dash.workers()
    open_dashboard(page, dash)
    page.click("#act-pause")
    expect(page.locator("#confirm-modal")).to_be_hidden()
    expect(page.locator(".toast")).to_contain_text("Workers paused")
    assert dash.db.get_control("paused") == "1"
    expect(page.locator("#paused-badge")).to_be_visible()
    expect(page.locator("#act-pause")).to_have_text("Resume workers")
    # the workers show it at once, before their next heartbeat
    expect(page.locator("#health-workers")).to_contain_text("paused")
    page.locator(".toast").get_by_role("button", name="Resume").click()  # the Undo
    expect(page.locator(".toast").last).to_contain_text("Workers resumed")
    expect(page.locator("#act-pause")).to_have_text("Pause workers")
    assert dash.db.get_control("paused") == "0"
    page.click("#act-pause")
    expect(page.locator("#act-pause")).to_have_text("Resume workers")
    page.click("#act-pause")
    expect(page.locator("#act-pause")).to_have_text("Pause workers")
    assert dash.db.get_control("paused") == "0"

    page.click("#act-scan")
    expect(page.locator(".toast").last).to_contain_text("Scan requested")
    assert dash.db.get_control("scan_requested_at")


def test_dark_mode_follows_the_system_and_toggles(dash: Dash, browser):
    context = browser.new_context(color_scheme="dark", viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        rec = attach_recorder(page)
        open_dashboard(page, dash)
        html = page.locator("html")
        expect(html).to_have_attribute("data-bs-theme", "dark")
        page.click("#theme-toggle")
        expect(html).to_have_attribute("data-bs-theme", "light")
        page.reload()  # the choice is remembered
        expect(html).to_have_attribute("data-bs-theme", "light")
        page.click("#theme-toggle")  # back to what the system says: follows the system again
        expect(html).to_have_attribute("data-bs-theme", "dark")
        assert page.evaluate("localStorage.getItem('emby-processor.theme')") is None
        assert rec.page_errors == []
    finally:
        context.close()


def test_tablet_width_has_no_horizontal_page_scroll(dash: Dash, browser):
    long_name = "Extraordinarily-Long-Actress-Name-Without-Any-Spaces-" * 3
    dash.seed.many([
        Item("/watch/" + "very_long_folder_name/" * 8 + "ABP-001.mp4", "error", code="ABP-001",
             actresses=[long_name], error="x" * 400),
        *[simple(n, "completed", actresses=["Kaede Fua"]) for n in range(2, 30)],
    ])
    for n in range(40):
        dash.logs.append("INFO", "emby_processor.test", "word" * 80 + f" {n}")
    context = browser.new_context(viewport={"width": 768, "height": 1024})
    try:
        page = context.new_page()
        rec = attach_recorder(page)
        open_dashboard(page, dash)
        expect(page.locator("#log-view .log-line")).to_have_count(40)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"the page scrolls sideways by {overflow}px at 768 px"
        # the table keeps its columns and scrolls inside its own container instead
        box = page.locator(".queue-scroll").bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 768
        assert rec.page_errors == []
    finally:
        context.close()


def test_keyboard_opens_details_and_focus_returns(dash: Dash, page):
    dash.seed.add(simple(7, "completed", actresses=["Hitomi"], metadata={"title": "T"}))
    open_dashboard(page, dash)
    page.keyboard.press("/")
    expect(page.locator("#filter-q")).to_be_focused()
    button = page.get_by_role("button", name="View details of item 1")
    button.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#detail-modal")).to_be_visible()
    expect(page.locator("#detail-title")).to_contain_text("ABP-007")
    expect(page.locator("#detail-modal")).to_be_focused()  # shown: the focus trap is active
    page.keyboard.press("Escape")
    expect(page.locator("#detail-modal")).to_be_hidden()
    expect(button).to_be_focused()  # Bootstrap hands focus back to the opener


def test_hidden_tab_stops_polling_and_visible_resumes(dash: Dash, page):
    open_dashboard(page, dash, query="poll=0.3")
    polls: list[str] = []
    page.on("request", lambda r: "/api/stats" in r.url and polls.append(r.url))
    page.evaluate("""() => {
        Object.defineProperty(document, 'hidden', {configurable: true, get: () => true});
        Object.defineProperty(document, 'visibilityState',
                              {configurable: true, get: () => 'hidden'});
        document.dispatchEvent(new Event('visibilitychange'));
    }""")
    page.wait_for_timeout(300)  # a cycle already in flight may finish
    before = len(polls)
    page.wait_for_timeout(1500)  # five poll intervals of silence (proving an absence needs time)
    assert len(polls) == before, "the page kept polling while hidden"
    with page.expect_request(lambda r: "/api/stats" in r.url, timeout=2000):
        page.evaluate("""() => {
            Object.defineProperty(document, 'hidden', {configurable: true, get: () => false});
            Object.defineProperty(document, 'visibilityState',
                                  {configurable: true, get: () => 'visible'});
            document.dispatchEvent(new Event('visibilitychange'));
        }""")
