"""Run every benchmark in this folder and print one table of figures with the machine's description.

    python benchmarks/run_all.py            # the sizes the issues name (1,000,000 items: slow)
    python benchmarks/run_all.py --quick    # smaller sizes, a few minutes
    python benchmarks/run_all.py --only queue,moviecode
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

#: name -> (module, keyword arguments for --quick)
BENCHMARKS: dict[str, tuple[str, dict[str, Any]]] = {
    "moviecode": ("bench_moviecode", {}),
    "queue": ("bench_queue", {"items": 20_000, "ops": 2000}),
    "api": ("bench_api", {"quick": True}),
    "dashboard": ("bench_dashboard", {"items": 20_000, "repeat": 30}),
    "pipeline": ("bench_pipeline", {"files": 300}),
}


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


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="smaller sizes")
    parser.add_argument("--only", default="", help="comma-separated benchmark names")
    args = parser.parse_args()
    chosen = [n for n in args.only.split(",") if n] or list(BENCHMARKS)
    print(f"machine: {machine()}")
    print(f"{'benchmark':<11} {'figure':<44} {'value':>14}")
    failed = 0
    for name in chosen:
        module_name, quick_args = BENCHMARKS[name]
        if not (HERE / f"{module_name}.py").exists():
            continue
        started = time.perf_counter()
        try:
            module = importlib.import_module(module_name)
            figures = module.run(**(quick_args if args.quick else {}))
        except Exception as error:  # one broken benchmark must not hide the others
            print(f"{name:<11} {'ERROR':<44} {error!r}")
            failed += 1
            continue
        for key, value in figures.items():
            shown = f"{value:,.3f}" if isinstance(value, float) else str(value)
            print(f"{name:<11} {key:<44} {shown:>14}", flush=True)
        print(f"{name:<11} {'(benchmark wall time, s)':<44} {time.perf_counter() - started:>14.1f}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
