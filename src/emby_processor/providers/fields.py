"""Defensive readers for upstream JSON: any field may be missing, null, empty or mistyped."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any


def text(record: Mapping[str, Any], key: str) -> str | None:
    """A non-empty, stripped string, or None for missing, null, ``""`` and non-strings."""
    value = record.get(key)
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value or None


def first_text(record: Mapping[str, Any], *keys: str) -> str | None:
    for key in keys:
        value = text(record, key)
        if value:
            return value
    return None


def positive_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        value = value.strip()
        if not value.isdigit():
            return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def calendar_date(value: Any) -> date | None:
    """The date in the first 10 characters (``2014-05-01T…``, ``2014-05-01 10:00:00``).

    Taken as written, not converted to UTC: upstreams emit local dates with their own offset.
    Year 1 is Go's zero time and means unknown.
    """
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        parsed = date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None
    return parsed if parsed.year > 1 else None


def strings(values: Any) -> list[str]:
    """Stripped, non-empty, de-duplicated strings in their original order."""
    if not isinstance(values, list):
        return []
    return unique(v.strip() for v in values if isinstance(v, str) and v.strip())


def dicts(values: Any) -> list[Mapping[str, Any]]:
    if not isinstance(values, list):
        return []
    return [v for v in values if isinstance(v, Mapping)]


def unique(values: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    result = []
    for value in values:
        if value not in seen:
            seen.add(value)
            result.append(value)
    return result
