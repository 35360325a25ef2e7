"""Run every benchmark in this folder, print one table of figures with the machine's description,
then the aims of issue 16 with this version's figure beside 0.1.0's, measured in the same run.

    python benchmarks/run_all.py                 # the sizes the issues name (1,000,000 items: slow)
    python benchmarks/run_all.py --quick         # smaller sizes, a few minutes
    python benchmarks/run_all.py --only queue,moviecode
    python benchmarks/run_all.py --no-baseline   # without the 0.1.0 runs

The baseline is the release 0.1.0 (tag ``v0.1.0``, commit f0eb2a5), unpacked from git into a
temporary folder: its service runs the pipeline benchmark against the same fakes and harness, its
store runs the queue and store benchmarks, each in its own process. The machine is shared, so
comparisons come from one run, and the load average is printed at the start and the end.
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
#: name -> (module, keyword arguments for --quick)
BENCHMARKS: dict[str, tuple[str, dict[str, Any]]] = {
    "moviecode": ("bench_moviecode", {}),
    "queue": ("bench_queue", {"items": 20_000, "ops": 2000}),
    "store": ("bench_store", {"items": 50_000, "cleanup_items": 22_000}),
    "api": ("bench_api", {"quick": True}),
    "dashboard": ("bench_dashboard", {"items": 20_000, "repeat": 30}),
    "pipeline": ("bench_pipeline", {"files": 300}),
    "first_import": ("bench_first_import", {"files": 2000, "after": 10}),
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


def baseline_queue(src: Path, quick: bool) -> Figures:
    """bench_queue against 0.1.0's store (throughput ratios only)."""
    ops = "2000" if quick else "5000"
    done = subprocess.run([sys.executable, str(HERE / "bench_queue.py"), "--items", "0",
                           "--ops", ops], env={**os.environ, "PYTHONPATH": str(src)},
                          capture_output=True, text=True, check=True)
    figures: Figures = {}
    for line in done.stdout.splitlines():
        key, _, value = line.partition(": ")
        figures[key] = float(value)
    return figures


def baseline_store(src: Path, quick: bool) -> Figures:
    module = importlib.import_module("bench_store")
    sizes = BENCHMARKS["store"][1] if quick else {}
    return dict(module.run(src=str(src), **sizes))


def baseline_pipeline(src: Path, quick: bool) -> Figures:
    module = importlib.import_module("bench_pipeline")
    sizes = BENCHMARKS["pipeline"][1] if quick else {}
    return dict(module.run(service_src=str(src), **sizes))


BASELINE_RUNS: dict[str, Callable[[Path, bool], Figures]] = {
    "queue": baseline_queue, "store": baseline_store, "pipeline": baseline_pipeline,
}


def show(name: str, figures: Figures) -> None:
    for key, value in figures.items():
        shown = f"{value:,.3f}" if isinstance(value, float) else str(value)
        print(f"{name:<16} {key:<52} {shown:>14}", flush=True)


def run_one(name: str, quick: bool) -> Figures | None:
    module_name, quick_args = BENCHMARKS[name]
    started = time.perf_counter()
    try:
        module = importlib.import_module(module_name)
        figures: Figures = dict(module.run(**(quick_args if quick else {})))
    except Exception as error:  # one broken benchmark must not hide the others
        print(f"{name:<16} {'ERROR':<52} {error!r}", flush=True)
        return None
    show(name, figures)
    print(f"{name:<16} {'(benchmark wall time, s)':<52} {time.perf_counter() - started:>14.1f}")
    return figures


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="smaller sizes")
    parser.add_argument("--only", default="", help="comma-separated benchmark names")
    parser.add_argument("--no-baseline", action="store_true", help="skip the 0.1.0 runs")
    args = parser.parse_args()
    chosen = [n for n in args.only.split(",") if n] or list(BENCHMARKS)
    print(f"machine: {machine()}")
    print(f"at the start: {load()}")
    print(f"{'benchmark':<16} {'figure':<52} {'value':>14}")
    results: dict[str, Figures] = {}
    failed = 0
    for name in chosen:
        figures = run_one(name, args.quick)
        if figures is None:
            failed += 1
        else:
            results[name] = figures
    baseline: dict[str, Figures] = {}
    wanted = [name for name in chosen if name in BASELINE_RUNS]
    if wanted and not args.no_baseline:
        with baseline_checkout() as checkout:
            for name in wanted if checkout is not None else []:
                try:
                    baseline[name] = BASELINE_RUNS[name](checkout / "src", args.quick)
                except Exception as error:
                    print(f"{name + '@0.1.0':<16} {'ERROR':<52} {error!r}", flush=True)
                    failed += 1
                    continue
                show(name + "@0.1.0", baseline[name])
    print(f"at the end: {load()}")
    from aims import print_aims

    print_aims(results, baseline, quick=args.quick)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
