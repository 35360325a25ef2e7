"""Where the files of a settled duplicate go (the filing itself is ``filer.py``'s).

- *Keep both*: the new video is filed beside the library's copy as ``ABP-123 (2).mp4`` (the
  first free number from 2). The code parser reads `` (2)`` as a copy marker, and neither
  server's stacking rule takes it for a part, so both stay whole movies of the same code.
- *Replace*: the library's copy moves aside first, under ``LIBRARY_DIR/.replaced/`` with its
  path below the library kept (numbered the same way when that name is taken). A folder whose
  name starts with a dot is skipped by Emby and Jellyfin, and the ``.ignore`` file in it says
  so again for Emby. Nothing is deleted.
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path

SET_ASIDE_DIR = ".replaced"
IGNORE_MARKER = ".ignore"


def numbered(path: Path) -> Path:
    """``path`` when that name is free, else the first free ``stem (n)suffix`` from 2."""
    if not os.path.lexists(path):
        return path
    for n in itertools.count(2):
        candidate = path.with_name(f"{path.stem} ({n}){path.suffix}")
        if not os.path.lexists(candidate):
            return candidate
    raise AssertionError("unreachable")


def both_target(target: Path) -> Path:
    """The name the new video gets when both copies are kept."""
    return numbered(target.with_name(f"{target.stem} (2){target.suffix}"))


def aside_target(library_dir: Path, target: Path) -> Path:
    """Where the library's copy at ``target`` goes when it is replaced."""
    try:
        relative = target.relative_to(library_dir)
    except ValueError:
        relative = Path(target.name)
    return numbered(library_dir / SET_ASIDE_DIR / relative)


def mark_set_aside_dir(library_dir: Path) -> None:
    """Create ``.replaced`` with its ``.ignore`` marker (media servers skip the folder)."""
    folder = library_dir / SET_ASIDE_DIR
    folder.mkdir(parents=True, exist_ok=True)
    marker = folder / IGNORE_MARKER
    if not marker.exists():
        marker.write_bytes(b"")
