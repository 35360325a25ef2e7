"""Request and response models of what a person fixes from the page: the "Needs you" inbox,
setting a code (and how a name parses), ignoring a file, settling a duplicate, cleanup's count
and acknowledging a health warning."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from emby_processor.api.schemas import QueueItemDetail, QueueItemOut
from emby_processor.catalogue import Action
from emby_processor.vocabulary import CauseCode, ErrorKind


class InboxGroupOut(BaseModel):
    cause: CauseCode
    kind: ErrorKind
    heading: str = Field(description="the group in a sentence, e.g. “5 files have no code”")
    title: str = Field(description="the cause's title (/api/meta)")
    hint: str = Field(description="what to do about it")
    count: int
    actions: list[Action] = Field(description="what to do next, main action first")
    items: list[QueueItemOut] = Field(description="the newest items of the group")


class InboxOut(BaseModel):
    total: int = Field(description="items that need a person")
    groups: list[InboxGroupOut] = Field(description="by cause, in the catalogue's order")


class SetCodeIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    code: str = Field(
        min_length=2, max_length=64, pattern=r"^\s*[A-Za-z0-9][A-Za-z0-9._ -]*[A-Za-z0-9]\s*$",
        examples=["ABP-123"],
        description="the code as a person types it: read by the code parser (`abp123` is "
                    "ABP-123), else taken as written in capitals")


class ParseOut(BaseModel):
    name: str
    code: str | None = Field(description="the canonical code; null: no code in the name")
    part: int | None
    subtitles: bool
    uncensored: bool
    family: str = Field(description="the rule that matched (`standard`, `fc2`, …)")
    rule: str = Field(description="that rule in a sentence")
    matched: str = Field(description="the text the code was read from")
    source: str = Field(description="`filename`, `folder` or `grandparent`")
    notes: list[str] = Field(description="decisions taken on the way")


class IgnoredOut(BaseModel):
    id: int
    file_path: str
    file_size: int | None
    file_mtime_ns: int | None
    movie_code: str | None
    cause: CauseCode | None = Field(description="why the item stopped when it was ignored")
    ignored_at: str
    present: bool = Field(description="whether the file is still there")


class IgnoredPage(BaseModel):
    items: list[IgnoredOut]
    total: int
    page: int
    limit: int


class FileSide(BaseModel):
    path: str
    exists: bool
    size: int | None
    modified: str | None = Field(description="the file's mtime, ISO 8601 UTC")


class LibraryItemOut(BaseModel):
    id: int
    movie_code: str | None
    title: str | None
    status: str
    emby_id: str | None
    server_link: str | None = Field(description="the item in Emby's or Jellyfin's web app")


class DuplicateOut(BaseModel):
    item_id: int
    movie_code: str | None
    new: FileSide = Field(description="the file that arrived")
    existing: FileSide = Field(description="the library's copy, at the target path")
    existing_item: LibraryItemOut | None = Field(description="the queue item filed there")
    both_name: str = Field(description="the name the new file gets when both are kept")
    aside_path: str = Field(description="where the library's copy goes when it is replaced")


class SettleIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    keep: Literal["library", "new", "both"] = Field(
        description="`library`: keep the library's copy, ignore the new file; `new`: replace "
                    "it (it moves aside, never deleted); `both`: file the new one under a "
                    "suffixed name")


class CleanupCountOut(BaseModel):
    count: int = Field(description="completed items cleanup would remove now")
    older_than_days: float


class AcknowledgeIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    check: str = Field(min_length=1, max_length=200, examples=["provider:r18dev"])
    acknowledged: bool = Field(default=True, description="false takes it back")


class SettledOut(BaseModel):
    item: QueueItemDetail | None = Field(description="the item, back in the queue (new, both)")
    ignored: IgnoredOut | None = Field(description="the new file, now ignored (library)")
