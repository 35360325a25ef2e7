"""The "Needs you" inbox and the health badge, as a person uses them."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from emby_processor.health import CheckResult
from tests.dashboard.conftest import Dash, Item, open_dashboard, simple

pytestmark = pytest.mark.browser

ROWS = "#queue-body tr[data-id]"


def test_a_group_opens_its_items_and_is_retried_on_purpose(dash: Dash, page):
    dash.workers()
    unknown = dash.seed.many([simple(n, "error", stage="metadata", cause="unknown_code",
                                     error=f"ABP-{n:03d} not found by metatube")
                              for n in range(1, 5)])
    dash.seed.many([Item("/watch/clip.mp4", "error", cause="no_code", error="no code"),
                    simple(9, "completed")])
    open_dashboard(page, dash)
    group = page.locator("#inbox-body [data-cause='unknown_code']")
    expect(group.locator("h3")).to_have_text("4 codes unknown to every provider")
    expect(group.locator(".inbox-item")).to_have_count(3)  # the newest few
    expect(page.locator("#inbox-count")).to_have_text("5")

    group.get_by_role("button", name="Show all 4").click()
    expect(page.locator(ROWS)).to_have_count(4)
    expect(page.locator("#cause-chip-row")).to_contain_text("No metadata site knows this code")
    expect(page.locator("#filter-status")).to_have_value("needs_attention")
    assert "cause=unknown_code" in page.url
    page.click("#cause-chip-clear")
    expect(page.locator(ROWS)).to_have_count(5)

    # the person added .nfo files: the group is retried, the file with no code is left alone
    group.get_by_role("button", name="Retry these 4").click()
    expect(page.locator(".toast")).to_contain_text("4 items back to pending")
    assert {dash.db.require(i).status for i in unknown} == {"pending"}
    expect(page.locator("#inbox-body [data-cause='unknown_code']")).to_have_count(0)
    expect(page.locator("#inbox-body [data-cause='no_code']")).to_contain_text("1 file has no code")


def test_the_health_badge_says_why_and_a_known_warning_is_acknowledged(dash: Dash, page):
    dash.workers()
    dash.health.upstream_checks.update({
        "provider:metatube": lambda: CheckResult("provider:metatube", "ok", "answers"),
        "provider:r18dev": lambda: CheckResult("provider:r18dev", "error", "blocked (HTTP 403)"),
    })
    dash.health.refresh_now()
    open_dashboard(page, dash)
    badge = page.locator("#overall-status")
    expect(badge).to_have_text("healthy · 1 warning")  # one provider blocked: nothing is lost
    badge.click()
    dialog = page.locator("#health-modal")
    expect(dialog).to_be_visible()
    warning = page.locator("#health-warnings [data-check='provider:r18dev']")
    expect(warning).to_contain_text("blocked (HTTP 403) (metatube still answers)")
    warning.get_by_role("button", name="Acknowledge").click()
    expect(page.locator("#health-warnings")).to_have_count(0)
    expect(dialog.get_by_role("button", name="Show again: provider:r18dev")).to_be_focused()
    expect(badge).to_have_text("healthy")
    page.keyboard.press("Escape")
    expect(page.locator("#health-acknowledged")).to_contain_text("1 acknowledged warning")

    dash.db.beat("EmbyUpdater", "stopped")  # a capability is lost: the badge says so, and why
    expect(badge).to_have_text("degraded")
    badge.click()
    expect(page.locator("#health-reasons")).to_contain_text("EmbyUpdater stopped")
