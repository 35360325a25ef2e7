"""The dashboard's first load in a real browser, and what one 5-second poll cycle costs the server.

1. First load (needs Debian's Chromium at /usr/bin/chromium; skipped without it): a fresh
   browser profile opens `/` and waits until the first poll has filled the page and the log
   backlog (100 lines) has arrived. Chromium's DevTools protocol (Network domain) reports every
   request: bytes on the wire (`encodedDataLength`: headers plus the gzip-compressed body, the
   app's GZipMiddleware on, as in production) and the decoded body sizes, split into the page's
   own assets (HTML, CSS, JS, icon) and the API answers of that first cycle (the history strip's
   included). Poster thumbnails are left out of the totals (counted apart): they depend on the
   library, not on the page. Aim: under 200 KB on the wire in all.
2. One poll cycle: every 5 s the page asks for `/api/health`, `/api/stats?top=10` and the
   queue page it shows (`/api/queue?sort=newest&page=1&limit=50`). Against a database of
   ``--items`` items (1,000,000 by default) the three are sent over a real socket to uvicorn;
   *server time* is measured by an ASGI wrapper from the call to the last body byte. Figures:
   per request p50/p95, the cycle's total server time (the three one after the other: the
   cost), and the cycle's wall time with the three in parallel, as the browser sends them.
3. History and posters: `/api/history?range=24h|7d|30d` with its counters filled as ``--items``
   files filed evenly over 30 days would leave them (every hour has all three outcomes and a
   histogram per stage), and `/api/queue/{id}/poster?size=96` for an item with an 800 × 1200
   poster: served from the thumbnail cache (200 with the JPEG), and revalidated (304).
   Server time as above, p50/p95. Aim: under 10 ms each at 1,000,000 items.

The database is generated (``seed.py``: bulk inserts through the store's schema, about a minute
for 1,000,000 items).

    python benchmarks/bench_dashboard.py [--items 1000000] [--repeat 100]
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import uvicorn

sys.path.insert(0, str(Path(__file__).resolve().parent))

from seed import pct, seed, seed_history

from emby_processor.api import create_app
from emby_processor.config import Settings
from emby_processor.health import HealthMonitor
from emby_processor.logbuffer import LogBuffer

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
CYCLE = ("/api/health", "/api/stats?top=10", "/api/queue?sort=newest&page=1&limit=50")
UNITS = {"_bytes": "bytes", "_kb": "KB", "_ms": "ms", "_s": "s", "_count": ""}


class ServerTimer:
    """ASGI wrapper: server seconds per request path, from the call to the last body byte."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.times: list[tuple[str, float]] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        path = scope["path"]

        async def timed_send(message: Any) -> None:
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                self.times.append((path, time.perf_counter() - start))

        await self.app(scope, receive, timed_send)


class Server:
    def __init__(self, app: Any) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = int(sock.getsockname()[1])
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                lifespan="off", timeout_graceful_shutdown=1)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)


def first_load(url: str) -> dict[str, float]:
    """Bytes and requests of a cold first visit, from Chromium's own network log."""
    if not CHROMIUM.exists():
        print("first load: skipped (no /usr/bin/chromium)", file=sys.stderr)
        return {}
    from playwright.sync_api import sync_playwright

    requests: dict[str, dict[str, Any]] = {}

    def entry(request_id: str) -> dict[str, Any]:
        return requests.setdefault(request_id, {"url": "", "wire": 0, "body": 0, "done": False})

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                    args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1440, "height": 900})
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.on("Network.requestWillBeSent",
               lambda e: entry(e["requestId"]).update(url=e["request"]["url"]))
        cdp.on("Network.dataReceived", lambda e: _received(entry(e["requestId"]), e))
        cdp.on("Network.loadingFinished", lambda e: entry(e["requestId"]).update(
            wire=e["encodedDataLength"], done=True))
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        started = time.perf_counter()
        page.goto(url + "/")
        page.wait_for_selector("body[data-reachable='true']")
        page.wait_for_function("document.querySelectorAll('#queue-body tr[data-id]').length > 0")
        to_data = (time.perf_counter() - started) * 1000
        page.wait_for_function("document.querySelectorAll('#log-view .log-line').length >= 100")
        page.wait_for_function("document.querySelectorAll('#history-legend li').length > 0")
        page.wait_for_timeout(300)  # let the last loadingFinished events arrive
        timing = page.evaluate(
            "(() => { const n = performance.getEntriesByType('navigation')[0];"
            " return {dcl: n.domContentLoadedEventEnd, load: n.loadEventEnd}; })()")
        browser.close()

    requests = {k: r for k, r in requests.items() if r["url"].startswith("http")}  # not data:
    posters = {k: r for k, r in requests.items() if "/poster" in r["url"]}
    requests = {k: r for k, r in requests.items() if k not in posters}
    if "-v" in sys.argv:
        for r in requests.values():
            print(f"  {r['wire']:>8} {r['body']:>8} {r['url']}", file=sys.stderr)
    assets = [r for r in requests.values() if "/api/" not in r["url"]]
    api = [r for r in requests.values() if "/api/" in r["url"]]
    wire = sum(r["wire"] for r in requests.values())
    return {
        "first_load_requests_count": len(requests),
        "first_load_asset_requests_count": len(assets),
        "first_load_total_wire_kb": round(wire / 1024, 1),
        "first_load_poster_requests_count": len(posters),
        "first_load_assets_wire_kb": round(sum(r["wire"] for r in assets) / 1024, 1),
        "first_load_assets_decoded_kb": round(sum(r["body"] for r in assets) / 1024, 1),
        "first_load_api_wire_kb": round(sum(r["wire"] for r in api) / 1024, 1),
        "first_load_dom_content_loaded_ms": round(timing["dcl"], 1),
        "first_load_load_event_ms": round(timing["load"], 1),
        "first_load_until_data_shown_ms": round(to_data, 1),
    }


def _received(record: dict[str, Any], event: dict[str, Any]) -> None:
    record["body"] += event["dataLength"]
    if not record["done"]:
        # a stream (the live log) never finishes, and Chromium does not always report its
        # encoded length as it goes; the log stream is never compressed, so what arrived so
        # far is the decoded length
        record["wire"] += max(event["encodedDataLength"], event["dataLength"])


async def poll_cycles(url: str, timer: ServerTimer, repeat: int) -> dict[str, float]:
    headers = {"Accept": "application/json", "Accept-Encoding": "gzip, deflate, br"}
    per_path: dict[str, list[float]] = {path.split("?")[0]: [] for path in CYCLE}
    sums: list[float] = []
    walls: list[float] = []
    wire: list[int] = []
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=60) as client:
        for path in CYCLE:  # warm caches and the thread pool
            (await client.get(path)).raise_for_status()
        for _ in range(repeat):
            timer.times.clear()
            size = 0
            for path in CYCLE:
                response = await client.get(path)
                response.raise_for_status()
                size += response.num_bytes_downloaded
            for path, seconds in timer.times:
                per_path[path].append(seconds * 1000)
            sums.append(sum(seconds for _, seconds in timer.times) * 1000)
            wire.append(size)
        for _ in range(repeat):
            started = time.perf_counter()
            responses = await asyncio.gather(*(client.get(path) for path in CYCLE))
            walls.append((time.perf_counter() - started) * 1000)
            for response in responses:
                response.raise_for_status()
    out: dict[str, float] = {}
    for path, times in per_path.items():
        name = path.strip("/").replace("/", "_")
        out[f"{name}_server_p50_ms"] = round(pct(times, 0.5), 3)
        out[f"{name}_server_p95_ms"] = round(pct(times, 0.95), 3)
    out["poll_cycle_server_p50_ms"] = round(pct(sums, 0.5), 3)
    out["poll_cycle_server_p95_ms"] = round(pct(sums, 0.95), 3)
    out["poll_cycle_wall_parallel_p50_ms"] = round(pct(walls, 0.5), 3)
    out["poll_cycle_wall_parallel_p95_ms"] = round(pct(walls, 0.95), 3)
    out["poll_cycle_body_bytes"] = round(sum(wire) / len(wire))
    return out


async def history_and_poster(url: str, timer: ServerTimer, repeat: int, poster_id: int
                             ) -> dict[str, float]:
    paths = {"history_24h": "/api/history?range=24h", "history_7d": "/api/history?range=7d",
             "history_30d": "/api/history?range=30d",
             "poster_cached": f"/api/queue/{poster_id}/poster?size=96"}
    out: dict[str, float] = {}
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        first = await client.get(paths["poster_cached"])  # makes the thumbnail
        first.raise_for_status()
        revalidate = {"If-None-Match": first.headers["etag"]}
        for name, path in [*paths.items(), ("poster_not_modified", paths["poster_cached"])]:
            headers = revalidate if name == "poster_not_modified" else {}
            times = []
            for _ in range(repeat):
                timer.times.clear()
                response = await client.get(path, headers=headers)
                assert response.status_code in (200, 304), response.text
                times += [seconds * 1000 for _, seconds in timer.times]
            out[f"{name}_server_p50_ms"] = round(pct(times, 0.5), 3)
            out[f"{name}_server_p95_ms"] = round(pct(times, 0.95), 3)
    return out


def add_poster_item(db: Any, root: Path) -> int:
    from PIL import Image

    folder = root / "library" / "ABP-999"
    folder.mkdir(parents=True)
    video = folder / "ABP-999.mp4"
    video.write_bytes(b"")
    Image.effect_noise((800, 1200), 60).convert("RGB").save(folder / "ABP-999-poster.jpg")
    item, _ = db.enqueue(str(video), 1, 1)
    db.update_fields(item.id, library_path=str(video))
    return int(item.id)


def run(items: int = 1_000_000, repeat: int = 100, browser: bool = True) -> dict[str, float]:
    out: dict[str, float] = {"items_count": items}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "watch").mkdir()
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None, data_dir=root / "data", watch_dirs=[root / "watch"],
            metadata_providers=[], min_free_disk_mb=0,
        )
        started = time.perf_counter()
        db = seed(settings.db_path, items)
        seed_history(settings.db_path, items)
        poster_id = add_poster_item(db, root)
        out["seed_s"] = round(time.perf_counter() - started, 1)
        try:
            for name in ("FileProcessor", "EmbyUpdater", "RetryHandler"):
                db.beat(name, "running")
            logs = LogBuffer(1000)
            for n in range(150):
                logs.append("INFO", "emby_processor.workers.file",
                            f"SSIS-{n:05}: metadata from metatube in 410 ms, moved to the library",
                            n + 1)
            app = create_app(settings, db=db, logs=logs, health=HealthMonitor(settings, db))
            timer = ServerTimer(app)
            with Server(timer) as server:
                if browser:
                    out.update(first_load(server.url))
                out.update(asyncio.run(poll_cycles(server.url, timer, repeat)))
                out.update(asyncio.run(history_and_poster(server.url, timer, repeat, poster_id)))
        finally:
            db.close()
    return out


def print_figures(figures: dict[str, float]) -> None:
    for key, value in figures.items():
        unit = next((u for u in UNITS if key.endswith(u)), "")
        name = key[: -len(unit)] if unit else key
        print(f"{name}: {value} {UNITS.get(unit, '')}".rstrip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--items", type=int, default=1_000_000, help="items in the database")
    parser.add_argument("--repeat", type=int, default=100, help="poll cycles to time")
    parser.add_argument("--no-browser", action="store_true", help="skip the first-load part")
    parser.add_argument("-v", action="store_true", help="list the first load's requests")
    args = parser.parse_args()
    print_figures(run(args.items, args.repeat, browser=not args.no_browser))


if __name__ == "__main__":
    main()
