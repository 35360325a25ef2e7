"""Every keyboard shortcut of the queue: j / k move the focused row (a visible, announced focus),
Enter opens its details, r retries it, x selects it, / searches, ? lists the keys; and none of
them while typing or while a dialog is open."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.dashboard.conftest import Dash, open_dashboard, simple

pytestmark = pytest.mark.browser

ROWS = "#queue-body tr[data-id]"


def focused_row(page) -> str | None:
    return page.evaluate("() => { const a = document.activeElement;"
                         " return a && a.matches('tr[data-id]') ? a.dataset.id : null; }")


def test_every_key(dash: Dash, page) -> None:
    first, second, third = dash.seed.many([
        simple(1, "error", cause="provider_unreachable"),
        simple(2, "completed"),
        simple(3, "error", cause="unknown_code"),
    ])  # newest first in the table: third, second, first
    open_dashboard(page, dash)
    announce = page.locator("#queue-announce")

    page.keyboard.press("j")
    page.wait_for_function(f"() => document.activeElement.dataset.id === '{third}'")
    row = page.locator(f"{ROWS}[data-id='{third}']")
    expect(row).to_have_class(re.compile(r"\brow-focus\b"))
    expect(announce).to_have_text(f"Item {third}, ABP-003, Needs you. Row 1 of 3.")
    # the focus ring is drawn (an inset outline on the row's cells)
    shadow = row.locator("td").first.evaluate("td => getComputedStyle(td).boxShadow")
    assert shadow not in ("", "none")
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("j")  # stops at the last row
    page.wait_for_function(f"() => document.activeElement.dataset.id === '{first}'")
    expect(announce).to_contain_text("Row 3 of 3.")
    page.keyboard.press("k")
    page.wait_for_function(f"() => document.activeElement.dataset.id === '{second}'")
    expect(page.locator(f"{ROWS}.row-focus")).to_have_count(1)

    # x selects the focused row, and again unselects it
    page.keyboard.press("x")
    expect(page.locator(f"{ROWS}[data-id='{second}'] input.row-select")).to_be_checked()
    expect(page.locator("#bulk-count")).to_have_text("1 item selected")
    page.keyboard.press("x")
    expect(page.locator("#bulk-bar")).to_be_hidden()

    # r on an item a retry cannot help says so; on an error it retries
    page.keyboard.press("r")
    expect(announce).to_have_text(f"Item {second} cannot be retried now.")
    page.keyboard.press("j")
    page.keyboard.press("r")
    expect(page.locator(".toast").last).to_contain_text(f"Item #{first} is pending again")
    assert dash.db.require(first).status == "pending"
    expect(page.locator(f"{ROWS}[data-id='{first}']")).to_contain_text("Pending")
    # the row was drawn again by the poll and keeps the focus
    page.wait_for_function(f"() => document.activeElement.dataset.id === '{first}'")

    # Enter opens the details; no key acts while a dialog is open; Escape gives the row back
    page.keyboard.press("Enter")
    expect(page.locator("#detail-modal")).to_be_visible()
    expect(page.locator("#detail-title")).to_contain_text("ABP-001")
    page.keyboard.press("k")
    page.keyboard.press("x")
    page.keyboard.press("?")
    expect(page.locator("#keys-modal")).to_be_hidden()
    expect(page.locator("#bulk-bar")).to_be_hidden()
    page.keyboard.press("Escape")
    expect(page.locator("#detail-modal")).to_be_hidden()
    page.wait_for_function(f"() => document.activeElement.dataset.id === '{first}'")
    assert focused_row(page) == str(first)
    page.keyboard.press("k")  # and the keys go on from there
    page.wait_for_function(f"() => document.activeElement.dataset.id === '{second}'")

    # / goes to the search; typing there is text, not keys
    page.keyboard.press("/")
    expect(page.locator("#filter-q")).to_be_focused()
    page.keyboard.type("jx")
    expect(page.locator("#filter-q")).to_have_value("jx")
    expect(page.locator("#bulk-bar")).to_be_hidden()
    page.locator("#filter-q").fill("")
    page.locator("#queue-heading").click()

    # ? lists the keys
    page.keyboard.press("?")
    dialog = page.locator("#keys-modal")
    expect(dialog).to_be_visible()
    for key in ("j", "k", "Enter", "r", "x", "/", "?"):
        expect(dialog.locator("kbd", has_text=key).first).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    page.locator("#keys-open").click()
    expect(dialog).to_be_visible()
