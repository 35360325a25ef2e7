"""Walking watch folders: every regular file with its size and mtime.

Watch folders are often network shares where files vanish and permissions vary, so nothing found
(or not found) during a walk is an error: it is logged at debug level and the walk goes on.
"""

from __future__ import annotations

import errno
import logging
import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

logger = logging.getLogger(__name__)

FolderStatus = Literal["ok", "missing", "not readable"]
Identity = tuple[int, int]

#: errors meaning "the folder is not there right now" (a dead or unmounted share), not "denied"
_GONE_ERRNOS = frozenset({errno.ENOENT, errno.ENOTDIR, errno.ENOTCONN, errno.ESTALE, errno.ENODEV})


@dataclass(frozen=True, slots=True)
class FileStat:
    path: str
    size: int
    mtime_ns: int


def probe_folder(folder: Path) -> tuple[FolderStatus, Identity | None]:
    """The folder's status and (device, inode): a remounted share comes back as a new identity."""
    try:
        info = os.stat(folder)
    except OSError as error:
        return ("missing" if error.errno in _GONE_ERRNOS else "not readable"), None
    if not stat.S_ISDIR(info.st_mode):
        return "missing", None
    if not os.access(folder, os.R_OK | os.X_OK):
        return "not readable", None
    return "ok", (info.st_dev, info.st_ino)


def scan_folder(
    root: Path, *, skip_dir: Callable[[str], bool] | None = None
) -> Iterator[FileStat]:
    """Every regular file under ``root``, depth first.

    Symlinked folders are not entered: following them risks loops and, worse, one video reachable
    by two paths, which would become two queue items. Symlinked files are reported with their
    target's size and mtime.
    """
    stack = [str(root)]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    found = _visit(entry, skip_dir, stack)
                    if found is not None:
                        yield found
        except OSError as error:
            logger.debug("cannot list %s: %s", folder, error)


def _visit(
    entry: os.DirEntry[str], skip_dir: Callable[[str], bool] | None, stack: list[str]
) -> FileStat | None:
    try:
        if entry.is_dir(follow_symlinks=False):
            if skip_dir is None or not skip_dir(entry.name):
                stack.append(entry.path)
            return None
        if not entry.is_file():
            return None
        info = entry.stat()
    except OSError as error:  # vanished or unreadable between listing and stat
        logger.debug("skipping %s: %s", entry.path, error)
        return None
    return FileStat(entry.path, info.st_size, info.st_mtime_ns)


def stat_file(path: str) -> FileStat | None:
    """One file's current stat, or None when it is gone or not a regular file."""
    try:
        info = os.stat(path)
    except OSError as error:
        logger.debug("cannot stat %s: %s", path, error)
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    return FileStat(path, info.st_size, info.st_mtime_ns)
