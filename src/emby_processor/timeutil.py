"""UTC timestamps as fixed-width ISO 8601 strings ending in ``Z``.

Fixed width matters: the queue store compares these strings in SQL, so lexical order has to be
time order.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def utcnow() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def now_iso() -> str:
    return iso(utcnow())


def iso_in(seconds: float, start: datetime | None = None) -> str:
    return iso((start or utcnow()) + timedelta(seconds=seconds))


def parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def format_duration(seconds: float) -> str:
    """``5h 32m`` style, as the health endpoint shows uptime."""
    seconds = int(max(seconds, 0))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h {minutes}m"
    if hours:
        return f"{hours}h {minutes}m"
    if minutes:
        return f"{minutes}m {secs}s"
    return f"{secs}s"
