"""r18.dev client (docs/providers.md, section 2): code -> content id -> full record.

r18.dev is a free community site behind Cloudflare, so this client is deliberately slow and
polite: one request at a time across all threads, ``min_interval`` seconds between request
starts, backoff on 429/503, and an in-memory cache so a retried item does not ask again.

Politeness never stalls anyone for long: a thread waits for its turn at most ``max_backoff``
seconds of pacing (r18.dev's own interval, or a short ``Retry-After``). When r18.dev asked for a
longer pause, or the turn is held for longer than a request's deadline, the fetch fails at once
as a transient error carrying the wait (``retry_after``): the chain asks the next provider, and
the item, if nobody else knew it, is retried after that wait instead of holding a worker.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from emby_processor.config import Settings
from emby_processor.errors import EmbyProcessorError, UpstreamBlockedError, UpstreamError
from emby_processor.httpclient import HttpClientFactory, HttpLimits, Reply
from emby_processor.metadata import MovieMetadata
from emby_processor.providers.answers import describe_body, is_html, json_payload, status_error
from emby_processor.providers.base import ProviderStatus
from emby_processor.providers.channels import ChannelBook
from emby_processor.providers.codes import normalize_code
from emby_processor.providers.r18dev_resolve import Resolution
from emby_processor.providers.registry import ProviderSpec, ProviderTools

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 20.0


@dataclass(frozen=True)
class CacheEntry:
    """A fetch outcome; ``metadata`` None means r18.dev did not know the code."""

    metadata: MovieMetadata | None
    expires_at: float  # time.monotonic()


class R18DevProvider:
    name = "r18dev"

    def __init__(
        self,
        base_url: str = "https://r18.dev",
        timeout: float = DEFAULT_TIMEOUT,
        min_interval: float = 1.0,
        max_retries: int = 3,
        cache: dict[str, CacheEntry] | None = None,
        *,
        http: HttpClientFactory | None = None,
        backoff_base: float = 1.0,
        max_backoff: float = 10.0,
        cache_ttl: float = 24 * 3600.0,
        not_found_ttl: float = 3600.0,
        guess_content_ids: bool = True,
        check_interval: float = 300.0,
        check_timeout: float = 5.0,
        block_pause: float = 60.0,
        max_block_pause: float = 900.0,
        channels: ChannelBook | None = None,
    ) -> None:
        http = http or HttpClientFactory(HttpLimits(read_timeout=timeout, deadline=4 * timeout))
        self._client = http.client(self.name, base_url, read_timeout=timeout,
                                   headers=browser_headers(base_url))
        #: how long a thread may queue for the turn: one request in front of it, at its deadline
        self._queue_seconds = http.limits.deadline + max(min_interval, max_backoff)
        self._min_interval = min_interval
        self._max_retries = max_retries
        self._backoff_base = backoff_base
        # a Retry-After longer than this is handed to the retry handler instead of holding
        # a worker thread (and everyone queued behind the lock) asleep
        self._max_backoff = max_backoff
        self._cache: dict[str, CacheEntry] = {} if cache is None else cache
        self._cache_lock = threading.Lock()
        self._cache_ttl = cache_ttl
        self._not_found_ttl = not_found_ttl
        self._guess = guess_content_ids
        #: the DMM channel prefixes known for each label (shipped, learned)
        self._channels = channels or ChannelBook()
        self._check_interval = check_interval
        self._check_timeout = min(check_timeout, timeout)
        self._last_check: tuple[float, ProviderStatus] | None = None
        self._turn = threading.Lock()
        self._next_start = 0.0
        self._closed = threading.Event()
        #: after a bot challenge nobody asks r18.dev until this time.monotonic(); the pause
        #: doubles with each challenge in a row, from ``block_pause`` up to ``max_block_pause``
        self._blocked_until = 0.0
        self._block_pause = block_pause
        self._max_block_pause = max_block_pause
        self._challenges = 0
        #: what the last challenge answered, for the errors of the pause it started
        self._challenge = "HTTP 403"

    # -- interface ---------------------------------------------------------------------------

    def fetch(
        self, code: str, *, path: Path | None = None, refresh: bool = False
    ) -> MovieMetadata | None:
        key = normalize_code(code)
        if not refresh:
            cached = self._cached(key)
            if cached is not None:
                log.debug("r18dev cache hit for %s", code)
                return cached.metadata.model_copy(deep=True) if cached.metadata else None
        metadata = self._resolve(code)
        ttl = self._cache_ttl if metadata else self._not_found_ttl
        with self._cache_lock:
            self._cache[key] = CacheEntry(metadata, time.monotonic() + ttl)
        return metadata.model_copy(deep=True) if metadata else None

    def check(self) -> ProviderStatus:
        blocked = self.blocked_for()
        if blocked > 0:
            return ProviderStatus(False, f"blocked by a bot challenge; pausing for {blocked:.0f} s")
        # the health page polls; r18.dev must not see a request every few seconds for it
        if self._last_check and time.monotonic() - self._last_check[0] < self._check_interval:
            return self._last_check[1]
        # a fetch holding the turn (maybe backing off) must not stall the health page
        if not self._turn.acquire(blocking=False):
            last = self._last_check[1] if self._last_check else None
            return last or ProviderStatus(True, "busy fetching; not probed")
        try:
            status = self._probe()
        finally:
            self._turn.release()
        self._last_check = (time.monotonic(), status)
        return status

    def close(self) -> None:
        self._closed.set()
        self._client.close()

    # -- resolution: code -> content id -> record (r18dev_resolve) -----------------------------

    def _resolve(self, code: str) -> MovieMetadata | None:
        return Resolution(code, self._get_json, self._channels, guess=self._guess).run()

    # -- HTTP --------------------------------------------------------------------------------

    def _get_json(self, path: str) -> Mapping[str, Any] | None:
        """The JSON object at ``path``; None for not found (404, or a 200 HTML page)."""
        response = self._get(path)
        status = response.status_code
        if status == 404 or (status == 200 and is_html(response)):
            return None
        if status == 403:
            self._challenge = f"HTTP 403 ({describe_body(response)!r})"
            pause = self._challenged()
            raise UpstreamBlockedError(
                self.name, f"{self._challenge}: blocked by a bot challenge; "
                f"not asking again for {pause:.0f} s", retry_after=pause,
            )
        self._challenges = 0
        if status >= 400:
            raise status_error(response, self.name, describe_body(response))
        payload = json_payload(response, self.name)
        if not isinstance(payload, Mapping):
            raise UpstreamError(self.name, f"{path} answered JSON that is not an object")
        return payload

    def blocked_for(self) -> float:
        """Seconds left of the pause after a bot challenge (0 when requests may go out)."""
        return max(self._blocked_until - time.monotonic(), 0.0)

    def _challenged(self) -> float:
        """Start (or lengthen) the pause after a challenge; returns its length."""
        self._challenges += 1
        pause = min(self._block_pause * 2.0 ** (self._challenges - 1), self._max_block_pause)
        self._blocked_until = max(self._blocked_until, time.monotonic() + pause)
        log.warning("r18dev answered with a bot challenge; pausing every request for %.0f s",
                    pause)
        return pause

    def _get(self, path: str) -> Reply:
        """One throttled GET, retried with backoff while r18.dev answers 429/503."""
        blocked = self.blocked_for()
        if blocked > 0:
            raise UpstreamBlockedError(
                self.name, f"{self._challenge}: blocked by a bot challenge; not asking again "
                f"for {blocked:.0f} s", retry_after=blocked)
        attempts = self._max_retries + 1
        for attempt in range(attempts):
            with self._turn_to_ask():
                self._next_start = time.monotonic() + self._min_interval
                response = self._client.get(path)
                if response.status_code not in (429, 503):
                    return response
                delay = max(self._backoff_base * 2**attempt, response.retry_after or 0.0)
                # everyone queued behind the lock waits too: the limit is per site, not per thread
                self._next_start = max(self._next_start, time.monotonic() + delay)
            if attempt + 1 >= attempts or delay > self._max_backoff:
                raise UpstreamError(
                    self.name,
                    f"HTTP {response.status_code}: rate limited after {attempt + 1} attempt(s)",
                    retry_after=delay,
                )
            log.info("r18dev answered %s, waiting %.1f s", response.status_code, delay)
        raise AssertionError("unreachable")

    @contextmanager
    def _turn_to_ask(self) -> Iterator[None]:
        """Hold the turn, once r18.dev's pacing allows a request; fail at once (transient, with
        the wait as ``retry_after``) rather than make anyone wait longer than that pacing."""
        if not self._turn.acquire(timeout=self._queue_seconds):
            raise UpstreamError(
                self.name, f"other requests to r18.dev held the turn for over "
                f"{self._queue_seconds:.0f} s; asking again later",
                retry_after=self._min_interval)
        try:
            wait = self._next_start - time.monotonic()
            if wait > max(self._min_interval, self._max_backoff):
                raise UpstreamError(
                    self.name, f"rate limited: r18.dev asked for a pause of {wait:.0f} s more; "
                    "asking again after it", retry_after=wait)
            self._wait(wait)
            yield
        finally:
            self._turn.release()

    def _wait(self, seconds: float) -> None:
        if seconds > 0 and self._closed.wait(seconds):
            raise UpstreamError(self.name, "client closed while waiting for its turn")

    def _cached(self, key: str) -> CacheEntry | None:
        with self._cache_lock:
            entry = self._cache.get(key)
            if entry is not None and entry.expires_at <= time.monotonic():
                del self._cache[key]
                return None
            return entry

    def _probe(self) -> ProviderStatus:
        """One request to the home page; the caller holds the turn."""
        wait = self._next_start - time.monotonic()
        if wait > max(self._min_interval, self._max_backoff):
            return ProviderStatus(False, f"rate limited: r18.dev asked for a pause of {wait:.0f} s")
        try:
            self._wait(wait)
            self._next_start = time.monotonic() + self._min_interval
            response = self._client.get("/", timeout=self._check_timeout)
        except EmbyProcessorError as exc:
            return ProviderStatus(False, str(exc))
        if response.status_code == 403:
            return ProviderStatus(False, f"blocked by a bot challenge ({describe_body(response)})")
        if response.status_code >= 500 or response.status_code == 429:
            return ProviderStatus(False, f"HTTP {response.status_code}")
        return ProviderStatus(True, f"{self._client.base_url} reachable")


def browser_headers(base_url: str) -> dict[str, str]:
    """What a browser's script on r18.dev sends for JSON: Cloudflare challenges requests without
    an ``Accept`` a browser would send, an ``Accept-Language`` and a ``Referer`` on the site."""
    return {
        "Accept": "application/json, text/plain, */*",
        "Accept-Language": "en-US,en;q=0.9,ja;q=0.8",
        "Referer": base_url.rstrip("/") + "/",
    }


def _build(settings: Settings, tools: ProviderTools) -> R18DevProvider:
    return R18DevProvider(settings.r18dev_url, timeout=settings.provider_timeout_seconds,
                          http=tools.http, channels=tools.channels)


PROVIDER = ProviderSpec(
    name="r18dev",
    settings=("R18DEV_URL", "PROVIDER_TIMEOUT_SECONDS"),
    build=_build,
    summary="the free r18.dev site, one request a second",
)
