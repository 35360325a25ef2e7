"""One exception hierarchy for the whole service.

Upstream libraries' errors (httpx, sqlite3, OSError) are translated into these where the library
is called, so workers only need to know two things about a failure: its message and whether
retrying later can help (``transient``) or a person has to act (``permanent``).
"""

from __future__ import annotations

from typing import Literal

ErrorKind = Literal["transient", "permanent"]


class EmbyProcessorError(Exception):
    """Base of every error this package raises on purpose."""


class ConfigError(EmbyProcessorError):
    """A setting is missing or invalid; the message names the variable."""


class StoreError(EmbyProcessorError):
    """The queue database cannot be opened, migrated or written."""


class ProcessingError(EmbyProcessorError):
    """A step of an item failed. ``kind`` decides whether the retry handler retries it."""

    kind: ErrorKind = "transient"

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.message = message
        #: seconds the upstream asked us to wait (``Retry-After``), if it said so
        self.retry_after = retry_after


class TransientError(ProcessingError):
    """Retrying later may help: network trouble, timeouts, 5xx, 429, not indexed yet."""

    kind: ErrorKind = "transient"


class PermanentError(ProcessingError):
    """Retrying will not help until a person changes something."""

    kind: ErrorKind = "permanent"


class UpstreamError(TransientError):
    """A metadata provider or the media server failed in a way that may pass."""

    def __init__(
        self, service: str, message: str, *, retry_after: float | None = None
    ) -> None:
        super().__init__(f"{service}: {message}", retry_after=retry_after)
        self.service = service


class UpstreamBlockedError(UpstreamError):
    """The upstream answered with a bot challenge or a block page (e.g. Cloudflare 403)."""


class UpstreamAuthError(PermanentError):
    """The upstream rejected our credentials (401/403)."""

    def __init__(self, service: str, message: str) -> None:
        super().__init__(f"{service}: {message}")
        self.service = service


class NoCodeError(PermanentError):
    """No product code could be read from the file name or its folder."""


class MetadataNotFoundError(PermanentError):
    """No configured provider knows the code."""


class MetadataMismatchError(UpstreamError):
    """A provider answered with a record for a different code."""


class TargetExistsError(PermanentError):
    """The library already has a file at the target path; nothing is overwritten."""


class SourceMissingError(PermanentError):
    """The item's video file is no longer where the queue says it is."""


class NotIndexedYetError(TransientError):
    """The media server has not indexed the file yet: normal for the first minutes."""
