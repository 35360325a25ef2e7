"""SQL for the dashboard's queue table: every filter and sort order served by an index."""

from __future__ import annotations

from dataclasses import dataclass

from emby_processor.db.search import parse_search
from emby_processor.vocabulary import SORTS, STATUSES, CauseCode, Sort, Status, Trouble

__all__ = ["SORTS", "QueueFilter", "Sort", "build_where", "order_by"]


#: the two kinds of error, as conditions on an item in error (written as the partial index
#: items_needs_person is, so the planner can use it)
NEEDS_PERSON = "(error_kind = 'permanent' OR next_attempt_at IS NULL)"
RETRIES_ITSELF = "(items.error_kind = 'transient' AND items.next_attempt_at IS NOT NULL)"
_TROUBLE_SQL = {"needs_attention": NEEDS_PERSON, "retrying": RETRIES_ITSELF}


@dataclass(frozen=True)
class QueueFilter:
    #: a status, or one of the two kinds of error (``needs_attention``, ``retrying``)
    status: Status | Trouble | None = None
    movie_code: str | None = None
    actress: str | None = None
    q: str | None = None
    #: items in error with this cause
    cause: CauseCode | None = None

    @property
    def only_status(self) -> bool:
        """Only a plain status (or none): the counters answer how many."""
        return not (self.movie_code or self.actress or self.q or self.cause) and (
            self.status is None or self.status in STATUSES)


def build_where(flt: QueueFilter) -> tuple[str, str, list[object]]:
    """(FROM clause, WHERE clause, parameters) for the filter."""
    source = "items"
    clauses: list[str] = []
    params: list[object] = []
    if flt.actress:
        source = "item_actresses AS ia JOIN items ON items.id = ia.item_id"
        clauses.append("ia.name = ?")
        params.append(flt.actress)
    status = flt.status if flt.status in STATUSES else "error" if flt.cause else None
    if flt.status in _TROUBLE_SQL:
        # written out, not bound, so the planner can match the partial index items_needs_person
        clauses.append(("+" if flt.actress else "") + "items.status = 'error'")
        clauses.append(_TROUBLE_SQL[flt.status])
    elif status:
        # with an actress the name index is the selective one; the unary + keeps the planner
        # from walking every item of a status instead
        clauses.append("+items.status = ?" if flt.actress else "items.status = ?")
        params.append(status)
    if flt.cause:
        clauses.append("items.error_cause = ?")
        params.append(flt.cause)
    if flt.movie_code:
        # prefix match on the code index: 'ABP' finds ABP-001 … ABP-999
        prefix = flt.movie_code.strip().upper()
        clauses.append("items.movie_code >= ? AND items.movie_code < ?")
        params.extend([prefix, prefix + "\uffff"])
    if flt.q:
        search = parse_search(flt.q)
        clauses.extend(search.clauses)
        params.extend(search.params)
    # with no filter the rowid range keeps the newest-first page an index walk, not a scan
    where = " AND ".join(clauses) if clauses else "items.id > 0"
    return source, where, params


def order_by(sort: Sort) -> str:
    if sort == "oldest":
        return "items.id ASC"
    if sort == "updated":
        return "items.updated_at DESC, items.id DESC"
    return "items.id DESC"
