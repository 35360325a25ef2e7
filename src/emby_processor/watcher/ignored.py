"""The paths a person ignored from the dashboard, as the watcher sees them.

The list lives in the queue store (``ignored_files``); a control key changes with every change
of it, so the watcher reloads the list only then, in whichever process it runs.
"""

from __future__ import annotations

from typing import Protocol


class IgnoredSource(Protocol):
    def ignored_version(self) -> str | None: ...

    def ignored_paths(self) -> set[str]: ...


class IgnoredPaths:
    def __init__(self, source: IgnoredSource) -> None:
        self._source = source
        self._paths: set[str] = set()
        self._version: str | None = None

    def refresh(self) -> set[str]:
        """Reload the list if it changed; returns the paths taken off it since the last look."""
        version = self._source.ignored_version()
        if version == self._version:
            return set()
        paths = self._source.ignored_paths()
        released = self._paths - paths
        self._paths, self._version = paths, version
        return released

    def __contains__(self, path: object) -> bool:
        return path in self._paths
