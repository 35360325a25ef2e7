"""Schema migration 8 (``db/schema.py``): the tables and triggers behind ``GET /api/history``.

Like every migration it is never edited once released.
"""

from __future__ import annotations

# 8: history (GET /api/history): outcomes per hour, and per hour and per day a histogram of how
# long each successful step took; kept by triggers in the transaction of the change they count,
# back-filled from the events of the last 90 days. Hours are 'YYYY-MM-DDTHH' in UTC. Duration
# bin n >= 1 holds [2^((n-1)/4), 2^(n/4)) ms, bin 0 under 1 ms; the last one all from 2^26 ms.
HISTORY_MIGRATION = f"""
CREATE TABLE duration_bins (lower_ms REAL PRIMARY KEY, bin INTEGER NOT NULL) WITHOUT ROWID;
INSERT INTO duration_bins (lower_ms, bin) VALUES (0, 0), {
    ", ".join(f"({2 ** ((n - 1) / 4)!r}, {n})" for n in range(1, 106))};

CREATE TABLE history_outcomes (
    hour TEXT NOT NULL,
    outcome TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (hour, outcome)
) WITHOUT ROWID;
CREATE TABLE history_durations (
    hour TEXT NOT NULL,
    stage TEXT NOT NULL,
    bin INTEGER NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (hour, stage, bin)
) WITHOUT ROWID;
CREATE TABLE history_durations_daily (
    day TEXT NOT NULL,
    stage TEXT NOT NULL,
    bin INTEGER NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (day, stage, bin)
) WITHOUT ROWID;
CREATE TRIGGER history_durations_roll_up AFTER INSERT ON history_durations BEGIN
    INSERT INTO history_durations_daily (day, stage, bin, count)
        VALUES (substr(NEW.hour, 1, 10), NEW.stage, NEW.bin, NEW.count)
        ON CONFLICT (day, stage, bin) DO UPDATE SET count = count + excluded.count;
END;
CREATE TRIGGER history_durations_roll_up_count AFTER UPDATE OF count ON history_durations BEGIN
    UPDATE history_durations_daily SET count = count + NEW.count - OLD.count
        WHERE day = substr(NEW.hour, 1, 10) AND stage = NEW.stage AND bin = NEW.bin;
END;

CREATE TRIGGER items_history_outcome AFTER UPDATE OF status ON items
WHEN OLD.status <> NEW.status AND NEW.status IN ('completed', 'error') BEGIN
    INSERT INTO history_outcomes (hour, outcome, count) VALUES (
        substr(NEW.updated_at, 1, 13),
        CASE WHEN NEW.status = 'completed' THEN 'completed'
             WHEN NEW.error_kind = 'permanent' OR NEW.next_attempt_at IS NULL
                THEN 'needs_attention'
             ELSE 'retrying' END,
        1)
        ON CONFLICT (hour, outcome) DO UPDATE SET count = count + 1;
    DELETE FROM history_outcomes WHERE hour < strftime('%Y-%m-%dT%H', 'now', '-90 days');
    DELETE FROM history_durations WHERE hour < strftime('%Y-%m-%dT%H', 'now', '-90 days');
    DELETE FROM history_durations_daily WHERE day < strftime('%Y-%m-%d', 'now', '-90 days');
END;
CREATE TRIGGER items_history_total AFTER UPDATE OF status ON items
WHEN OLD.status <> 'completed' AND NEW.status = 'completed' BEGIN
    INSERT INTO history_durations (hour, stage, bin, count) VALUES (
        substr(NEW.updated_at, 1, 13), 'total',
        (SELECT bin FROM duration_bins WHERE lower_ms <= max(
            (julianday(NEW.updated_at) - julianday(NEW.created_at)) * 86400000, 0)
         ORDER BY lower_ms DESC LIMIT 1),
        1)
        ON CONFLICT (hour, stage, bin) DO UPDATE SET count = count + 1;
END;
CREATE TRIGGER item_events_history AFTER INSERT ON item_events
WHEN NEW.duration_ms IS NOT NULL AND NEW.outcome = 'ok' BEGIN
    INSERT INTO history_durations (hour, stage, bin, count) VALUES (
        substr(NEW.at, 1, 13), NEW.stage,
        (SELECT bin FROM duration_bins WHERE lower_ms <= max(NEW.duration_ms, 0)
         ORDER BY lower_ms DESC LIMIT 1),
        1)
        ON CONFLICT (hour, stage, bin) DO UPDATE SET count = count + 1;
END;

INSERT INTO history_outcomes (hour, outcome, count)
    SELECT substr(at, 1, 13),
           CASE WHEN outcome = 'ok' THEN 'completed'
                WHEN json_extract(payload, '$.kind') = 'permanent'
                     OR json_extract(payload, '$.retry_in_seconds') IS NULL
                   THEN 'needs_attention'
                ELSE 'retrying' END AS kind,
           count(*)
    FROM item_events
    WHERE at >= strftime('%Y-%m-%dT%H', 'now', '-90 days')
      AND ((stage = 'emby' AND outcome = 'ok') OR outcome = 'error')
      AND (payload IS NULL OR json_valid(payload))
    GROUP BY 1, 2;
INSERT INTO history_durations (hour, stage, bin, count)
    SELECT substr(at, 1, 13), stage,
           (SELECT bin FROM duration_bins WHERE lower_ms <= max(duration_ms, 0)
            ORDER BY lower_ms DESC LIMIT 1) AS bin,
           count(*)
    FROM item_events
    WHERE at >= strftime('%Y-%m-%dT%H', 'now', '-90 days')
      AND outcome = 'ok' AND duration_ms IS NOT NULL
    GROUP BY 1, 2, 3;
INSERT INTO history_durations (hour, stage, bin, count)
    SELECT substr(completed_at, 1, 13), 'total',
           (SELECT bin FROM duration_bins WHERE lower_ms <= max(
               (julianday(completed_at) - julianday(created_at)) * 86400000, 0)
            ORDER BY lower_ms DESC LIMIT 1) AS bin,
           count(*)
    FROM items
    WHERE status = 'completed' AND completed_at >= strftime('%Y-%m-%dT%H', 'now', '-90 days')
    GROUP BY 1, 3;
"""
