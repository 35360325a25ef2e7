"""Bulk work from the queue table: retry, re-fetch metadata or ignore the selected items (or
every item matching the table's filter), and un-ignore files (the undo of a bulk ignore).

Each item gets what its own button would do, and only when that button is offered; the answer
says which items changed and how many were skipped. At most ``BULK_LIMIT`` items at a time.
"""

from __future__ import annotations

from typing import Annotated, Any, Self

from fastapi import APIRouter, HTTPException, Path
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from emby_processor.api.deps import Ctx
from emby_processor.api.schemas import StatusOrBlank, error_responses
from emby_processor.db import QueueFilter
from emby_processor.db.bulk import BulkAction
from emby_processor.vocabulary import CauseCode

#: the most items one bulk request may act on
BULK_LIMIT = 5000

router = APIRouter(tags=["bulk"], responses=error_responses(400, 401, 403, 422, 500, 503))



def _whole(value: object) -> object:
    # JSON Schema's integers include 3.0; anything else goes on to the strict check
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


#: ids in a JSON body: what a JSON number holds exactly (a browser's, and a float's, whole numbers)
JSON_MAX_ID = 2**53 - 1
Id = Annotated[int, Field(ge=1, le=JSON_MAX_ID), BeforeValidator(_whole)]


class BulkFilter(BaseModel):
    """The queue table's filter (the parameters of `GET /api/queue`); every field optional."""

    model_config = ConfigDict(extra="forbid", strict=True)

    status: StatusOrBlank | None = Field(default=None, description="a status, `needs_attention` "
                                                                    "or `retrying`")
    movie_code: str | None = Field(default=None, max_length=200, description="code prefix")
    actress: str | None = Field(default=None, max_length=200, description="exact actress name")
    q: str | None = Field(default=None, max_length=200, description="the table's search")
    cause: CauseCode | None = Field(default=None, description="items in error with this cause")

    def to_filter(self) -> QueueFilter:
        return QueueFilter(status=self.status or None, movie_code=self.movie_code or None,
                           actress=self.actress or None, q=(self.q or "").strip() or None,
                           cause=self.cause)


#: the default of a body field that was left out (typed Any: it stands in for any type)
_LEFT_OUT: Any = None


class BulkIn(BaseModel):
    """Either the items' ids or a filter (every item matching it), not both."""

    # the schema says so too (exactly one of the two), for clients made from it
    model_config = ConfigDict(extra="forbid", strict=True, json_schema_extra={
        "oneOf": [{"required": ["ids"]}, {"required": ["filter"]}]})

    # neither is nullable (null is refused): the one left out is simply not in
    # model_fields_set, and its default is never read
    ids: list[Id] = Field(default=_LEFT_OUT, min_length=1, max_length=BULK_LIMIT,
                          description=f"queue item ids, at most {BULK_LIMIT}")
    filter: BulkFilter = Field(default=_LEFT_OUT, description="every item matching it (at most "
                                                              f"{BULK_LIMIT})")

    @model_validator(mode="after")
    def _one_of(self) -> Self:
        if ("ids" in self.model_fields_set) == ("filter" in self.model_fields_set):
            raise ValueError("give either ids or filter")
        return self


class BulkOut(BaseModel):
    action: BulkAction
    requested: int = Field(description="items asked for (ids given or items matching)")
    changed: list[int] = Field(description="the ids of the items changed")
    skipped: int = Field(description="items left alone: gone, held by a worker, or ones the "
                                     "action cannot help (their own buttons do not offer it)")
    ignored: list[int] = Field(description="ignore only: the ignored-file ids, what "
                                           "`POST /api/ignored/unignore` takes back")


class UnignoreIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    ids: list[Id] = Field(min_length=1, max_length=BULK_LIMIT,
                          description=f"ignored-file ids, at most {BULK_LIMIT}")


class UnignoredOut(BaseModel):
    unignored: list[int] = Field(description="the ids taken off the ignored list (ones "
                                             "already un-ignored are left out)")


@router.post(
    "/api/queue/bulk/{action}", response_model=BulkOut,
    summary="Retry, re-fetch or ignore many items",
    description="`retry`: the selected errors a retry can fix go back to pending; `reprocess`: "
                "metadata is fetched again and pushed to the media server; `ignore`: the items "
                "leave the queue and their files are ignored (undo with "
                "`POST /api/ignored/unignore`). Body: `{\"ids\": [...]}` or "
                "`{\"filter\": {...}}` with the parameters of `GET /api/queue`. Items the "
                f"action cannot help are skipped. At most {BULK_LIMIT} items.",
)
def bulk(
    ctx: Ctx, action: Annotated[BulkAction, Path(description="retry, reprocess or ignore")],
    body: BulkIn,
) -> dict[str, Any]:
    if "filter" in body.model_fields_set:
        ids = ctx.db.matching_ids(body.filter.to_filter(), BULK_LIMIT + 1)
        if len(ids) > BULK_LIMIT:
            raise HTTPException(400, f"more than {BULK_LIMIT:,} items match this filter; a bulk "
                                     f"action takes at most {BULK_LIMIT:,}: narrow the filter")
    else:
        ids = body.ids
    result = ctx.db.bulk(action, ids)
    return {"action": action, "requested": result.requested, "changed": result.changed,
            "skipped": result.skipped, "ignored": result.ignored}


@router.post("/api/ignored/unignore", response_model=UnignoredOut,
             summary="Un-ignore many files: the watcher queues each again as a new item")
def unignore_many(ctx: Ctx, body: UnignoreIn) -> dict[str, Any]:
    return {"unignored": ctx.db.unignore_many(body.ids)}
