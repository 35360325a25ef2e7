"""What every request is bounded by, who we say we are, and the answer as callers see it."""

from __future__ import annotations

import json
import logging
import math
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from emby_processor import __version__

logger = logging.getLogger("emby_processor.http")

PROJECT_URL = "https://github.com/emby-processor/emby-processor"
USER_AGENT = f"emby-processor/{__version__} (+{PROJECT_URL})"
MIB = 1024 * 1024
#: default body caps, after decompression
JSON_MAX_BYTES = 8 * MIB
IMAGE_MAX_BYTES = 20 * MIB
MAX_REDIRECTS = 5


@dataclass(frozen=True)
class HttpLimits:
    """The bounds every client made by the factory applies (the composition root sets them from
    the settings; tests shrink them)."""

    #: seconds one socket read may wait (``PROVIDER_TIMEOUT_SECONDS``)
    read_timeout: float = 30.0
    connect_timeout: float = 10.0
    #: seconds a whole request may take, answer read in full (``UPSTREAM_DEADLINE_SECONDS``)
    deadline: float = 120.0
    #: connections open at once to one upstream (one client)
    max_connections: int = 16
    json_max_bytes: int = JSON_MAX_BYTES
    image_max_bytes: int = IMAGE_MAX_BYTES
    #: the longest ``Retry-After`` honoured (``RETRY_BACKOFF_MAX_SECONDS``)
    retry_after_max: float = 21600.0
    user_agent: str = USER_AGENT


def parse_retry_after(
    value: str | None, *, cap: float = math.inf, source: str = "upstream"
) -> float | None:
    """Seconds from a ``Retry-After`` value (seconds or an HTTP date), at most ``cap``.

    None when absent; a value that is not a finite, non-negative number of seconds or a date is
    ignored with a warning (``inf``, ``nan``, ``-5``, ``soon``)."""
    text = (value or "").strip()
    if not text:
        return None
    try:
        seconds: float | None = float(text)
    except ValueError:
        seconds = _seconds_until(text)
        if seconds is None:
            logger.warning("%s sent a Retry-After that is no number or date (%.40r); ignored",
                           source, text)
            return None
    if seconds is None or not math.isfinite(seconds) or seconds < 0:
        logger.warning("%s sent Retry-After %.40r; ignored", source, text)
        return None
    if seconds > cap:
        logger.warning("%s asked to wait %.0f s (Retry-After); waiting %.0f s at most",
                       source, seconds, cap)
        return cap
    return seconds


def _seconds_until(text: str) -> float | None:
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


@dataclass(frozen=True)
class Reply:
    """One answer, read in full (within the caps)."""

    method: str
    url: str
    status_code: int
    headers: httpx.Headers
    content: bytes
    #: the sanitised ``Retry-After`` in seconds, when the upstream sent one
    retry_after: float | None = None

    @property
    def text(self) -> str:
        return self.content.decode(_charset(self.headers), "replace")

    @property
    def content_type(self) -> str:
        declared = str(self.headers.get("content-type", ""))
        return declared.split(";")[0].strip().lower()

    @property
    def is_redirect(self) -> bool:
        return 300 <= self.status_code < 400 and "location" in self.headers

    @property
    def path(self) -> str:
        return httpx.URL(self.url).path

    def json(self) -> Any:
        """The decoded JSON body; ValueError when it is not JSON."""
        return json.loads(self.content)


def _charset(headers: httpx.Headers) -> str:
    for part in headers.get("content-type", "").split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.lower() == "charset" and value:
            return value.strip('"') or "utf-8"
    return "utf-8"
