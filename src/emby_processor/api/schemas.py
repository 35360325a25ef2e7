"""Request and response models: they are what /docs and /openapi.json show.

Field names are the HTTP API's (README, "HTTP API"). Times are ISO 8601 UTC
strings ending in ``Z``, exactly as the queue store writes them.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from emby_processor.catalogue import Action
from emby_processor.metadata import MatchKind
from emby_processor.vocabulary import (
    CauseCode,
    CheckStatus,
    ErrorKind,
    HealthStatus,
    Stage,
    Status,
    Trouble,
)
from emby_processor.vocabulary import Sort as Sort  # re-exported for the routes

StatusOrBlank = Literal[Status, Trouble, ""]  # "" = every status
MAX_ID = 2**63 - 1  # SQLite's INTEGER range; larger ids cannot exist and must not reach it


class FieldError(BaseModel):
    field: str = Field(description="dotted name of the offending field, e.g. `query.limit`")
    message: str
    type: str


class ErrorResponse(BaseModel):
    detail: str = Field(description="what went wrong, readable by a person")
    errors: list[FieldError] | None = Field(
        default=None, description="per-field problems (422 only)"
    )


class CheckOut(BaseModel):
    status: CheckStatus
    message: str
    details: dict[str, Any] = {}
    acknowledged: bool = Field(default=False, description="a person marked this warning as known")


class ReasonOut(BaseModel):
    check: str
    status: CheckStatus
    message: str


class WorkerOut(BaseModel):
    state: str = Field(description="running, idle, paused, stalled, stopped (or crashed)")
    processed: int | None = None
    failed: int | None = None
    current_item: int | None = None
    pid: int | None = None
    message: str | None = None
    started_at: str | None = None
    beat_at: str | None = None
    beat_age_seconds: float | None = None
    doing: str | None = Field(default=None, examples=["working on #35 SSIS-001"])


class HealthOut(BaseModel):
    status: HealthStatus
    reasons: list[ReasonOut] = Field(
        description="the checks that make the status what it is (empty when healthy)")
    workers: dict[str, str]
    worker_details: dict[str, WorkerOut]
    paused: bool
    database: str = Field(description='"connected" or "error: …"')
    database_size_bytes: int | None
    uptime: str = Field(examples=["5h 32m"])
    uptime_seconds: float
    checks: dict[str, CheckOut]
    version: str
    checked_at: str


class StatsOut(BaseModel):
    total: int
    completed: int
    pending: int
    processing: int
    error: int = Field(description="needs_attention + retrying")
    needs_attention: int = Field(description="errors only a person can resolve: permanent, "
                                             "or retries used up")
    retrying: int = Field(description="errors that are retried by themselves")
    ignored: int = Field(description="files a person ignored (GET /api/ignored)")
    by_actress: dict[str, int] = Field(description="top actresses by item count")


class QueueItemOut(BaseModel):
    id: int
    file_path: str
    movie_code: str | None
    actress: str | None
    title: str | None
    status: Status
    stage: Stage
    part: int | None
    error_message: str | None
    error_kind: str | None
    cause: CauseCode | None = Field(description="stable name of the failure, see /api/meta")
    message: str | None = Field(description="what went wrong, in a plain sentence")
    hint: str | None = Field(description="what to do next")
    retry_count: int
    next_attempt_at: str | None
    emby_id: str | None
    created_at: str
    updated_at: str
    actions: list[Action] = Field(description="what a person can do that can succeed now")
    poster_url: str | None = Field(
        default=None, description="its poster thumbnail (96 px wide), when one lies beside the "
                                  "filed video")


class QueuePage(BaseModel):
    items: list[QueueItemOut]
    total: int
    page: int
    limit: int


class EventOut(BaseModel):
    id: int
    at: str
    stage: str
    outcome: str
    message: str
    duration_ms: float | None
    payload: dict[str, Any] | None


class QueueItemDetail(BaseModel):
    id: int
    file_path: str
    file_size: int
    file_mtime_ns: int
    status: Status
    stage: Stage
    movie_code: str | None
    part: int | None
    subtitles: bool
    uncensored: bool
    code_rule: str | None
    actress: str | None
    actresses: list[str]
    title: str | None
    metadata: dict[str, Any] | None = Field(description="the normalised metadata, as fetched")
    library_path: str | None
    server_path: str | None
    organize_intent: str | None
    emby_id: str | None
    emby_wait_started_at: str | None
    error_message: str | None
    error_kind: str | None
    cause: CauseCode | None = Field(description="stable name of the failure, see /api/meta")
    message: str | None = Field(description="what went wrong, in a plain sentence")
    hint: str | None = Field(description="what to do next")
    actions: list[Action] = Field(description="what a person can do that can succeed now")
    resolution: str | None = Field(description="how a person settled a duplicate, until filed")
    server_link: str | None = Field(
        default=None, description="the item in Emby's or Jellyfin's web app (EMBY_URL)")
    poster_url: str | None = Field(
        default=None, description="its poster thumbnail, when one lies beside the filed video")
    retry_count: int
    next_attempt_at: str | None
    refresh_metadata: bool
    person_asked: bool = Field(description="a person asked for this item (Retry, Re-fetch): its "
                               "next media-server step may overwrite fields locked there")
    lease_owner: str | None
    lease_expires_at: str | None
    warnings: list[str]
    created_at: str
    updated_at: str
    completed_at: str | None
    candidate_count: int = Field(0, description=(
        "movies an uncertain match could be, kept for a person to choose "
        "(GET /api/queue/{id}/candidates)"))
    events: list[EventOut] = Field(description="the item's timeline, oldest first")


class CandidateOut(BaseModel):
    """One movie an uncertain match could be (docs/providers.md, 4.4)."""

    id: str = Field(description="what POST /api/queue/{id}/choose takes",
                    examples=["r18dev:118abc00030", "metatube:FANZA:118abc00030"])
    source: str = Field(description="the provider that answered it")
    content_id: str | None = Field(description="DMM content id, when known")
    title: str
    release_date: str | None = Field(description="YYYY-MM-DD")
    maker: str | None
    actresses: list[str]
    cover_url: str | None
    found_by: MatchKind = Field(description=(
        "exact (by its code), known_prefix (at a content id of the label's DMM channel), "
        "guessed (at a guessed content id), fuzzy (a record without the code)"))
    agreed_by: list[str] = Field(description="other providers whose answer is the same movie")
    record: dict[str, Any] = Field(description="the whole normalised record, written as it is "
                                               "when chosen")


class CandidatesOut(BaseModel):
    id: int = Field(description="the queue item")
    movie_code: str | None
    cause: CauseCode | None
    candidates: list[CandidateOut] = Field(description="empty when the item has none")


class ChooseIn(BaseModel):
    """Which candidate the item is."""

    model_config = ConfigDict(extra="forbid", strict=True)

    candidate: str = Field(min_length=1, max_length=500, description="a candidate's `id`")


class RetryFilter(BaseModel):
    """Which error items to retry; every field optional, all given ones must match."""

    model_config = ConfigDict(extra="forbid", strict=True)

    movie_code: str | None = Field(default=None, max_length=200, description="code prefix")
    actress: str | None = Field(default=None, max_length=200)
    q: str | None = Field(default=None, max_length=200, description="code, actress, title or path")
    cause: CauseCode | None = Field(
        default=None, description="retry the items with this cause (without one: the errors "
                                  "that retry by themselves, now)")


class RetriedOut(BaseModel):
    retried: int


class DeletedOut(BaseModel):
    id: int
    deleted: bool
    ignored: bool = Field(description="its file is now ignored (GET /api/ignored); false for a "
                                      "completed item, which is only forgotten")


class CleanupRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    older_than_days: float | None = Field(
        default=None, ge=0, le=36500, description="default: CLEANUP_COMPLETED_AFTER_DAYS"
    )


class CleanupJobOut(BaseModel):
    """A cleanup job: running, or the last one."""

    state: Literal["none", "running", "done", "failed", "interrupted"] = Field(
        description="interrupted: the process that ran it stopped before it was done")
    done: bool = Field(description="false while the job runs")
    deleted: int = Field(description="items removed so far")
    total: int = Field(description="completed items old enough when the job started")
    older_than_days: float | None = None
    job: str | None = None
    started_at: str | None = None
    updated_at: str | None = None
    finished_at: str | None = None
    error: str | None = None


class CleanupOut(CleanupJobOut):
    older_than_days: float


class PausedOut(BaseModel):
    paused: bool


class ScanOut(BaseModel):
    scan_requested_at: str


class NamedOut(BaseModel):
    name: str
    label: str


class StageOut(NamedOut):
    lane: str | None = Field(description="the worker lane that runs the stage")


class CauseOut(BaseModel):
    code: CauseCode
    kind: ErrorKind
    title: str = Field(description="what happened, in a plain sentence")
    hint: str = Field(description="what a person can do about it")
    message: str = Field(description="one item's sentence; {code} and {name} are filled in")
    one: str = Field(description="a group of one item, in a sentence")
    many: str = Field(description="a group of {n} items, in a sentence")
    actions: list[Action] = Field(description="what to do next, main action first")


class MetaSettingsOut(BaseModel):
    max_retries: int = Field(description="MAX_RETRIES: automatic attempts after the first")
    cleanup_completed_after_days: float
    notifications: bool = Field(description=(
        "NOTIFY_URLS is set: the page offers a test notification (the URLs are never shown)"))


class MetaOut(BaseModel):
    statuses: list[NamedOut]
    stages: list[StageOut]
    error_kinds: list[NamedOut]
    outcomes: list[NamedOut] = Field(description="how an item's turn ended, as /api/history counts")
    troubles: list[NamedOut] = Field(description="the two kinds of error, as queue filters")
    causes: list[CauseOut]
    actions: list[NamedOut] = Field(description="what a person can do about an item")
    settings: MetaSettingsOut
    sorts: list[NamedOut]
    row_fields: list[NamedOut] = Field(description="the columns of a queue row, in order")


class LogRecordOut(BaseModel):
    id: int
    time: str
    level: str
    logger: str
    message: str
    item_id: int | None


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for error statuses, all with the one error shape."""
    return {code: {"model": ErrorResponse} for code in codes}


def json_error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The same for routes whose success body is not JSON (FastAPI would otherwise document
    their errors with the success media type)."""
    schema = {"$ref": "#/components/schemas/ErrorResponse"}
    return {
        code: {"description": HTTPStatus(code).phrase,
               "content": {"application/json": {"schema": schema}}}
        for code in codes
    }


class HistoryBucketOut(BaseModel):
    start: str = Field(description="start of the hour or (local) day, UTC")
    completed: int = Field(description="items filed")
    needs_attention: int = Field(description="items that failed so that a person has to act")
    retrying: int = Field(description="failures that are retried by themselves")


class StageTimeOut(BaseModel):
    stage: str = Field(description="a stage of /api/meta, or `total`: found to filed")
    median_ms: float | None = Field(
        description="median time of a successful step over the range (±9 %); null: none")
    count: int = Field(description="successful steps timed in the range")


class BacklogOut(BaseModel):
    pending: int
    processing: int
    total: int = Field(description="pending + processing")
    rate_per_hour: float = Field(description="items filed over the last 60 minutes")
    eta_seconds: int | None = Field(description="backlog at that rate; null when nothing moves")
    eta_at: str | None


class HistoryOut(BaseModel):
    range: Literal["24h", "7d", "30d"]
    unit: Literal["hour", "day"]
    utc_offset_minutes: int
    generated_at: str
    outcomes: list[str] = Field(description="the outcome keys of each bucket, in stack order")
    buckets: list[HistoryBucketOut] = Field(description="oldest first; the last one is now")
    totals: dict[str, int]
    stages: list[StageTimeOut]
    backlog: BacklogOut
    last_completed_at: str | None = Field(description="when the last item was filed")


class DeliveryOut(BaseModel):
    service: str = Field(examples=["Discord"])
    url: str = Field(description="the service's URL with its secrets left out")
    ok: bool
    error: str | None = Field(description="why it was not delivered")


class NotifyTestOut(BaseModel):
    sent: bool = Field(description="at least one service took the message")
    deliveries: list[DeliveryOut]
