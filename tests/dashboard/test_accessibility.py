"""Accessibility: axe-core finds no serious or critical problem on the page or in the item
dialog, in light and dark mode, at phone and desktop widths; keyboard focus never gets lost."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.dashboard.conftest import (
    Axe,
    Dash,
    Item,
    describe_violations,
    open_dashboard,
    simple,
    unfold,
)

pytestmark = pytest.mark.browser

SCHEMES = ["light", "dark"]
WIDTHS = [390, 1440]
# a function, not an expression: Playwright evaluates a string expression with eval() while it
# waits, and the page's CSP (no 'unsafe-eval') refuses that
IN_DIALOG = "() => document.getElementById('detail-modal').contains(document.activeElement)"


def seed_a_bit_of_everything(dash: Dash) -> list[int]:
    dash.db.beat("FileProcessor", "running", processed=12)
    dash.db.beat("EmbyUpdater", "idle")  # RetryHandler never beat: a health problem to show
    metadata = {"code": "ABP-001", "title": "A title", "studio": "Example",
                "actresses": [{"name": "Kaede Fua"}], "genres": ["Drama"] * 40}
    ids = dash.seed.many([
        Item("/watch/abp-001.mp4", "completed", "emby", code="ABP-001", actresses=["Kaede Fua"],
             title="A title", metadata=metadata, library_path="/library/Kaede Fua/ABP-001.mp4"),
        Item("/watch/random-name.mp4", "error", "identify", error="no movie code in the name",
             cause="no_code"),
        simple(3, "error", stage="emby", error="Emby did not index the file in 900 s",
               kind="transient", cause="not_indexed"),
        simple(4, "pending"),
        Item("/watch/ipx-005.mp4", "processing", code="IPX-005"),
    ])
    for n in range(30):
        dash.logs.append(("INFO", "WARNING", "ERROR")[n % 3], "emby_processor.test",
                         f"line {n}", ids[n % len(ids)])
    return ids


def assert_no_violations(axe: Axe, page: Any, where: str) -> None:
    found = axe.violations(page)
    assert found == [], f"axe on {where}:\n{describe_violations(found)}"


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width", WIDTHS)
def test_main_page_has_no_serious_accessibility_violation(dash: Dash, page, axe: Axe,
                                                          scheme: str, width: int):
    seed_a_bit_of_everything(dash)
    page.emulate_media(color_scheme=scheme)
    page.set_viewport_size({"width": width, "height": 900})
    open_dashboard(page, dash)
    expect(page.locator("html")).to_have_attribute("data-bs-theme", scheme)
    expect(page.locator("#log-view .log-line")).to_have_count(30)
    expect(page.locator(".check-warning")).not_to_have_count(0)
    assert_no_violations(axe, page, f"the main page ({scheme}, {width} px)")


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width", WIDTHS)
def test_detail_dialog_has_no_serious_accessibility_violation(dash: Dash, page, axe: Axe,
                                                              scheme: str, width: int):
    ids = seed_a_bit_of_everything(dash)
    page.emulate_media(color_scheme=scheme)
    page.set_viewport_size({"width": width, "height": 700})
    open_dashboard(page, dash)
    # an error with no metadata (a long body with nothing focusable in it), then a full item
    for item_id in (ids[1], ids[0]):
        page.get_by_role("button", name=f"View details of item {item_id}").click()
        expect(page.locator("#detail-modal")).to_be_visible()
        expect(page.locator("#detail-events")).to_be_visible()
        folded = page.locator("#detail-metadata-box > summary")
        if folded.count():
            folded.click()  # the metadata as fetched, unfolded, and its raw JSON
            page.locator("#detail-body summary", has_text="Raw JSON").click()
            expect(page.locator("#detail-metadata-raw")).to_be_visible()
        assert_no_violations(axe, page, f"the dialog of item {item_id} ({scheme}, {width} px)")
        page.keyboard.press("Escape")
        expect(page.locator("#detail-modal")).to_be_hidden()


def test_focus_stays_in_the_detail_dialog_after_confirming_or_cancelling(dash: Dash, page):
    (item_id,) = dash.seed.many([simple(1, "error", error="MetaTube: no such movie")])
    open_dashboard(page, dash)
    page.get_by_role("button", name=f"View details of item {item_id}").click()
    dialog = page.locator("#detail-modal")
    expect(dialog).to_be_visible()
    expect(page.locator("#detail-error")).to_contain_text("MetaTube: no such movie")  # loaded
    actions = page.locator("#detail-actions")
    ignore = actions.get_by_role("button", name="Ignore this file")
    retry = actions.get_by_role("button", name="Retry")

    # ignoring loses something: it asks in the footer; cancel gives the focus back to the button
    ignore.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#detail-confirm-yes")).to_be_focused()
    page.locator("#detail-confirm-no").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#detail-confirm")).to_be_hidden()
    expect(ignore).to_be_focused()

    # a retry acts at once: its button goes away with the error, focus stays in the dialog
    retry.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".toast")).to_contain_text(f"Item #{item_id} is pending again")
    expect(retry).to_have_count(0)
    page.wait_for_function(IN_DIALOG)
    assert dash.db.require(item_id).status == "pending"

    # and Escape still closes it
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()


def seed_fixable(dash: Dash) -> dict[str, int]:
    """One item for each fix dialog, with real files where the dialog reads them."""
    watch, library = dash.settings.watch_dirs[0], dash.settings.library_dir
    assert library is not None
    target = library / "Kaede Fua" / "ABP-123" / "ABP-123.mp4"
    target.parent.mkdir(parents=True)
    target.write_bytes(b"old" * 1000)
    source = watch / "ABP-123.mp4"
    source.write_bytes(b"new" * 2000)
    dash.db.beat("FileProcessor", "running", processed=3)
    dash.db.beat("EmbyUpdater", "idle")
    ids = dash.seed.many([
        Item(str(watch / "holiday video.mp4"), "error", "identify", cause="no_code",
             error="no movie code found in 'holiday video.mp4'"),
        Item(str(source), "error", "organize", code="ABP-123", cause="target_exists",
             error=f"target exists: {target} (source: {source})"),
        Item(str(watch / "clip.mp4"), "error", "identify", cause="no_code", error="no code"),
        simple(7, "completed"),
    ])
    dash.db.ignore(ids[2])
    return {"no_code": ids[0], "duplicate": ids[1]}


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width", WIDTHS)
def test_inbox_and_fix_dialogs_have_no_serious_accessibility_violation(
    dash: Dash, page, axe: Axe, scheme: str, width: int
):
    ids = seed_fixable(dash)
    page.emulate_media(color_scheme=scheme)
    page.set_viewport_size({"width": width, "height": 800})
    open_dashboard(page, dash)
    where = f"({scheme}, {width} px)"
    inbox = page.locator("#inbox-body")
    expect(inbox).to_contain_text("1 duplicate")
    assert_no_violations(axe, page, f"the page with the inbox {where}")

    inbox.get_by_role("button", name=f"Set code… item {ids['no_code']}").click()
    expect(page.locator("#code-modal")).to_be_visible()
    expect(page.locator("#code-input")).to_be_focused()  # once the dialog has opened
    page.keyboard.type("ipx001")
    expect(page.locator("#code-preview")).to_contain_text("Reads as IPX-001")
    assert_no_violations(axe, page, f"the set-code dialog {where}")
    page.keyboard.press("Escape")
    expect(page.locator("#code-modal")).to_be_hidden()

    inbox.get_by_role("button", name=f"Settle the duplicate… item {ids['duplicate']}").click()
    expect(page.locator("#duplicate-body")).to_contain_text("The new file is larger.")
    page.click("#duplicate-replace")  # with its confirmation showing
    expect(page.locator("#duplicate-confirm")).to_be_visible()
    assert_no_violations(axe, page, f"the duplicate dialog {where}")
    page.keyboard.press("Escape")

    inbox.get_by_role("button", name=f"Ignore this file… item {ids['no_code']}").click()
    expect(page.locator("#confirm-modal")).to_be_visible()
    assert_no_violations(axe, page, f"the ignore confirmation {where}")
    page.click("#confirm-cancel")
    expect(page.locator("#confirm-modal")).to_be_hidden()

    page.click("#inbox-ignored")
    expect(page.locator("#ignored-list li")).to_have_count(1)
    assert_no_violations(axe, page, f"the ignored files {where}")
    page.keyboard.press("Escape")
    expect(page.locator("#ignored-modal")).to_be_hidden()

    unfold(page, "Actions")  # folded on a phone
    page.click("#act-cleanup")
    expect(page.locator("#cleanup-count")).to_contain_text("nothing to remove")
    assert_no_violations(axe, page, f"the cleanup dialog {where}")
    page.keyboard.press("Escape")
    expect(page.locator("#cleanup-modal")).to_be_hidden()

    page.click("#overall-status")  # RetryHandler never beat: degraded, and why
    expect(page.locator("#health-reasons")).to_contain_text("workers")
    assert_no_violations(axe, page, f"the health dialog {where}")


@pytest.mark.parametrize("scheme", SCHEMES)
def test_the_empty_inbox_has_no_serious_accessibility_violation(dash: Dash, page, axe: Axe,
                                                                scheme: str):
    dash.workers()
    dash.seed.many([simple(1, "completed")])
    page.emulate_media(color_scheme=scheme)
    open_dashboard(page, dash)
    expect(page.locator("#inbox-empty")).to_contain_text("Nothing needs you.")
    assert_no_violations(axe, page, f"the empty inbox ({scheme})")


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width", WIDTHS)
def test_top_bar_with_sign_out_and_the_test_notification_button(
    tmp_path: Path, page, axe: Axe, scheme: str, width: int
):
    from tests.dashboard.test_docs_and_sign_in import HASH, PASSWORD

    dash = Dash(tmp_path, auth_mode="password", auth_password_hash=HASH,
                notify_urls=["json://127.0.0.1:9/hook"]).start()
    try:
        seed_a_bit_of_everything(dash)
        page.emulate_media(color_scheme=scheme)
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{dash.url}/?poll=0.5")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.locator("body[data-auth='password']")).to_have_count(1)
        expect(page.get_by_role("banner").get_by_role("button", name="Sign out")).to_be_visible()
        unfold(page, "Actions")  # folded on a phone
        expect(page.get_by_role("button", name="Send test notification")).to_be_visible()
        expect(page.locator("#log-view .log-line")).to_have_count(30)
        assert_no_violations(axe, page, f"the signed-in page ({scheme}, {width} px)")
        page.rec.bad_responses.clear()  # the first visit's 401 before signing in
    finally:
        dash.close()
