"""The live log for people: a date line when the day changes, short logger names, a text search,
the lines shown downloaded as text, and screen readers told the errors only."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from tests.dashboard.conftest import Dash, open_dashboard

pytestmark = pytest.mark.browser

LINES = "#log-view .log-line"


def at(day: int, hour: int) -> float:
    return datetime(2024, 3, day, hour, 0, tzinfo=UTC).timestamp()


def test_date_lines_short_loggers_search_and_download(dash: Dash, page) -> None:
    dash.logs.append("INFO", "emby_processor.workers.lane", "claimed ABP-001", 1, at(1, 20))
    dash.logs.append("WARNING", "emby_processor.providers.metatube", "metatube slow", None,
                     at(1, 21))
    # 23:30 UTC is already the 2nd in Berlin (the page's time zone)
    dash.logs.append("INFO", "emby_processor.workers.lane", "claimed ABP-002", 2, at(1, 23) + 1800)
    dash.logs.append("ERROR", "emby_processor.mediaserver", "push failed for ABP-002", 2, at(2, 9))
    open_dashboard(page, dash)
    expect(page.locator(LINES)).to_have_count(4)

    dates = page.locator("#log-view .log-date")
    expect(dates).to_have_count(2)
    expect(dates.nth(0)).to_contain_text("1 March 2024")
    expect(dates.nth(1)).to_contain_text("2 March 2024")
    order = page.eval_on_selector_all("#log-view > *", "nodes => nodes.map(n => n.className)")
    assert [name.split()[0] for name in order] == [
        "log-date", "log-line", "log-line", "log-date", "log-line", "log-line"]

    logger = page.locator(LINES).nth(1).locator(".log-logger")
    expect(logger).to_have_text("metatube")
    expect(logger).to_have_attribute("title", "emby_processor.providers.metatube")

    page.locator("#log-search").fill("ABP-002")
    expect(page.locator(f"{LINES}:visible")).to_have_count(2)
    expect(page.locator("#log-search-info")).to_have_text("2 of 4 lines")
    # a line that arrives while searching is filtered too
    dash.logs.append("INFO", "emby_processor.workers.lane", "claimed ABP-003", 3)
    dash.logs.append("INFO", "emby_processor.workers.lane", "filed ABP-002", 2)
    expect(page.locator(LINES)).to_have_count(6)
    expect(page.locator(f"{LINES}:visible")).to_have_count(3)
    expect(page.locator(LINES, has_text="claimed ABP-003")).to_be_hidden()
    # the full logger name is searched too
    page.locator("#log-search").fill("providers.METATUBE")
    expect(page.locator(f"{LINES}:visible")).to_have_count(1)
    expect(page.locator(f"{LINES}:visible")).to_contain_text("metatube slow")
    expect(page.locator("#log-view .log-date:visible")).to_have_count(1)  # only the 1st's

    with page.expect_download() as info:
        page.locator("#log-download").click()
    download = info.value
    assert download.suggested_filename.startswith("emby-processor-log-")
    assert download.suggested_filename.endswith(".txt")
    path = download.path()
    text = path.read_text(encoding="utf-8").splitlines()
    assert len(text) == 2, text  # the line shown under its date line
    assert "1 March 2024" in text[0]
    assert text[1] == ("2024-03-01T21:00:00.000Z WARNING emby_processor.providers.metatube "
                       "metatube slow")
    page.locator("#log-search").fill("")
    expect(page.locator(f"{LINES}:visible")).to_have_count(6)
    expect(page.locator("#log-search-info")).to_have_text("")


def test_screen_readers_hear_errors_only(dash: Dash, page) -> None:
    open_dashboard(page, dash)
    view = page.locator("#log-view")
    expect(view).not_to_have_attribute("role", "log")
    assert view.get_attribute("aria-live") in (None, "off")
    alerts = page.locator("#log-alerts")
    expect(alerts).to_have_attribute("aria-live", "polite")
    dash.logs.append("INFO", "emby_processor.workers", "filed ABP-001", 1)
    dash.logs.append("WARNING", "emby_processor.workers", "metatube slow")
    dash.logs.append("ERROR", "emby_processor.mediaserver", "push failed for ABP-002", 2)
    expect(page.locator(LINES)).to_have_count(3)
    expect(alerts).to_have_text("Log error (item 2): push failed for ABP-002")
    for n in range(5):
        dash.logs.append("CRITICAL", "emby_processor.db", f"disk trouble {n}")
    expect(alerts.locator("p")).to_have_count(3)  # the newest few, not a growing list
    expect(alerts.locator("p").last).to_have_text("Log error: disk trouble 4")
