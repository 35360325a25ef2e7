"""Put items into any state through QueueDB's own methods, as the workers would.

``claim`` takes the oldest due item of a lane, so states that need a claim are built first and
plain pending items last; ``seed`` orders the specs that way.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field

from emby_processor.db import QueueDB

_mtimes = itertools.count(1)
OWNER = "test-run/worker-1"


@dataclass
class Spec:
    path: str
    status: str = "pending"  # pending, processing, completed, error
    stage: str = "identify"  # for pending/error: where it waits; emby or earlier
    code: str | None = None
    actresses: list[str] = field(default_factory=list)
    title: str | None = None
    error: str = "No metadata found"
    kind: str = "permanent"
    cause: str = "unknown_code"


def _order(spec: Spec) -> int:
    if spec.status in ("completed", "error", "processing"):
        return 0
    if spec.stage == "emby":
        return 1
    return 2 if _described(spec) else 3


def make(db: QueueDB, spec: Spec) -> int:
    item, _ = db.enqueue(spec.path, 1000, next(_mtimes))
    if spec.status == "pending" and spec.stage == "identify" and not _described(spec):
        return int(item.id)
    claimed = db.claim("file", OWNER)
    assert claimed is not None and claimed.id == item.id, "seed order broken"
    _describe(db, item.id, spec)
    if spec.status == "processing":
        return int(item.id)
    if spec.status == "pending" and spec.stage == "identify":
        db.defer(item.id, OWNER, 3600)  # waiting, and out of the way of later claims
        return int(item.id)
    if spec.status == "error" and spec.stage != "emby":
        if spec.stage != "identify":
            db.advance(item.id, OWNER, spec.stage, hold=True)
        db.fail(item.id, OWNER, message=spec.error, kind=spec.kind, retry_in=None,
                cause=spec.cause)  # type: ignore[arg-type]
        return int(item.id)
    db.advance(item.id, OWNER, "emby")
    if spec.status == "pending":
        return int(item.id)
    again = db.claim("emby", OWNER)
    assert again is not None and again.id == item.id, "seed order broken"
    if spec.status == "completed":
        db.advance(item.id, OWNER, "done", emby_id=f"emby-{item.id}")
    else:
        db.fail(item.id, OWNER, message=spec.error, kind=spec.kind, retry_in=None,
                cause=spec.cause)  # type: ignore[arg-type]
    return int(item.id)


def _described(spec: Spec) -> bool:
    return bool(spec.code or spec.actresses or spec.title)


def _describe(db: QueueDB, item_id: int, spec: Spec) -> None:
    fields: dict[str, object] = {}
    if spec.code:
        fields["movie_code"] = spec.code
    if spec.title:
        fields["title"] = spec.title
        fields["metadata_json"] = json.dumps({"title": spec.title, "code": spec.code})
    if fields or spec.actresses:
        db.update_fields(item_id, OWNER, actresses=spec.actresses or None, **fields)


def seed(db: QueueDB, specs: list[Spec]) -> dict[str, int]:
    """Create every spec; returns path -> item id."""
    ids: dict[str, int] = {}
    for spec in sorted(specs, key=_order):
        ids[spec.path] = make(db, spec)
    return ids


STANDARD = [
    Spec("/watch/ABP-123.mp4", "completed", code="ABP-123", actresses=["Kaede Fua", "Hitomi"],
         title="A summer story"),
    Spec("/watch/ABP-124.mp4", "completed", code="ABP-124", actresses=["Kaede Fua"],
         title="Autumn"),
    Spec("/watch/SSIS-001.mkv", "error", code="SSIS-001", actresses=["Hitomi"],
         error="No metadata found"),
    Spec("/watch/TEST-123.mp4", "error", stage="emby", code="TEST-123", error="emby: timeout",
         kind="transient"),
    Spec("/watch/IPX-777.mp4", "processing", code="IPX-777"),
    Spec("/watch/MIDE-500.mp4", "pending", stage="emby", code="MIDE-500",
         actresses=["Yua Mikami"], title="=HYPERLINK(\"http://evil\")"),
    Spec("/watch/unknown file.mp4", "pending"),
]
