"""Resident memory of a process, sampled in a thread while a test drives it."""

from __future__ import annotations

import os
import threading
import time

import psutil


class RssSampler:
    """Samples a process's RSS every ``interval`` seconds in a thread until stopped."""

    def __init__(self, pid: int | None = None, interval: float = 0.1) -> None:
        self.process = psutil.Process(pid if pid is not None else os.getpid())
        self.interval = interval
        self.samples: list[tuple[float, float]] = []  # (monotonic, MB)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                rss = self.process.memory_info().rss / 2**20
            except psutil.Error:
                return
            self.samples.append((time.monotonic(), rss))
            self._stop.wait(self.interval)

    def __enter__(self) -> RssSampler:
        self.start = self.process.memory_info().rss / 2**20
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)

    @property
    def peak(self) -> float:
        return max(mb for _, mb in self.samples)

    @property
    def last(self) -> float:
        return self.samples[-1][1]

    @property
    def growth(self) -> float:
        """MB above the RSS when the block began."""
        return self.peak - self.start
