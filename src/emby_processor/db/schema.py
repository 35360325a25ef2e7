"""Numbered schema migrations, applied in order at start-up (``PRAGMA user_version``).

A migration is never edited once released: a change to the schema is a new entry at the end,
written so that it upgrades a database full of rows without losing any.
"""

from __future__ import annotations

import sqlite3

from emby_processor.db.history_schema import HISTORY_MIGRATION
from emby_processor.db.queue_schema import QUEUE_INDEXES_MIGRATION

# 1: the tables themselves
_V1 = """
CREATE TABLE items (
    id INTEGER PRIMARY KEY,
    file_path TEXT NOT NULL,
    file_size INTEGER NOT NULL,
    file_mtime_ns INTEGER NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'processing', 'completed', 'error')),
    stage TEXT NOT NULL DEFAULT 'identify'
        CHECK (stage IN ('identify', 'metadata', 'organize', 'emby', 'done')),
    movie_code TEXT,
    part INTEGER,
    subtitles INTEGER NOT NULL DEFAULT 0,
    uncensored INTEGER NOT NULL DEFAULT 0,
    code_rule TEXT,
    actress TEXT,
    actresses TEXT,
    title TEXT,
    metadata_json TEXT,
    library_path TEXT,
    server_path TEXT,
    organize_intent TEXT,
    emby_id TEXT,
    emby_wait_started_at TEXT,
    error_message TEXT,
    error_kind TEXT,
    retry_count INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    refresh_metadata INTEGER NOT NULL DEFAULT 0,
    lease_owner TEXT,
    lease_expires_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    completed_at TEXT
);
CREATE UNIQUE INDEX items_file ON items (file_path, file_size, file_mtime_ns);
CREATE INDEX items_status ON items (status, id);
CREATE INDEX items_code ON items (movie_code, id);
CREATE INDEX items_actress ON items (actress, id);
CREATE INDEX items_lease ON items (status, lease_expires_at);
CREATE INDEX items_library_path ON items (library_path) WHERE library_path IS NOT NULL;

CREATE TABLE item_events (
    id INTEGER PRIMARY KEY,
    item_id INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    stage TEXT NOT NULL,
    outcome TEXT NOT NULL,
    message TEXT NOT NULL,
    duration_ms REAL,
    payload TEXT
);
CREATE INDEX item_events_item ON item_events (item_id, id);

CREATE TABLE workers (
    name TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    current_item INTEGER,
    processed INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0,
    pid INTEGER NOT NULL,
    message TEXT,
    started_at TEXT NOT NULL,
    beat_at TEXT NOT NULL
);

CREATE TABLE control (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""

# 2: which worker lane an item waits in, warnings, the claim and retry indexes
_V2 = """
ALTER TABLE items ADD COLUMN warnings TEXT;
ALTER TABLE items ADD COLUMN lane TEXT GENERATED ALWAYS AS
    (CASE WHEN stage = 'emby' THEN 'emby' ELSE 'file' END) VIRTUAL;
CREATE INDEX items_claim ON items (status, lane, next_attempt_at);
CREATE INDEX items_retry ON items (status, error_kind, next_attempt_at);
CREATE INDEX items_completed ON items (status, completed_at);
CREATE INDEX items_updated ON items (updated_at);
CREATE INDEX items_status_updated ON items (status, updated_at);
"""

# 3: counters kept in the same transaction as the change, so stats never scan the table
_V3 = """
CREATE TABLE status_counts (status TEXT PRIMARY KEY, count INTEGER NOT NULL) WITHOUT ROWID;
INSERT INTO status_counts (status, count)
    SELECT s.status, (SELECT count(*) FROM items WHERE items.status = s.status)
    FROM (SELECT 'pending' AS status UNION ALL SELECT 'processing'
          UNION ALL SELECT 'completed' UNION ALL SELECT 'error') AS s;

CREATE TRIGGER items_count_insert AFTER INSERT ON items BEGIN
    UPDATE status_counts SET count = count + 1 WHERE status = NEW.status;
END;
CREATE TRIGGER items_count_delete AFTER DELETE ON items BEGIN
    UPDATE status_counts SET count = count - 1 WHERE status = OLD.status;
END;
CREATE TRIGGER items_count_update AFTER UPDATE OF status ON items
WHEN OLD.status <> NEW.status BEGIN
    UPDATE status_counts SET count = count - 1 WHERE status = OLD.status;
    UPDATE status_counts SET count = count + 1 WHERE status = NEW.status;
END;

CREATE TABLE item_actresses (
    item_id INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    PRIMARY KEY (item_id, name)
) WITHOUT ROWID;
CREATE INDEX item_actresses_name ON item_actresses (name, item_id);

CREATE TABLE actress_counts (name TEXT PRIMARY KEY, count INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX actress_counts_count ON actress_counts (count DESC, name);

CREATE TRIGGER item_actresses_insert AFTER INSERT ON item_actresses BEGIN
    INSERT INTO actress_counts (name, count) VALUES (NEW.name, 1)
        ON CONFLICT (name) DO UPDATE SET count = count + 1;
END;
CREATE TRIGGER item_actresses_delete AFTER DELETE ON item_actresses BEGIN
    UPDATE actress_counts SET count = count - 1 WHERE name = OLD.name;
    DELETE FROM actress_counts WHERE name = OLD.name AND count <= 0;
END;

INSERT INTO item_actresses (item_id, name)
    SELECT items.id, j.value FROM items, json_each(items.actresses) AS j
    WHERE items.actresses IS NOT NULL AND json_valid(items.actresses)
    ON CONFLICT DO NOTHING;
"""

# 4: free-text search over code, actress, title and path (trigram: substring matches use it)
_V4 = """
CREATE VIRTUAL TABLE items_search USING fts5(
    movie_code, actress, title, file_path,
    content = 'items', content_rowid = 'id', tokenize = 'trigram'
);
INSERT INTO items_search (items_search) VALUES ('rebuild');
CREATE TRIGGER items_search_insert AFTER INSERT ON items BEGIN
    INSERT INTO items_search (rowid, movie_code, actress, title, file_path)
        VALUES (NEW.id, NEW.movie_code, NEW.actress, NEW.title, NEW.file_path);
END;
CREATE TRIGGER items_search_delete AFTER DELETE ON items BEGIN
    INSERT INTO items_search (items_search, rowid, movie_code, actress, title, file_path)
        VALUES ('delete', OLD.id, OLD.movie_code, OLD.actress, OLD.title, OLD.file_path);
END;
CREATE TRIGGER items_search_update AFTER UPDATE OF movie_code, actress, title, file_path ON items
BEGIN
    INSERT INTO items_search (items_search, rowid, movie_code, actress, title, file_path)
        VALUES ('delete', OLD.id, OLD.movie_code, OLD.actress, OLD.title, OLD.file_path);
    INSERT INTO items_search (rowid, movie_code, actress, title, file_path)
        VALUES (NEW.id, NEW.movie_code, NEW.actress, NEW.title, NEW.file_path);
END;
"""

# 5: figures for /metrics that every process can read: step durations and upstream errors
_V5 = """
CREATE TABLE event_stats (
    stage TEXT NOT NULL,
    outcome TEXT NOT NULL,
    count INTEGER NOT NULL,
    total_ms REAL NOT NULL,
    PRIMARY KEY (stage, outcome)
) WITHOUT ROWID;
INSERT INTO event_stats (stage, outcome, count, total_ms)
    SELECT stage, outcome, count(*), coalesce(sum(duration_ms), 0) FROM item_events
    WHERE duration_ms IS NOT NULL GROUP BY stage, outcome;
CREATE TRIGGER item_events_stats AFTER INSERT ON item_events
WHEN NEW.duration_ms IS NOT NULL BEGIN
    INSERT INTO event_stats (stage, outcome, count, total_ms)
        VALUES (NEW.stage, NEW.outcome, 1, NEW.duration_ms)
        ON CONFLICT (stage, outcome) DO UPDATE
        SET count = count + 1, total_ms = total_ms + excluded.total_ms;
END;

CREATE TABLE upstream_errors (
    service TEXT PRIMARY KEY,
    count INTEGER NOT NULL
) WITHOUT ROWID;
"""

# 6: the cause code of an error (vocabulary.CAUSES); older errors get one from their message
_V6 = """
ALTER TABLE items ADD COLUMN error_cause TEXT;
UPDATE items SET error_cause = CASE
    WHEN error_message LIKE 'no movie code found%' THEN 'no_code'
    WHEN error_message LIKE '% not found by %' THEN 'unknown_code'
    WHEN error_message LIKE 'target exists%' THEN 'target_exists'
    WHEN error_message LIKE 'source file is missing%'
        OR error_message LIKE 'the video is gone%' THEN 'source_missing'
    WHEN error_message LIKE '%has not indexed%' THEN 'not_indexed'
    WHEN error_message LIKE 'emby:%' OR error_message LIKE 'jellyfin:%' THEN
        CASE WHEN error_kind = 'transient' THEN 'server_unreachable' ELSE 'server_refused' END
    WHEN error_message LIKE 'metadata:%' THEN
        CASE WHEN error_kind = 'transient' THEN 'provider_unreachable' ELSE 'provider_auth' END
    ELSE 'internal' END
WHERE error_message IS NOT NULL;
"""

# 7: a heartbeat row per worker kind *and process*: two processes (two ``workers``, or ``run``
#    beside ``workers``) no longer overwrite each other's rows; readers merge them by kind
_V7 = """
CREATE TABLE workers_by_process (
    name TEXT NOT NULL,
    process TEXT NOT NULL,
    state TEXT NOT NULL,
    current_item INTEGER,
    processed INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0,
    pid INTEGER NOT NULL,
    message TEXT,
    started_at TEXT NOT NULL,
    beat_at TEXT NOT NULL,
    PRIMARY KEY (name, process)
) WITHOUT ROWID;
INSERT INTO workers_by_process (name, process, state, current_item, processed, failed, pid,
    message, started_at, beat_at)
    SELECT name, 'pid ' || pid, state, current_item, processed, failed, pid, message, started_at,
        beat_at FROM workers;
DROP TABLE workers;
ALTER TABLE workers_by_process RENAME TO workers;
"""

# 8: history (GET /api/history), in its own module for its length
_V8 = HISTORY_MIGRATION

# 9: a person asked for this item (Retry on the item, Re-fetch): its next media-server step may
# overwrite fields that are locked on the server; cleared once that step completes
_V9 = """
ALTER TABLE items ADD COLUMN person_asked INTEGER NOT NULL DEFAULT 0;
"""

# 10: the candidates of an uncertain match, kept for a person to choose (JSON), and the DMM
# channel prefixes seen per label (docs/providers.md, 2.3 and 4.4)
_V10 = """
ALTER TABLE items ADD COLUMN candidates_json TEXT;
CREATE TABLE dmm_channels (label TEXT NOT NULL, prefix TEXT NOT NULL, seen INTEGER NOT NULL,
    last_seen_at TEXT NOT NULL, PRIMARY KEY (label, prefix)) WITHOUT ROWID;
"""

# 11: what a person decided. Files a person ignored (by path, stored like items.file_path): the
# watcher never queues them until they are un-ignored; ``released`` is then the change number
# (control key ignored_version) that un-ignored it, so a watcher that missed both changes still
# looks at the file again. An item's ``resolution`` is the choice for a duplicate ('replace':
# the library's copy moves aside; 'keep_both': filed under a numbered name), read by the
# organize stage and cleared once the video is filed. The items that need a person, by cause,
# have a partial index of their own (the inbox, on every poll; only those rows are in it).
_V11 = """
CREATE TABLE ignored_files (
    id INTEGER PRIMARY KEY,
    file_path TEXT NOT NULL UNIQUE,
    file_size INTEGER,
    file_mtime_ns INTEGER,
    movie_code TEXT,
    cause TEXT,
    ignored_at TEXT NOT NULL,
    released INTEGER
);
CREATE INDEX ignored_files_released ON ignored_files (released);
ALTER TABLE items ADD COLUMN resolution TEXT;
CREATE INDEX items_needs_person ON items (error_cause, id)
    WHERE status = 'error' AND (error_kind = 'permanent' OR next_attempt_at IS NULL);
"""

# 12: search what people mean (db/search.py): every actress (not only the first), the error
# text and its cause join the free-text index; the update trigger runs only when an indexed
# column really changed (an advance that clears an empty error re-indexes nothing)
_V12 = """
DROP TRIGGER items_search_insert;
DROP TRIGGER items_search_delete;
DROP TRIGGER items_search_update;
DROP TABLE items_search;
CREATE VIRTUAL TABLE items_search USING fts5(
    movie_code, actresses, title, file_path, error_message, error_cause,
    content = 'items', content_rowid = 'id', tokenize = 'trigram'
);
INSERT INTO items_search (items_search) VALUES ('rebuild');
CREATE TRIGGER items_search_insert AFTER INSERT ON items BEGIN
    INSERT INTO items_search
        (rowid, movie_code, actresses, title, file_path, error_message, error_cause)
        VALUES (NEW.id, NEW.movie_code, NEW.actresses, NEW.title, NEW.file_path,
                NEW.error_message, NEW.error_cause);
END;
CREATE TRIGGER items_search_delete AFTER DELETE ON items BEGIN
    INSERT INTO items_search (items_search,
        rowid, movie_code, actresses, title, file_path, error_message, error_cause)
        VALUES ('delete', OLD.id, OLD.movie_code, OLD.actresses, OLD.title, OLD.file_path,
                OLD.error_message, OLD.error_cause);
END;
CREATE TRIGGER items_search_update
AFTER UPDATE OF movie_code, actresses, title, file_path, error_message, error_cause ON items
WHEN OLD.movie_code IS NOT NEW.movie_code OR OLD.actresses IS NOT NEW.actresses
    OR OLD.title IS NOT NEW.title OR OLD.file_path IS NOT NEW.file_path
    OR OLD.error_message IS NOT NEW.error_message OR OLD.error_cause IS NOT NEW.error_cause
BEGIN
    INSERT INTO items_search (items_search,
        rowid, movie_code, actresses, title, file_path, error_message, error_cause)
        VALUES ('delete', OLD.id, OLD.movie_code, OLD.actresses, OLD.title, OLD.file_path,
                OLD.error_message, OLD.error_cause);
    INSERT INTO items_search
        (rowid, movie_code, actresses, title, file_path, error_message, error_cause)
        VALUES (NEW.id, NEW.movie_code, NEW.actresses, NEW.title, NEW.file_path,
                NEW.error_message, NEW.error_cause);
END;
"""

# 13: cheaper writes, new files before a backlog, deep pages by block counters
_V13 = QUEUE_INDEXES_MIGRATION

MIGRATIONS: tuple[str, ...] = (
    _V1, _V2, _V3, _V4, _V5, _V6, _V7, _V8, _V9, _V10, _V11, _V12, _V13
)
LATEST = len(MIGRATIONS)


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, target: int = LATEST) -> list[int]:
    """Apply every migration above the database's version, each in its own transaction."""
    applied: list[int] = []
    current = schema_version(conn)
    if current > LATEST:
        raise RuntimeError(
            f"the database has schema version {current}, newer than this program knows "
            f"({LATEST}); upgrade emby-processor"
        )
    for version in range(current + 1, target + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            # re-check under the write lock: another process may have migrated meanwhile
            if schema_version(conn) >= version:
                conn.execute("ROLLBACK")
                continue
            for statement in _statements(MIGRATIONS[version - 1]):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        applied.append(version)
    return applied


def _statements(script: str) -> list[str]:
    """Split a script on complete statements (triggers contain inner semicolons)."""
    statements: list[str] = []
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements
