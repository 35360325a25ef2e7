"""The record of one filing operation, persisted by the worker before anything touches the disk."""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal, cast

FileMode = Literal["move", "hardlink", "copy"]
FILE_MODES: tuple[FileMode, ...] = ("move", "hardlink", "copy")
#: ``file``: the item's video into the library; ``set_aside``: the library's copy of a duplicate
#: out of the way, before the item's video takes its place (organizer/duplicates.py)
Purpose = Literal["file", "set_aside"]
INTENT_VERSION = 1


class Step(StrEnum):
    """Write-ahead steps: ``on_step`` announces a step *before* its action runs.

    So a persisted step ``X`` means "every action before X finished; X may have run, partly or
    fully, or not at all". Recovery reads the disk to tell which.
    """

    PLANNED = "planned"  # nothing done yet
    COPY = "copy"  # writing source -> temp (cross-device move, copy mode)
    PUBLISH = "publish"  # temp (or source) -> target, never replacing an existing target
    REMOVE_TEMP = "remove_temp"  # target is complete and durable; drop the temp name
    REMOVE_SOURCE = "remove_source"  # move only: target complete; drop the source
    DONE = "done"  # the video is at the target (and, for a move, only there)
    ROLLED_BACK = "rolled_back"  # undone after an error: source as before, nothing of ours left
    #: the source changed while it was copied: the copy is at the target, the source was kept
    KEPT_BOTH = "kept_both"


@dataclass
class MoveIntent:
    mode: FileMode
    source: Path
    target: Path
    #: hidden scratch name beside the target, unique per intent
    temp: Path
    expected_size: int
    step: Step = Step.PLANNED
    #: set once a link/rename met EXDEV: the data goes through ``temp`` by copying
    cross_device: bool = False
    #: the source as planned (None in intents saved before they were recorded): a source whose
    #: size, mtime or inode differ from these is not the file that was copied
    source_mtime_ns: int | None = None
    source_inode: int | None = None
    #: folders execute() created for the target, removed again (when empty) on roll-back
    created_dirs: tuple[Path, ...] = ()
    purpose: Purpose = "file"

    @property
    def via_temp(self) -> bool:
        return self.mode == "copy" or self.cross_device

    def differs_from(self, info: os.stat_result) -> str | None:
        """How ``info`` differs from the source as planned (None: the same file, unchanged)."""
        if not stat.S_ISREG(info.st_mode):
            return "it is no longer a regular file"
        if info.st_size != self.expected_size:
            return f"size {self.expected_size} -> {info.st_size} bytes"
        if self.source_mtime_ns is not None and info.st_mtime_ns != self.source_mtime_ns:
            return "modified"
        if self.source_inode is not None and info.st_ino != self.source_inode:
            return "replaced by another file"
        return None

    def source_change(self) -> str | None:
        """How the source on disk differs from the planned one now; None when it is gone."""
        try:
            return self.differs_from(os.lstat(self.source))
        except (FileNotFoundError, NotADirectoryError):
            return None

    def to_json(self) -> str:
        # ensure_ascii keeps undecodable file names (surrogate escapes) round-trippable
        return json.dumps(
            {
                "version": INTENT_VERSION,
                "mode": self.mode,
                "source": str(self.source),
                "target": str(self.target),
                "temp": str(self.temp),
                "expected_size": self.expected_size,
                "step": self.step.value,
                "cross_device": self.cross_device,
                "source_mtime_ns": self.source_mtime_ns,
                "source_inode": self.source_inode,
                "created_dirs": [str(path) for path in self.created_dirs],
                "purpose": self.purpose,
            },
            ensure_ascii=True,
        )

    @classmethod
    def from_json(cls, text: str) -> MoveIntent:
        try:
            data: dict[str, Any] = json.loads(text)
            if data.get("version") != INTENT_VERSION:
                raise ValueError(f"unsupported intent version {data.get('version')!r}")
            mode = data["mode"]
            if mode not in FILE_MODES:
                raise ValueError(f"unknown mode {mode!r}")
            paths = [Path(_str(data[key])) for key in ("source", "target", "temp")]
            size = data["expected_size"]
            if not isinstance(size, int) or isinstance(size, bool) or size < 0:
                raise ValueError(f"bad expected_size {size!r}")
            return cls(
                mode=cast(FileMode, mode),
                source=paths[0],
                target=paths[1],
                temp=paths[2],
                expected_size=size,
                step=Step(data["step"]),
                cross_device=bool(data.get("cross_device", False)),
                source_mtime_ns=_optional_int(data.get("source_mtime_ns")),
                source_inode=_optional_int(data.get("source_inode")),
                created_dirs=tuple(Path(_str(p)) for p in data.get("created_dirs") or ()),
                purpose="set_aside" if data.get("purpose") == "set_aside" else "file",
            )
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"malformed move intent: {exc!r}") from None


def _optional_int(value: object) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"expected a whole number, got {value!r}")
    return value


def _str(value: object) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"expected a path string, got {value!r}")
    return value
