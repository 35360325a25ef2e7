"""The words of each notification: short enough for a phone's lock screen, each with a link to
the page (``PUBLIC_URL``) when one is set."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast
from urllib.parse import urlencode

from emby_processor.vocabulary import CAUSES, CauseCode

#: items listed by name in one message; the rest are counted
LISTED = 10


@dataclass(frozen=True)
class NeedsYou:
    """An item that failed so that a person has to act."""

    item_id: int
    name: str  # its code, else its file name
    cause: str | None
    message: str


@dataclass(frozen=True)
class HealthChange:
    before: str
    after: str
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class Message:
    title: str
    body: str
    level: str  # info, warning, failure, success


def link(public_url: str | None, **query: str) -> str:
    if not public_url:
        return ""
    return public_url.rstrip("/") + "/" + (f"?{urlencode(query)}" if query else "")


def _why(item: NeedsYou) -> str:
    cause = CAUSES.get(cast(CauseCode, item.cause))
    return cause.title if cause is not None else item.message


def batch(items: list[NeedsYou], health: HealthChange | None,
          public_url: str | None) -> Message:
    """One message for everything collected in one window."""
    parts: list[str] = []
    titles: list[str] = []
    level = "info"
    if health is not None:
        titles.append(f"health {health.after}")
        parts.append(f"Health changed from {health.before} to {health.after}.")
        parts += [f"- {reason}" for reason in health.reasons[:LISTED]]
        level = {"unhealthy": "failure", "degraded": "warning"}.get(health.after, "success")
    if items:
        count = len(items)
        titles.insert(0, f"{count} item{'s' if count != 1 else ''} need{'s' if count == 1 else ''}"
                         " you")
        lines = [f"- {item.name}: {_why(item)}" for item in items[:LISTED]]
        if count > LISTED:
            lines.append(f"… and {count - LISTED} more")
        if parts:
            parts.append("")
        parts += [f"{count} item{'s' if count != 1 else ''} need{'s' if count == 1 else ''}"
                  " a person:", *lines]
        level = "failure" if level == "failure" else "warning"
    url = link(public_url, status="error") if items else link(public_url)
    if url:
        parts += ["", url]
    return Message("emby-processor: " + ", ".join(titles), "\n".join(parts), level)


def digest(filed: int, needs_you: int, retrying: int, backlog: int,
           public_url: str | None) -> Message:
    """The daily summary: "42 filed, 3 need you"."""
    headline = f"{filed} filed, {needs_you} need{'s' if needs_you == 1 else ''} you"
    lines = [f"In the last 24 hours: {filed} filed, {retrying} failures retried by themselves."]
    lines.append(f"Waiting for a person now: {needs_you}. Still to do: {backlog}.")
    url = link(public_url, status="error") if needs_you else link(public_url)
    if url:
        lines += ["", url]
    return Message(f"emby-processor: {headline}", "\n".join(lines),
                   "warning" if needs_you else "info")


def test(public_url: str | None) -> Message:
    body = "This is a test notification. Notifications work."
    url = link(public_url)
    return Message("emby-processor: test", body + (f"\n\n{url}" if url else ""), "info")


__all__ = ["HealthChange", "Message", "NeedsYou", "batch", "digest", "link", "test"]
