"""Which files in a watch folder are videos worth queueing.

Name rules are pure and cheap, so the watcher applies them before it tracks a file at all; the
rules that touch the disk or the database (partial-download siblings, library files) run once a
file has settled.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection
from pathlib import PurePath

from emby_processor.organizer.fsutil import is_temp_name

#: Suffixes download tools add to a file while it is incomplete. A sibling ``<name><suffix>``
#: means ``<name>`` is still being written: Firefox leaves an empty placeholder beside
#: ``.part``, aria2 writes the real name plus an ``.aria2`` control file, Xunlei uses ``.td``.
PARTIAL_SUFFIXES: tuple[str, ...] = (
    ".part", ".partial", ".!qB", ".!qb", ".!ut", ".!bt", ".bc!", ".crdownload", ".download",
    ".opdownload", ".tmp", ".temp", ".aria2", ".td", ".td.cfg", ".xltd", ".filepart", ".jc!",
)
_PARTIAL_LOWER = tuple(suffix.lower() for suffix in PARTIAL_SUFFIXES)

#: System folders of NAS boxes and Windows: thumbnails, recycle bins, snapshots.
JUNK_DIRS: frozenset[str] = frozenset(
    name.lower()
    for name in (
        "@eaDir", "#recycle", "#snapshot", "@Recycle", "@Recently-Snapshot", "@tmp", "@sharebin",
        "$RECYCLE.BIN", "RECYCLER", "System Volume Information", "lost+found",
    )
)

Exists = Callable[[str], bool]


def has_video_extension(name: str, extensions: Collection[str]) -> bool:
    """``extensions`` are lower-case with the dot, as Settings gives them."""
    return os.path.splitext(name)[1].lower() in extensions


def is_partial_marker(name: str) -> bool:
    """A download tool's in-progress file or folder (``x.mp4.part``, ``x.mp4.download/``)."""
    return name.lower().endswith(_PARTIAL_LOWER)


def is_ignored_dir_name(name: str) -> bool:
    """Folders never worth descending into: hidden, NAS junk, browser download bundles."""
    return name.startswith(".") or name.lower() in JUNK_DIRS or is_partial_marker(name)


def is_candidate_name(path: PurePath, extensions: Collection[str], root: PurePath) -> bool:
    """Every rule that needs only the path; ``root`` is the watch folder it was found in."""
    name = path.name
    if not has_video_extension(name, extensions):
        return False
    if name.startswith("~") or is_temp_name(name) or name.startswith("."):
        return False
    try:
        folders = path.parent.relative_to(root).parts
    except ValueError:
        return False
    return not any(is_ignored_dir_name(folder) for folder in folders)


def has_partial_sibling(path: PurePath, exists: Exists = os.path.lexists) -> bool:
    """True while a download tool still has its marker file next to ``path``."""
    base = str(path)
    return any(exists(base + suffix) for suffix in PARTIAL_SUFFIXES)


def is_under(path: PurePath, folder: PurePath | None) -> bool:
    return folder is not None and path.is_relative_to(folder)
