"""The words every part of the service shares, written once.

Item statuses, stages and the lane that runs each stage, error kinds, cause codes (a short
stable name per kind of failure), the fields of a queue row, and the words of the health report
(overall statuses, check statuses, worker kinds and states). The queue store, the workers, the
health monitor, the API models, the CSV export and the dashboard (through ``GET /api/meta``)
read them from here, so a new stage or cause is one edit in this file.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal, get_args

Status = Literal["pending", "processing", "completed", "error"]
Stage = Literal["identify", "metadata", "organize", "emby", "done"]
Lane = Literal["file", "emby"]
ErrorKind = Literal["transient", "permanent"]
Sort = Literal["newest", "oldest", "updated"]

STATUSES: tuple[Status, ...] = get_args(Status)
STAGES: tuple[Stage, ...] = get_args(Stage)
LANES: tuple[Lane, ...] = get_args(Lane)
ERROR_KINDS: tuple[ErrorKind, ...] = get_args(ErrorKind)
SORTS: tuple[Sort, ...] = get_args(Sort)

STATUS_LABELS: dict[Status, str] = {
    "pending": "Pending",
    "processing": "Processing",
    "completed": "Completed",
    "error": "Error",
}
STAGE_LABELS: dict[Stage, str] = {
    "identify": "Identify",
    "metadata": "Metadata",
    "organize": "Organize",
    "emby": "Media server",
    "done": "Done",
}
#: which worker lane runs a stage; ``done`` is run by nobody
STAGE_LANE: dict[Stage, Lane | None] = {
    "identify": "file",
    "metadata": "file",
    "organize": "file",
    "emby": "emby",
    "done": None,
}
ERROR_KIND_LABELS: dict[ErrorKind, str] = {
    "transient": "Retrying",
    "permanent": "Needs you",
}
#: how an item's turn through the pipeline ended, as the history counts it: filed, or failed so that
#: a person has to act (a permanent error, or retries used up), or failed and retrying by itself
Outcome = Literal["completed", "needs_attention", "retrying"]
OUTCOMES: tuple[Outcome, ...] = get_args(Outcome)
OUTCOME_LABELS: dict[Outcome, str] = {
    "completed": "Filed",
    "needs_attention": ERROR_KIND_LABELS["permanent"],
    "retrying": ERROR_KIND_LABELS["transient"],
}
#: the two kinds of trouble, as queue filters: an error only a person can resolve (permanent, or
#: its retries used up) and an error that is retried by itself
Trouble = Literal["needs_attention", "retrying"]
TROUBLES: tuple[Trouble, ...] = get_args(Trouble)
TROUBLE_LABELS: dict[Trouble, str] = {
    "needs_attention": OUTCOME_LABELS["needs_attention"],
    "retrying": OUTCOME_LABELS["retrying"],
}
SORT_LABELS: dict[Sort, str] = {
    "newest": "Newest first",
    "oldest": "Oldest first",
    "updated": "Recently updated",
}


def lane_of(stage: Stage) -> Lane | None:
    return STAGE_LANE[stage]


HealthStatus = Literal["healthy", "degraded", "unhealthy"]
HEALTH_STATUSES: tuple[HealthStatus, ...] = get_args(HealthStatus)
CheckStatus = Literal["ok", "warning", "error"]

WorkerKind = Literal["FileProcessor", "EmbyUpdater", "RetryHandler", "Watcher", "Notifier"]
WORKER_KINDS: tuple[WorkerKind, ...] = get_args(WorkerKind)
#: the worker kind that runs each lane
LANE_WORKERS: dict[Lane, WorkerKind] = {"file": "FileProcessor", "emby": "EmbyUpdater"}
#: the workers without which nothing moves (health is unhealthy when none of them is alive)
ESSENTIAL_WORKERS: tuple[WorkerKind, ...] = (*LANE_WORKERS.values(), "RetryHandler")
WorkerState = Literal["starting", "running", "idle", "paused", "stalled", "stopped", "crashed"]
WORKER_STATES: tuple[WorkerState, ...] = get_args(WorkerState)
#: states of a worker that counts as alive (paused: a person asked for it)
ALIVE_WORKER_STATES: frozenset[WorkerState] = frozenset({"running", "idle", "paused", "starting"})


CauseCode = Literal[
    "no_code",
    "unknown_code",
    "ambiguous_match",
    "provider_unreachable",
    "provider_blocked",
    "provider_auth",
    "target_exists",
    "source_missing",
    "source_changed",
    "bad_file",
    "permission",
    "disk_full",
    "not_indexed",
    "server_unreachable",
    "server_auth",
    "server_refused",
    "server_user",
    "bad_name",
    "item_gone",
    "field_dropped",
    "config",
    "internal",
]
CAUSE_CODES: tuple[CauseCode, ...] = get_args(CauseCode)


@dataclass(frozen=True)
class Cause:
    """One kind of failure: its stable code, whether retrying can help, and words for people."""

    code: CauseCode
    kind: ErrorKind
    #: a plain sentence saying what happened, for the item's headline
    title: str
    #: what a person can do about it
    hint: str


_CAUSES: tuple[Cause, ...] = (
    Cause("no_code", "permanent", "No movie code in the file name",
          "Set the code by hand, or rename the file so its name holds it (it is queued anew)."),
    Cause("unknown_code", "permanent", "No metadata site knows this code",
          "Check the code; if it is right, add an .nfo beside the file or set another code."),
    Cause("ambiguous_match", "permanent", "Not sure which movie this is",
          "Nothing was written: the item waits with the movies it could be. Choose the right "
          "one among its candidates, or set the code by hand."),
    Cause("provider_unreachable", "transient", "A metadata site did not answer",
          "Nothing to do: it is retried with growing pauses. Check the site if it lasts."),
    Cause("provider_blocked", "transient", "A metadata site refused us for now",
          "Nothing to do: it is retried later. A MetaTube server first in the order avoids it."),
    Cause("provider_auth", "permanent", "A metadata site rejected our token",
          "Fix METATUBE_TOKEN (or the site's credentials), restart, then retry."),
    Cause("target_exists", "permanent", "The library already has a file at that place",
          "Keep the library copy, replace it, or keep both under another name."),
    Cause("source_missing", "permanent", "The video file is gone",
          "The file was moved or deleted before it was filed; ignore this item."),
    Cause("source_changed", "permanent", "The video changed while it was being copied",
          "Both copies were kept; check which one is complete, then retry."),
    Cause("bad_file", "permanent", "This is not a regular video file",
          "Links and special files are not filed; replace it with the real file, then retry."),
    Cause("permission", "permanent", "Not allowed to read or write a folder",
          "Give the service's user access to the watch folder and the library, then retry."),
    Cause("disk_full", "transient", "The disk is full",
          "Free some space; the item is retried by itself."),
    Cause("not_indexed", "transient", "The media server has not found the file yet",
          "Check that a library covers the folder and that EMBY_PATH_MAP is right."),
    Cause("server_unreachable", "transient", "The media server did not answer",
          "Nothing to do: it is retried with growing pauses. Check the server if it lasts."),
    Cause("server_auth", "permanent", "The media server rejected the API key",
          "Fix EMBY_API_KEY (an administrator's key); updates resume by themselves."),
    Cause("server_refused", "permanent", "The media server refused the update",
          "Open Technical details for the server's answer; then retry."),
    Cause("server_user", "permanent", "No media-server user can see this item",
          "Set EMBY_USER_ID to a user who sees every library, with no parental limit below 18."),
    Cause("bad_name", "permanent", "The media server cannot read this file's name",
          "The name is not UTF-8 (often Shift-JIS). Rename the file, or let the service file it "
          "into the library (LIBRARY_DIR), which names files itself; then retry."),
    Cause("item_gone", "permanent", "The movie disappeared from the media server",
          "Rescan the library in the media server, then retry."),
    Cause("field_dropped", "permanent", "The media server did not keep what was written",
          "Open Technical details to see which field; then retry or re-fetch."),
    Cause("config", "permanent", "A setting does not fit this set-up",
          "Open Technical details to see which setting; change it, restart, then retry."),
    Cause("internal", "transient", "Something unexpected went wrong",
          "It is retried by itself; the log has the details for a bug report."),
)
CAUSES: dict[CauseCode, Cause] = {cause.code: cause for cause in _CAUSES}


@dataclass(frozen=True)
class ItemField:
    """A column of the queue table and the CSV export."""

    name: str
    label: str


#: the fields of a queue row, in display order (the API's list items and the CSV columns)
ROW_FIELDS: tuple[ItemField, ...] = (
    ItemField("id", "ID"),
    ItemField("movie_code", "Code"),
    ItemField("actress", "Actress"),
    ItemField("title", "Title"),
    ItemField("status", "Status"),
    ItemField("stage", "Stage"),
    ItemField("part", "Part"),
    ItemField("file_path", "File"),
    ItemField("error_message", "Error"),
    ItemField("error_kind", "Error kind"),
    ItemField("cause", "Cause"),
    ItemField("message", "What happened"),
    ItemField("hint", "What to do"),
    ItemField("retry_count", "Retries"),
    ItemField("next_attempt_at", "Next attempt"),
    ItemField("emby_id", "Media server id"),
    ItemField("created_at", "Added"),
    ItemField("updated_at", "Updated"),
)
ROW_FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in ROW_FIELDS)


def as_document() -> dict[str, Any]:
    """The whole vocabulary as JSON-ready data (``GET /api/meta``)."""
    return {
        "statuses": [{"name": s, "label": STATUS_LABELS[s]} for s in STATUSES],
        "stages": [
            {"name": s, "label": STAGE_LABELS[s], "lane": STAGE_LANE[s]} for s in STAGES
        ],
        "error_kinds": [{"name": k, "label": ERROR_KIND_LABELS[k]} for k in ERROR_KINDS],
        "outcomes": [{"name": o, "label": OUTCOME_LABELS[o]} for o in OUTCOMES],
        "troubles": [{"name": t, "label": TROUBLE_LABELS[t]} for t in TROUBLES],
        "causes": [asdict(cause) for cause in _CAUSES],
        "sorts": [{"name": s, "label": SORT_LABELS[s]} for s in SORTS],
        "row_fields": [asdict(f) for f in ROW_FIELDS],
    }
