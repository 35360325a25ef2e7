"""What a person fixes from the page: the "Needs you" inbox, a code set by hand (with how a
name parses, for the live preview), ignoring a file and taking that back, settling a duplicate.

Every change goes through ``QueueDB`` in one transaction; the files of a duplicate are moved by
the organize stage (its move intents), never here.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query
from fastapi import Path as PathParam

from emby_processor.api.deps import AppContext, Ctx
from emby_processor.api.fix_schemas import (
    DuplicateOut,
    IgnoredOut,
    IgnoredPage,
    InboxOut,
    ParseOut,
    SetCodeIn,
    SettledOut,
    SettleIn,
)
from emby_processor.api.routes.queue import ItemId, detail, link, row
from emby_processor.api.schemas import MAX_ID, QueueItemDetail, error_responses
from emby_processor.catalogue import CATALOGUE, group_title
from emby_processor.db import ItemConflict, QueueDB, QueueItem
from emby_processor.db.decisions import IgnoredFile
from emby_processor.moviecode import explain
from emby_processor.organizer.duplicates import aside_target, both_target
from emby_processor.safetext import display_path
from emby_processor.vocabulary import CAUSES

router = APIRouter(tags=["fix"], responses=error_responses(400, 422, 500, 503))
WRITE_ERRORS = error_responses(401, 403, 404, 409)
#: a code the parser does not know is still looked up as written, if it looks like one
_LOOSE_CODE = re.compile(r"[A-Z0-9][A-Z0-9._-]*[A-Z0-9]")
_TARGET_IN_MESSAGE = re.compile(r"^target exists: (.+?) \(source: ")


@router.get("/api/inbox", response_model=InboxOut, summary="What needs a person, by cause")
def inbox(ctx: Ctx, per_group: Annotated[int, Query(ge=0, le=50)] = 3) -> dict[str, Any]:
    order: dict[str, int] = {cause: n for n, cause in enumerate(CATALOGUE)}
    groups: list[dict[str, Any]] = []
    for cause, count, items in ctx.db.inbox(per_group):
        code = cause if cause in CATALOGUE else "internal"
        groups.append({
            "cause": code, "kind": CAUSES[code].kind, "heading": group_title(code, count),
            "title": CAUSES[code].title, "hint": CAUSES[code].hint, "count": count,
            "actions": list(CATALOGUE[code].actions), "items": [row(item) for item in items],
        })
    groups.sort(key=lambda group: order[str(group["cause"])])
    return {"total": sum(group["count"] for group in groups), "groups": groups}


@router.get("/api/parse", response_model=ParseOut, summary="How a file name parses",
            description="The code, part and flags the parser reads from a name, the rule that "
                        "matched and why (the live preview of *Set code*).")
def parse(name: Annotated[str, Query(min_length=1, max_length=1024)]) -> dict[str, Any]:
    found = explain(name)
    result = found.result
    return {
        "name": found.name, "code": result.code if result else None,
        "part": result.part if result else None,
        "subtitles": bool(result and result.subtitles),
        "uncensored": bool(result and result.uncensored),
        "family": found.family, "rule": found.rule, "matched": found.matched,
        "source": found.source, "notes": list(found.notes),
    }


def read_code(text: str) -> tuple[str, int | None]:
    """The code (and part) a person typed: as the parser reads it, else as written when it
    looks like a code (a label the parser does not know yet)."""
    result = explain(text.strip()).result
    if result is not None:
        return result.code, result.part
    loose = re.sub(r"\s+", "-", text.strip().upper())
    if _LOOSE_CODE.fullmatch(loose):
        return loose, None
    raise HTTPException(422, f"“{text.strip()}” does not look like a movie code")


@router.post("/api/queue/{item_id}/code", response_model=QueueItemDetail,
             responses=WRITE_ERRORS, summary="Set the code by hand; metadata runs again")
def set_code(ctx: Ctx, item_id: ItemId, body: SetCodeIn) -> dict[str, Any]:
    code, part = read_code(body.code)
    return detail(ctx, ctx.db.set_code(item_id, code, part=part))


# ignoring --------------------------------------------------------------------------------------
def ignored_out(found: IgnoredFile) -> dict[str, Any]:
    return {
        "id": found.id, "file_path": display_path(found.file_path), "file_size": found.file_size,
        "file_mtime_ns": found.file_mtime_ns, "movie_code": found.movie_code,
        "cause": found.cause, "ignored_at": found.ignored_at,
        "present": os.path.lexists(found.file_path),
    }


@router.post("/api/queue/{item_id}/ignore", response_model=IgnoredOut, responses=WRITE_ERRORS,
             summary="Ignore this file: the item leaves the queue, the file is never queued "
                     "again until un-ignored (nothing on disk is touched)")
def ignore(ctx: Ctx, item_id: ItemId) -> dict[str, Any]:
    return ignored_out(ctx.db.ignore(item_id))


@router.get("/api/ignored", response_model=IgnoredPage, summary="The files a person ignored")
def ignored(
    ctx: Ctx, page: Annotated[int, Query(ge=1, le=10_000_000)] = 1,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> dict[str, Any]:
    found, total = ctx.db.ignored(page=page, limit=limit)
    return {"items": [ignored_out(f) for f in found], "total": total, "page": page,
            "limit": limit}


@router.delete("/api/ignored/{ignored_id}", response_model=IgnoredOut,
               responses=WRITE_ERRORS,
               summary="Un-ignore a file: the watcher queues it again as a new item")
def unignore(
    ctx: Ctx, ignored_id: Annotated[int, PathParam(ge=1, le=MAX_ID)]
) -> dict[str, Any]:
    return ignored_out(ctx.db.unignore(ignored_id))


# duplicates ------------------------------------------------------------------------------------
def _side(path: str) -> dict[str, Any]:
    try:
        info = os.stat(path)
    except OSError:
        return {"path": display_path(path), "exists": False, "size": None, "modified": None}
    modified = datetime.fromtimestamp(info.st_mtime, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return {"path": display_path(path), "exists": True, "size": info.st_size,
            "modified": modified}


def _target_of(db: QueueDB, item: QueueItem) -> str | None:
    """The library path the item's video would take, as its last failure recorded it."""
    for event in reversed(db.events(item.id)):
        if event.outcome == "error" and event.payload and event.payload.get("target"):
            return str(event.payload["target"])
    found = _TARGET_IN_MESSAGE.match(item.error_message or "")
    return found.group(1) if found else None


def _library_item(ctx: AppContext, target: str) -> dict[str, Any] | None:
    held = ctx.db.library_item(target)
    if held is None:
        return None
    return {"id": held.id, "movie_code": held.movie_code, "title": held.title,
            "status": held.status, "emby_id": held.emby_id, "server_link": link(ctx, held.emby_id)}


@router.get("/api/queue/{item_id}/duplicate", response_model=DuplicateOut,
            responses=error_responses(404, 409),
            summary="Both files of a duplicate side by side")
def duplicate(ctx: Ctx, item_id: ItemId) -> dict[str, Any]:
    item = ctx.db.require(item_id)
    if item.status != "error" or item.cause != "target_exists":
        raise ItemConflict(f"item {item_id} is not waiting for a duplicate to be settled")
    target = _target_of(ctx.db, item)
    if target is None:
        raise ItemConflict(f"item {item_id} does not say where it was to be filed; retry it")
    library = ctx.settings.library_dir or Path(target).parent
    return {
        "item_id": item.id, "movie_code": item.movie_code, "new": _side(item.file_path),
        "existing": _side(target), "existing_item": _library_item(ctx, target),
        "both_name": display_path(both_target(Path(target)).name),
        "aside_path": display_path(str(aside_target(Path(os.path.abspath(library)),
                                                    Path(target)))),
    }


@router.post("/api/queue/{item_id}/duplicate", response_model=SettledOut,
             responses=WRITE_ERRORS, summary="Settle a duplicate",
             description="`library`: keep the library's copy and ignore the new file; `new`: "
                         "replace it (the library's copy moves aside under "
                         "`LIBRARY_DIR/.replaced/`, nothing is deleted); `both`: file the new "
                         "one beside it under a numbered name.")
def settle(ctx: Ctx, item_id: ItemId, body: SettleIn) -> dict[str, Any]:
    result = ctx.db.settle_duplicate(item_id, body.keep)
    if isinstance(result, IgnoredFile):
        return {"item": None, "ignored": ignored_out(result)}
    return {"item": detail(ctx, result), "ignored": None}
