"""The store at scale: cleanup of 100,000 completed items, any queue page at 1,000,000 items, and
the CSV export of 1,000,000 items.

- **cleanup**: ``--cleanup-items`` items (90 % completed, four timeline events each) and
  ``QueueDB.cleanup(0)`` (every completed item): seconds, and the longest a worker's write waited
  meanwhile (a thread writes a control row over and over while the cleanup runs);
- **pages**: ``--items`` items; each page the dashboard can ask for — the first, the middle by
  newest, oldest and last-updated, the middle of the completed items, the last — 20 times:
  p95 of each and the worst of them ("any page");
- **CSV export**: the same database served by uvicorn in a child process, the whole export
  downloaded over a socket as a browser does (gzip accepted): seconds, rows, megabytes on the
  wire, and the server's resident memory before and at its peak.

Every part runs in a child process with ``PYTHONPATH`` pointing at the ``src`` folder to measure
(``--src``, default this checkout) and ``seed.py`` from that version's ``benchmarks``, so
``run_all.py`` measures 0.1.0 the same way in the same run.

    python benchmarks/bench_store.py [--items 1000000] [--cleanup-items 111000] [--src DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OWN_SRC = HERE.parent / "src"


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(q * len(ordered)), len(ordered) - 1)]


# -- the parts, each in a child process ------------------------------------------------------

def part_cleanup(items: int) -> dict[str, float]:
    from seed import seed  # type: ignore[import-not-found]

    with tempfile.TemporaryDirectory(prefix="bench-cleanup-") as tmp:
        path = Path(tmp) / "q.db"
        db = seed(path, items)
        conn = sqlite3.connect(path, isolation_level=None)
        for stage in ("identify", "metadata", "organize", "emby"):
            conn.execute("INSERT INTO item_events (item_id, at, stage, outcome, message)"
                         " SELECT id, created_at, ?, 'ok', 'step done' FROM items", (stage,))
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
        waits: list[float] = []
        done = threading.Event()

        def worker() -> None:
            while not done.is_set():
                started = time.perf_counter()
                db.set_control("bench", str(started))
                waits.append((time.perf_counter() - started) * 1000)
                time.sleep(0.002)

        thread = threading.Thread(target=worker)
        thread.start()
        started = time.perf_counter()
        try:
            deleted = db.cleanup(0)
        finally:
            seconds = time.perf_counter() - started
            done.set()
            thread.join()
        db.close()
    return {"cleanup_items_count": deleted, "cleanup_s": round(seconds, 2),
            "cleanup_longest_write_wait_ms": round(max(waits, default=0.0), 1)}


def part_pages(path: str, items: int) -> dict[str, float]:
    from seed import seed

    from emby_processor.db import QueueFilter

    db = seed(Path(path), items)
    # the seed writes a million rows through the log at once; a running service copies its log
    # back into the database every second or so, so pages are read the way they would be there
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    total = db.stats()["total"]
    completed = db.stats()["completed"]
    middle, last = max(total // 2 // 50, 1), max(-(-total // 50), 1)
    asks = {
        "first": (QueueFilter(), "newest", 1),
        "middle_newest": (QueueFilter(), "newest", middle),
        "middle_oldest": (QueueFilter(), "oldest", middle),
        "middle_updated": (QueueFilter(), "updated", middle),
        "middle_completed": (QueueFilter(status="completed"), "newest",
                             max(completed // 2 // 50, 1)),
        "last": (QueueFilter(), "newest", last),
    }
    out: dict[str, float] = {"pages_items_count": total}
    worst = 0.0
    for name, (flt, sort, page) in asks.items():
        db.list_items(flt, sort=sort, page=page)  # warm
        times = []
        for _ in range(20):
            started = time.perf_counter()
            db.list_items(flt, sort=sort, page=page)
            times.append((time.perf_counter() - started) * 1000)
        out[f"page_{name}_p95_ms"] = round(_pct(times, 0.95), 2)
        worst = max(worst, _pct(times, 0.95))
    out["any_page_p95_ms"] = round(worst, 2)
    db.close()
    return out


def part_serve(path: str, port: int) -> None:
    import uvicorn

    from emby_processor.api import create_app
    from emby_processor.config import Settings
    from emby_processor.db import QueueDB
    from emby_processor.health import HealthMonitor
    from emby_processor.logbuffer import LogBuffer

    root = Path(path).parent
    (root / "watch").mkdir(exist_ok=True)
    settings = Settings(_env_file=None, data_dir=root, watch_dirs=[root / "watch"],
                        metadata_providers=[], min_free_disk_mb=0)
    db = QueueDB(path).open()
    app = create_app(settings, db=db, logs=LogBuffer(100), health=HealthMonitor(settings, db))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")


# -- the parent ----------------------------------------------------------------------------

def _child(src: str, *args: str, capture: bool = True) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": src}
    seeds = str(Path(src).parent / "benchmarks")
    return subprocess.Popen(
        [sys.executable, __file__, "--child", seeds, *args], env=env, text=True,
        stdout=subprocess.PIPE if capture else subprocess.DEVNULL)


def _result(child: subprocess.Popen[str]) -> dict[str, float]:
    out, _ = child.communicate()
    if child.returncode != 0:
        raise RuntimeError(f"benchmark part failed ({child.returncode})")
    return dict(json.loads(out.strip().splitlines()[-1]))


def csv_export(src: str, path: str) -> dict[str, float]:
    import httpx
    import psutil

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = _child(src, "serve", path, str(port), capture=False)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("the server did not start") from None
                time.sleep(0.1)
        process = psutil.Process(server.pid)
        before = peak = process.memory_info().rss / 2**20
        rows = wire = 0
        started = time.perf_counter()
        with httpx.Client(timeout=300, headers={"Accept-Encoding": "gzip"}) as client, \
                client.stream("GET", f"http://127.0.0.1:{port}/api/queue/export.csv") as reply:
            reply.raise_for_status()
            for chunk in reply.iter_bytes():
                rows += chunk.count(b"\n")
                peak = max(peak, process.memory_info().rss / 2**20)
            wire = reply.num_bytes_downloaded
        seconds = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(30)
    return {"csv_rows_count": rows - 1, "csv_s": round(seconds, 2),
            "csv_wire_mb": round(wire / 2**20, 1), "csv_server_rss_before_mb": round(before, 1),
            "csv_server_rss_peak_mb": round(peak, 1),
            "csv_server_rss_growth_mb": round(peak - before, 1)}


def run(items: int = 1_000_000, cleanup_items: int = 111_000, src: str = "") -> dict[str, float]:
    src = src or str(OWN_SRC)
    out = _result(_child(src, "cleanup", str(cleanup_items)))
    with tempfile.TemporaryDirectory(prefix="bench-store-") as tmp:
        path = str(Path(tmp) / "queue.db")
        out.update(_result(_child(src, "pages", path, str(items))))
        out.update(csv_export(src, path))
    return out


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        sys.path.insert(0, sys.argv[2])
        part, args = sys.argv[3], sys.argv[4:]
        if part == "serve":
            part_serve(args[0], int(args[1]))
            return
        result: Any = (part_cleanup(int(args[0])) if part == "cleanup"
                       else part_pages(args[0], int(args[1])))
        print(json.dumps(result))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--cleanup-items", type=int, default=111_000)
    parser.add_argument("--src", default="", help="the src folder of the service to measure")
    args = parser.parse_args()
    for key, value in run(args.items, args.cleanup_items, args.src).items():
        print(f"{key}: {value}")


if __name__ == "__main__":
    main()
