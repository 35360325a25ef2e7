"""One exception hierarchy for the whole service.

Upstream libraries' errors (httpx, sqlite3, OSError) are translated into these where the library
is called, so workers only need to know two things about a failure: its message and whether
retrying later can help (``transient``) or a person has to act (``permanent``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from emby_processor.vocabulary import CauseCode, ErrorKind

if TYPE_CHECKING:
    from emby_processor.metadata import MovieMetadata

__all__ = ["CauseCode", "ErrorKind"]  # re-exported: the words errors are classified by


class EmbyProcessorError(Exception):
    """Base of every error this package raises on purpose."""


class ConfigError(EmbyProcessorError):
    """A setting is missing or invalid; the message names the variable."""


class StoreError(EmbyProcessorError):
    """The queue database cannot be opened, migrated or written."""


class ProcessingError(EmbyProcessorError):
    """A step of an item failed. ``kind`` decides whether the retry handler retries it;
    ``cause`` names the kind of failure for people (``vocabulary.CAUSES``); ``details`` are
    facts a person needs to act on it (kept in the error's timeline entry)."""

    kind: ErrorKind = "transient"
    cause: CauseCode = "internal"

    @property
    def details(self) -> dict[str, str]:
        return {}

    def __init__(
        self, message: str, *, retry_after: float | None = None, cause: CauseCode | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        #: seconds the upstream asked us to wait (``Retry-After``), if it said so
        self.retry_after = retry_after
        if cause is not None:
            self.cause = cause
        #: the movies this could be (``MovieMetadata`` records), kept on the item so that a
        #: person can choose one; set when the metadata step found only uncertain answers
        self.candidates: tuple[MovieMetadata, ...] = ()


class TransientError(ProcessingError):
    """Retrying later may help: network trouble, timeouts, 5xx, 429, not indexed yet."""

    kind: ErrorKind = "transient"


class PermanentError(ProcessingError):
    """Retrying will not help until a person changes something."""

    kind: ErrorKind = "permanent"


class UpstreamError(TransientError):
    """A metadata provider or the media server failed in a way that may pass."""

    cause: CauseCode = "provider_unreachable"

    def __init__(
        self, service: str, message: str, *, retry_after: float | None = None,
        cause: CauseCode | None = None,
    ) -> None:
        super().__init__(f"{service}: {message}", retry_after=retry_after, cause=cause)
        self.service = service


class MediaServerError(UpstreamError):
    """Emby or Jellyfin failed in a way that may pass (network, timeouts, 5xx, 429)."""

    cause: CauseCode = "server_unreachable"


class UpstreamBlockedError(UpstreamError):
    """The upstream answered with a bot challenge or a block page (e.g. Cloudflare 403)."""

    cause: CauseCode = "provider_blocked"


class UpstreamAuthError(PermanentError):
    """The upstream rejected our credentials (401/403)."""

    cause: CauseCode = "provider_auth"

    def __init__(self, service: str, message: str, *, cause: CauseCode | None = None) -> None:
        super().__init__(f"{service}: {message}", cause=cause)
        self.service = service


class NoCodeError(PermanentError):
    """No product code could be read from the file name or its folder."""

    cause: CauseCode = "no_code"


class MetadataNotFoundError(PermanentError):
    """No configured provider knows the code."""

    cause: CauseCode = "unknown_code"


class AmbiguousMatchError(PermanentError):
    """The answers are not sure enough to write: a guess nobody confirmed, or two providers
    describing different movies. ``candidates`` holds them for a person to choose."""

    cause: CauseCode = "ambiguous_match"

    def __init__(self, message: str, candidates: Sequence[MovieMetadata]) -> None:
        super().__init__(message)
        self.candidates = tuple(candidates)


class MetadataMismatchError(UpstreamError):
    """A provider answered with a record for a different code."""


class TargetExistsError(PermanentError):
    """The library already has a file at the target path; nothing is overwritten."""

    cause: CauseCode = "target_exists"

    def __init__(self, message: str, *, target: str | None = None,
                 source: str | None = None) -> None:
        super().__init__(message)
        self.target = target
        self.source = source

    @property
    def details(self) -> dict[str, str]:
        """Both files, so the page can show them side by side."""
        found = {"target": self.target, "source": self.source}
        return {key: value for key, value in found.items() if value}


class SourceMissingError(PermanentError):
    """The item's video file is no longer where the queue says it is."""

    cause: CauseCode = "source_missing"


class NotIndexedYetError(TransientError):
    """The media server has not indexed the file yet: normal for the first minutes."""

    cause: CauseCode = "not_indexed"
