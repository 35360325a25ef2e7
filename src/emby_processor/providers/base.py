"""The interface every metadata provider implements.

One signature for all: ``fetch(code, *, path=None, refresh=False)``. ``path`` is the video file
when the caller knows it; network providers ignore it, the ``.nfo`` provider needs it. Keeping a
single signature lets the chain treat every provider alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

from emby_processor.metadata import MovieMetadata


@dataclass(frozen=True)
class ProviderStatus:
    """Result of a cheap reachability probe, shown on the health page."""

    ok: bool
    message: str


@runtime_checkable
class MetadataProvider(Protocol):
    """Code -> normalised metadata.

    ``fetch`` returns None when this provider does not know the code, and raises
    ``errors.UpstreamError`` (transient), ``UpstreamBlockedError``, ``UpstreamAuthError``
    (permanent) when it could not find out. It never raises httpx or parser exceptions.
    ``refresh=True`` bypasses every cache the provider keeps (client-side and, where the
    upstream offers it, server-side).
    """

    name: str

    def fetch(
        self, code: str, *, path: Path | None = None, refresh: bool = False
    ) -> MovieMetadata | None: ...

    def check(self) -> ProviderStatus: ...

    def close(self) -> None: ...
