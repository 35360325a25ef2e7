"""Small file-system primitives shared by the filer and the sidecar writer.

Everything here is about two promises: a name that exists is never replaced by us, and a file we
publish is on disk (data and directory entry) before anything that depends on it happens.
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
from pathlib import Path

from emby_processor.errors import TargetExistsError

NAME_MAX = 255
TEMP_SUFFIX = ".emby-processor-tmp"

#: errno values meaning "this file system cannot hard-link", not "something is wrong"
_NO_LINK_ERRNOS = frozenset(
    {errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EMLINK, errno.ENOSYS, errno.EINVAL}
)
#: directory fsync is not supported everywhere (some FUSE and SMB mounts); that is not an error
_DIR_FSYNC_UNSUPPORTED = frozenset({errno.EINVAL, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EBADF})


def truncate_utf8(text: str, max_bytes: int) -> str:
    """Cut ``text`` to at most ``max_bytes`` of UTF-8 without splitting a character."""
    encoded = text.encode("utf-8", "surrogatepass")
    if len(encoded) <= max_bytes:
        return text
    # 'ignore' drops the partial multi-byte sequence left at the cut
    cut = encoded[: max(max_bytes, 0)].decode("utf-8", "ignore")
    # a dangling joiner or variation selector would glue onto whatever follows the cut
    return cut.rstrip("\u200d\ufe0e\ufe0f")


def utf8_len(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


def temp_path_for(target: Path) -> Path:
    """A hidden, unique scratch name beside ``target`` that still fits in NAME_MAX bytes.

    The random token keeps two operations aimed at the same target from sharing a temp file,
    so the name may be shortened freely.
    """
    tail = f".{secrets.token_hex(4)}{TEMP_SUFFIX}"
    room = NAME_MAX - utf8_len(f".{tail}")
    return target.with_name(f".{truncate_utf8(target.name, room)}{tail}")


def is_temp_name(name: str) -> bool:
    """True for names made by :func:`temp_path_for` (the watcher must skip these)."""
    return name.startswith(".") and name.endswith(TEMP_SUFFIX)


def fsync_dir(directory: Path) -> None:
    """Make directory entries (a new link, a rename, an unlink) survive a power cut."""
    try:
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError as exc:
        if exc.errno in _DIR_FSYNC_UNSUPPORTED or exc.errno == errno.EACCES:
            return
        raise
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno not in _DIR_FSYNC_UNSUPPORTED:
            raise
    finally:
        os.close(fd)


def reserve_name(path: Path) -> None:
    """Create ``path`` empty with O_EXCL: the name is ours or TargetExistsError."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        raise TargetExistsError(f"target exists: {path}") from None
    os.close(fd)


def publish(src: Path, dst: Path, *, allow_rename: bool) -> str:
    """Give the file at ``src`` the name ``dst`` without ever replacing an existing ``dst``.

    Tries a hard link first (atomic, fails with EEXIST). On file systems without hard links
    (exFAT, some SMB/FUSE mounts) and when ``allow_rename`` is set, it reserves ``dst`` with an
    exclusive create and renames ``src`` over that empty placeholder. The race accepted there:
    a process that deletes our placeholder and puts its own file in its place between the two
    calls loses that file; nothing that respects existing names can do so.

    Returns ``"link"`` (``src`` still exists) or ``"rename"`` (``src`` is gone). Raises
    TargetExistsError when ``dst`` exists, and OSError(EXDEV) across file systems.
    """
    try:
        os.link(src, dst)
        return "link"
    except FileExistsError:
        raise TargetExistsError(f"target exists: {dst} (source: {src})") from None
    except OSError as exc:
        if exc.errno not in _NO_LINK_ERRNOS or not allow_rename:
            raise
    reserve_name(dst)
    try:
        os.rename(src, dst)
    except OSError:
        # rename is atomic: when it fails, dst is still our empty placeholder
        remove_if_exists(dst)
        raise
    return "rename"


def make_dirs(folder: Path) -> tuple[Path, ...]:
    """Create ``folder`` and its missing parents; return the ones made here, outermost first."""
    missing: list[Path] = []
    probe = folder
    while not os.path.lexists(probe) and probe != probe.parent:
        missing.append(probe)
        probe = probe.parent
    created: list[Path] = []
    for path in reversed(missing):
        try:
            path.mkdir()
        except FileExistsError:
            continue  # made meanwhile by someone else (another part of the movie): not ours
        created.append(path)
    if not missing and not folder.is_dir():
        folder.mkdir()  # raises the error that says what is in the way
    return tuple(created)


def remove_empty_dirs(created: tuple[Path, ...]) -> None:
    """Undo :func:`make_dirs`: remove its folders innermost first, while they are empty."""
    for path in reversed(created):
        try:
            path.rmdir()
        except OSError:
            return  # not empty (another file went in) or already gone


def remove_if_exists(path: Path) -> bool:
    try:
        os.unlink(path)
    except (FileNotFoundError, NotADirectoryError):
        return False
    return True


def same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def file_size(path: Path) -> int | None:
    """Size of a regular file, or None when it is missing or not a regular file."""
    try:
        st = os.stat(path, follow_symlinks=False)
    except (FileNotFoundError, NotADirectoryError):
        return None
    return st.st_size if stat.S_ISREG(st.st_mode) else None
