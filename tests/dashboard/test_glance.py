"""At a glance, at phone, tablet and desktop widths (390 × 844, 820 × 1180, 1440 × 900): the
history strip after a run of items through the real service, posters in the queue's rows or
cards and in the item's details, the count of items that need a person in the tab's title and
icon, the queue as cards on a phone with its one action, panels folded where they should be,
no sideways scroll, touch targets of 44 px, and axe-core on the new layouts in light and dark."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
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
from tests.dashboard.live import LiveService, live_service

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
TABLET = {"width": 820, "height": 1180}
DESKTOP = {"width": 1440, "height": 900}
VIEWPORTS = {"phone": PHONE, "tablet": TABLET, "desktop": DESKTOP}
SLOW_MS = 30_000  # the whole pipeline, through real HTTP to every fake
# functions, not expressions: the page's CSP (no 'unsafe-eval') refuses eval() while waiting
LOADED = ("(selector) => [...document.querySelectorAll(selector)]"
          ".some((i) => i.complete && i.naturalWidth > 0)")
NO_SIDEWAYS_SCROLL = "() => document.documentElement.scrollWidth <= window.innerWidth"


@pytest.fixture
def live(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LiveService]:
    with live_service(tmp_path, monkeypatch) as service:
        yield service


def phone(viewport: dict[str, int]) -> bool:
    return viewport["width"] < 768


def filed_with_poster(dash: Dash, code: str, **extra: Any) -> Item:
    """A filed item whose video has a poster beside it (an 800 × 1200 JPEG)."""
    library = dash.settings.library_dir
    assert library is not None
    folder = library / "Kaede Fua" / code
    folder.mkdir(parents=True)
    video = folder / f"{code}.mp4"
    video.write_bytes(b"v")
    Image.new("RGB", (800, 1200), (180, 60, 90)).save(folder / f"{code}-poster.jpg")
    meta = {"code": code, "title": f"{code} feature", "actresses": [{"name": "Kaede Fua"}]}
    return Item(f"/watch/{code}.mp4", "completed", "emby", code=code, actresses=["Kaede Fua"],
                title=meta["title"], metadata=meta, library_path=str(video), **extra)


# ----------------------------------------------------------------------------------------------
# a run of items through the real service


@pytest.mark.parametrize("size", list(VIEWPORTS), ids=list(VIEWPORTS))
def test_a_run_of_items_shows_in_history_posters_and_the_title(live: LiveService, page,
                                                               size: str) -> None:
    viewport = VIEWPORTS[size]
    for code, title in (("ABP-123", "Summer Story"), ("SSIS-456", "Winter Story")):
        live.stack.movie_on_metatube(code, actresses=("Kaede Fua",), title=title)
        live.stack.drop(f"{code}.mp4")
    live.stack.drop("holiday video.mp4")  # no code: a person has to act
    filed = live.wait_for_item("SSIS-456.mp4", timeout=SLOW_MS / 1000, status="completed")
    live.wait_for_item("ABP-123.mp4", timeout=SLOW_MS / 1000, status="completed")
    live.wait_for_item("holiday video.mp4", status="error")

    page.set_viewport_size(viewport)
    open_dashboard(page, live)
    # the tab says how many items need a person, in its title and on its icon
    expect(page).to_have_title("(1) emby-processor")
    icon = page.locator("link[rel='icon']")
    assert icon.get_attribute("href").startswith("data:image/svg+xml,")

    # history: the two filed and the one that needs you, in the last 24 hours
    unfold(page, "History")
    legend = page.locator("#history-legend")
    expect(legend.locator("[data-outcome='completed']")).to_have_text("2")
    expect(legend.locator("[data-outcome='needs_attention']")).to_have_text("1")
    expect(page.locator("#history-last")).to_contain_text(
        re.compile(r"Last item filed (now|\d+ seconds? ago)"))
    expect(page.locator("#history-chart rect.seg-completed")).not_to_have_count(0)
    expect(page.locator("#history-stages [data-stage='metadata'] strong")).not_to_have_text("–")
    expect(page.locator("#history-backlog")).to_have_text("Nothing waiting")

    # the filed movie's poster in its row (a card on a phone), then in its details
    where = "#queue-cards li" if phone(viewport) else "#queue-body tr"
    entry = page.locator(f"{where}[data-id='{filed.id}']")
    thumb = entry.locator("img.poster-thumb")
    expect(thumb).to_be_visible()
    page.wait_for_function(LOADED, arg=f"{where}[data-id='{filed.id}'] img.poster-thumb")
    (entry if phone(viewport) else entry.locator(".actress-cell")).click()  # not on a button
    expect(page.locator("#detail-modal")).to_be_visible()
    expect(page.locator("#detail-fields")).to_contain_text("Winter Story")
    expect(page.locator("img.detail-poster")).to_be_visible()
    page.wait_for_function(LOADED, arg="img.detail-poster")
    # the one without a code has no poster: a placeholder, and no request that fails
    page.keyboard.press("Escape")
    assert page.rec.bad_responses == [] and page.rec.console_errors == []
    assert page.evaluate(NO_SIDEWAYS_SCROLL)


# ----------------------------------------------------------------------------------------------
# the phone


def seed_phone(dash: Dash) -> dict[str, int]:
    dash.workers()
    ids = dash.seed.many([
        filed_with_poster(dash, "ABP-001"),
        Item("/watch/random-name.mp4", "error", "identify", error="no movie code in the name",
             cause="no_code"),
        simple(3, "error", stage="metadata", error="metatube: timed out after 30 s",
               kind="transient", cause="provider_unreachable", retry_in=600),
        simple(4, "pending"),
    ])
    return {"filed": ids[0], "no_code": ids[1], "retrying": ids[2], "pending": ids[3]}


def test_on_a_phone_the_queue_is_cards_with_their_action(dash: Dash, page) -> None:
    ids = seed_phone(dash)
    page.set_viewport_size(PHONE)
    open_dashboard(page, dash)
    cards = page.locator("#queue-cards .qcard")
    expect(cards).to_have_count(4)
    expect(page.locator("#queue-table")).to_be_hidden()
    assert page.evaluate(NO_SIDEWAYS_SCROLL)

    # the inbox first, then the queue; the other panels folded below them
    inbox = page.locator("#inbox-card").bounding_box()
    queue = page.locator("#queue-card").bounding_box()
    assert inbox and queue and inbox["y"] < queue["y"]
    for name in ("History", "Health", "Actions", "Live log",
                 "Status distribution and top actresses"):
        toggle = page.get_by_role("button", name=name, exact=True)
        expect(toggle).to_have_attribute("aria-expanded", "false")
        assert page.locator(f"#{toggle.get_attribute('aria-controls')}").is_hidden()
        box = page.locator("#queue-card").bounding_box()
        assert box and toggle.bounding_box()["y"] > box["y"], f"{name} comes after the queue"

    # a card: poster (or placeholder), code, title, status, and the one useful action
    filed = page.locator(f"#queue-cards li[data-id='{ids['filed']}']")
    expect(filed.locator(".qcard-open")).to_have_text("ABP-001")
    expect(filed.locator(".qcard-title")).to_have_text("ABP-001 feature")
    expect(filed).to_contain_text("Completed")
    expect(filed.locator(".qcard-action")).to_have_count(0)
    page.wait_for_function(LOADED, arg=f"#queue-cards li[data-id='{ids['filed']}'] img")
    no_code = page.locator(f"#queue-cards li[data-id='{ids['no_code']}']")
    expect(no_code.locator(".poster-none")).to_be_visible()
    retrying = page.locator(f"#queue-cards li[data-id='{ids['retrying']}']")
    expect(retrying).to_contain_text("next in 10 minutes")

    # touch targets: every control on the cards, in the inbox and the fold toggles, 44 px high
    controls = page.locator("#queue-cards button:visible, #inbox-body button:visible, "
                            ".fold-toggle:visible, #pager .page-link:visible")
    for n in range(controls.count()):
        box = controls.nth(n).bounding_box()
        assert box and box["height"] >= 44, f"{controls.nth(n).inner_text()!r}: {box}"

    # its action works: Retry now on the card
    retrying.get_by_role("button", name=f"Retry item {ids['retrying']}").click()
    expect(page.locator(".toast")).to_contain_text(f"Item #{ids['retrying']} is pending again")
    expect(retrying).to_contain_text("Pending")
    assert dash.db.get(ids["retrying"]).status == "pending"  # type: ignore[union-attr]

    # a tap anywhere on a card opens its details
    page.locator(f"#queue-cards li[data-id='{ids['pending']}']").click(position={"x": 300, "y": 60})
    expect(page.locator("#detail-modal")).to_be_visible()
    expect(page.locator("#detail-title")).to_contain_text("ABP-004")


# ----------------------------------------------------------------------------------------------
# tablet and desktop


@pytest.mark.parametrize("size", ["tablet", "desktop"])
def test_tablet_and_desktop_show_the_table_and_history_at_the_top(dash: Dash, page,
                                                                  size: str) -> None:
    ids = seed_phone(dash)
    page.set_viewport_size(VIEWPORTS[size])
    open_dashboard(page, dash)
    expect(page.locator("#queue-body tr[data-id]")).to_have_count(4)
    expect(page.locator("#queue-cards")).to_be_hidden()
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    row_thumb = f"#queue-body tr[data-id='{ids['filed']}'] img.poster-thumb"
    page.wait_for_function(LOADED, arg=row_thumb)
    expect(page).to_have_title("(1) emby-processor")

    # the history strip and the inbox open above the queue; Refresh an icon with a name
    for name in ("History", "Health", "Actions", "Live log"):
        expect(page.get_by_role("button", name=name, exact=True)).to_have_attribute(
            "aria-expanded", "true")
    history = page.locator("#history-card").bounding_box()
    queue = page.locator("#queue-card").bounding_box()
    assert history and queue and history["y"] < queue["y"]
    refresh = page.get_by_role("button", name="Refresh now")
    expect(refresh).to_be_visible()
    assert refresh.inner_text().strip() == ""  # an icon

    # status distribution and top actresses: folded, one click away
    more = page.get_by_role("button", name="Status distribution and top actresses")
    expect(more).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#chart-body")).to_be_hidden()
    more.click()
    expect(page.locator("#chart-body svg")).to_be_visible()
    expect(page.locator("#actresses")).to_contain_text("Kaede Fua")

    # the range switch: 7 days, one bar a day, as the API counts them
    with page.expect_response(lambda r: "/api/history?range=7d" in r.url) as answer:
        page.get_by_text("7 d", exact=True).click()
    body = answer.value.json()
    expect(page.locator("#history-chart .bucket")).to_have_count(len(body["buckets"]))
    expect(page.locator("#history-legend [data-outcome='completed']")).to_have_text(
        str(body["totals"]["completed"]))
    assert "per day" in page.locator("#history-chart").inner_text()


def test_the_title_and_icon_follow_the_count(dash: Dash, page) -> None:
    dash.workers()
    open_dashboard(page, dash)
    expect(page).to_have_title("emby-processor")
    assert page.locator("link[rel='icon']").get_attribute("href") == "/static/favicon.svg"
    dash.seed.many([Item(f"/watch/name {n}.mp4", "error", "identify", cause="no_code")
                    for n in range(3)])
    expect(page).to_have_title("(3) emby-processor")
    href = page.locator("link[rel='icon']").get_attribute("href")
    assert href.startswith("data:image/svg+xml,") and "%3E3%3C" in href  # ">3<": the count


# ----------------------------------------------------------------------------------------------
# accessibility of the new layouts


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("size", list(VIEWPORTS), ids=list(VIEWPORTS))
def test_new_layouts_have_no_serious_accessibility_violation(dash: Dash, page, axe: Axe,
                                                             scheme: str, size: str) -> None:
    ids = seed_phone(dash)
    page.emulate_media(color_scheme=scheme)
    page.set_viewport_size(VIEWPORTS[size])
    open_dashboard(page, dash)
    expect(page.locator("html")).to_have_attribute("data-bs-theme", scheme)
    expect(page.locator("#history-legend li")).to_have_count(3)
    page.wait_for_function(LOADED, arg=f":is(li, tr)[data-id='{ids['filed']}'] img.poster-thumb")
    found = axe.violations(page)
    assert found == [], f"axe ({scheme}, {size}, as loaded):\n{describe_violations(found)}"
    for name in ("History", "Health", "Actions", "Status distribution and top actresses"):
        unfold(page, name)
    expect(page.locator("#chart-body svg")).to_be_visible()
    found = axe.violations(page)
    assert found == [], f"axe ({scheme}, {size}, unfolded):\n{describe_violations(found)}"
