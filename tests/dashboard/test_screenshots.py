"""The README's screenshots: `make screenshots` (pytest tests/dashboard -k screenshots
--screenshots) writes docs/screenshots/ from realistic data: the page at desktop, tablet and
phone widths and in dark mode, and two fix dialogs (a duplicate at 1440 px, set code at 390 px)."""

from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from tests.dashboard.conftest import Dash, Item, attach_recorder

pytestmark = pytest.mark.browser

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
ACTRESSES = ["Kaede Fua", "Hitomi Tanaka", "Yua Mikami", "Aoi Tsukasa", "Rin Hatsumi",
             "Momo Sakura", "Jun Amamiya", "Saika Kawakita", "Ichika Matsumoto", "Mei Washio"]
LABELS = ["ABP", "SSIS", "IPX", "MIDV", "STARS", "JUL", "PRED", "CAWD", "SONE", "MIDE"]
ERRORS = [  # message, kind, stage, cause
    ("No movie code in the file name", "permanent", "identify", "no_code"),
    ("No provider knows SSIS-998 (metatube: not found, r18dev: not found)", "permanent",
     "metadata", "unknown_code"),
    ("metatube: timed out after 30 s", "transient", "metadata", "provider_unreachable"),
    ("Target exists: /library/Yua Mikami/MIDV-120/MIDV-120.mp4", "permanent", "organize",
     "target_exists"),
]


def poster(folder: Path, code: str, rng: random.Random) -> None:
    """A made-up cover beside a filed video: a two-tone card with the code on it."""
    folder.mkdir(parents=True, exist_ok=True)
    hue = [rng.randint(40, 200) for _ in range(3)]
    image = Image.new("RGB", (300, 450), tuple(hue))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 300, 300, 450), fill=tuple(255 - c // 2 for c in hue))
    draw.ellipse((70, 60, 230, 260), fill=tuple(min(255, c + 50) for c in hue))
    draw.text((20, 330), code, fill=(20, 20, 20), font_size=42)
    image.save(folder / f"{code}-poster.jpg", quality=80)


def realistic(dash: Dash) -> None:
    rng = random.Random(3)
    root = dash.settings.library_dir
    assert root is not None
    specs: list[Item] = []
    for n in range(137):
        label = LABELS[n % len(LABELS)]
        code = f"{label}-{100 + (n * 37) % 900:03d}"
        names = rng.sample(ACTRESSES, rng.choice([1, 1, 1, 2]))
        path = f"/watch/{rng.choice(['', 'incoming/', 'new/'])}{code.lower()}.mp4"
        library = str(root / names[0] / code / f"{code}.mp4")
        roll = rng.random()
        meta = {"code": code, "title": f"{label} feature {n}", "studio": "Example Studio",
                "release_date": f"2024-{1 + n % 12:02d}-{1 + n % 27:02d}",
                "actresses": [{"name": a} for a in names], "genres": ["Drama", "Solowork"]}
        if roll < 0.86:
            poster(root / names[0] / code, code, rng)
            specs.append(Item(path, "completed", "emby", code=code, actresses=names,
                              title=meta["title"], metadata=meta, library_path=library))
        elif roll < 0.92:
            specs.append(Item(path, "pending", "emby", code=code, actresses=names,
                              title=meta["title"], metadata=meta, library_path=library))
        else:
            message, kind, stage, cause = ERRORS[n % len(ERRORS)]
            if stage == "identify":  # a name with no code in it
                path = f"/watch/new/Untitled video {n}.mp4"
            specs.append(Item(path, "error", stage, code=None if stage == "identify" else code,
                              actresses=[] if stage == "identify" else names, error=message,
                              kind=kind, cause=cause,
                              retry_in=240 if kind == "transient" else None))
    specs.append(Item("/watch/new/ssis-998.mp4", "error", "metadata", code="SSIS-998",
                      error=ERRORS[1][0], cause=ERRORS[1][3]))
    specs.append(Item("/watch/new/MIDV-220.mp4", "pending", "emby", code="MIDV-220",
                      actresses=["Saika Kawakita"], title="MIDV feature"))
    specs.append(Item("/watch/incoming/ipx-811.mp4", "processing", code="IPX-811",
                      actresses=["Momo Sakura"]))
    specs.append(Item("/watch/new/sone-301.mkv", "pending", code="SONE-301"))
    ids = dash.seed.many(specs)
    dash.db.beat("FileProcessor", "running", processed=131, failed=6, current_item=ids[-2])
    dash.db.beat("EmbyUpdater", "running", processed=118, failed=2)
    dash.db.beat("RetryHandler", "idle", processed=9)
    lines = [
        ("INFO", "emby_processor.watcher", "found /watch/incoming/ipx-811.mp4 (2.1 GiB), settled"),
        ("INFO", "emby_processor.workers.file", "IPX-811: code from file name (rule: standard)"),
        ("INFO", "emby_processor.providers", "IPX-811: metatube answered in 412 ms"),
        ("WARNING", "emby_processor.providers", "r18dev: HTTP 429, retrying in 2 s"),
        ("INFO", "emby_processor.organizer", "moved to /library/Momo Sakura/IPX-811/IPX-811.mp4"),
        ("INFO", "emby_processor.emby", "IPX-811: library refresh requested"),
        ("INFO", "emby_processor.emby", "MIDV-220: waiting for Emby to index the file (35 s)"),
        ("ERROR", "emby_processor.workers.file", "SSIS-998: no provider knows this code"),
        ("INFO", "emby_processor.emby", "ABP-584: metadata written, 3 fields locked, verified"),
        ("DEBUG", "emby_processor.workers", "heartbeat FileProcessor processed=131"),
    ]
    for n in range(60):
        level, logger, message = lines[n % len(lines)]
        dash.logs.append(level, logger, message, 1 + (n * 7) % 140 if level != "DEBUG" else None)


def a_day_of_history(dash: Dash) -> None:
    """The last day's counters as a day of filing would have left them (busier in the evening)."""
    rng = random.Random(5)
    now = time.time()
    rows = []
    for back in range(1, 24):
        hour = time.strftime("%Y-%m-%dT%H", time.gmtime(now - back * 3600))
        busy = 4 + 14 * (back % 24 in range(2, 8)) + rng.randint(0, 6)
        rows += [(hour, "completed", busy), (hour, "needs_attention", rng.choice([0, 0, 0, 1])),
                 (hour, "retrying", rng.choice([0, 0, 1, 2]))]
    with sqlite3.connect(dash.db.path) as conn:
        conn.executemany("INSERT OR REPLACE INTO history_outcomes VALUES (?, ?, ?)", rows)


def a_real_duplicate(dash: Dash) -> None:
    """A duplicate whose two files exist, so its dialog shows their sizes and dates."""
    library = dash.settings.library_dir
    assert library is not None
    target = library / "Yua Mikami" / "SSIS-412" / "SSIS-412.mp4"
    target.parent.mkdir(parents=True)
    target.write_bytes(b"\0" * 1_400_000)
    source = dash.settings.watch_dirs[0] / "incoming" / "SSIS-412.mp4"
    source.parent.mkdir(parents=True)
    source.write_bytes(b"\0" * 2_900_000)
    dash.seed.add(Item(str(source), "error", "organize", code="SSIS-412", cause="target_exists",
                       actresses=["Yua Mikami"],
                       error=f"target exists: {target} (source: {source})"))


def shoot(browser, dash: Dash, name: str, *, width: int, height: int, scheme: str,
          full_page: bool = True, then: Callable[[Any], None] | None = None,
          clip: str | None = None) -> None:
    context = browser.new_context(viewport={"width": width, "height": height},
                                  color_scheme=scheme, locale="en-GB",
                                  timezone_id="Europe/Berlin", device_scale_factor=1,
                                  reduced_motion="reduce")
    try:
        page = context.new_page()
        rec = attach_recorder(page)
        page.goto(f"{dash.url}/?poll=60")
        expect(page.locator("body[data-reachable='true']")).to_have_count(1)
        expect(page.locator("#queue-body tr[data-id]")).to_have_count(50)
        expect(page.locator("#log-view .log-line")).to_have_count(60)
        expect(page.locator("#inbox-body .inbox-group").first).to_be_visible()
        expect(page.locator("#history-legend li")).to_have_count(3)
        # a whole-page picture shows every poster: load them all now, not as they scroll in
        page.evaluate("document.querySelectorAll('img[loading=lazy]').forEach((i) => {"
                      " i.loading = 'eager'; })")
        page.wait_for_function("() => [...document.querySelectorAll('img.poster-thumb')]"
                               ".every((i) => i.complete)")
        page.evaluate("document.activeElement && document.activeElement.blur()")
        if then is not None:
            then(page)
        OUT.mkdir(parents=True, exist_ok=True)
        if clip:  # the part of a long page from this element down, one screen of it
            page.locator(clip).scroll_into_view_if_needed()
            page.evaluate(f"document.querySelector('{clip}').scrollIntoView()")
        page.screenshot(path=str(OUT / name), full_page=full_page, animations="disabled")
        assert rec.page_errors == [] and rec.console_errors == []
    finally:
        context.close()


def duplicate_dialog(page: Any) -> None:
    page.locator("#inbox-body").get_by_role("button", name="Settle the duplicate…").first.click()
    expect(page.locator("#duplicate-body")).to_contain_text("The new file is larger.")
    page.click("#duplicate-replace")
    expect(page.locator("#duplicate-confirm")).to_be_visible()


def set_code_dialog(page: Any) -> None:
    page.locator("#inbox-body").get_by_role("button", name="Set code…").first.click()
    expect(page.locator("#code-modal")).to_be_visible()
    expect(page.locator("#code-input")).to_be_focused()  # once the dialog has opened
    page.keyboard.type("sone301")
    expect(page.locator("#code-preview")).to_contain_text("Reads as SONE-301")


def test_screenshots(request: pytest.FixtureRequest, dash: Dash, browser):
    if not request.config.getoption("--screenshots"):
        pytest.skip("writes docs/screenshots only with --screenshots (make screenshots)")
    realistic(dash)
    a_real_duplicate(dash)
    a_day_of_history(dash)
    shots = {
        "dashboard-desktop.png": {"width": 1440, "height": 900, "scheme": "light"},
        "dashboard-tablet.png": {"width": 768, "height": 1024, "scheme": "light"},
        "dashboard-dark.png": {"width": 1440, "height": 900, "scheme": "dark"},
        "dashboard-phone.png": {"width": 390, "height": 844, "scheme": "light",
                                "full_page": False},
        "dashboard-phone-queue.png": {"width": 390, "height": 844, "scheme": "dark",
                                      "full_page": False, "clip": "#queue-cards li:nth-child(4)"},
        "fix-duplicate.png": {"width": 1440, "height": 900, "scheme": "light",
                              "full_page": False, "then": duplicate_dialog},
        "fix-set-code.png": {"width": 390, "height": 844, "scheme": "dark",
                             "full_page": False, "then": set_code_dialog},
    }
    for name, how in shots.items():
        shoot(browser, dash, name, **how)  # type: ignore[arg-type]
        assert (OUT / name).stat().st_size > 10_000
