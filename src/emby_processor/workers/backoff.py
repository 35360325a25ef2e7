"""The retry policy: exponential backoff with jitter, capped, bounded by MAX_RETRIES."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from emby_processor.errors import ProcessingError


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int
    base_seconds: float
    max_seconds: float
    jitter: float = 0.2

    def delay(self, failures: int, retry_after: float | None = None) -> float:
        """Seconds to wait after the ``failures``-th failure (1-based): never less than the
        upstream's ``retry_after``, never more than ``max_seconds``."""
        exponent = max(failures - 1, 0)
        raw = min(self.base_seconds * float(2 ** min(exponent, 30)), self.max_seconds)
        spread = raw * self.jitter
        delay = raw + random.uniform(-spread, spread)
        if retry_after is not None and math.isfinite(retry_after):
            delay = max(delay, retry_after)
        return min(max(delay, 0.0), self.max_seconds)

    def next_retry(self, error: ProcessingError, failures_before: int) -> float | None:
        """None when a person has to act (permanent error, or retries used up)."""
        failures = failures_before + 1
        if error.kind == "permanent" or failures > self.max_retries:
            return None
        return self.delay(failures, error.retry_after)
