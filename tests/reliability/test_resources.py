"""Resource ceiling: the service's resident memory with a big queue while the dashboard is used,
and (under ``--soak``) that it stays flat while items keep flowing for minutes.

The queue is filled with ``benchmarks/seed.py`` (bulk inserts, realistic spread of statuses,
codes and actresses): 100,000 items in the default run, the issue's 1,000,000 under ``--soak``.
``emby-processor run`` (workers + API in one process, as users run it) then serves clients that
ask for everything the dashboard asks for — stats, first and deep queue pages with every filter
and sort, item details, health, metrics — plus a full CSV export, while ``psutil`` samples the
RSS of the process. The workers are paused (the seeded items name files that do not exist),
so what is measured is the cost of the data, not of a pipeline failing on fake paths.
"""

from __future__ import annotations

import os
import random
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.fakes.server import free_port
from tests.pipeline.stack import Stack, running_stack
from tests.reliability.crashloop import drop_atomically, prepare
from tests.reliability.load import percentile
from tests.reliability.proc import QueueView, ServiceProcess, wait_until
from tests.reliability.rss import RssSampler

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from benchmarks.seed import seed

RSS_CEILING_MB = 150  # the aim


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    with running_stack(tmp_path, index_delay=0.0) as running:
        yield running


def _dashboard_paths(rng: random.Random, count: int) -> list[str]:
    pages = count // 50
    return [
        "/api/stats",
        "/api/queue",
        f"/api/queue?page={rng.randint(2, pages)}&limit=50",
        f"/api/queue?page={pages}&limit=50&sort=oldest",
        "/api/queue?status=error&limit=100",
        f"/api/queue?status=completed&page={rng.randint(2, 500)}",
        "/api/queue?sort=updated",
        f"/api/queue?movie_code=ABP-{rng.randint(0, 99):02d}",
        f"/api/queue?actress=Actress%20{rng.randint(0, 2999):04d}",
        f"/api/queue?q={rng.choice(['SSIS', 'Title of MIDV', 'Actress 01'])}",
        f"/api/queue/{rng.randint(1, count)}",
        "/api/health",
        "/metrics",
    ]


def test_memory_with_a_large_queue_while_the_dashboard_is_used(
    stack: Stack, request: pytest.FixtureRequest
) -> None:
    count = 1_000_000 if request.config.getoption("--soak") else 100_000
    t0 = time.monotonic()
    db = seed(stack.data / "queue.db", count)
    db.set_control("paused", "1")
    db.close()
    seeded = time.monotonic() - t0
    port = free_port()
    env = stack.env(API_HOST="127.0.0.1", API_PORT=str(port), LOG_LEVEL="INFO")
    service = ServiceProcess(env, stack.root, command="run")
    base = f"http://127.0.0.1:{port}"
    rng = random.Random(3)
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    service.start()
    try:
        with RssSampler(service.pid) as rss, httpx.Client(base_url=base, timeout=60) as client:
            wait_until(lambda: _answers(client), 60, lambda: service.tail(),
                       check=service.ensure_alive)
            started_mb = rss.last

            def poll(rounds: int) -> None:
                with httpx.Client(base_url=base, timeout=60) as own:
                    for _ in range(rounds):
                        for path in _dashboard_paths(rng, count):
                            t = time.perf_counter()
                            response = own.get(path)
                            latencies.append((time.perf_counter() - t) * 1000)
                            statuses[response.status_code] = statuses.get(
                                response.status_code, 0) + 1

            pollers = [threading.Thread(target=poll, args=(8,)) for _ in range(6)]
            for thread in pollers:
                thread.start()
            # the whole queue as CSV, streamed, while the pollers run
            exported = 0
            with client.stream("GET", "/api/queue/export.csv") as response:
                assert response.status_code == 200
                for chunk in response.iter_bytes():
                    exported += chunk.count(b"\n")
            for thread in pollers:
                thread.join(120)
            assert not any(t.is_alive() for t in pollers)
            service.ensure_alive()
        code = service.terminate()
    finally:
        service.close()
    print(
        f"\nresources: {count:,} items (seeded in {seeded:.1f} s); service RSS "
        f"{started_mb:.1f} MB after start, peak {rss.peak:.1f} MB while serving "
        f"{sum(statuses.values())} dashboard requests (p95 {percentile(latencies, 0.95):.0f} ms) "
        f"and a {exported:,}-line CSV export; aim < {RSS_CEILING_MB} MB"
    )
    assert code == 0, service.tail()
    assert set(statuses) == {200}, statuses
    assert exported >= count  # a header line plus one line per item
    assert rss.peak < RSS_CEILING_MB, f"peak RSS {rss.peak:.1f} MB"


def _answers(client: httpx.Client) -> bool:
    try:
        return client.get("/api/stats", timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.mark.soak
def test_memory_stays_flat_while_items_flow(stack: Stack) -> None:
    """Items flow for a few minutes (batches dropped continuously) while the dashboard polls;
    the RSS of the last quarter may exceed the first quarter (after warm-up) by a little only."""
    minutes = float(os.environ.get("SOAK_MINUTES", "4"))
    port = free_port()
    env = stack.env(API_HOST="127.0.0.1", API_PORT=str(port), LOG_LEVEL="INFO",
                    LOG_BUFFER_LINES="2000")
    rng = random.Random(11)
    service = ServiceProcess(env, stack.root, command="run")
    view = QueueView(stack.data / "queue.db")
    base = f"http://127.0.0.1:{port}"
    dropped_total = 0
    service.start()
    try:
        with RssSampler(service.pid, interval=1.0) as rss, httpx.Client(
            base_url=base, timeout=60
        ) as client:
            wait_until(lambda: _answers(client), 60, lambda: service.tail(),
                       check=service.ensure_alive)
            end = time.monotonic() + minutes * 60
            batch_no = 0
            while time.monotonic() < end:
                service.ensure_alive()
                batch = prepare(stack, rng, 100, (512, 2048), first=batch_no * 100)
                for entry in batch:
                    drop_atomically(stack.watch, entry.name, entry.content)
                dropped_total += len(batch)
                batch_no += 1
                for path in _dashboard_paths(rng, max(dropped_total, 100))[:10]:
                    assert client.get(path).status_code in (200, 404)
                wait_until(lambda: view.counts()["completed"] >= dropped_total - 100, 120,
                           view.describe, check=service.ensure_alive)
        code = service.terminate()
    finally:
        service.close()
        view.close()
    samples = [mb for _, mb in rss.samples]
    quarter = max(len(samples) // 4, 1)
    warm = samples[quarter: 2 * quarter]
    late = samples[-quarter:]
    growth = percentile(late, 0.5) - percentile(warm, 0.5)
    print(f"\nsoak: {dropped_total} items in {minutes:g} min; RSS median "
          f"{percentile(warm, 0.5):.1f} MB early, {percentile(late, 0.5):.1f} MB late "
          f"(+{growth:.1f} MB), peak {rss.peak:.1f} MB")
    assert code == 0
    assert growth < 20, f"RSS grew by {growth:.1f} MB over the soak"
    assert rss.peak < RSS_CEILING_MB
