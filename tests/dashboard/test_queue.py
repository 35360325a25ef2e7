"""The queue table and the actions on items, as a person uses them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from emby_processor.db import NewEvent
from tests.dashboard.conftest import Dash, Item, attach_recorder, open_dashboard, simple

pytestmark = pytest.mark.browser

ROWS = "#queue-body tr[data-id]"


def codes(page) -> list[str]:
    return page.locator(f"{ROWS} .code").all_inner_texts()


def test_filter_and_search_narrow_the_table(dash: Dash, page):
    dash.seed.many([
        simple(1, "completed", actresses=["Kaede Fua"]),
        simple(2, "completed", actresses=["Hitomi"]),
        simple(3, "error", prefix="SSIS", actresses=["Hitomi"]),
        simple(4, "error", prefix="IPX"),
        simple(5, "pending", prefix="IPX", actresses=["Yua Mikami"]),
    ])
    open_dashboard(page, dash)
    expect(page.locator(ROWS)).to_have_count(5)

    page.select_option("#filter-status", "error")
    expect(page.locator(ROWS)).to_have_count(2)
    assert sorted(codes(page)) == ["IPX-004", "SSIS-003"]
    expect(page.locator("#queue-summary")).to_have_text("2 items match")

    page.fill("#filter-q", "hitomi")  # one box: code, actress, title or path (debounced)
    expect(page.locator(f"{ROWS} .code")).to_have_text(["SSIS-003"])

    page.select_option("#filter-status", "")
    expect(page.locator(f"{ROWS} .code")).to_have_text(["SSIS-003", "ABP-002"])

    page.fill("#filter-q", "IPX")  # a code prefix
    expect(page.locator(f"{ROWS} .code")).to_have_text(["IPX-005", "IPX-004"])

    page.fill("#filter-q", "nothing-like-this")
    expect(page.locator(ROWS)).to_have_count(0)
    expect(page.locator("#queue-body")).to_contain_text("No item matches these filters.")

    page.click("#filter-clear")
    expect(page.locator(ROWS)).to_have_count(5)

    # a stats card filters by its status; an actress in the top list filters by her
    page.click("#stats .stat-needs_attention")
    expect(page.locator(ROWS)).to_have_count(2)
    page.click("#filter-clear")
    page.get_by_role("button", name="Status distribution and top actresses").click()  # folded
    page.click("#actresses button[data-actress='Hitomi']")
    expect(page.locator("#actress-chip-row")).to_be_visible()
    expect(page.locator(ROWS)).to_have_count(2)
    page.click("#actress-chip-clear")
    expect(page.locator(ROWS)).to_have_count(5)


def test_search_is_debounced_to_one_request(dash: Dash, page):
    dash.seed.many([simple(n, "completed") for n in range(1, 4)])
    open_dashboard(page, dash, query="poll=60")  # no background polls in the way
    searches: list[str] = []
    page.on("request",
            lambda r: "/api/queue?" in r.url and "q=" in r.url and searches.append(r.url))
    page.locator("#filter-q").press_sequentially("ABP-002", delay=30)
    expect(page.locator(ROWS)).to_have_count(1)
    assert len(searches) == 1 and "q=ABP-002" in searches[0]


def test_paging_50_per_page_with_total(dash: Dash, page):
    dash.seed.many([simple(n, "completed") for n in range(1, 121)])
    open_dashboard(page, dash)
    expect(page.locator(ROWS)).to_have_count(50)
    expect(page.locator("#page-info")).to_have_text("1–50 of 120")
    assert codes(page)[0] == "ABP-120"  # newest first

    page.get_by_role("button", name="Next page").click()
    expect(page.locator("#page-info")).to_have_text("51–100 of 120")
    expect(page.locator(f"{ROWS} .code").first).to_have_text("ABP-070")
    assert "page=2" in page.url

    page.get_by_role("button", name=re.compile(r"^Last page")).click()
    expect(page.locator("#page-info")).to_have_text("101–120 of 120")
    expect(page.locator(ROWS)).to_have_count(20)
    expect(page.get_by_role("button", name="Next page")).to_be_disabled()

    page.get_by_role("button", name="Page 1", exact=True).click()
    expect(page.locator("#page-info")).to_have_text("1–50 of 120")

    page.select_option("#filter-sort", "oldest")
    expect(page.locator(f"{ROWS} .code").first).to_have_text("ABP-001")


def test_filter_search_and_page_live_in_the_url(dash: Dash, page):
    dash.seed.many([simple(n, "error", prefix="SSIS") for n in range(1, 61)])
    dash.seed.many([simple(n, "completed") for n in range(1, 4)])
    open_dashboard(page, dash)
    page.select_option("#filter-status", "error")
    page.fill("#filter-q", "SSIS")
    expect(page).to_have_url(re.compile(r"q=SSIS"))
    expect(page.locator("#page-info")).to_have_text("1–50 of 60")
    page.get_by_role("button", name="Next page").click()
    expect(page.locator("#page-info")).to_have_text("51–60 of 60")
    assert "status=error" in page.url and "q=SSIS" in page.url and "page=2" in page.url
    assert "poll=0.5" in page.url  # other parameters survive

    page.reload()  # a reload (or a shared link) shows the same view
    expect(page.locator("#page-info")).to_have_text("51–60 of 60")
    expect(page.locator("#filter-status")).to_have_value("error")
    expect(page.locator("#filter-q")).to_have_value("SSIS")
    expect(page.locator(ROWS)).to_have_count(10)


def test_retry_turns_an_error_row_pending_without_a_reload(dash: Dash, page):
    (item_id,) = dash.seed.many([simple(1, "error", error="MetaTube: no such movie")])
    open_dashboard(page, dash, query="poll=60")  # the change must come from the click
    row = page.locator(f"{ROWS}[data-id='{item_id}']")
    expect(row).to_contain_text("Needs you")
    expect(row.locator(".cause")).to_have_attribute("title", "MetaTube: no such movie")
    page.evaluate("window.__sameDocument = true")

    row.get_by_role("button", name=f"Retry item {item_id}").click()  # harmless: at once
    expect(page.locator("#confirm-modal")).to_be_hidden()

    expect(row).to_contain_text("Pending")
    expect(row.get_by_role("button", name=f"Retry item {item_id}")).to_have_count(0)
    expect(page.locator(".toast")).to_contain_text(f"Item #{item_id} is pending again")
    assert dash.db.require(item_id).status == "pending"
    assert page.evaluate("window.__sameDocument") is True  # no reload happened


def test_cancelled_confirmation_changes_nothing(dash: Dash, page):
    (item_id,) = dash.seed.many([Item("/watch/clip.mp4", "error", cause="no_code")])
    open_dashboard(page, dash)
    page.locator("#inbox-body").get_by_role(
        "button", name=f"Ignore this file… item {item_id}").click()
    expect(page.locator("#confirm-modal")).to_be_visible()
    expect(page.locator("#confirm-text")).to_contain_text("never picked up again")
    page.click("#confirm-cancel")
    expect(page.locator("#confirm-modal")).to_be_hidden()
    assert dash.db.require(item_id).status == "error"


def test_detail_modal_shows_metadata_paths_error_and_timeline(dash: Dash, page):
    metadata = {
        "code": "SSIS-001", "title": "The title", "studio": "S1 NO.1 STYLE",
        "release_date": "2021-02-19", "actresses": [{"name": "Hitomi", "name_ja": "ひとみ"}],
        "genres": ["Drama", "Solowork"], "runtime_minutes": 120, "cover_url": None,
    }
    item_id = dash.seed.add(Item(
        "/watch/incoming/ssis-001.mp4", "error", "emby", code="SSIS-001", actresses=["Hitomi"],
        title="The title", metadata=metadata, error="Emby did not index the file in 900 s",
        kind="transient", library_path="/library/Hitomi/SSIS-001/SSIS-001.mp4",
        server_path="/mnt/media/Hitomi/SSIS-001/SSIS-001.mp4"))
    dash.logs.append("INFO", "emby_processor.workers", "about this item", item_id)
    dash.logs.append("INFO", "emby_processor.workers", "about another item", 999)
    open_dashboard(page, dash)
    page.get_by_role("button", name=f"View details of item {item_id}").click()
    modal = page.locator("#detail-modal")
    expect(modal).to_be_visible()
    expect(page.locator("#detail-title")).to_have_text(f"Item #{item_id} · SSIS-001")

    raw = page.locator("#detail-metadata-raw")
    page.locator("#detail-metadata-box > summary").click()  # the metadata as fetched, folded
    page.locator("#detail-body summary", has_text="Raw JSON").click()
    expect(raw).to_be_visible()
    import json

    assert json.loads(raw.inner_text()) == metadata
    tree = page.locator("#detail-metadata")
    expect(tree).to_contain_text('"studio": "S1 NO.1 STYLE"')
    expect(tree).to_contain_text('"name_ja": "ひとみ"')
    genres = tree.locator("details", has_text='"genres"').last
    genres.locator("summary").first.click()  # collapsible
    expect(genres).not_to_have_attribute("open", "")

    body = page.locator("#detail-body")
    for text in ("/watch/incoming/ssis-001.mp4", "/library/Hitomi/SSIS-001/SSIS-001.mp4",
                 "/mnt/media/Hitomi/SSIS-001/SSIS-001.mp4"):
        expect(body).to_contain_text(text)
    expect(page.locator("#detail-error")).to_contain_text("Emby did not index the file in 900 s")
    expect(page.locator("#detail-error")).to_contain_text("transient")
    expect(body).to_contain_text("Retries")
    expect(body.locator("dd", has_text="waits for a person")).to_have_count(1)
    events = page.locator("#detail-events li")
    expect(events.last).to_contain_text("queued")  # newest first
    expect(events.first).to_contain_text("error")
    expect(page.locator("#detail-events")).to_contain_text("moved into the library")
    expect(page.locator("#detail-events")).to_contain_text("13 ms")  # 12.5, rounded

    # the movie as people read it: title, actresses, date, each with its source
    fields = page.locator("#detail-fields")
    expect(fields).to_contain_text("The title")
    expect(fields).to_contain_text("Hitomi")
    expect(fields).to_contain_text("2021-02-19")

    # re-fetch metadata: harmless, at once
    page.locator("#detail-actions").get_by_role("button", name="Re-fetch metadata").click()
    expect(page.locator("#detail-confirm")).to_be_hidden()
    expect(page.locator(".toast")).to_contain_text("metadata will be fetched again")
    item = dash.db.require(item_id)
    assert item.status == "pending" and item.stage == "metadata" and item.refresh_metadata
    expect(page.locator("#detail-events")).to_contain_text("metadata re-fetch requested")

    # while open, the detail follows the item (next poll), keeping what the user unfolded
    dash.db.update_fields(item_id, event=NewEvent("metadata", "ok", "fetched again from metatube",
                                                  410.0))
    expect(page.locator("#detail-events")).to_contain_text("fetched again from metatube")
    expect(raw).to_be_visible()

    # "logs of this item" filters the live log by item id
    page.click("#detail-logs")
    expect(modal).to_be_hidden()
    expect(page.locator("#log-item-chip")).to_be_visible()
    expect(page.locator("#log-view")).to_contain_text("about this item")
    expect(page.locator("#log-view")).not_to_contain_text("about another item")
    assert f"log_item={item_id}" in page.url


def test_retry_now_leaves_what_needs_a_person_and_ignore_asks_first(dash: Dash, page):
    retrying = dash.seed.many([simple(n, "error", kind="transient", retry_in=600,
                                      cause="provider_unreachable") for n in (1, 2)])
    stuck = dash.seed.many([simple(3, "error", stage="identify", cause="no_code"),
                            simple(9, "completed")])
    open_dashboard(page, dash)
    expect(page.locator("#stat-retrying")).to_have_text("2")
    expect(page.locator("#stat-needs_attention")).to_have_text("1")
    row = page.locator(f"{ROWS}[data-id='{retrying[0]}']")
    expect(row.locator(".attempt")).to_contain_text("attempt 2 of 6, next in 10 minutes")
    expect(page.locator("#act-retry-errors")).to_have_text("Retry now (2)")
    page.click("#act-retry-errors")  # at once: only what a retry can fix
    expect(page.locator(".toast")).to_contain_text("2 items back to pending")
    expect(page.locator("#stat-retrying")).to_have_text("0")
    assert {dash.db.require(i).status for i in retrying} == {"pending"}
    assert dash.db.require(stuck[0]).status == "error"  # no code: a retry would only fail

    # a completed item offers nothing to ignore; an error item's Ignore asks, then says it
    page.get_by_role("button", name=f"View details of item {stuck[1]}").click()
    expect(page.locator("#detail-title")).to_contain_text(f"Item #{stuck[1]}")
    # open, with focus inside, so Escape reaches it
    page.wait_for_function("document.getElementById('detail-modal').contains(document.activeElement)")
    expect(page.locator("#detail-actions").get_by_role("button", name="Ignore")).to_have_count(0)
    page.keyboard.press("Escape")
    expect(page.locator("#detail-modal")).to_be_hidden()
    page.get_by_role("button", name=f"View details of item {stuck[0]}").click()
    page.locator("#detail-actions").get_by_role("button", name="Ignore this file…").click()
    expect(page.locator("#detail-confirm-text")).to_contain_text("never picked up again")
    page.click("#detail-confirm-yes")
    expect(page.locator("#detail-title")).to_contain_text("no longer in the queue")
    expect(page.locator(f"{ROWS}[data-id='{stuck[0]}']")).to_have_count(0)
    assert dash.db.get(stuck[0]) is None
    expect(page.locator("#act-ignored")).to_have_text("Ignored files (1)")


def test_cleanup_says_how_many_before_it_removes_them(dash: Dash, page):
    old = dash.seed.many([simple(n, "completed") for n in range(1, 6)])
    recent = dash.seed.many([simple(n, "completed") for n in range(6, 8)])
    kept = dash.seed.many([simple(8, "error"), simple(9, "pending")])
    dash.seed.backdate_completed(old)  # completed in 2020
    open_dashboard(page, dash)
    expect(page.locator(ROWS)).to_have_count(9)

    page.click("#act-cleanup")
    expect(page.locator("#cleanup-modal")).to_be_visible()
    expect(page.locator("#cleanup-days")).to_have_value("30")  # CLEANUP_COMPLETED_AFTER_DAYS
    expect(page.locator("#cleanup-count")).to_have_text(
        "5 completed items will be removed from the queue.")
    expect(page.locator("#cleanup-ok")).to_have_text("Remove 5 items")
    page.fill("#cleanup-days", "0")  # the count follows what is typed
    expect(page.locator("#cleanup-count")).to_have_text(
        "7 completed items will be removed from the queue.")
    page.fill("#cleanup-days", "30")
    expect(page.locator("#cleanup-ok")).to_have_text("Remove 5 items")
    page.click("#cleanup-ok")
    expect(page.locator(".toast")).to_contain_text(
        "Cleanup removed 5 completed items older than 30 days")
    expect(page.locator("#cleanup-modal")).to_be_hidden()
    expect(page.locator(ROWS)).to_have_count(4)
    expect(page.locator("#stat-completed")).to_have_text("2")
    shown = page.locator(ROWS).evaluate_all("rows => rows.map(r => r.dataset.id)")
    assert {int(i) for i in shown} == set(recent + kept)

    page.click("#act-cleanup")
    expect(page.locator("#cleanup-count")).to_contain_text("nothing to remove")
    expect(page.locator("#cleanup-ok")).to_be_disabled()
    page.click("#cleanup-cancel")
    expect(page.locator("#cleanup-modal")).to_be_hidden()


def test_api_token_is_asked_for_on_401_and_remembered(tmp_path: Path, browser):
    dash = Dash(tmp_path, api_token="s3cret-token").start()
    context = browser.new_context(reduced_motion="reduce")
    try:
        (item_id,) = dash.seed.many([simple(1, "error")])
        page = context.new_page()
        rec = attach_recorder(page)
        open_dashboard(page, dash)
        page.locator(f"{ROWS}[data-id='{item_id}']").get_by_role(
            "button", name=f"Retry item {item_id}").click()
        expect(page.locator("#token-modal")).to_be_visible()
        expect(page.locator("#token-text")).to_contain_text("API token")
        page.fill("#token-input", "s3cret-token")
        page.click("#token-save")
        expect(page.locator(f"{ROWS}[data-id='{item_id}']")).to_contain_text("Pending")
        assert page.evaluate("localStorage.getItem('emby-processor.apiToken')") == "s3cret-token"
        expect(page.locator("#forget-token")).to_be_visible()

        page.click("#act-scan")  # the saved token goes along without asking
        expect(page.locator(".toast").last).to_contain_text("Scan requested")
        expect(page.locator("#token-modal")).to_be_hidden()
        assert rec.page_errors == []
    finally:
        context.close()
        dash.close()
