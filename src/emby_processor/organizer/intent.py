"""The record of one filing operation, persisted by the worker before anything touches the disk."""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal, cast

FileMode = Literal["move", "hardlink", "copy"]
FILE_MODES: tuple[FileMode, ...] = ("move", "hardlink", "copy")
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

    @property
    def via_temp(self) -> bool:
        return self.mode == "copy" or self.cross_device

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
            )
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"malformed move intent: {exc!r}") from None


def _str(value: object) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"expected a path string, got {value!r}")
    return value
