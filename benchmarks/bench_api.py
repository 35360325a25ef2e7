"""Dashboard API cost on a big queue, and live-log fan-out to many browsers.

1. A database with ``--items`` items (1,000,000 by default; the counters and indexes are kept by
   the schema's own triggers while seeding). Each endpoint is called in-process through
   ``httpx.ASGITransport``; the figure is *server time*: from the ASGI call to the last body
   byte, measured by a wrapper around the app, so the HTTP client's own work is left out.
   Median (p50) and p95 of every endpoint.
2. 100 SSE clients on ``/api/logs`` of a uvicorn server in a child process while 1,000 log lines
   are written there, once in one burst (throughput) and once 2 ms apart (latency): every
   client must get every line, in order; delivery latency (write to parse, so it includes the
   clients' own parsing), and the server process's CPU and memory (clients run in this
   process, not counted; the wall time runs from the first connection to the last line at the
   last client).

    python benchmarks/bench_api.py [--items 1000000] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))

from seed import pct, seed

from emby_processor.api import create_app
from emby_processor.config import Settings
from emby_processor.db import QueueDB
from emby_processor.health import HealthMonitor
from emby_processor.logbuffer import LogBuffer

UNITS = ("_ms", "_pct", "_mb", "_s", "_count")


def settings_for(tmp: Path) -> Settings:
    (tmp / "watch").mkdir(exist_ok=True)
    return Settings(
        _env_file=None, data_dir=tmp, watch_dirs=[tmp / "watch"], metadata_providers=[],
        min_free_disk_mb=0,
    )


class ServerTimer:
    """ASGI wrapper: seconds from the call to the end of the response body."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.last = 0.0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        start = time.perf_counter()

        async def timed_send(message: Any) -> None:
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                self.last = time.perf_counter() - start

        await self.app(scope, receive, timed_send)


async def _latencies(db: QueueDB, settings: Settings, repeat: int) -> dict[str, float]:
    for name in ("FileProcessor", "EmbyUpdater", "RetryHandler"):
        db.beat(name, "idle")
    health = HealthMonitor(settings, db)
    app = create_app(settings, db=db, logs=LogBuffer(1000), health=health)
    timer = ServerTimer(app)
    stats = db.stats(top=1)
    actress = next(iter(stats["by_actress"]))
    total = stats["total"]
    middle = max(total // 2, 1)
    deep_page = max(total // 2 // 50, 1)
    requests = {
        "stats": "/api/stats",
        "health": "/api/health",
        "queue_first_page": "/api/queue",
        "queue_status_error": "/api/queue?status=error",
        "queue_movie_code": "/api/queue?movie_code=SSIS",
        "queue_actress": f"/api/queue?actress={actress}",
        "queue_status_and_actress": f"/api/queue?status=completed&actress={actress}",
        "queue_search_code": "/api/queue?q=SSIS-0004",
        "queue_search_short": "/api/queue?q=AB",
        "queue_sort_updated": "/api/queue?sort=updated",
        "queue_sort_oldest": "/api/queue?sort=oldest",
        f"queue_deep_page_{deep_page}": f"/api/queue?page={deep_page}",
        "item_detail": f"/api/queue/{middle}",
        "metrics": "/metrics",
    }
    out: dict[str, float] = {}
    transport = httpx.ASGITransport(app=timer)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        for name, url in requests.items():
            await client.get(url)  # warm the page cache and the thread pool
            times = []
            for _ in range(repeat):
                response = await client.get(url)
                assert response.status_code == 200, (url, response.text[:200])
                times.append(timer.last * 1000)
            out[f"api_{name}_p50_ms"] = round(pct(times, 0.5), 3)
            out[f"api_{name}_p95_ms"] = round(pct(times, 0.95), 3)
    return out


# --- SSE fan-out ----------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve_sse(port: int, clients: int, lines: int, pause: float) -> None:
    """Child process: the app under uvicorn; writes the log lines once every client listens,
    ``pause`` seconds apart (0: one burst)."""
    import uvicorn

    with tempfile.TemporaryDirectory() as tmp:
        settings = settings_for(Path(tmp))
        db = QueueDB(settings.db_path).open()
        logs = LogBuffer(max(lines * 2, 1000))
        app = create_app(settings, db=db, logs=logs, health=HealthMonitor(settings, db))

        def emit() -> None:
            deadline = time.monotonic() + 120
            while logs.subscribers < clients and time.monotonic() < deadline:
                time.sleep(0.01)
            for n in range(lines):
                logs.append("INFO", "bench", f"{n} {time.time():.6f}")
                if pause:
                    time.sleep(pause)

        threading.Thread(target=emit, daemon=True).start()
        uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
        db.close()


async def _listen(
    client: httpx.AsyncClient, url: str, lines: int, latencies: list[float]
) -> list[int]:
    ids: list[int] = []
    async with client.stream("GET", url, params={"last_event_id": 0}) as response:
        async for line in response.aiter_lines():
            if line.startswith("id:"):
                ids.append(int(line[3:]))
            elif line.startswith("data:"):
                sent = float(json.loads(line[5:])["message"].split()[1])
                latencies.append((time.time() - sent) * 1000)
            if len(ids) == lines:
                return ids
    return ids


def sse_fanout(clients: int, lines: int, pause: float = 0.0) -> dict[str, float]:
    port = _free_port()
    child = subprocess.Popen([
        sys.executable, __file__, "--sse-server", str(port), str(clients), str(lines), str(pause)
    ])
    try:
        server = psutil.Process(child.pid)
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or child.poll() is not None:
                    raise RuntimeError("the SSE server did not start") from None
                time.sleep(0.05)
        rss_before = server.memory_info().rss
        cpu_before = sum(server.cpu_times()[:2])
        latencies: list[float] = []
        start = time.perf_counter()

        async def everyone() -> list[list[int]]:
            url = f"http://127.0.0.1:{port}/api/logs"
            # one client object, one connection per stream (as many browsers would hold)
            limits = httpx.Limits(max_connections=clients + 10)
            timeout = httpx.Timeout(60, connect=10)
            async with httpx.AsyncClient(limits=limits, timeout=timeout) as client:
                return await asyncio.gather(
                    *(_listen(client, url, lines, latencies) for _ in range(clients)))

        received = asyncio.run(everyone())
        wall = time.perf_counter() - start
        cpu = sum(server.cpu_times()[:2]) - cpu_before
        rss_after = server.memory_info().rss
    finally:
        child.terminate()
        child.wait(10)
    complete = sum(1 for ids in received if ids == list(range(1, lines + 1)))
    kind = f"sse_{'paced' if pause else 'burst'}"
    return {
        f"{kind}_clients_count": clients,
        f"{kind}_lines_count": lines,
        f"{kind}_clients_with_every_line_count": complete,
        f"{kind}_wall_s": round(wall, 2),
        f"{kind}_latency_p50_ms": round(pct(latencies, 0.5), 2),
        f"{kind}_latency_p95_ms": round(pct(latencies, 0.95), 2),
        f"{kind}_server_cpu_time_s": round(cpu, 2),
        f"{kind}_server_cpu_pct": round(100 * cpu / wall, 1),
        f"{kind}_server_rss_before_mb": round(rss_before / 1048576, 1),
        f"{kind}_server_rss_after_mb": round(rss_after / 1048576, 1),
    }


# --- entry points -----------------------------------------------------------------------------

def run(quick: bool = False, items: int | None = None) -> dict[str, float]:
    items = items if items is not None else (20_000 if quick else 1_000_000)
    repeat = 30 if quick else 200
    out: dict[str, float] = {"items_count": items}
    with tempfile.TemporaryDirectory() as tmp:
        settings = settings_for(Path(tmp))
        started = time.perf_counter()
        db = seed(settings.db_path, items)
        out["seed_s"] = round(time.perf_counter() - started, 1)
        try:
            out.update(asyncio.run(_latencies(db, settings, repeat)))
        finally:
            db.close()
    clients, lines = (20, 200) if quick else (100, 1000)
    out.update(sse_fanout(clients, lines))  # one burst: throughput
    out.update(sse_fanout(clients, lines, pause=0.002))  # 500 lines/s: delivery latency
    return out


def print_figures(figures: dict[str, float]) -> None:
    for key, value in figures.items():
        unit = next((u for u in UNITS if key.endswith(u)), "")
        name = key[: -len(unit)] if unit else key
        label = unit.lstrip("_").replace("pct", "%").replace("count", "")
        print(f"{name}: {value} {label}".rstrip())


def main() -> None:
    if len(sys.argv) == 6 and sys.argv[1] == "--sse-server":
        serve_sse(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--items", type=int, default=None, help="items in the database")
    parser.add_argument("--quick", action="store_true", help="small and fast")
    args = parser.parse_args()
    print_figures(run(quick=args.quick, items=args.items))


if __name__ == "__main__":
    main()
