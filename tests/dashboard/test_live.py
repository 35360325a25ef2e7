"""Live parts: the log stream, markup in data, and a server that goes away and comes back."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.dashboard.conftest import Dash, Item, open_dashboard, simple

pytestmark = pytest.mark.browser

IMG = "<img src=x onerror=alert(1)>"
SCRIPT = "<script>window.__xss=1</script>"
LINES = "#log-view .log-line"


def follows(page) -> bool:
    return page.evaluate(
        "(() => { const v = document.getElementById('log-view');"
        " return v.scrollHeight - v.scrollTop - v.clientHeight < 8; })()")


def test_live_log_backlog_then_live_lines_and_the_view_follows(dash: Dash, page):
    for n in range(150):
        dash.logs.append("INFO", "emby_processor.test", f"old line {n}")
    open_dashboard(page, dash)
    # the last 100 lines first
    expect(page.locator(LINES)).to_have_count(100)
    expect(page.locator(LINES).first).to_contain_text("old line 50")
    expect(page.locator("#log-status")).to_have_text("live")
    assert follows(page)

    # live lines, coloured by level, and the view stays at the bottom
    dash.logs.append("WARNING", "emby_processor.workers", "provider slow")
    dash.logs.append("ERROR", "emby_processor.workers", "emby push failed", 7)
    expect(page.locator(LINES).last).to_contain_text("emby push failed")
    expect(page.locator(f"{LINES}.log-ERROR")).to_have_count(1)
    expect(page.locator(f"{LINES}.log-WARNING")).to_contain_text("provider slow")
    expect(page.locator(f"{LINES}.log-ERROR .log-item")).to_have_text("#7")
    # a function, not an expression: Playwright eval()s a string expression while it waits,
    # which the page's CSP refuses
    page.wait_for_function("() => document.getElementById('log-view').dataset.follow === 'true'")
    assert follows(page)

    # scrolling up pauses auto-scroll; new lines wait below
    page.eval_on_selector("#log-view", "v => { v.scrollTop = 0; }")
    expect(page.locator("#log-view")).to_have_attribute("data-follow", "false")
    for n in range(5):
        dash.logs.append("INFO", "emby_processor.test", f"while reading {n}")
    expect(page.locator(LINES).last).to_contain_text("while reading 4")
    expect(page.locator("#log-jump")).to_have_text("5 new lines ↓")
    assert page.eval_on_selector("#log-view", "v => v.scrollTop") == 0

    # back at the bottom it follows again
    page.click("#log-jump")
    expect(page.locator("#log-view")).to_have_attribute("data-follow", "true")
    dash.logs.append("INFO", "emby_processor.test", "after resuming")
    expect(page.locator(LINES).last).to_contain_text("after resuming")
    page.wait_for_function(
        "() => { const v = document.getElementById('log-view');"
        " return v.scrollHeight - v.scrollTop - v.clientHeight < 8; }")


def test_log_level_filter(dash: Dash, page):
    dash.logs.append("DEBUG", "t", "debug detail")
    dash.logs.append("INFO", "t", "info line")
    dash.logs.append("ERROR", "t", "error line")
    open_dashboard(page, dash)
    expect(page.locator(LINES)).to_have_count(3)
    page.select_option("#log-level", "ERROR")
    expect(page.locator(LINES)).to_have_count(1)
    expect(page.locator(LINES)).to_contain_text("error line")
    assert "log_level=ERROR" in page.url
    dash.logs.append("WARNING", "t", "a warning")
    dash.logs.append("CRITICAL", "t", "critical line")
    expect(page.locator(LINES)).to_have_count(2)
    expect(page.locator(LINES).last).to_contain_text("critical line")


def test_markup_in_filenames_metadata_errors_and_logs_is_shown_as_text(dash: Dash, page):
    evil = f"{IMG}{SCRIPT}"
    item_id = dash.seed.add(Item(
        f"/watch/{evil}.mp4", "error", "emby", code="ABP-666", actresses=[evil], title=evil,
        metadata={"title": evil, "studio": SCRIPT, evil: [IMG]}, error=f"failed: {evil}",
        library_path=f"/library/{evil}/ABP-666.mp4"))
    dash.logs.append("ERROR", "emby_processor.workers", f"cannot parse {evil}", item_id)
    open_dashboard(page, dash)

    row = page.locator(f"#queue-body tr[data-id='{item_id}']")
    expect(row.locator(".actress-cell")).to_have_text(evil)
    # the file name column shows the part after the last "/" (here the one in "</script>");
    # the whole path is on hover and in the detail view
    expect(row.locator(".file")).to_have_text("script>.mp4")
    expect(row.locator("td[title]").first).to_have_attribute("title", f"{evil}\n/watch/{evil}.mp4")
    expect(row.locator(".cause")).to_have_attribute("title", f"failed: {evil}")  # the raw text
    expect(page.locator("#actresses")).to_contain_text(evil)
    expect(page.locator("#log-view")).to_contain_text(f"cannot parse {evil}")

    row.get_by_role("button", name=f"View details of item {item_id}").click()
    body = page.locator("#detail-body")
    expect(body).to_contain_text(f"/watch/{evil}.mp4")
    expect(body).to_contain_text(f"/library/{evil}/ABP-666.mp4")
    expect(page.locator("#detail-error")).to_contain_text(f"failed: {evil}")
    expect(page.locator("#detail-metadata")).to_contain_text(f'"studio": "{SCRIPT}"')
    page.locator("#detail-metadata-box > summary").click()  # the metadata as fetched, folded
    page.locator("#detail-body summary", has_text="Raw JSON").click()
    expect(page.locator("#detail-metadata-raw")).to_contain_text(IMG)

    # nothing ran and no element came out of the data
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert page.locator("img[src='x']").count() == 0
    assert page.locator("body script:not([src])").count() == 0
    assert page.rec.dialogs == []
    assert not [e for e in page.rec.console_errors if "Content Security Policy" in e], \
        "markup reached the DOM as markup (the CSP had to block it)"


def test_server_going_away_shows_a_banner_then_recovers_by_itself(dash: Dash, page):
    dash.seed.many([simple(1, "completed"), simple(2, "error")])
    dash.logs.append("INFO", "emby_processor.test", "before the restart")
    open_dashboard(page, dash)
    banner = page.locator("#offline-banner")
    expect(banner).to_be_hidden()
    expect(page.locator("#log-status")).to_have_text("live")

    dash.stop()
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Server unreachable")
    expect(page.locator("#log-status")).not_to_have_text("live")
    # the page keeps what it showed
    expect(page.locator("#stat-total")).to_have_text("2")

    dash.seed.add(simple(3, "pending"))  # changes while it was away show up after recovery
    dash.start()  # a new server on the same port, as after `docker restart`
    expect(banner).to_be_hidden(timeout=15_000)
    expect(page.locator("#stat-total")).to_have_text("3")
    expect(page.locator(".toast").last).to_contain_text("Connection to the server restored")
    expect(page.locator("#log-status")).to_have_text("live", timeout=15_000)
    dash.logs.append("INFO", "emby_processor.test", "after the restart")
    expect(page.locator("#log-view .log-line").last).to_contain_text("after the restart")
    # no line shown twice after the reconnect
    expect(page.locator("#log-view .log-line", has_text="before the restart")).to_have_count(1)
