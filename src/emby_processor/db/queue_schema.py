"""Schema migration 13 (``db/schema.py``), in its own module for its length.

Cheaper writes, and new files before a backlog. The indexes of the workers' own queries
(claim, leases, retries, cleanup) hold only the rows of their status (the retry index also
counts the errors that retry by themselves without reading a row), items without a code
stay out of the code index, the display-actress index goes (the actress filter reads
item_actresses); ``priority`` 1 marks files queued as a backlog (a first import), which the
workers take only when no new file is due; ``item_blocks`` counts items per status and block
of 1024 ids, so a deep queue page is found by adding up a thousand counters, not by skipping
half a million index entries.

Like every migration it is never edited once released.
"""

from __future__ import annotations

QUEUE_INDEXES_MIGRATION = """
ALTER TABLE items ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;
DROP INDEX items_actress;
DROP INDEX items_code;
DROP INDEX items_claim;
DROP INDEX items_lease;
DROP INDEX items_retry;
DROP INDEX items_completed;
CREATE INDEX items_code ON items (movie_code, id) WHERE movie_code IS NOT NULL;
CREATE INDEX items_claim ON items (lane, priority, next_attempt_at) WHERE status = 'pending';
CREATE INDEX items_lease ON items (lease_expires_at) WHERE status = 'processing';
CREATE INDEX items_retry ON items (error_kind, next_attempt_at, status) WHERE status = 'error';
CREATE INDEX items_completed ON items (completed_at) WHERE status = 'completed';
CREATE TABLE item_blocks (
    block INTEGER NOT NULL, status TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (block, status)
) WITHOUT ROWID;
INSERT INTO item_blocks (block, status, n)
    SELECT id >> 10, status, count(*) FROM items GROUP BY 1, 2;
CREATE TRIGGER items_blocks_insert AFTER INSERT ON items BEGIN
    INSERT INTO item_blocks (block, status, n) VALUES (NEW.id >> 10, NEW.status, 1)
        ON CONFLICT (block, status) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER items_blocks_delete AFTER DELETE ON items BEGIN
    UPDATE item_blocks SET n = n - 1 WHERE block = OLD.id >> 10 AND status = OLD.status;
END;
CREATE TRIGGER items_blocks_status AFTER UPDATE OF status ON items
WHEN OLD.status <> NEW.status BEGIN
    UPDATE item_blocks SET n = n - 1 WHERE block = OLD.id >> 10 AND status = OLD.status;
    INSERT INTO item_blocks (block, status, n) VALUES (NEW.id >> 10, NEW.status, 1)
        ON CONFLICT (block, status) DO UPDATE SET n = n + 1;
END;
"""
