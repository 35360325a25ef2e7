"""The watch folders themselves: which exist right now, and which just came back.

Shares get unmounted and remounted; a folder that is gone is reported (once in the log, always in
health) and skipped, never treated as "all its files were deleted".
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from pathlib import Path

from emby_processor.watcher.scanner import FolderStatus, Identity, probe_folder

logger = logging.getLogger(__name__)


def distinct_roots(folders: Iterable[Path]) -> list[Path]:
    """Absolute folders, without duplicates or folders nested inside another one.

    A nested watch folder would be walked twice and its files would have two roots with
    different ideas of what is hidden.
    """
    absolute = list(dict.fromkeys(Path(os.path.abspath(folder)) for folder in folders))
    return [
        root for root in absolute
        if not any(other != root and root.is_relative_to(other) for other in absolute)
    ]


def _prefix(root: Path) -> str:
    text = str(root)
    return text if text.endswith(os.sep) else text + os.sep


class FolderMonitor:
    """Last known status of each watch folder; ``refresh`` from the watcher thread only."""

    def __init__(self, folders: Iterable[Path]) -> None:
        self.roots = distinct_roots(folders)
        self._prefixes = [(_prefix(root), root) for root in self.roots]
        self._status: dict[Path, FolderStatus] = {}
        self._identity: dict[Path, Identity | None] = {}

    def refresh(self) -> list[Path]:
        """Probe every folder; return those that came back or were replaced (remounted)."""
        returned = []
        for root in self.roots:
            status, identity = probe_folder(root)
            before = self._status.get(root)
            known = self._identity.get(root)
            self._status[root], self._identity[root] = status, identity
            if status != "ok":
                if status != before:
                    logger.warning(
                        "watch folder %s is %s; skipping it until it is back", root, status
                    )
            elif before is None:
                continue
            elif before != "ok":
                logger.info("watch folder %s is back", root)
                returned.append(root)
            elif identity != known:
                logger.info("watch folder %s was replaced (remounted?); rescanning it", root)
                returned.append(root)
        return returned

    def ok_roots(self) -> list[Path]:
        return [root for root in self.roots if self._status.get(root) == "ok"]

    def is_ok(self, root: Path) -> bool:
        return self._status.get(root) == "ok"

    def root_of(self, path: str) -> Path | None:
        for prefix, root in self._prefixes:
            if path.startswith(prefix):
                return root
        return None
