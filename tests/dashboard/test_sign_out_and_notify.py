"""In a real browser: the top bar's *Sign out* (AUTH_MODE=password only) and the Actions card's
*Send test notification* (only when NOTIFY_URLS is set), delivered to a webhook on 127.0.0.1."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.dashboard.conftest import Dash, open_dashboard, simple, unfold
from tests.dashboard.test_docs_and_sign_in import PASSWORD, guarded  # noqa: F401 - a fixture
from tests.fakes.server import free_port
from tests.notify.webhook import Receiver, receiver

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


def sign_in(page, dash: Dash) -> None:
    page.goto(f"{dash.url}/?poll=0.5")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("body[data-reachable='true']")).to_have_count(1)


def test_sign_out_goes_to_the_sign_in_page_and_reads_are_refused_after(
    guarded: Dash, page, context  # noqa: F811 - the fixture imported above
) -> None:
    guarded.workers()
    guarded.seed.many([simple(1, "completed")])
    page.set_viewport_size(PHONE)
    sign_in(page, guarded)
    expect(page.locator("#stat-total")).to_have_text("1")
    button = page.get_by_role("button", name="Sign out")
    expect(button).to_be_visible()
    box = button.bounding_box()
    assert box and box["height"] >= 44 and box["width"] >= 44, box  # a phone's touch target

    button.click()
    # the sign-in page (with where to come back to, if a poll noticed first)
    expect(page).to_have_url(re.compile(re.escape(f"{guarded.url}/sign-in") + r"(\?next=.*)?$"))
    expect(page.get_by_label("Password")).to_be_visible()
    assert [c["name"] for c in context.cookies()] == []
    # a later read, with whatever this browser still holds, is refused
    assert page.evaluate("fetch('/api/stats').then(r => r.status)") == 401
    page.goto(f"{guarded.url}/")
    expect(page).to_have_url(f"{guarded.url}/sign-in?next=%2F")
    page.rec.bad_responses.clear()  # the 401 was expected


def test_no_sign_out_without_a_password(dash: Dash, page) -> None:
    open_dashboard(page, dash)
    expect(page.locator("body[data-auth='none']")).to_have_count(1)
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    expect(page.locator("#sign-out")).to_be_hidden()


@pytest.fixture
def hook() -> Iterator[Receiver]:
    with receiver() as r:
        yield r


def test_the_test_notification_reaches_the_webhook_and_the_toast_says_so(
    tmp_path: Path, page, hook: Receiver
) -> None:
    closed = f"json://127.0.0.1:{free_port()}/nobody"  # nothing listens: that one fails
    dash = Dash(tmp_path, notify_urls=[hook.url, closed],
                public_url="http://nas.lan:8000").start()
    try:
        page.set_viewport_size(PHONE)
        open_dashboard(page, dash)
        unfold(page, "Actions")  # folded on a phone
        page.get_by_role("button", name="Send test notification").click()
        toast = page.locator(".toast", has_text="Test notification")
        expect(toast).to_contain_text("Test notification sent, not everywhere.")
        expect(toast).to_contain_text(f"JSON (json://127.0.0.1:{hook.port}/hook): sent.")
        expect(toast).to_contain_text(f"JSON ({closed}): failed: A Connection error occurred")
        (message,) = hook.wait_for(1)
        assert message["title"] == "emby-processor: test"
        assert message["message"].startswith("This is a test notification. Notifications work.")
        assert "http://nas.lan:8000/" in message["message"]
    finally:
        dash.close()


def test_only_the_working_service_the_toast_says_sent(tmp_path: Path, page,
                                                      hook: Receiver) -> None:
    dash = Dash(tmp_path, notify_urls=[hook.url]).start()
    try:
        open_dashboard(page, dash)
        page.get_by_role("button", name="Send test notification").click()
        expect(page.locator(".toast", has_text="Test notification")).to_have_text(
            "Test notification sent. JSON: sent.")
        assert hook.wait_for(1)[0]["title"] == "emby-processor: test"
    finally:
        dash.close()


def test_no_test_notification_without_notify_urls(dash: Dash, page) -> None:
    open_dashboard(page, dash)
    expect(page.get_by_role("button", name="Scan now")).to_be_visible()  # the card is there
    expect(page.get_by_role("button", name="Send test notification")).to_have_count(0)
