"""A watch folder as a hostile user would leave it: sidecars that are symlinks to secrets, a
sparse 1 GiB "poster", a poster that is a copy of a settings file, a FIFO, and video names in
Shift-JIS (not UTF-8) bytes.

``build(folder)`` makes it and returns what was made, by name, so tests can ask about each case.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from tests.fakes.images import TINY_JPEG, png

SECRET = b"EMBY_API_KEY=secret-key-from-the-environment\nAPI_TOKEN=hunter2\n"
GIB = 1 << 30


@dataclass
class HostileFolder:
    root: Path
    #: video name -> what is odd about its sidecars
    videos: dict[str, str] = field(default_factory=dict)
    secret: Path | None = None

    def video(self, name: str) -> Path:
        return self.root / name


def shift_jis(name: str) -> str:
    """How Python names a file whose name was written as Shift-JIS bytes (PEP 383 escapes)."""
    return os.fsdecode(name.encode("cp932"))


def _video(root: Path, name: str) -> Path:
    path = root / name
    path.write_bytes(os.urandom(1024) + os.fsencode(name))
    return path


def build(root: Path) -> HostileFolder:
    root.mkdir(parents=True, exist_ok=True)
    folder = HostileFolder(root)
    folder.secret = root.parent / "secrets.env"
    folder.secret.write_bytes(SECRET)

    _video(root, "ABP-001.mp4")
    os.symlink("/proc/self/environ", root / "ABP-001-poster.jpg")
    os.symlink(folder.secret, root / "ABP-001-fanart.jpg")
    folder.videos["ABP-001.mp4"] = "poster -> /proc/self/environ, fanart -> a secrets file"

    _video(root, "ABP-002.mp4")
    with open(root / "ABP-002-poster.jpg", "wb") as sparse:
        sparse.write(TINY_JPEG[:64])  # starts like a JPEG, then 1 GiB of holes
        sparse.truncate(GIB)
    folder.videos["ABP-002.mp4"] = "a sparse 1 GiB poster"

    _video(root, "ABP-003.mp4")
    (root / "ABP-003-poster.jpg").write_bytes(SECRET)
    folder.videos["ABP-003.mp4"] = "a poster that is a copy of a settings file"

    _video(root, "ABP-004.mp4")
    os.mkfifo(root / "ABP-004-poster.jpg")
    folder.videos["ABP-004.mp4"] = "a FIFO poster"

    _video(root, "ABP-005.mp4")
    (root / "ABP-005-poster.jpg").write_bytes(png())
    folder.videos["ABP-005.mp4"] = "a real PNG poster under a .jpg name (as sidecars are named)"

    name = shift_jis("[字幕]ABP-006 ファイル.mp4")
    _video(root, name)
    folder.videos[name] = "a Shift-JIS file name"

    os.symlink(root / "ABP-005.mp4", root / "ABP-007.mp4")
    folder.videos["ABP-007.mp4"] = "a symlinked video"
    return folder
