"""A small Server-Sent Events reader over a streaming httpx response, for the live tests."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx


@dataclass
class Event:
    id: int | None = None
    event: str | None = None
    data: list[str] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)

    @property
    def record(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads("\n".join(self.data))
        return loaded


def events(response: httpx.Response) -> Iterator[Event]:
    """Every dispatched block, including comment-only blocks (keep-alives)."""
    current = Event()
    for line in response.iter_lines():
        if line == "":
            if current.data or current.comments or current.id is not None:
                yield current
            current = Event()
            continue
        if line.startswith(":"):
            current.comments.append(line[1:].strip())
            continue
        name, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if name == "id":
            current.id = int(value)
        elif name == "event":
            current.event = value
        elif name == "data":
            current.data.append(value)


def take_records(stream: Iterator[Event], count: int) -> list[dict[str, Any]]:
    """The next ``count`` log events (keep-alives skipped); the read timeout bounds the wait."""
    records: list[dict[str, Any]] = []
    for event in stream:
        if event.event == "log":
            assert event.id == event.record["id"]
            records.append(event.record)
            if len(records) == count:
                break
    return records
