"""The paths a person ignored from the dashboard, as the watcher sees them.

The list lives in the queue store (``ignored_files``); a control key counts its changes, so the
watcher reloads the list only when it changed, in whichever process it runs, and asks which
paths were un-ignored since its last look (even one whose ignoring it never saw: the file it
queued long ago, marked handled, must be looked at again).
"""

from __future__ import annotations

from typing import Protocol


class IgnoredSource(Protocol):
    def ignored_version(self) -> int: ...

    def ignored_paths(self) -> set[str]: ...

    def released_paths(self, since: int) -> set[str]: ...


class IgnoredPaths:
    def __init__(self, source: IgnoredSource) -> None:
        self._source = source
        self._paths: set[str] = set()
        self._version: int | None = None

    def refresh(self) -> set[str]:
        """Reload the list if it changed; returns the paths taken off it since the last look
        (none at the first look: nothing was decided about any file yet)."""
        version = self._source.ignored_version()
        if version == self._version:
            return set()
        paths = self._source.ignored_paths()
        released = set() if self._version is None else self._source.released_paths(self._version)
        self._paths, self._version = paths, version
        return released - paths

    def __contains__(self, path: object) -> bool:
        return path in self._paths
