"""Bulk work in the queue table: a shift-selected range retried against the real service, every
item matching a filter across pages, ignoring many with Undo; axe with a selection and the keys
dialog open."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.dashboard.conftest import Axe, Dash, describe_violations, open_dashboard, simple
from tests.dashboard.live import LiveService, live_service

pytestmark = pytest.mark.browser

ROWS = "#queue-body tr[data-id]"
SLOW_MS = 30_000


def box(page, item_id: int):
    return page.locator(f"{ROWS}[data-id='{item_id}'] input.row-select")


@pytest.fixture
def live(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LiveService]:
    # one provider, which keeps no cache of what it did not know
    with live_service(tmp_path, monkeypatch, METADATA_PROVIDERS="metatube") as service:
        yield service


def test_bulk_retry_of_a_shift_selected_range(live: LiveService, page) -> None:
    names = [f"ABP-{n}.mp4" for n in range(301, 305)]
    for name in names:
        live.stack.drop(name)
    stuck = {name: live.wait_for_item(name, status="error") for name in names}
    assert {item.cause for item in stuck.values()} == {"unknown_code"}
    for n in range(301, 305):  # the sites know them now: a retry fixes them
        live.stack.movie_on_metatube(f"ABP-{n}", actresses=("Kaede Fua",))

    open_dashboard(page, live)
    expect(page.locator(ROWS)).to_have_count(4)
    order = [int(i) for i in page.locator(ROWS).evaluate_all("rows => rows.map(r => r.dataset.id)")]
    box(page, order[0]).click()
    box(page, order[2]).click(modifiers=["Shift"])  # every row between the two, in table order
    expect(page.locator("#bulk-count")).to_have_text("3 items selected")
    for item_id in order[:3]:
        expect(box(page, item_id)).to_be_checked()
        row = page.locator(f"{ROWS}[data-id='{item_id}']")
        expect(row).to_have_class(re.compile(r"\brow-selected\b"))
    expect(box(page, order[3])).not_to_be_checked()

    page.locator("#bulk-retry").click()
    expect(page.locator(".toast").last).to_contain_text("3 items back to pending.")
    expect(page.locator("#bulk-bar")).to_be_hidden()  # done: the selection is cleared
    name_of = {item.id: name for name, item in stuck.items()}
    for item_id in order[:3]:
        done = live.wait_for_item(name_of[item_id], timeout=SLOW_MS / 1000, status="completed")
        assert any(event.outcome == "retry" for event in live.run.db.events(done.id))
    still = live.item(name_of[order[3]])
    assert still is not None and still.status == "error"  # not selected: left alone
    row = page.locator(f"{ROWS}[data-id='{order[0]}']")
    expect(row).to_contain_text("Completed", timeout=SLOW_MS)


def test_select_all_matching_acts_on_every_page(dash: Dash, page) -> None:
    waiting = dash.seed.many([simple(n, "error", kind="transient", retry_in=600,
                                     cause="provider_unreachable") for n in range(1, 61)])
    done = dash.seed.many([simple(n, "completed", prefix="IPX") for n in range(1, 4)])
    open_dashboard(page, dash, "poll=0.5&status=retrying")
    expect(page.locator(ROWS)).to_have_count(50)
    page.locator("#select-page").check()
    expect(page.locator("#bulk-count")).to_have_text("50 items selected")
    page.locator("#bulk-all").click()
    expect(page.locator("#bulk-count")).to_have_text("All 60 matching items selected")
    expect(page.locator("#bulk-count")).to_be_focused()
    page.locator("#bulk-retry").click()
    expect(page.locator(".toast").last).to_contain_text("60 items back to pending.")
    assert {dash.db.require(i).status for i in waiting} == {"pending"}
    assert {dash.db.require(i).status for i in done} == {"completed"}
    expect(page.locator("#queue-body")).to_contain_text("No item matches these filters.")


def test_a_new_filter_clears_the_selection_and_ignore_has_undo(dash: Dash, page) -> None:
    ids = dash.seed.many([simple(n, "error", cause="unknown_code") for n in range(1, 4)])
    done = dash.seed.add(simple(9, "completed"))
    open_dashboard(page, dash)
    box(page, ids[0]).click()
    box(page, ids[1]).click()
    box(page, done).click()
    expect(page.locator("#bulk-count")).to_have_text("3 items selected")
    page.locator("#bulk-ignore").click()
    expect(page.locator("#confirm-title")).to_have_text("Ignore 3 files?")
    page.locator("#confirm-ok").click()
    toast = page.locator(".toast", has_text="2 files ignored")
    expect(toast).to_contain_text("1 item left alone: completed or being processed.")
    assert dash.db.get(ids[0]) is None and dash.db.get(ids[1]) is None
    assert dash.db.require(done).status == "completed"
    assert len(dash.db.ignored_paths()) == 2
    toast.get_by_role("button", name="Undo").click()
    expect(page.locator(".toast", has_text="2 files no longer ignored")).to_be_visible()
    assert dash.db.ignored_paths() == set()

    box(page, ids[2]).click()
    expect(page.locator("#bulk-count")).to_have_text("1 item selected")
    page.locator("#filter-status").select_option("completed")
    expect(page.locator(ROWS)).to_have_count(1)
    expect(page.locator("#bulk-bar")).to_be_hidden()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_selection_and_keys_dialog_have_no_serious_accessibility_violation(
    dash: Dash, page, axe: Axe, scheme: str
) -> None:
    ids = dash.seed.many([simple(n, "error", cause="unknown_code") for n in range(1, 4)])
    page.emulate_media(color_scheme=scheme)
    open_dashboard(page, dash)
    expect(page.locator("html")).to_have_attribute("data-bs-theme", scheme)
    box(page, ids[0]).click()
    page.keyboard.press("j")
    expect(page.locator(f"{ROWS}.row-focus")).to_have_count(1)
    expect(page.locator("#bulk-bar")).to_be_visible()
    found = axe.violations(page)
    assert found == [], f"axe with a selection ({scheme}):\n{describe_violations(found)}"
    page.keyboard.press("?")
    expect(page.locator("#keys-modal")).to_be_visible()
    found = axe.violations(page)
    assert found == [], f"axe with the keys dialog ({scheme}):\n{describe_violations(found)}"
