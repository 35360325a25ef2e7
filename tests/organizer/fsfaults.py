"""Fault injection for the filer: pretend the library is on another file system, or on one
without hard links, by wrapping ``os.link`` / ``os.rename``."""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Any

import pytest


class Crash(BaseException):
    """A simulated kill -9: not an Exception, so nothing in the code under test catches it."""


def patch_fs(
    monkeypatch: pytest.MonkeyPatch, *, far: Path | None = None, no_links: bool = False
) -> None:
    """``far``: paths under it are "another device" for links/renames from elsewhere."""
    real_link, real_rename = os.link, os.rename

    def crosses(src: Any, dst: Any) -> bool:
        if far is None:
            return False
        inside = [Path(p).is_relative_to(far) for p in (src, dst)]
        return inside[0] != inside[1]

    def link(src: Any, dst: Any, *args: Any, **kwargs: Any) -> None:
        if crosses(src, dst):
            raise OSError(errno.EXDEV, "Invalid cross-device link", str(src))
        if no_links:
            raise OSError(errno.EPERM, "Operation not permitted", str(src))
        real_link(src, dst, *args, **kwargs)

    def rename(src: Any, dst: Any, *args: Any, **kwargs: Any) -> None:
        if crosses(src, dst):
            raise OSError(errno.EXDEV, "Invalid cross-device link", str(src))
        real_rename(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "link", link)
    monkeypatch.setattr(os, "rename", rename)
