"""Run every benchmark in this folder, print one table of figures with the machine's description,
then the aims of issue 16 with this version's figure beside 0.1.0's, measured in the same run.

    python benchmarks/run_all.py                 # sizes that fit in about ten minutes (make bench)
    python benchmarks/run_all.py --full          # the sizes the issues name (1,000,000 items: slow)
    python benchmarks/run_all.py --quick         # smallest sizes, a smoke test
    python benchmarks/run_all.py --only queue,moviecode
    python benchmarks/run_all.py --no-baseline   # without the 0.1.0 runs

The aims table says at which size each figure was measured: by default the queue pages and the
CSV export are measured at 200,000 items, ``--full`` measures them at 1,000,000.

The baseline is the release 0.1.0 (tag ``v0.1.0``, commit f0eb2a5), unpacked from git into a
temporary folder: its service runs the pipeline benchmark against the same fakes and harness, its
store runs the queue and store benchmarks, each in its own process. Without the tag (a copy of the
sources, a shallow clone) the table says "baseline unavailable" and shows the figures the issue
quotes. The machine is shared, so comparisons come from one run, and the load average is printed
at the start and the end.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import os
import platform
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

BASELINE_TAG = "v0.1.0"
#: name -> module
BENCHMARKS: dict[str, str] = {
    "moviecode": "bench_moviecode",
    "queue": "bench_queue",
    "store": "bench_store",
    "api": "bench_api",
    "dashboard": "bench_dashboard",
    "pipeline": "bench_pipeline",
    "first_import": "bench_first_import",
}
#: keyword arguments of each benchmark's run() per size set; "full" is every module's defaults
SIZES: dict[str, dict[str, dict[str, Any]]] = {
    "quick": {
        "queue": {"items": 20_000, "ops": 1000, "rounds": 1},
        "store": {"items": 50_000, "cleanup_items": 22_000},
        "api": {"quick": True},
        "dashboard": {"items": 20_000, "repeat": 30},
        "pipeline": {"files": 200},
        "first_import": {"files": 2000, "after": 10},
    },
    "default": {
        "queue": {"items": 20_000, "ops": 2000, "rounds": 1},
        "store": {"items": 200_000, "cleanup_items": 111_000},
        "api": {"quick": True},
        "dashboard": {"items": 20_000, "repeat": 30},
        "pipeline": {"files": 300},
        "first_import": {"files": 10_000, "after": 10},
    },
    "full": {},
}
Figures = dict[str, Any]


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError):
        mem = float("nan")
    return (
        f"{platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} cores, "
        f"{mem:.0f} GiB; Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}"
    )


def load() -> str:
    return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg()) + " (1, 5, 15 min)"


@contextlib.contextmanager
def baseline_checkout() -> Iterator[Path | None]:
    """The 0.1.0 release unpacked into a temporary folder (None when git cannot give it)."""
    with tempfile.TemporaryDirectory(prefix="emby-processor-0.1.0-") as tmp:
        try:
            archive = subprocess.run(["git", "archive", "--format=tar", BASELINE_TAG],
                                     cwd=HERE.parent, capture_output=True, check=True).stdout
        except (OSError, subprocess.CalledProcessError) as error:
            print(f"baseline: cannot check out {BASELINE_TAG}: {error}", file=sys.stderr)
            yield None
            return
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(tmp, filter="data")
        yield Path(tmp)


def baseline_queue(src: Path, sizes: str) -> Figures:
    """bench_queue against 0.1.0's store (throughput ratios only)."""
    args = {"ops": 5000, "rounds": 3, **SIZES[sizes].get("queue", {})}
    done = subprocess.run([sys.executable, str(HERE / "bench_queue.py"), "--items", "0",
                           "--ops", str(args["ops"]), "--rounds", str(args["rounds"])],
                          env={**os.environ, "PYTHONPATH": str(src)},
                          capture_output=True, text=True, check=True)
    figures: Figures = {}
    for line in done.stdout.splitlines():
        key, _, value = line.partition(": ")
        figures[key] = float(value)
    return figures


def baseline_store(src: Path, sizes: str) -> Figures:
    module = importlib.import_module("bench_store")
    return dict(module.run(src=str(src), **SIZES[sizes].get("store", {})))


def baseline_pipeline(src: Path, sizes: str) -> Figures:
    module = importlib.import_module("bench_pipeline")
    return dict(module.run(service_src=str(src), **SIZES[sizes].get("pipeline", {})))


BASELINE_RUNS: dict[str, Callable[[Path, str], Figures]] = {
    "queue": baseline_queue, "store": baseline_store, "pipeline": baseline_pipeline,
}


def show(name: str, figures: Figures) -> None:
    for key, value in figures.items():
        shown = f"{value:,.3f}" if isinstance(value, float) else str(value)
        print(f"{name:<16} {key:<52} {shown:>14}", flush=True)


def run_one(name: str, sizes: str) -> Figures | None:
    started = time.perf_counter()
    try:
        module = importlib.import_module(BENCHMARKS[name])
        figures: Figures = dict(module.run(**SIZES[sizes].get(name, {})))
    except Exception as error:  # one broken benchmark must not hide the others
        print(f"{name:<16} {'ERROR':<52} {error!r}", flush=True)
        return None
    show(name, figures)
    print(f"{name:<16} {'(benchmark wall time, s)':<52} {time.perf_counter() - started:>14.1f}")
    return figures


def run_baseline(chosen: list[str], sizes: str) -> tuple[dict[str, Figures], int]:
    """The 0.1.0 figures of the benchmarks that have a baseline, and how many failed."""
    baseline: dict[str, Figures] = {}
    failed = 0
    wanted = [name for name in chosen if name in BASELINE_RUNS]
    if not wanted:
        return baseline, failed
    with baseline_checkout() as checkout:
        if checkout is None:
            print(f"baseline unavailable: no {BASELINE_TAG} in this repository", flush=True)
            return baseline, failed
        for name in wanted:
            started = time.perf_counter()
            try:
                baseline[name] = BASELINE_RUNS[name](checkout / "src", sizes)
            except Exception as error:
                print(f"{name + '@0.1.0':<16} {'ERROR':<52} {error!r}", flush=True)
                failed += 1
                continue
            show(name + "@0.1.0", baseline[name])
            print(f"{name + '@0.1.0':<16} {'(benchmark wall time, s)':<52} "
                  f"{time.perf_counter() - started:>14.1f}")
    return baseline, failed


def main() -> int:
    parser = argparse.ArgumentParser()
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="smallest sizes, a smoke test")
    size.add_argument("--full", action="store_true", help="the sizes the issues name (slow)")
    parser.add_argument("--only", default="", help="comma-separated benchmark names")
    parser.add_argument("--no-baseline", action="store_true", help="skip the 0.1.0 runs")
    args = parser.parse_args()
    sizes = "quick" if args.quick else "full" if args.full else "default"
    chosen = [n for n in args.only.split(",") if n] or list(BENCHMARKS)
    began = time.perf_counter()
    print(f"machine: {machine()}")
    print(f"sizes: {sizes}; at the start: {load()}")
    print(f"{'benchmark':<16} {'figure':<52} {'value':>14}")
    results: dict[str, Figures] = {}
    failed = 0
    for name in chosen:
        figures = run_one(name, sizes)
        if figures is None:
            failed += 1
        else:
            results[name] = figures
    baseline: dict[str, Figures] = {}
    if args.no_baseline:
        print("baseline: not run (--no-baseline)")
    else:
        baseline, more = run_baseline(chosen, sizes)
        failed += more
    print(f"at the end: {load()}; {time.perf_counter() - began:.0f} s in all")
    from aims import print_aims

    print_aims(results, baseline, sizes=sizes)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
