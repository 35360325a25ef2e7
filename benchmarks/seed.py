"""Fill a queue database with many realistic items quickly (for benchmarks)."""

from __future__ import annotations

import json
import math
import random
import sqlite3
import time
from pathlib import Path

from emby_processor.db import QueueDB

LABELS = ["ABP", "SSIS", "IPX", "MIDV", "STARS", "JUL", "PRED", "CAWD", "SSNI", "MIDE"]
ACTRESSES = [f"Actress {n:04}" for n in range(3000)]
STATUSES = ["completed"] * 90 + ["pending"] * 4 + ["error"] * 5 + ["processing"]


def seed(path: Path, count: int, *, batch: int = 50_000, rng_seed: int = 7) -> QueueDB:
    """Create (or extend) a database at ``path`` with ``count`` items; returns it opened."""
    db = QueueDB(path).open()
    rng = random.Random(rng_seed)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = OFF")
    start = conn.execute("SELECT coalesce(max(id), 0) FROM items").fetchone()[0]
    now = "2026-11-01T00:00:00.000000Z"
    for offset in range(0, count, batch):
        items, links = [], []
        for n in range(start + offset + 1, start + min(offset + batch, count) + 1):
            label = LABELS[n % len(LABELS)]
            code = f"{label}-{n % 100000:05}"
            status = rng.choice(STATUSES)
            names = rng.sample(ACTRESSES, rng.randint(1, 2))
            items.append((
                n, f"/watch/{code}.mp4", n * 1000, n, status,
                "done" if status == "completed" else "emby", code, names[0],
                json.dumps(names), f"Title of {code}", now, now, now,
                now if status == "completed" else None,
                "timeout" if status == "error" else None,
                "transient" if status == "error" else None,
            ))
            links.extend((n, name) for name in names)
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO items (id, file_path, file_size, file_mtime_ns, status, stage, movie_code,"
            " actress, actresses, title, next_attempt_at, created_at, updated_at, completed_at,"
            " error_message, error_kind) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            items,
        )
        conn.executemany("INSERT INTO item_actresses (item_id, name) VALUES (?, ?)", links)
        conn.execute("COMMIT")
    conn.close()
    return db


def timed(fn: object, repeat: int) -> list[float]:
    """Wall times in milliseconds of ``repeat`` calls."""
    assert callable(fn)
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(q * len(ordered)), len(ordered) - 1)]


#: typical step times (median ms, spread as the sigma of a log-normal): parsing is instant,
#: providers take about a second, a move within a disk is quick, the media server is slow, and
#: the whole way through includes the settle time and the wait for the server to index the file
STEP_TIMES = {"identify": (2, 0.5), "metadata": (900, 0.9), "organize": (60, 1.5),
              "emby": (2500, 0.8), "total": (240_000, 1.0)}


def seed_history(path: Path, items: int, *, days: int = 30, rng_seed: int = 7) -> None:
    """Fill the history counters as ``items`` files filed evenly over the last ``days`` would
    have left them (what the triggers write; the cost of a history read depends on these rows
    only, never on the items table)."""
    rng = random.Random(rng_seed)
    hours = days * 24
    per_hour = max(items // hours, 1)
    now = time.time()
    outcomes, durations = [], []
    for h in range(hours):
        hour = time.strftime("%Y-%m-%dT%H", time.gmtime(now - h * 3600))
        outcomes += [(hour, "completed", per_hour), (hour, "needs_attention", per_hour // 100),
                     (hour, "retrying", per_hour // 30)]
        for stage, (median, sigma) in STEP_TIMES.items():
            bins: dict[int, int] = {}
            for _ in range(per_hour):
                ms = rng.lognormvariate(math.log(median), sigma)
                number = 0 if ms < 1 else min(int(4 * math.log2(ms)) + 1, 105)
                bins[number] = bins.get(number, 0) + 1
            durations += [(hour, stage, number, count) for number, count in bins.items()]
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN")
    conn.executemany("INSERT OR REPLACE INTO history_outcomes VALUES (?, ?, ?)", outcomes)
    conn.executemany("INSERT OR REPLACE INTO history_durations VALUES (?, ?, ?, ?)", durations)
    conn.execute("COMMIT")
    conn.close()
