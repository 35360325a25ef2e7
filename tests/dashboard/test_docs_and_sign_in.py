"""In a real browser: `/docs` renders with nothing from outside the app, and signing in and out
with AUTH_MODE=password."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from argon2 import PasswordHasher
from playwright.sync_api import expect

from tests.dashboard.conftest import Dash, simple

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery"
HASH = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD)


def test_docs_render_with_every_request_on_the_origin(dash: Dash, page) -> None:
    response = page.goto(f"{dash.url}/docs")
    assert response is not None and response.status == 200
    assert "default-src 'self'" in response.headers["content-security-policy"]
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("emby-processor")
    expect(page.locator(".opblock-summary-path[data-path='/api/history']")).to_have_count(1)
    page.locator(".opblock-summary-path[data-path='/api/history']").click()
    expect(page.locator(".opblock-body .parameters")).to_contain_text("range")
    origin = urlsplit(dash.url)
    elsewhere = [url for url in page.rec.requests
                 if urlsplit(url).scheme in ("http", "https")
                 and (urlsplit(url).hostname, urlsplit(url).port)
                 != (origin.hostname, origin.port)]
    assert elsewhere == []
    assert page.rec.failed == [] and page.rec.console_errors == []
    assert any(url.endswith("/openapi.json") for url in page.rec.requests)


@pytest.fixture
def guarded(tmp_path: Path) -> Iterator[Dash]:
    app = Dash(tmp_path, auth_mode="password", auth_password_hash=HASH).start()
    yield app
    app.close()


def test_sign_in_and_out_with_a_password(guarded: Dash, page, context) -> None:
    guarded.workers()
    guarded.seed.many([simple(1, "completed")])
    page.goto(f"{guarded.url}/?poll=0.5")
    expect(page).to_have_url(f"{guarded.url}/sign-in?next=%2F%3Fpoll%3D0.5")
    page.get_by_label("Password").fill("not it")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("Wrong password.")

    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{guarded.url}/?poll=0.5")
    expect(page.locator("body[data-reachable='true']")).to_have_count(1)
    expect(page.locator("#stat-total")).to_have_text("1")
    cookie = next(c for c in context.cookies() if c["name"] == "emby_processor_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"

    # a read without the session is refused
    status = page.evaluate("fetch('/api/stats', {credentials: 'omit'}).then(r => r.status)")
    assert status == 401

    # the session ends while the page is open: the next poll goes to the sign-in page
    context.clear_cookies()
    expect(page).to_have_url(f"{guarded.url}/sign-in?next=%2F%3Fpoll%3D0.5")

    # signing in again, then out
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("body[data-reachable='true']")).to_have_count(1)
    page.evaluate("fetch('/sign-out', {method: 'POST'})")
    page.goto(f"{guarded.url}/")
    expect(page).to_have_url(f"{guarded.url}/sign-in?next=%2F")
    page.rec.bad_responses.clear()  # the 401s and the wrong password were expected


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_sign_in_page_is_accessible(guarded: Dash, page, axe, scheme: str) -> None:
    from tests.dashboard.conftest import describe_violations

    page.emulate_media(color_scheme=scheme)
    page.goto(f"{guarded.url}/sign-in")
    page.get_by_label("Password").fill("not it")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("Wrong password.")
    violations = axe.violations(page)
    assert violations == [], describe_violations(violations)
    page.rec.bad_responses.clear()
