"""The first import: a watch folder that already holds 10,000 video files when the service starts.

``emby-processor run`` (workers and dashboard in one process, as users run it) starts on a folder
of ``--files`` small files, against the local fakes (MetaTube knows every code). Figures:

- **until all are queued**: seconds from the process start until the queue holds every file,
  next to the settle time (``FILE_SETTLE_SECONDS``): a file is queued once it has not changed for
  that long, so the aim is *settle time + 15 s*;
- **the dashboard during the import**: a separate process (so the fakes' work in this one does not
  slow it) sends the page's poll cycle — ``/api/health``, ``/api/stats?top=10`` and the queue page
  the page shows, one after the other, over a real socket — every ``--poll`` seconds from the
  moment the dashboard answers until ``--after`` seconds after the last file was queued, while
  the workers go through the backlog; p50 / p95 / max of the cycle's wall time;
- what the backlog looks like at the end (``GET /api/history``: pending, the pace, the ETA) and
  the items filed meanwhile, and the service's peak RSS.

    python benchmarks/bench_first_import.py [--files 10000] [--settle 5] [--after 30]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from tests.fakes.server import free_port  # noqa: E402
from tests.pipeline.stack import running_stack  # noqa: E402
from tests.reliability.crashloop import prepare  # noqa: E402
from tests.reliability.proc import ServiceProcess, wait_until  # noqa: E402
from tests.reliability.rss import RssSampler  # noqa: E402

CYCLE = ("/api/health", "/api/stats?top=10", "/api/queue?sort=newest&page=1&limit=50")


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(int(q * len(ordered)), len(ordered) - 1)]


def _count(db: Path, where: str = "1") -> int:
    if not db.exists():
        return 0
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=15)
    except sqlite3.Error:
        return 0
    try:
        return int(conn.execute(f"SELECT count(*) FROM items WHERE {where}").fetchone()[0])
    except sqlite3.Error:
        return 0
    finally:
        conn.close()


def poll_dashboard(url: str, every: float, stop: Any, results: Any) -> None:
    """Child process: the page's poll cycle until ``stop`` is set; cycle times (ms) to
    ``results``."""
    times: list[float] = []
    per_path: dict[str, list[float]] = {path: [] for path in CYCLE}
    with httpx.Client(base_url=url, timeout=30, headers={"Accept-Encoding": "gzip"}) as client:
        while not stop.is_set():
            started = time.perf_counter()
            try:
                for path in CYCLE:
                    sent = time.perf_counter()
                    client.get(path).raise_for_status()
                    per_path[path].append((time.perf_counter() - sent) * 1000)
            except httpx.HTTPError:
                time.sleep(every)
                continue  # not listening yet
            times.append((time.perf_counter() - started) * 1000)
            stop.wait(max(every - (time.perf_counter() - started), 0))
    results.put((times, per_path))


def run(files: int = 10_000, settle: float = 5.0, after: float = 30.0, poll: float = 0.5,
        workers: str = "") -> dict[str, float]:
    """``workers`` ``"F,E"`` sets FILE_WORKERS and EMBY_WORKERS (default: the service's)."""
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp, running_stack(
        Path(tmp), index_delay=0.0
    ) as stack:
        for entry in prepare(stack, random.Random(3), files, (512, 2048)):
            (stack.watch / entry.name).write_bytes(entry.content)
        os.sync()
        db = stack.data / "queue.db"
        port = free_port()
        env = stack.env(LOG_LEVEL="WARNING", API_PORT=str(port),
                        FILE_SETTLE_SECONDS=f"{settle:g}", SCAN_INTERVAL_SECONDS="300")
        if workers:
            env["FILE_WORKERS"], env["EMBY_WORKERS"] = workers.split(",")
        ctx = multiprocessing.get_context("spawn")
        stop, results = ctx.Event(), ctx.Queue()
        poller = ctx.Process(target=poll_dashboard,
                             args=(f"http://127.0.0.1:{port}", poll, stop, results))
        service = ServiceProcess(env, stack.root, command="run")
        started = time.monotonic()
        service.start()
        poller.start()
        try:
            with RssSampler(service.pid) as rss:
                wait_until(lambda: _count(db) >= files, settle + 300, service.tail,
                           check=service.ensure_alive, interval=0.1)
                queued = time.monotonic() - started
                time.sleep(after)  # the workers go through the backlog; the page polls
                stop.set()
                cycles, per_path = results.get(timeout=60)
                with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
                    backlog = client.get("/api/history", params={"range": "24h"}
                                         ).json()["backlog"]
                filed = _count(db, "status = 'completed'")
            assert service.terminate() == 0, service.tail()
        finally:
            stop.set()
            poller.join(30)
            service.close()
    return {
        "files": files,
        "settle time (s)": settle,
        "until all are queued (s)": round(queued, 2),
        "until all are queued, past the settle time (s)": round(queued - settle, 2),
        "poll cycles measured": len(cycles),
        "dashboard poll cycle p50 (ms)": round(_pct(cycles, 0.5), 1),
        "dashboard poll cycle p95 (ms)": round(_pct(cycles, 0.95), 1),
        "dashboard poll cycle max (ms)": round(max(cycles, default=float("nan")), 1),
        **{f"{path.split('?')[0]} p95 (ms)": round(_pct(times, 0.95), 1)
           for path, times in per_path.items()},
        "items filed meanwhile": filed,
        "backlog at the end": backlog["total"],
        "pace at the end (items/h)": backlog["rate_per_hour"],
        "ETA at the end (s)": backlog["eta_seconds"] or 0,
        "peak RSS (MB)": round(rss.peak, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--settle", type=float, default=5.0, help="FILE_SETTLE_SECONDS")
    parser.add_argument("--after", type=float, default=30.0,
                        help="seconds measured after the last file was queued")
    parser.add_argument("--poll", type=float, default=0.5, help="seconds between poll cycles")
    parser.add_argument("--workers", default="", metavar="F,E",
                        help="FILE_WORKERS,EMBY_WORKERS (default: the service's defaults)")
    args = parser.parse_args()
    for key, value in run(args.files, args.settle, args.after, args.poll, args.workers).items():
        name, _, unit = key.partition(" (")
        print(f"{name}: {value} {unit.rstrip(')')}".rstrip())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
