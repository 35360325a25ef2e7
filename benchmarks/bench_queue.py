"""Queue store throughput and dashboard-query cost.

Prints: enqueue / claim+complete throughput (ops/s) single-threaded and with 4 threads, the same
workload on persist-queue's SQLiteAckQueue in the same run (ratio = ours / theirs), and the cost
of stats() and a filtered page at 1,000 and 1,000,000 items.

The two queues take turns ``--rounds`` times (a fresh database each time) and the figures are
the medians: persist-queue syncs every commit to disk, so one round is at the mercy of whatever
else the disk is doing at that moment. Run with ``PYTHONPATH=<another checkout>/src`` it measures
that version of the store the same way (``run_all.py`` does so for 0.1.0).

    python benchmarks/bench_queue.py [--items 1000000] [--ops 5000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from statistics import median

sys.path.insert(0, str(Path(__file__).resolve().parent))

from seed import pct, seed, timed

from emby_processor.db import QueueDB, QueueFilter


def _threads(n: int, work: Callable[[int], None]) -> None:
    threads = [threading.Thread(target=work, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def ours(ops: int, threads: int) -> tuple[float, float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        db = QueueDB(Path(tmp) / "q.db").open()
        per = ops // threads
        t0 = time.perf_counter()
        _threads(threads, lambda w: [db.enqueue(f"/w/{w}/{n}.mp4", n, n) for n in range(per)])
        enqueue = per * threads / (time.perf_counter() - t0)
        t0 = time.perf_counter()
        _threads(threads, lambda w: db.enqueue_many(
            (f"/w/{w}/batch/{n}.mp4", n, n) for n in range(per)))
        batched = per * threads / (time.perf_counter() - t0)

        def drain(w: int) -> None:
            while (item := db.claim("file", f"o{w}")) is not None:
                db.advance(item.id, f"o{w}", "done")

        t0 = time.perf_counter()
        _threads(threads, drain)
        complete = 2 * per * threads / (time.perf_counter() - t0)
        db.close()
    return enqueue, batched, complete


def persist_queue(ops: int, threads: int) -> tuple[float, float]:
    from persistqueue import SQLiteAckQueue  # type: ignore[import-untyped]

    with tempfile.TemporaryDirectory() as tmp:
        q = SQLiteAckQueue(tmp, multithreading=True, auto_commit=True)
        per = ops // threads
        t0 = time.perf_counter()
        _threads(threads, lambda w: [q.put({"path": f"/w/{w}/{n}.mp4"}) for n in range(per)])
        enqueue = per * threads / (time.perf_counter() - t0)

        def drain(w: int) -> None:
            while True:
                try:
                    item = q.get(block=False)
                except Exception:
                    return
                q.ack(item)

        t0 = time.perf_counter()
        _threads(threads, drain)
        complete = per * threads / (time.perf_counter() - t0)
    return enqueue, complete


def query_costs(items: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        db = seed(Path(tmp) / "q.db", items)
        figures = {}
        stats = timed(db.stats, 200)
        figures["stats_p50_ms"] = pct(stats, 0.5)
        page = timed(lambda: db.list_items(QueueFilter(status="error"), page=1, limit=50), 100)
        figures["filtered_page_p50_ms"] = pct(page, 0.5)
        actress = timed(lambda: db.list_items(QueueFilter(actress="Actress 0042")), 100)
        figures["actress_page_p50_ms"] = pct(actress, 0.5)
        search = timed(lambda: db.list_items(QueueFilter(q="SSIS-0001")), 50)
        figures["search_page_p50_ms"] = pct(search, 0.5)
        db.close()
    return figures


def run(items: int = 1_000_000, ops: int = 5000, rounds: int = 3) -> dict[str, float | str]:
    out: dict[str, float | str] = {}
    for threads in (1, 4):
        runs = []
        for _ in range(rounds):
            e, b, c = ours(ops, threads)
            pe, pc = persist_queue(ops, threads)
            runs.append((e, b, c, pe, pc, e / pe, b / pe, c / pc))
        e, b, c, pe, pc, re, rb, rc = (median(column) for column in zip(*runs, strict=True))
        out[f"enqueue_{threads}t_ops_s"] = round(e)
        out[f"enqueue_batched_{threads}t_ops_s"] = round(b)
        out[f"claim_complete_{threads}t_ops_s"] = round(c)
        out[f"persistqueue_put_{threads}t_ops_s"] = round(pe)
        out[f"persistqueue_get_ack_{threads}t_ops_s"] = round(pc)
        out[f"ratio_enqueue_{threads}t"] = round(re, 2)
        out[f"ratio_enqueue_batched_{threads}t"] = round(rb, 2)
        out[f"ratio_claim_complete_{threads}t"] = round(rc, 2)
    if not items:
        return out
    for n in sorted({1000, items}):
        for key, value in query_costs(n).items():
            out[f"{key}_at_{n}"] = round(value, 3)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--ops", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    for key, value in run(args.items, args.ops, args.rounds).items():
        print(f"{key}: {value}")


if __name__ == "__main__":
    main()
