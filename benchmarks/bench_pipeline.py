"""The whole pipeline, end to end, against the local fakes (issue 4's benchmark).

2,000 small files are dropped into the watch folder of a running ``emby-processor workers``
(a subprocess, as users run it) and followed until every item is ``completed``: parse, MetaTube
lookup, move into the library, ``.nfo`` and images, Emby announce / find / update / cover /
verify. Twice: with fakes that answer at once, then with 50 ms of latency on every upstream
answer (MetaTube, image host, Emby), at the default concurrency of the service being measured.
``--service-src`` runs another version of the service (its ``src`` folder, e.g. a checkout of
0.1.0) against the same fakes and harness, for a comparison in the same run.

Prints ``name: value unit`` lines: items/s end to end (first file dropped → last item
completed), per-stage p50 / p95 of the successful steps (``item_events.duration_ms``), and the
service's peak RSS.

    python benchmarks/bench_pipeline.py [--files 2000] [--profile]

``--profile`` runs the service in this process instead, with cProfile on every thread, and
prints where the time goes (cumulative, top functions) for the no-latency case.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import os
import pstats
import random
import sqlite3
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import psutil  # noqa: E402
from tests.pipeline.stack import Stack, running_stack  # noqa: E402
from tests.reliability.crashloop import drop_atomically, prepare  # noqa: E402
from tests.reliability.proc import ServiceProcess, wait_until  # noqa: E402

STAGES = ("identify", "metadata", "organize", "emby")


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(int(q * len(ordered)), len(ordered) - 1)]


class _Rss:
    def __init__(self, pid: int) -> None:
        self.process = psutil.Process(pid)
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            with contextlib.suppress(psutil.Error):
                self.peak = max(self.peak, self.process.memory_info().rss / 2**20)

    def __enter__(self) -> _Rss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(2)


def _completed(db: Path) -> int:
    if not db.exists():
        return 0
    conn = sqlite3.connect(db, timeout=15)
    try:
        return int(conn.execute("SELECT count(*) FROM items WHERE status = 'completed'")
                   .fetchone()[0])
    except sqlite3.OperationalError:
        return 0
    finally:
        conn.close()


def _stage_figures(db: Path) -> dict[str, float]:
    conn = sqlite3.connect(db, timeout=15)
    try:
        rows = conn.execute(
            "SELECT stage, duration_ms FROM item_events WHERE outcome = 'ok'"
            " AND duration_ms IS NOT NULL").fetchall()
        errors = conn.execute("SELECT count(*) FROM items WHERE status <> 'completed'"
                              ).fetchone()[0]
    finally:
        conn.close()
    figures: dict[str, float] = {}
    for stage in STAGES:
        values = [ms for s, ms in rows if s == stage]
        figures[f"{stage} p50 (ms)"] = round(_pct(values, 0.5), 2)
        figures[f"{stage} p95 (ms)"] = round(_pct(values, 0.95), 2)
    figures["items not completed"] = errors
    return figures


def _heartbeat(db: Path, pid: int) -> bool:
    if not db.exists():
        return False
    conn = sqlite3.connect(db, timeout=15)
    try:
        return conn.execute("SELECT 1 FROM workers WHERE pid = ?", (pid,)).fetchone() is not None
    except sqlite3.OperationalError:
        return False
    finally:
        conn.close()


@contextlib.contextmanager
def _stack(latency: float) -> Iterator[Stack]:
    with tempfile.TemporaryDirectory(prefix="bench-pipeline-") as tmp, running_stack(
        Path(tmp), index_delay=0.0
    ) as stack:
        stack.metatube.delay = latency
        stack.images.delay = latency
        stack.emby.delay = latency
        yield stack


def one_run(files: int, latency: float, workers: str = "", service_src: str = ""
            ) -> dict[str, float]:
    """Drop ``files`` files into a running service; figures for this run.

    ``workers`` ``"F,E"`` sets FILE_WORKERS and EMBY_WORKERS (default: the service's defaults);
    ``service_src`` is the ``src`` folder of another version of the service to run instead.
    """
    with _stack(latency) as stack:
        dropped = prepare(stack, random.Random(1), files, (1024, 4096))
        db = stack.data / "queue.db"
        env = stack.env(LOG_LEVEL="WARNING")
        if workers:
            env["FILE_WORKERS"], env["EMBY_WORKERS"] = workers.split(",")
        service = ServiceProcess(env, stack.root, command="workers")
        if service_src:
            service.env["PYTHONPATH"] = service_src
        service.start()
        try:
            with _Rss(service.pid) as rss:
                wait_until(lambda: _heartbeat(db, service.pid), 30, service.tail,
                           check=service.ensure_alive)
                cpu0, fakes0 = _cpu(rss.process), _cpu(psutil.Process())
                started = time.perf_counter()
                for entry in dropped:
                    drop_atomically(stack.watch, entry.name, entry.content)
                wait_until(lambda: _completed(db) >= files, 60 + files * (0.5 + 20 * latency),
                           service.tail, check=service.ensure_alive, interval=0.05)
                elapsed = time.perf_counter() - started
                cpu, fakes = _cpu(rss.process) - cpu0, _cpu(psutil.Process()) - fakes0
            assert service.terminate() == 0, service.tail()
        finally:
            service.close()
        return {
            "items/s end to end": round(files / elapsed, 1),
            "seconds for all items": round(elapsed, 2),
            **_stage_figures(db),
            "service CPU per item (ms)": round(cpu / files * 1000, 2),
            "fakes + harness CPU per item (ms)": round(fakes / files * 1000, 2),
            "peak RSS (MB)": round(rss.peak, 1),
        }


def _cpu(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


def run(files: int = 2000, workers: str = "", service_src: str = "") -> dict[str, float]:
    figures: dict[str, float] = {"files": files}
    for latency, label in ((0.0, "no latency"), (0.05, "50 ms latency")):
        for key, value in one_run(files, latency, workers, service_src).items():
            figures[f"{label}: {key}"] = value
    return figures


# --- profiling --------------------------------------------------------------------------------


def profile(files: int, top: int = 35) -> str:
    """The service in this process, cProfile on every thread; the fakes are left out."""
    from emby_processor.composition import Workers, build_upstreams, open_db
    from emby_processor.config import Settings, load_settings

    profiles: list[cProfile.Profile] = []
    lock = threading.Lock()
    ours: set[int] = set()

    def start_profiler(*args: Any) -> None:
        # threading.setprofile runs this once in every thread started afterwards
        sys.setprofile(None)
        if threading.current_thread().name.split("-")[0] not in (
            "FileProcessor", "EmbyUpdater", "RetryHandler", "Watcher", "supervisor"
        ):
            return
        prof = cProfile.Profile()
        with lock:
            profiles.append(prof)
            ours.add(threading.get_ident())
        prof.enable()

    with _stack(0.0) as stack:
        dropped = prepare(stack, random.Random(1), files, (1024, 4096))
        for name in Settings.model_fields:
            os.environ.pop(name.upper(), None)
        os.environ.update(stack.env(LOG_LEVEL="WARNING"))
        settings = load_settings()
        db = open_db(settings)
        upstreams = build_upstreams(settings)
        service = Workers(settings, db, upstreams)
        threading.setprofile(start_profiler)
        service.start()
        threading.setprofile(None)  # type: ignore[arg-type]
        started = time.perf_counter()
        for entry in dropped:
            drop_atomically(stack.watch, entry.name, entry.content)
        wait_until(lambda: _completed(settings.db_path) >= files, 600, "items completed")
        elapsed = time.perf_counter() - started
        for prof in profiles:
            prof.disable()
        service.stop()
        upstreams.close()
        db.close()
    out = io.StringIO()
    stats = pstats.Stats(*profiles, stream=out) if profiles else None
    print(f"profiled run: {files} items in {elapsed:.1f} s ({files / elapsed:.1f} items/s), "
          f"{len(profiles)} threads profiled", file=out)
    if stats is not None:
        stats.sort_stats("tottime").print_stats(top)
        stats.sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--workers", default="", metavar="F,E",
                        help="FILE_WORKERS,EMBY_WORKERS (default: the service's defaults)")
    parser.add_argument("--service-src", default="", metavar="DIR",
                        help="the src folder of another version of the service to measure")
    args = parser.parse_args()
    if args.profile:
        print(profile(args.files))
        return 0
    for key, value in run(args.files, args.workers, args.service_src).items():
        name, _, unit = key.partition(" (")
        print(f"{name}: {value} {unit.rstrip(')')}".rstrip())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
