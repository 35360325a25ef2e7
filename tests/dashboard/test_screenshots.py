"""The README's screenshots: `make screenshots` (pytest tests/dashboard -k screenshots
--screenshots) writes docs/screenshots/ from realistic data: the page at desktop, tablet and
phone widths and in dark mode, and two fix dialogs (a duplicate at 1440 px, set code at 390 px)."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
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


def realistic(dash: Dash) -> None:
    rng = random.Random(3)
    specs: list[Item] = []
    for n in range(137):
        label = LABELS[n % len(LABELS)]
        code = f"{label}-{100 + (n * 37) % 900:03d}"
        names = rng.sample(ACTRESSES, rng.choice([1, 1, 1, 2]))
        path = f"/watch/{rng.choice(['', 'incoming/', 'new/'])}{code.lower()}.mp4"
        library = f"/library/{names[0]}/{code}/{code}.mp4"
        roll = rng.random()
        meta = {"code": code, "title": f"{label} feature {n}", "studio": "Example Studio",
                "release_date": f"2024-{1 + n % 12:02d}-{1 + n % 27:02d}",
                "actresses": [{"name": a} for a in names], "genres": ["Drama", "Solowork"]}
        if roll < 0.86:
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
          full_page: bool = True, then: Callable[[Any], None] | None = None) -> None:
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
        page.evaluate("document.activeElement && document.activeElement.blur()")
        if then is not None:
            then(page)
        OUT.mkdir(parents=True, exist_ok=True)
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
    shots = {
        "dashboard-desktop.png": {"width": 1440, "height": 900, "scheme": "light"},
        "dashboard-tablet.png": {"width": 768, "height": 1024, "scheme": "light"},
        "dashboard-dark.png": {"width": 1440, "height": 900, "scheme": "dark"},
        "dashboard-phone.png": {"width": 390, "height": 844, "scheme": "light",
                                "full_page": False},
        "fix-duplicate.png": {"width": 1440, "height": 900, "scheme": "light",
                              "full_page": False, "then": duplicate_dialog},
        "fix-set-code.png": {"width": 390, "height": 844, "scheme": "dark",
                             "full_page": False, "then": set_code_dialog},
    }
    for name, how in shots.items():
        shoot(browser, dash, name, **how)  # type: ignore[arg-type]
        assert (OUT / name).stat().st_size > 10_000
