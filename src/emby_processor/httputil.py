"""What every HTTP client of the service shares: who we say we are, and how long to back off."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from emby_processor import __version__

PROJECT_URL = "https://github.com/emby-processor/emby-processor"
USER_AGENT = f"emby-processor/{__version__} (+{PROJECT_URL})"


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` value (number or HTTP date), None when absent or garbled."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
