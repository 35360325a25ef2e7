"""The aims of issue 16 ("Throughput where users feel it"), read from the figures of one run.

Each row: the figure now, 0.1.0's beside it (measured in the same run where ``run_all.py`` ran
the baseline, otherwise the figure the issue quotes, marked "issue"), the aim, and whether this
run met it.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Figures = dict[str, Any]
Results = dict[str, Figures]

_TESTS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge, "<=": operator.le, "<": operator.lt,
}


@dataclass(frozen=True)
class Aim:
    label: str
    #: (benchmark, figure) to read, or a function of all results
    source: tuple[str, str] | Callable[[Results], float | None]
    test: str
    target: float | Callable[[Results], float]
    #: the 0.1.0 figure the issue quotes, when no baseline ran
    quoted: str = "—"
    #: (benchmark, figure) giving the size this figure was measured at
    at: tuple[str, str] | None = None


def _get(results: Results, bench: str, key: str) -> float | None:
    value = results.get(bench, {}).get(key)
    return float(value) if isinstance(value, int | float) else None


def _peak_rss(results: Results) -> float | None:
    peaks = [float(v) for figures in results.values() for k, v in figures.items()
             if isinstance(v, int | float) and ("RSS" in k or "rss" in k)
             and ("peak" in k.lower() or k.endswith("rss_after_mb"))]
    return max(peaks) if peaks else None


def _settle_plus_15(results: Results) -> float:
    return (_get(results, "first_import", "settle time (s)") or 0.0) + 15.0


AIMS = (
    Aim("items/s, 50 ms upstream latency, default settings",
        ("pipeline", "50 ms latency: items/s end to end"), ">=", 40, "6", ("pipeline", "files")),
    Aim("items/s, instant fakes", ("pipeline", "no latency: items/s end to end"), ">=", 150,
        "38–65", ("pipeline", "files")),
    Aim("service CPU per item, instant fakes (ms)",
        ("pipeline", "no latency: service CPU per item (ms)"), "<=", 6, "15–22",
        ("pipeline", "files")),
    Aim("10,000 files present at start: until all are queued (s)",
        ("first_import", "until all are queued (s)"), "<=", _settle_plus_15,
        at=("first_import", "files")),
    Aim("dashboard poll cycle p95 during that import (ms)",
        ("first_import", "dashboard poll cycle p95 (ms)"), "<", 50,
        at=("first_import", "files")),
    Aim("enqueue vs persist-queue, 1 thread", ("queue", "ratio_enqueue_1t"), ">=", 1.5,
        "0.81"),
    Aim("enqueue vs persist-queue, 4 threads", ("queue", "ratio_enqueue_4t"), ">=", 1.0,
        "0.51"),
    Aim("claim+complete vs persist-queue, 4 threads", ("queue", "ratio_claim_complete_4t"),
        ">=", 1.0, "0.61"),
    Aim("cleanup of 100,000 completed items (s)", ("store", "cleanup_s"), "<", 2, "14.6",
        ("store", "cleanup_items_count")),
    Aim("any queue page at 1,000,000 items, p95 (ms)", ("store", "any_page_p95_ms"), "<", 20,
        "48 (deep)", ("store", "pages_items_count")),
    Aim("CSV export, 1,000,000 items (s)", ("store", "csv_s"), "<", 15,
        at=("store", "csv_rows_count")),
    Aim("CSV export: server memory growth (MB)", ("store", "csv_server_rss_growth_mb"), "<",
        50, at=("store", "csv_rows_count")),
    Aim("peak RSS through all of the above (MB)", _peak_rss, "<", 150, "69–116"),
)


def _value(aim: Aim, results: Results) -> float | None:
    if callable(aim.source):
        return aim.source(results)
    return _get(results, *aim.source)


def _fmt(value: float | None) -> str:
    if value is None or math.isnan(value):
        return "—"
    return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"


def _at(aim: Aim, results: Results) -> str:
    size = _get(results, *aim.at) if aim.at is not None else None
    return "—" if size is None else f"{size:,.0f}"


def _before(aim: Aim, baseline: Results) -> str:
    """0.1.0's figure from this run, else the one the issue quotes (marked), else a dash."""
    before = _value(aim, baseline)
    if before is not None:
        return _fmt(before)
    return f"{aim.quoted} (issue)" if aim.quoted != "—" else "—"


def print_aims(results: Results, baseline: Results, *, sizes: str = "full") -> None:
    print()
    print(f"aims of issue 16 (sizes: {sizes}; \"at\": the items, rows or files measured; "
          "\"(issue)\": 0.1.0's figure as the issue quotes it, not measured in this run)")
    print(f"{'figure':<56} {'at':>9} {'0.1.0':>16} {'now':>9} {'aim':>9}  met")
    for aim in AIMS:
        now = _value(aim, results)
        target = aim.target(results) if callable(aim.target) else aim.target
        met = "—" if now is None else "yes" if _TESTS[aim.test](now, target) else "NO"
        print(f"{aim.label:<56} {_at(aim, results):>9} {_before(aim, baseline):>16} "
              f"{_fmt(now):>9} {aim.test + ' ' + format(target, 'g'):>9}  {met}")
