"""Dashboard clients for load tests: pollers of the JSON API and readers of the SSE log stream.

Everything runs on one asyncio loop in the test process (httpx.AsyncClient), so 50 pollers and
20 streams cost no threads. Every response body is kept in view long enough to look for
``database is locked``; every SSE ``id:`` is recorded in arrival order.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from dataclasses import dataclass, field

import httpx

LOCKED = "database is locked"

POLL_PATHS = (
    "/api/stats",
    "/api/queue?page=1&limit=50",
    "/api/queue?status=completed&page=2&limit=50",
    "/api/queue?q=ABP&limit=25",
    "/api/queue?status=pending&sort=oldest",
    "/api/queue?movie_code=SSIS",
)


@dataclass
class LoadResult:
    #: what the service is doing meanwhile; latencies are kept per phase
    phase: str = "flowing"
    latencies: dict[tuple[str, str], list[float]] = field(default_factory=dict)  # ms
    statuses: dict[int, int] = field(default_factory=dict)
    server_errors: list[str] = field(default_factory=list)
    locked: list[str] = field(default_factory=list)
    transport_errors: list[str] = field(default_factory=list)

    def record(self, path: str, status: int, ms: float, body: str) -> None:
        self.latencies.setdefault((self.phase, path.split("?")[0]), []).append(ms)
        self.statuses[status] = self.statuses.get(status, 0) + 1
        if status >= 500:
            self.server_errors.append(f"{status} {path}: {body[:200]}")
        if LOCKED in body.lower():
            self.locked.append(f"{status} {path}: {body[:200]}")

    def requests(self) -> int:
        return sum(self.statuses.values())

    def all_latencies(self, phase: str | None = None) -> list[float]:
        return [ms for (p, _), values in self.latencies.items() for ms in values
                if phase is None or p == phase]


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(int(q * len(ordered)), len(ordered) - 1)]


async def poller(
    client: httpx.AsyncClient, index: int, stop: asyncio.Event, result: LoadResult,
    period: float = 1.0,
) -> None:
    """Every ``period`` seconds: the stats and one page of the queue, like an open dashboard."""
    # spread the clients over the period instead of firing all 50 at the same instant
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), period * index / 50)
    round_no = 0
    while not stop.is_set():
        started = time.monotonic()
        for path in ("/api/stats", POLL_PATHS[1 + (index + round_no) % (len(POLL_PATHS) - 1)]):
            t0 = time.perf_counter()
            try:
                response = await client.get(path)
            except httpx.HTTPError as error:
                result.transport_errors.append(f"{path}: {type(error).__name__}: {error}")
                continue
            ms = (time.perf_counter() - t0) * 1000
            result.record(path, response.status_code, ms, response.text)
            if response.status_code == 200:
                json.loads(response.text)  # a body that does not parse is a bug too
        round_no += 1
        left = period - (time.monotonic() - started)
        if left > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), left)


async def loop_lag(stop: asyncio.Event, out: list[float]) -> None:
    """How late this loop wakes up (ms): large values would mean the client, not the server,
    is slow."""
    while not stop.is_set():
        t0 = time.perf_counter()
        await asyncio.sleep(0.05)
        out.append((time.perf_counter() - t0 - 0.05) * 1000)


@dataclass
class SseClient:
    index: int
    ids: list[int] = field(default_factory=list)
    connected: asyncio.Event = field(default_factory=asyncio.Event)
    errors: list[str] = field(default_factory=list)
    locked: list[str] = field(default_factory=list)
    events: int = 0

    @property
    def last(self) -> int:
        return self.ids[-1] if self.ids else 0

    def gaps(self) -> list[tuple[int, int]]:
        return [(a, b) for a, b in itertools.pairwise(self.ids) if b != a + 1]


async def sse_reader(client: httpx.AsyncClient, reader: SseClient) -> None:
    """Reads ``/api/logs`` until cancelled; records every ``id:`` in the order received."""
    try:
        async with client.stream("GET", "/api/logs", timeout=httpx.Timeout(10, read=None)) as r:
            if r.status_code != 200:
                reader.errors.append(f"HTTP {r.status_code}")
                return
            reader.connected.set()
            async for line in r.aiter_lines():
                if line.startswith("id:"):
                    reader.ids.append(int(line[3:].strip()))
                elif line.startswith("event:"):
                    reader.events += 1
                elif line.startswith("data:") and LOCKED in line.lower():
                    reader.locked.append(line[:200])
            reader.errors.append("the stream ended")
    except httpx.HTTPError as error:
        reader.errors.append(f"{type(error).__name__}: {error}")
    finally:
        reader.connected.set()
