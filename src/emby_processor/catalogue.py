"""The message catalogue: what a person reads about a failure, and what they can do next.

For each cause code (``vocabulary.CAUSES``: its kind, a title and a hint) the catalogue adds

- ``message``: the plain sentence about one item, shown first (``No site knows ABP-123.``),
  with ``{code}`` and ``{name}`` (the file name) filled in;
- ``one`` / ``many``: the sentence for a group of such items in the "Needs you" inbox
  (``5 files have no code``);
- ``actions``: what to do next, the main one first; the page shows them as buttons.

The API puts ``cause``, ``message`` and ``hint`` on every item (and the actions that can
succeed for it right now, ``item_actions``); ``GET /api/meta`` serves the whole catalogue, and
the README's troubleshooting section uses the same sentences (a test holds them together).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, get_args

from emby_processor.vocabulary import CAUSES, CauseCode, Status

#: what a person can do about an item, as the page's buttons name them
Action = Literal["set_code", "choose", "duplicate", "retry", "reprocess", "ignore"]
ACTIONS: tuple[Action, ...] = get_args(Action)
ACTION_LABELS: dict[Action, str] = {
    "set_code": "Set code…",
    "choose": "Choose the right movie…",
    "duplicate": "Settle the duplicate…",
    "retry": "Retry",
    "reprocess": "Re-fetch metadata",
    "ignore": "Ignore this file…",
}


@dataclass(frozen=True)
class Entry:
    cause: CauseCode
    #: one item, a plain sentence ending in a full stop; ``{code}`` and ``{name}`` are filled in
    message: str
    #: a group of one item, and of ``{n}`` items (the inbox's headings)
    one: str
    many: str
    #: what to do next, the main action first
    actions: tuple[Action, ...]


_ENTRIES: tuple[Entry, ...] = (
    Entry("no_code", "No movie code could be read from “{name}”.",
          "1 file has no code", "{n} files have no code", ("set_code", "ignore")),
    Entry("unknown_code", "No site knows {code}.",
          "1 code unknown to every provider", "{n} codes unknown to every provider",
          ("set_code", "retry", "ignore")),
    Entry("ambiguous_match", "More than one movie could be {code}; nothing was written.",
          "1 uncertain match", "{n} uncertain matches", ("choose", "set_code", "ignore")),
    Entry("provider_unreachable", "No metadata site answered for {code}.",
          "1 item waits for a metadata site", "{n} items wait for a metadata site",
          ("retry",)),
    Entry("provider_blocked", "A metadata site refused to answer for {code} for now.",
          "1 item refused by a metadata site", "{n} items refused by a metadata site",
          ("retry",)),
    Entry("provider_auth", "A metadata site rejected our token while looking up {code}.",
          "1 item stopped by a rejected token", "{n} items stopped by a rejected token",
          ("retry",)),
    Entry("target_exists", "The library already has a file where {code} belongs.",
          "1 duplicate", "{n} duplicates", ("duplicate", "ignore")),
    Entry("source_missing", "“{name}” is gone from the watch folder.",
          "1 file is gone", "{n} files are gone", ("ignore",)),
    Entry("source_changed", "“{name}” changed while it was copied; both copies were kept.",
          "1 file changed while it was copied", "{n} files changed while they were copied",
          ("retry", "ignore")),
    Entry("bad_file", "“{name}” is a link or a special file, not a video.",
          "1 file is not a regular video", "{n} files are not regular videos",
          ("ignore", "retry")),
    Entry("permission", "The service may not read or write a folder it needs for “{name}”.",
          "1 item blocked by folder permissions", "{n} items blocked by folder permissions",
          ("retry", "ignore")),
    Entry("disk_full", "The disk was full while {code} was filed.",
          "1 item stopped by a full disk", "{n} items stopped by a full disk", ("retry",)),
    Entry("not_indexed", "The media server has not found {code} yet.",
          "1 item the media server has not found", "{n} items the media server has not found",
          ("retry",)),
    Entry("server_unreachable", "The media server did not answer for {code}.",
          "1 item waits for the media server", "{n} items wait for the media server",
          ("retry",)),
    Entry("server_auth", "The media server rejected the API key.",
          "1 item stopped by a rejected API key", "{n} items stopped by a rejected API key",
          ("retry",)),
    Entry("server_refused", "The media server refused the update of {code}.",
          "1 update refused by the media server", "{n} updates refused by the media server",
          ("retry", "reprocess")),
    Entry("server_user", "No media-server user can see {code}.",
          "1 item no media-server user can see", "{n} items no media-server user can see",
          ("retry",)),
    Entry("bad_name", "The media server cannot read the name “{name}”.",
          "1 file whose name the media server cannot read",
          "{n} files whose names the media server cannot read", ("retry", "ignore")),
    Entry("item_gone", "{code} disappeared from the media server.",
          "1 item gone from the media server", "{n} items gone from the media server",
          ("retry",)),
    Entry("field_dropped", "The media server did not keep what was written for {code}.",
          "1 item the media server did not keep", "{n} items the media server did not keep",
          ("retry", "reprocess")),
    Entry("config", "A setting does not fit this set-up, so {code} stopped.",
          "1 item stopped by a setting", "{n} items stopped by a setting", ("retry",)),
    Entry("internal", "Something unexpected went wrong with {code}.",
          "1 item hit an unexpected error", "{n} items hit an unexpected error", ("retry",)),
)
CATALOGUE: dict[CauseCode, Entry] = {entry.cause: entry for entry in _ENTRIES}

#: causes a retry cannot fix: a person decides instead (set a code, choose, settle, ignore)
NOT_RETRYABLE: frozenset[CauseCode] = frozenset(
    cause for cause, entry in CATALOGUE.items() if "retry" not in entry.actions
)


#: failures a fresh look-up cannot help with: no code to look up, a duplicate (filing fails
#: again), an uncertain match (a person chooses), a file that is gone
_NOT_REFETCHABLE: frozenset[CauseCode] = frozenset({"no_code", "target_exists",
                                                    "ambiguous_match", "source_missing"})


def message(cause: CauseCode | None, *, code: str | None, name: str,
            error: str | None = None) -> str | None:
    """The sentence about one item; None when it has no error."""
    if cause is None:
        return error
    entry = CATALOGUE.get(cause)
    if entry is None:
        return error
    return entry.message.format(code=code or f"“{name}”", name=name)


def hint(cause: CauseCode | None) -> str | None:
    known = CAUSES.get(cause) if cause is not None else None
    return known.hint if known is not None else None


def group_title(cause: CauseCode, count: int) -> str:
    entry = CATALOGUE[cause]
    return entry.one if count == 1 else entry.many.format(n=f"{count:,}")


def item_actions(*, status: Status, cause: CauseCode | None, code: str | None,
                 filed: bool) -> list[Action]:
    """What can succeed for an item right now, main action first (the page hides the rest)."""
    if status == "processing":
        return []
    actions: list[Action] = []
    if status == "error":
        entry = CATALOGUE.get(cause) if cause is not None else None
        actions = list(entry.actions) if entry is not None else ["retry", "ignore"]
        if filed and "set_code" in actions:
            actions.remove("set_code")  # a filed video keeps its place: its code stays
    refetch = bool(code) and (status != "error" or cause not in _NOT_REFETCHABLE)
    if refetch and "reprocess" not in actions:
        actions.append("reprocess")
    if status in ("pending", "error") and "ignore" not in actions:
        actions.append("ignore")
    return actions


def as_document() -> list[dict[str, Any]]:
    """The catalogue for ``GET /api/meta``: one entry per cause, with the vocabulary's words."""
    return [
        {"code": entry.cause, "message": entry.message, "one": entry.one, "many": entry.many,
         "actions": list(entry.actions)}
        for entry in _ENTRIES
    ]
