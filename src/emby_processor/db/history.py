"""What the service did over time, read from counters the database keeps as it goes.

Triggers (schema migration 7) count, in the transaction of the change itself:

- ``history_outcomes``: per UTC hour, how many items were filed (``completed``), failed so that a
  person has to act (``needs_attention``: a permanent error, or retries used up) or failed and
  retry by themselves (``retrying``);
- ``history_durations``: per UTC hour and stage, a histogram of how long the successful steps
  took, in bins a quarter of an octave wide (each bin's upper edge is 2^(1/4) ≈ 1.19 times its
  lower one), plus the pseudo-stage ``total``: from the file being found to it being filed;
  ``history_durations_daily`` the same per UTC day (the 7- and 30-day medians read it, so they
  cover whole UTC days).

A read of 30 days touches at most 720 hours × 3 outcome rows and the occupied histogram bins of
30 days: its cost does not depend on how many items the queue holds. A median is the geometric
middle of the bin it falls in, so it is within ±9 % of the exact value (half a bin either way).
Rows older than 90 days are dropped as new ones arrive.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from emby_processor.db.base import StoreBase
from emby_processor.db.filters import NEEDS_PERSON
from emby_processor.timeutil import iso, parse_iso, utcnow
from emby_processor.vocabulary import OUTCOMES, STAGES

Range = Literal["24h", "7d", "30d"]
RANGES: dict[Range, tuple[int, str]] = {"24h": (24, "hour"), "7d": (7, "day"), "30d": (30, "day")}
#: the stages whose step durations are kept (``done`` is no step), then the whole way through
TIMED_STAGES: tuple[str, ...] = (*(s for s in STAGES if s != "done"), "total")
#: the backlog's ETA follows the pace of this many last minutes
PACE_MINUTES = 10
BINS_PER_OCTAVE = 4


def bin_middle_ms(bin_number: int) -> float:
    """The geometric middle of a duration bin (bin 0 holds everything under 1 ms)."""
    if bin_number <= 0:
        return 0.5
    return float(2 ** ((bin_number - 0.5) / BINS_PER_OCTAVE))


def median_of_bins(counts: dict[int, int]) -> float | None:
    """The median of a histogram {bin: count}, as the middle of the bin that holds it."""
    total = sum(counts.values())
    if total == 0:
        return None
    half = (total + 1) / 2
    seen = 0
    for bin_number in sorted(counts):
        seen += counts[bin_number]
        if seen >= half:
            return round(bin_middle_ms(bin_number), 1)
    return None  # pragma: no cover - the loop always reaches half


@dataclass(frozen=True)
class Window:
    """The buckets of one range: where they start, their width and their keys."""

    start: datetime  # UTC, the start of the first bucket
    buckets: list[tuple[str, datetime]]  # (key as SQL groups it, start in UTC)
    unit: str  # "hour" or "day"


def window(range_: Range, now: datetime, utc_offset_minutes: int = 0) -> Window:
    count, unit = RANGES[range_]
    hour = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    if unit == "hour":
        starts = [hour - timedelta(hours=n) for n in range(count - 1, -1, -1)]
        return Window(starts[0], [(s.strftime("%Y-%m-%dT%H"), s) for s in starts], unit)
    offset = timedelta(minutes=utc_offset_minutes)
    local_midnight = (now.astimezone(UTC) + offset).replace(
        hour=0, minute=0, second=0, microsecond=0)
    days = [local_midnight - timedelta(days=n) for n in range(count - 1, -1, -1)]
    buckets = [(d.strftime("%Y-%m-%d"), d - offset) for d in days]
    # hours belong to the local day in which they begin
    first_hour = buckets[0][1].replace(minute=0)
    return Window(first_hour, buckets, unit)


class HistoryReads(StoreBase):
    def history(
        self, range_: Range, *, utc_offset_minutes: int = 0, now: datetime | None = None,
    ) -> dict[str, Any]:
        """The document of ``GET /api/history``."""
        now = now or utcnow()
        win = window(range_, now, utc_offset_minutes)
        since = win.start.strftime("%Y-%m-%dT%H")
        counts = self._outcome_counts(win, since, utc_offset_minutes)
        buckets = [
            {"start": iso(start).replace(".000000Z", "Z"),
             **{o: counts.get((key, o), 0) for o in OUTCOMES}}
            for key, start in win.buckets
        ]
        totals = {o: sum(int(b[o]) for b in buckets) for o in OUTCOMES}
        return {
            "range": range_, "unit": win.unit, "utc_offset_minutes": utc_offset_minutes,
            "generated_at": iso(now), "outcomes": list(OUTCOMES),
            "buckets": buckets, "totals": totals,
            "stages": self._stage_medians(win),
            "backlog": self._backlog(now),
            "last_completed_at": self._last_completed(),
        }

    def _outcome_counts(
        self, win: Window, since: str, utc_offset_minutes: int
    ) -> dict[tuple[str, str], int]:
        if win.unit == "hour":
            rows = self._read(
                "SELECT hour, outcome, count FROM history_outcomes WHERE hour >= ?", (since,))
        else:
            # an hour belongs to the local day in which it begins: its UTC day, or the one
            # before or after (dates are parsed once per day, not once per hour)
            rows = self._read(
                "SELECT date(day, shift || ' days') AS local_day, outcome, sum(n) FROM ("
                " SELECT substr(hour, 1, 10) AS day, CASE"
                "  WHEN CAST(substr(hour, 12, 2) AS INTEGER) * 60 + ? < 0 THEN -1"
                "  WHEN CAST(substr(hour, 12, 2) AS INTEGER) * 60 + ? >= 1440 THEN 1"
                "  ELSE 0 END AS shift, outcome, sum(count) AS n"
                " FROM history_outcomes WHERE hour >= ? GROUP BY day, shift, outcome)"
                " GROUP BY local_day, outcome",
                (utc_offset_minutes, utc_offset_minutes, since),
            )
        return {(row[0], row[1]): int(row[2]) for row in rows}

    def _stage_medians(self, win: Window) -> list[dict[str, Any]]:
        if win.unit == "hour":
            rows = self._read(
                "SELECT stage, bin, sum(count) FROM history_durations WHERE hour >= ?"
                " GROUP BY stage, bin", (win.start.strftime("%Y-%m-%dT%H"),))
        else:  # whole UTC days: up to a day more than the range when days begin elsewhere
            rows = self._read(
                "SELECT stage, bin, sum(count) FROM history_durations_daily WHERE day >= ?"
                " GROUP BY stage, bin", (win.start.strftime("%Y-%m-%d"),))
        per_stage: dict[str, dict[int, int]] = {}
        for stage, bin_number, count in rows:
            per_stage.setdefault(stage, {})[int(bin_number)] = int(count)
        return [
            {"stage": stage, "median_ms": median_of_bins(per_stage.get(stage, {})),
             "count": sum(per_stage.get(stage, {}).values())}
            for stage in TIMED_STAGES
        ]

    def _backlog(self, now: datetime) -> dict[str, Any]:
        counts = {row[0]: int(row[1]) for row in self._read(
            "SELECT status, count FROM status_counts WHERE status IN ('pending', 'processing')")}
        pending, processing = counts.get("pending", 0), counts.get("processing", 0)
        rate = self.completion_rate_per_hour(now)
        backlog = pending + processing
        eta = round(backlog / rate * 3600) if rate > 0 and backlog else None
        return {
            "pending": pending, "processing": processing, "total": backlog,
            "rate_per_hour": round(rate, 1), "eta_seconds": eta,
            "eta_at": iso(now + timedelta(seconds=eta)) if eta is not None else None,
        }

    def completion_rate_per_hour(self, now: datetime | None = None) -> float:
        """Items filed per hour at the pace of the last ``PACE_MINUTES``: those filed in that
        window over the time since the first of them (a minute at least), so an import that began
        five minutes ago is measured over those five minutes, not diluted over an hour."""
        now = (now or utcnow()).astimezone(UTC)
        since = now - timedelta(minutes=PACE_MINUTES)
        count, first = self._read(
            "SELECT count(*), min(completed_at) FROM items INDEXED BY items_completed"
            " WHERE status = 'completed' AND completed_at >= ?", (iso(since),))[0]
        if not count:
            return 0.0
        span = (now - max(parse_iso(first), since)).total_seconds()
        return float(count) * 3600 / max(span, 60.0)

    def _last_completed(self) -> str | None:
        # max() is one step down the completed-only index; named, as without statistics the
        # planner would walk every completed item by status instead
        rows = self._read("SELECT max(completed_at) FROM items INDEXED BY items_completed"
                          " WHERE status = 'completed'")
        return rows[0][0] if rows else None

    def outcome_totals(self, since: datetime) -> dict[str, int]:
        """Outcomes counted since the start of ``since``'s hour (the daily digest)."""
        rows = self._read(
            "SELECT outcome, sum(count) FROM history_outcomes WHERE hour >= ? GROUP BY outcome",
            (since.astimezone(UTC).strftime("%Y-%m-%dT%H"),),
        )
        found = {row[0]: int(row[1]) for row in rows}
        return {o: found.get(o, 0) for o in OUTCOMES}

    def needs_attention_count(self) -> int:
        """Items waiting for a person now: errors that will not be retried by themselves."""
        rows = self._read(
            "SELECT count(*) FROM items INDEXED BY items_needs_person WHERE status = 'error'"
            f" AND {NEEDS_PERSON}")
        return int(rows[0][0])

    # what the notifier reads ------------------------------------------------------------
    def last_event_id(self) -> int:
        return int(self._read("SELECT coalesce(max(id), 0) FROM item_events")[0][0])

    def failures_between(self, after: int, upto: int) -> list[dict[str, Any]]:
        """Error events with ``after < id <= upto``, with whether their item waits for a person
        now (a permanent error, or retries used up), oldest first."""
        rows = self._read(
            "SELECT e.id, e.item_id, coalesce(i.movie_code, i.file_path) AS name,"
            " i.error_cause AS cause, coalesce(i.error_message, e.message) AS message,"
            " i.status = 'error' AND (i.error_kind = 'permanent' OR i.next_attempt_at IS NULL)"
            " AS needs_person"
            " FROM item_events AS e JOIN items AS i ON i.id = e.item_id"
            " WHERE e.id > ? AND e.id <= ? AND e.outcome = 'error' ORDER BY e.id",
            (after, upto),
        )
        return [dict(row) for row in rows]
