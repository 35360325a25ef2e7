"""Each failure a person can fix from the page, walked end to end in Chromium against the real
service and the fake upstreams: set a code for a file that has none, choose the right movie for
an uncertain match, settle a duplicate each of the three ways, ignore a file and take it back.
What the person sees is checked on the page; what happened is checked on disk and in the fake
media server."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from emby_processor.watcher import scan_once
from tests.dashboard.conftest import open_dashboard
from tests.dashboard.live import LiveService, live_service
from tests.fakes.r18dev import other_channel_record, sample_record
from tests.pipeline.stack import SERVER_LIBRARY

pytestmark = pytest.mark.browser

SLOW_MS = 30_000  # the whole pipeline, through real HTTP to every fake
ACTRESS = "Kaede Fua"


@pytest.fixture
def live(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LiveService]:
    with live_service(tmp_path, monkeypatch) as service:
        yield service


def inbox_button(page, name: str, item_id: int):
    return page.locator("#inbox-body").get_by_role("button", name=f"{name} item {item_id}")


def test_set_a_code_for_a_file_that_has_none(live: LiveService, page) -> None:
    live.stack.movie_on_metatube("ABP-123", actresses=(ACTRESS,), title="Summer Story")
    live.stack.drop("holiday video.mp4", b"the video")
    stuck = live.wait_for_item("holiday video.mp4", status="error")
    assert stuck.cause == "no_code"

    open_dashboard(page, live)
    group = page.locator("#inbox-body [data-cause='no_code']")
    expect(group).to_contain_text("1 file has no code")
    expect(group).to_contain_text("No movie code could be read from “holiday video.mp4”.")
    inbox_button(page, "Set code…", stuck.id).click()

    dialog = page.locator("#code-modal")
    expect(dialog).to_be_visible()
    expect(page.locator("#code-name-parse")).to_have_text(
        "The file name holds no code any rule knows.")
    expect(page.locator("#code-input")).to_be_focused()
    page.keyboard.type("abp123")
    expect(page.locator("#code-preview")).to_contain_text("Reads as ABP-123")
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    expect(page.locator(".toast")).to_contain_text("is now ABP-123")

    done = live.wait_for_item("holiday video.mp4", timeout=SLOW_MS / 1000, status="completed")
    assert (done.movie_code, done.code_rule) == ("ABP-123", "manual")
    video = live.stack.library / ACTRESS / "ABP-123" / "ABP-123.mp4"
    assert video.read_bytes() == b"the video"
    server = live.stack.emby.items_by_path()[f"{SERVER_LIBRARY}/{ACTRESS}/ABP-123/ABP-123.mp4"]
    assert live.stack.emby.get(server["Id"])["Name"].startswith("ABP-123")
    # the page follows by itself: the inbox empties, the row says completed
    expect(page.locator("#inbox-empty")).to_contain_text("Nothing needs you", timeout=SLOW_MS)
    row = page.locator(f"#queue-body tr[data-id='{stuck.id}']")
    expect(row).to_contain_text("Completed")
    expect(row.locator(".code")).to_have_text("ABP-123")
    # its details show the movie as filed: the poster beside it, the link into the server
    row.get_by_role("button", name=f"View details of item {stuck.id}").click()
    expect(page.locator("#detail-fields")).to_contain_text("Summer Story")
    poster = page.locator("img.detail-poster")
    expect(poster).to_be_visible()
    page.wait_for_function("() => document.querySelector('img.detail-poster').naturalWidth > 0")
    link = page.locator("#detail-server-link")
    expect(link).to_have_attribute("href", re.compile(rf"id={done.emby_id}\b"))


def test_choose_the_right_movie_for_an_uncertain_match(live: LiveService, page) -> None:
    # a label nobody knows the DMM channel of: r18.dev answers only a record without the code
    real = sample_record("XYZ-030", content_id="777xyz030", image_base=live.stack.image_base())
    guess = other_channel_record(real, dvd_id=None, title="Probably XYZ-030")
    live.stack.r18dev.add_other_channel(real, guess)
    video = live.stack.drop("XYZ-030.mp4", b"the video")
    stuck = live.wait_for_item("XYZ-030.mp4", status="error")
    assert stuck.cause == "ambiguous_match"
    assert video.exists() and live.stack.emby.announced == []  # nothing filed, nothing written

    open_dashboard(page, live)
    group = page.locator("#inbox-body [data-cause='ambiguous_match']")
    expect(group).to_contain_text("1 uncertain match")
    inbox_button(page, "Choose the right movie…", stuck.id).click()
    cards = page.locator("#choose-list .candidate")
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text("Probably XYZ-030")
    cards.first.get_by_role("button", name=re.compile("Choose this one")).click()
    expect(page.locator("#choose-modal")).to_be_hidden()

    done = live.wait_for_item("XYZ-030.mp4", timeout=SLOW_MS / 1000, status="completed")
    assert done.title == "Probably XYZ-030" and not video.exists()
    held = live.stack.emby.get(done.emby_id or "")
    assert "Probably XYZ-030" in held["Name"] and held["LockData"] is True
    expect(page.locator("#inbox-empty")).to_contain_text("Nothing needs you", timeout=SLOW_MS)


def make_duplicate(live: LiveService) -> tuple[int, Path, Path]:
    """A new ABP-123 in the watch folder while the library already holds one."""
    live.stack.movie_on_metatube("ABP-123", actresses=(ACTRESS,), title="Summer Story")
    target = live.stack.library / ACTRESS / "ABP-123" / "ABP-123.mp4"
    target.parent.mkdir(parents=True)
    target.write_bytes(b"the library's copy")
    source = live.stack.drop("ABP-123.mp4", b"the new, larger download")
    stuck = live.wait_for_item("ABP-123.mp4", status="error")
    assert stuck.cause == "target_exists"
    return stuck.id, source, target


def open_duplicate(live: LiveService, page, item_id: int) -> None:
    open_dashboard(page, live)
    expect(page.locator("#inbox-body [data-cause='target_exists']")).to_contain_text(
        "1 duplicate")
    inbox_button(page, "Settle the duplicate…", item_id).click()
    body = page.locator("#duplicate-body")
    expect(body).to_contain_text("The library already has ABP-123")
    expect(body).to_contain_text(str(live.stack.watch / "ABP-123.mp4"))
    expect(body).to_contain_text(str(live.stack.library / ACTRESS / "ABP-123" / "ABP-123.mp4"))
    expect(body).to_contain_text("The new file is larger.")
    expect(body).to_contain_text("ABP-123 (2).mp4")


def test_duplicate_keep_the_library_copy(live: LiveService, page) -> None:
    item_id, source, target = make_duplicate(live)
    open_duplicate(live, page, item_id)
    page.click("#duplicate-library")
    expect(page.locator("#duplicate-confirm-text")).to_contain_text("Ignore the new file?")
    page.click("#duplicate-confirm-yes")
    expect(page.locator("#duplicate-modal")).to_be_hidden()
    expect(page.locator("#inbox-empty")).to_be_visible()
    assert live.run.db.get(item_id) is None
    assert target.read_bytes() == b"the library's copy"
    assert source.read_bytes() == b"the new, larger download"  # left where it was, ignored
    assert live.run.db.ignored_paths() == {str(source)}
    expect(page.locator("#act-ignored")).to_have_text("Ignored files (1)")


def test_duplicate_replace_moves_the_library_copy_aside(live: LiveService, page) -> None:
    item_id, source, target = make_duplicate(live)
    open_duplicate(live, page, item_id)
    page.click("#duplicate-replace")
    expect(page.locator("#duplicate-confirm-text")).to_contain_text("Nothing is deleted.")
    page.click("#duplicate-confirm-yes")
    expect(page.locator("#duplicate-modal")).to_be_hidden()
    done = live.wait_for_item("ABP-123.mp4", timeout=SLOW_MS / 1000, status="completed")
    aside = live.stack.library / ".replaced" / ACTRESS / "ABP-123" / "ABP-123.mp4"
    assert target.read_bytes() == b"the new, larger download"
    assert aside.read_bytes() == b"the library's copy"
    assert not source.exists()
    assert done.library_path == str(target)
    server = live.stack.emby.items_by_path()[f"{SERVER_LIBRARY}/{ACTRESS}/ABP-123/ABP-123.mp4"]
    assert done.emby_id == server["Id"]
    expect(page.locator("#inbox-empty")).to_be_visible(timeout=SLOW_MS)


def test_duplicate_keep_both(live: LiveService, page) -> None:
    item_id, source, target = make_duplicate(live)
    open_duplicate(live, page, item_id)
    page.click("#duplicate-both")  # nothing is lost: no question asked
    expect(page.locator("#duplicate-modal")).to_be_hidden()
    done = live.wait_for_item("ABP-123.mp4", timeout=SLOW_MS / 1000, status="completed")
    both = target.with_name("ABP-123 (2).mp4")
    assert target.read_bytes() == b"the library's copy"
    assert both.read_bytes() == b"the new, larger download"
    assert both.with_suffix(".nfo").exists() and not source.exists()
    assert done.library_path == str(both)
    paths = live.stack.emby.items_by_path()
    assert f"{SERVER_LIBRARY}/{ACTRESS}/ABP-123/ABP-123 (2).mp4" in paths
    expect(page.locator("#inbox-empty")).to_be_visible(timeout=SLOW_MS)


def test_ignore_a_file_and_unignore_it(live: LiveService, page) -> None:
    video = live.stack.drop("clip 2024.mp4", b"not a movie")
    stuck = live.wait_for_item("clip 2024.mp4", status="error")
    open_dashboard(page, live)
    inbox_button(page, "Ignore this file…", stuck.id).click()
    expect(page.locator("#confirm-text")).to_contain_text("never picked up again")
    page.click("#confirm-ok")
    expect(page.locator(".toast")).to_contain_text("is ignored")
    expect(page.locator(f"#queue-body tr[data-id='{stuck.id}']")).to_have_count(0)
    expect(page.locator("#inbox-empty")).to_be_visible()
    assert live.run.items() == [] and video.exists()

    # a scan does not bring it back (one run here, to the end, beside the service's own)
    assert scan_once(live.run.settings, live.run.db) == 0
    assert live.run.item("clip 2024.mp4") is None

    page.click("#act-ignored")
    listed = page.locator("#ignored-list li")
    expect(listed).to_have_count(1)
    expect(listed).to_contain_text("clip 2024.mp4")
    page.get_by_role("button", name="Un-ignore clip 2024.mp4").click()
    expect(page.locator(".toast").last).to_contain_text("no longer ignored")
    expect(page.locator("#ignored-empty")).to_be_visible()
    page.keyboard.press("Escape")
    page.click("#act-scan")  # as a person would; the watcher looks at it again anyway
    again = live.wait_for_item("clip 2024.mp4", status="error")
    assert again.cause == "no_code"
    expect(page.locator("#queue-body tr[data-id]").filter(has_text="clip 2024.mp4")).to_have_count(
        1, timeout=SLOW_MS)
