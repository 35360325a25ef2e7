"""The page's words come from the service (GET /api/meta): statuses, stages, causes of failure
and column titles are written once, in emby_processor.vocabulary, and the page shows them."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from emby_processor.vocabulary import CAUSES
from tests.dashboard.conftest import Dash, Item, open_dashboard, simple

pytestmark = pytest.mark.browser

ROWS = "#queue-body tr[data-id]"


def renamed(dash: Dash) -> dict[str, Any]:
    """The vocabulary with some words changed, as a later version of the service might say them."""
    doc: dict[str, Any] = httpx.get(f"{dash.url}/api/meta").json()
    for entry in doc["troubles"]:
        if entry["name"] == "needs_attention":
            entry["label"] = "Stuck"
    for entry in doc["stages"]:
        if entry["name"] == "identify":
            entry["label"] = "Reading the name"
    for entry in doc["actions"]:
        if entry["name"] == "set_code":
            entry["label"] = "Type the code…"
    for entry in doc["row_fields"]:
        if entry["name"] == "movie_code":
            entry["label"] = "Product"
    for entry in doc["sorts"]:
        if entry["name"] == "oldest":
            entry["label"] = "Earliest first"
    return doc


def test_the_page_shows_the_services_words(dash: Dash, page):
    (item_id,) = dash.seed.many([Item("/watch/holiday.mp4", "error", "identify",
                                      error="no code in 'holiday.mp4'", cause="no_code")])
    doc = renamed(dash)
    metas: list[str] = []

    def serve(route: Any) -> None:
        metas.append(route.request.url)
        route.fulfill(status=200, content_type="application/json", body=json.dumps(doc))

    page.route("**/api/meta", serve)
    open_dashboard(page, dash, query="poll=0.3")

    expect(page.locator("#stats .stat-needs_attention .stat-label")).to_have_text("Stuck")
    expect(page.locator("#filter-status option[value='needs_attention']")).to_have_text("Stuck")
    expect(page.locator("#filter-sort option[value='oldest']")).to_have_text("Earliest first")
    expect(page.locator("#queue-head th").nth(2)).to_have_text("Product")  # after select, id
    expect(page.locator("#chart-title")).to_contain_text("Stuck 1")
    row = page.locator(f"{ROWS}[data-id='{item_id}']")
    expect(row).to_contain_text("Stuck")
    expect(row).to_contain_text("Reading the name")
    expect(row.get_by_role("button", name="Type the code…")).to_be_visible()
    # what happened is the item's own sentence, from the service's message catalogue
    expect(row.locator(".cause")).to_have_text("No movie code could be read from “holiday.mp4”.")
    expect(row.locator(".cause")).to_have_attribute("title", "no code in 'holiday.mp4'")

    row.get_by_role("button", name=f"View details of item {item_id}").click()
    expect(page.locator("#detail-cause")).to_have_text(
        "No movie code could be read from “holiday.mp4”.")
    expect(page.locator("#detail-hint")).to_have_text(f"What to do: {CAUSES['no_code'].hint}")
    expect(page.locator("#detail-actions")).to_contain_text("Type the code…")

    # loaded once, not on every poll
    with page.expect_request(lambda r: "/api/stats" in r.url):
        pass
    with page.expect_request(lambda r: "/api/stats" in r.url):
        pass
    assert len(metas) == 1


def test_an_error_row_says_what_happened_in_a_sentence(dash: Dash, page):
    ids = dash.seed.many([
        simple(1, "error", stage="emby", error="Emby did not index /x.mp4 in 900 s",
               kind="transient", cause="not_indexed"),
        simple(2, "error", stage="organize", error="target exists: /library/A/ABP-002.mp4",
               cause="target_exists"),
    ])
    open_dashboard(page, dash)
    for item_id, message, raw in (
        (ids[0], "The media server has not found ABP-001 yet.",
         "Emby did not index /x.mp4 in 900 s"),
        (ids[1], "The library already has a file where ABP-002 belongs.",
         "target exists: /library/A/ABP-002.mp4"),
    ):
        row = page.locator(f"{ROWS}[data-id='{item_id}']")
        expect(row.locator(".cause")).to_have_text(message)
        expect(row.locator(".cause")).to_have_attribute("title", raw)
    expect(page.locator(f"{ROWS}[data-id='{ids[0]}']")).to_contain_text("Media server")  # stage
    # the duplicate's row offers what settles it, not a Retry that would only fail again
    duplicate = page.locator(f"{ROWS}[data-id='{ids[1]}']")
    expect(duplicate.get_by_role("button", name="Settle the duplicate…")).to_be_visible()
    expect(duplicate.get_by_role("button", name="Retry")).to_have_count(0)

    page.get_by_role("button", name=f"View details of item {ids[0]}").click()
    box = page.locator("#detail-error")
    expect(box).to_contain_text("The media server has not found ABP-001 yet.")
    expect(box).to_contain_text(CAUSES["not_indexed"].hint)
    expect(box).to_contain_text("Needs you")  # retries used up: a person decides
    expect(box.locator("summary", has_text="Technical details")).to_be_visible()
    expect(box.get_by_text("Emby did not index /x.mp4 in 900 s")).to_be_hidden()  # folded
    box.locator("summary", has_text="Technical details").click()
    expect(box.get_by_text("Emby did not index /x.mp4 in 900 s")).to_be_visible()


def test_start_up_waits_for_the_vocabulary_while_the_server_is_unreachable(dash: Dash, page):
    dash.seed.many([simple(1, "completed")])
    page.route("**/api/meta", lambda route: route.abort("connectionrefused"))
    page.goto(f"{dash.url}/?poll=0.5")
    banner = page.locator("#offline-banner")
    expect(banner).to_be_visible()
    expect(page.locator("body[data-ready='true']")).to_have_count(0)
    page.unroute("**/api/meta")
    page.click("#offline-retry")
    expect(page.locator("body[data-ready='true']")).to_have_count(1)
    expect(banner).to_be_hidden()
    expect(page.locator(f"{ROWS} .code")).to_have_text(["ABP-001"])
    expect(page.locator("#log-status")).to_have_text("live")
