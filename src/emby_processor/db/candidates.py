"""The movies an item could be, and a person choosing one (docs/providers.md, 4.4).

When the metadata step is not sure which movie a file is, nothing is written: the item keeps the
candidates (``items.candidates_json``: each with its id, what a person compares, and its whole
normalised record). ``choose_candidate`` is the one place a person's choice is recorded.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from emby_processor.db.actions import ItemConflict, ItemNotFound
from emby_processor.db.base import StoreBase
from emby_processor.db.models import QueueItem
from emby_processor.db.text import text_param
from emby_processor.errors import StoreError
from emby_processor.timeutil import now_iso


class UnknownCandidate(StoreError):
    """The item has candidates, but none with that id."""


def parse_candidates(raw: str | None) -> list[dict[str, Any]]:
    """The candidates as stored; [] for none (or a value that is not a list of objects)."""
    try:
        found = json.loads(raw) if raw else []
    except ValueError:
        return []
    return [c for c in found if isinstance(c, dict)] if isinstance(found, list) else []


class CandidateActions(StoreBase):
    if TYPE_CHECKING:
        def _set_actresses(
            self, conn: sqlite3.Connection, item_id: int, names: list[str]
        ) -> None: ...

    def candidates(self, item_id: int) -> list[dict[str, Any]]:
        rows = self._read("SELECT candidates_json FROM items WHERE id = ?", (item_id,))
        if not rows:
            raise ItemNotFound(f"item {item_id} does not exist")
        return parse_candidates(rows[0]["candidates_json"])

    def choose_candidate(self, item_id: int, candidate_id: str) -> QueueItem:
        """A person says which movie the item is: its record becomes the item's metadata
        (marked ``chosen``) and the item goes on to be filed and written, now. A person asked,
        so its media-server step may overwrite fields locked on the server (``person_asked``)."""
        now = now_iso()
        with self._pool.write() as conn:
            row = conn.execute("SELECT * FROM items WHERE id = ?", (item_id,)).fetchone()
            chosen = _pick(item_id, row, candidate_id)
            record = {**chosen["record"], "match": "chosen", "agreed_by": []}
            title = str(record.get("title") or "") or None
            conn.execute(
                "UPDATE items SET status = 'pending', stage = 'organize', metadata_json = ?,"
                " title = ?, refresh_metadata = 0, next_attempt_at = ?, updated_at = ?,"
                " error_message = NULL, error_kind = NULL, error_cause = NULL, retry_count = 0,"
                " emby_wait_started_at = NULL, person_asked = 1 WHERE id = ?",
                (text_param(json.dumps(record, ensure_ascii=False)), text_param(title), now, now,
                 item_id),
            )
            self._set_actresses(conn, item_id, list(_names(record.get("actresses"))))
            self._event(conn, item_id, "metadata", "chosen",
                        f"chosen by a person: {title or candidate_id} ({candidate_id})",
                        payload={"candidate": candidate_id, "source": record.get("source")})
            row = conn.execute("SELECT * FROM items WHERE id = ?", (item_id,)).fetchone()
        return QueueItem.from_row(row)


def _pick(item_id: int, row: sqlite3.Row | None, candidate_id: str) -> dict[str, Any]:
    if row is None:
        raise ItemNotFound(f"item {item_id} does not exist")
    if row["status"] == "processing":
        raise ItemConflict(f"item {item_id} is being processed right now; try again")
    candidates = parse_candidates(row["candidates_json"])
    if not candidates:
        raise ItemConflict(f"item {item_id} has no candidates to choose from")
    for candidate in candidates:
        if candidate.get("id") == candidate_id and isinstance(candidate.get("record"), dict):
            return candidate
    known = ", ".join(str(c.get("id")) for c in candidates)
    raise UnknownCandidate(
        f"item {item_id} has no candidate {candidate_id!r}; its candidates are: {known}")


def _names(actresses: Any) -> Iterable[str]:
    for person in actresses if isinstance(actresses, list) else []:
        if isinstance(person, dict) and isinstance(person.get("name"), str):
            yield person["name"]
