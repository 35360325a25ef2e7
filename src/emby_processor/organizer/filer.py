"""Crash-safe filing of one video: plan, execute, and recover after a crash.

Promises: a file that exists at the target is never replaced; at every instant at least one
complete copy of the video exists under a real name (source or target); after ``execute``
returns, or after ``recover`` of an interrupted intent, exactly one copy is left (two names for
one inode in hardlink mode, two copies in copy mode, by design). A source is removed only while
it is the file that was copied (same size, ``mtime_ns`` and inode as planned): one that changed
during a copy across file systems is kept beside the copy, and the item fails with
``source_changed`` for a person to compare them.

How the organize stage uses it (``pipeline/organize.py``; ``save`` is the worker's callable
that writes the item's ``organize_intent`` at once, ``save(None)`` clears it)::

    intent = plan(source, target, mode)     # raises TargetExistsError / SourceMissingError
    save(intent.to_json())                  # before anything touches the disk
    final = execute(intent, on_step=lambda step: save(step.to_json()))
    # the stage's outcome then records the new path and clears the intent in one transaction
    # on the next attempt at an item whose intent was left behind by a crash:
    outcome = recover(MoveIntent.from_json(saved))
    save(None)

If execute raises a ProcessingError it has already rolled back (the saved step says
``rolled_back``, or ``kept_both`` for a changed source, and recover() is a no-op); after a crash
recover() finishes or rolls back.
``on_step`` must raise if it cannot persist the step: execute then stops before the action.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from emby_processor.errors import (
    PermanentError,
    ProcessingError,
    SourceMissingError,
    TargetExistsError,
    TransientError,
)

from .fsutil import (
    file_size,
    fsync_dir,
    make_dirs,
    publish,
    remove_empty_dirs,
    remove_if_exists,
    same_file,
    temp_path_for,
)
from .intent import FILE_MODES, FileMode, MoveIntent, Step

__all__ = ["MoveIntent", "RecoveryOutcome", "Step", "execute", "plan", "recover"]

OnStep = Callable[[MoveIntent], None]
_COPY_BUFFER = 8 * 1024 * 1024
_PERMANENT_ERRNOS = frozenset(
    {
        errno.EACCES,
        errno.EPERM,
        errno.EROFS,
        errno.ENAMETOOLONG,
        errno.ENOTDIR,
        errno.EISDIR,
        errno.EEXIST,
    }
)


@dataclass(frozen=True)
class RecoveryOutcome:
    #: ``completed``: the video is at the target (for a move, only there);
    #: ``rolled_back``: the source is as before and nothing of ours is left at the target;
    #: ``source_missing``: neither a complete target nor the source exists (a person must look)
    result: Literal["completed", "rolled_back", "source_missing"]
    #: where the video is now, if anywhere
    path: Path | None
    #: what recovery changed on disk, for the item's event log
    actions: tuple[str, ...] = ()

    @property
    def completed(self) -> bool:
        return self.result == "completed"


def plan(source: Path, target: Path, mode: FileMode) -> MoveIntent:
    """Check that the operation can start and describe it; touches nothing."""
    if mode not in FILE_MODES:
        raise ValueError(f"unknown organize mode {mode!r}")
    source, target = Path(os.path.abspath(source)), Path(os.path.abspath(target))
    try:
        st = os.lstat(source)
    except (FileNotFoundError, NotADirectoryError):
        raise SourceMissingError(f"source file is missing: {source}") from None
    if stat.S_ISLNK(st.st_mode):
        # moving a link would file the link, not the video; copying would leave the video behind
        raise PermanentError(f"source is a symbolic link, not filed: {source}", cause="bad_file")
    if not stat.S_ISREG(st.st_mode):
        raise PermanentError(f"source is not a regular file: {source}", cause="bad_file")
    if os.path.lexists(target):
        raise TargetExistsError(f"target exists: {target} (source: {source})",
                                target=str(target), source=str(source))
    return MoveIntent(
        mode, source, target, temp_path_for(target), st.st_size,
        source_mtime_ns=st.st_mtime_ns, source_inode=st.st_ino,
    )


def execute(intent: MoveIntent, on_step: OnStep | None = None) -> Path:
    """Carry out ``intent``; return the target path.

    On a ProcessingError the operation has been rolled back (step ``rolled_back``): the source is
    untouched and nothing of ours is left at the target (folders made for it are removed again).
    The one exception is cause ``source_changed`` (step ``kept_both``): the source changed while
    it was copied, so the copy stays at the target and the source where it was, for a person to
    compare. Any other exception (a crash, an ``on_step`` failure) leaves the disk as it was at
    that instant, for :func:`recover`.
    """
    if intent.step is not Step.PLANNED:
        raise ValueError(f"execute() needs a fresh intent, this one is at {intent.step.value!r}")
    announce = _announcer(intent, on_step)
    published = False
    try:
        _check_source(intent)
        intent.created_dirs = make_dirs(intent.target.parent)
        if not intent.via_temp:
            announce(Step.PUBLISH)
            published = _publish_direct(intent)
        if intent.via_temp:
            announce(Step.COPY)
            changed = _copy_to_temp(intent)
            announce(Step.PUBLISH)
            publish(intent.temp, intent.target, allow_rename=True)
            published = True
            fsync_dir(intent.target.parent)
            announce(Step.REMOVE_TEMP)
            remove_if_exists(intent.temp)
            if changed is not None:
                raise _KeptBoth(changed)
        else:
            fsync_dir(intent.target.parent)
        if intent.mode == "move":
            announce(Step.REMOVE_SOURCE)
            _remove_source(intent)
    except _KeptBoth as kept:
        announce(Step.KEPT_BOTH)
        raise PermanentError(
            f"{intent.source} changed while it was being copied ({kept}); both were kept: "
            f"the copy at {intent.target} and the source where it was",
            cause="source_changed",
        ) from None
    except (OSError, ProcessingError) as exc:
        error = _translate(exc, intent)
        if not _roll_back_after_error(intent, published=published):
            return _finish_anyway(intent, announce)
        announce(Step.ROLLED_BACK)
        raise error from exc
    announce(Step.DONE)
    return intent.target


def recover(intent: MoveIntent, on_step: OnStep | None = None) -> RecoveryOutcome:
    """Finish or roll back an intent interrupted by a crash. Idempotent.

    The persisted step says which actions certainly finished; the disk says whether the
    announced one ran:

    - ``planned``, ``copy``, ``rolled_back``: nothing of ours is at the target. Remove the temp
      file (it may be partial), keep the source → ``rolled_back``.
    - ``publish``: the target is ours if it is the same inode as the file being published (a
      hard link), or has the expected size while that file is gone (our rename consumed it), or
      is empty (our placeholder, removed). If the target is ours → finish. If there is no target
      and the file being published is complete (temp was size-checked before this step) → publish
      it again, then finish. Otherwise → roll back, leaving a stranger's target alone.
    - ``remove_temp``, ``remove_source``, ``done``: the target is ours; if it is still complete →
      finish (drop temp, drop source for a move); if someone removed it → roll back.
    - ``kept_both``: nothing to do; both files wait for a person.

    "Finish" drops the temp name and, for a move, the source, only once the target is complete
    and only when the source is still the file that was copied (else it is kept, and said so).
    A temp copy is kept, never deleted, when the source has vanished and the temp is complete.
    """
    announce = _announcer(intent, on_step)
    actions: list[str] = []
    if intent.step is Step.KEPT_BOTH:
        return RecoveryOutcome("rolled_back", intent.source, ())
    try:
        if intent.step is Step.PUBLISH:
            return _recover_publish(intent, announce, actions)
        target_ours = intent.step in (Step.REMOVE_TEMP, Step.REMOVE_SOURCE, Step.DONE)
        if target_ours and file_size(intent.target) == intent.expected_size:
            return _complete(intent, announce, actions)
        return _roll_back(intent, announce, actions)
    except OSError as exc:
        raise _translate(exc, intent) from exc


# --- execute helpers -------------------------------------------------------------------------


def _announcer(intent: MoveIntent, on_step: OnStep | None) -> Callable[[Step], None]:
    def announce(step: Step) -> None:
        intent.step = step
        if on_step is not None:
            on_step(intent)

    return announce


class _KeptBoth(Exception):
    """The source is not what was copied; the message says how it differs."""


def _check_source(intent: MoveIntent) -> None:
    size = file_size(intent.source)
    if size is None:
        raise SourceMissingError(f"source file is missing: {intent.source}")
    if size != intent.expected_size:
        raise TransientError(
            f"source changed size since planning ({intent.expected_size} -> {size} bytes): "
            f"{intent.source}"
        )


def _remove_source(intent: MoveIntent) -> None:
    """Drop the source of a move, but only the very file that reached the target."""
    if intent.via_temp:
        changed = intent.source_change()
        if changed is not None:
            raise _KeptBoth(changed)
        remove_if_exists(intent.source)
    elif same_file(intent.source, intent.target):
        remove_if_exists(intent.source)  # a link made a second name; drop the first
    # else the rename consumed the source, and whatever is at its name now is someone else's
    fsync_dir(intent.source.parent)


def _publish_direct(intent: MoveIntent) -> bool:
    """Link (or rename) the source itself to the target; switch to copying across devices."""
    try:
        publish(intent.source, intent.target, allow_rename=intent.mode == "move")
        return True
    except OSError as exc:
        if intent.mode == "hardlink":
            reason = "is on another file system" if exc.errno == errno.EXDEV else exc.strerror
            raise PermanentError(
                f"cannot hard-link {intent.source} -> {intent.target}: the library {reason}; "
                "use ORGANIZE_MODE=copy or move", cause="config",
            ) from exc
        if exc.errno != errno.EXDEV:
            raise
    intent.cross_device = True
    return False


def _copy_to_temp(intent: MoveIntent) -> str | None:
    """Copy the source to the temp name; return how the source changed during the copy, if it
    did (the copy is then kept, not trusted). A source that changed before the copy began, or a
    copy of the wrong size, is a TransientError (nothing is published; the next try re-plans).
    """
    fd = os.open(intent.temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    with open(intent.source, "rb") as src, os.fdopen(fd, "wb") as dst:
        before = intent.differs_from(os.fstat(src.fileno()))
        if before is not None:
            raise TransientError(f"source changed since planning ({before}): {intent.source}")
        shutil.copyfileobj(src, dst, _COPY_BUFFER)
        during = intent.differs_from(os.fstat(src.fileno()))
        dst.flush()
        with contextlib.suppress(OSError):  # a nicety; SMB mounts often refuse chmod/utime
            shutil.copystat(intent.source, intent.temp)
        os.fsync(dst.fileno())
    fsync_dir(intent.temp.parent)
    if during is not None:
        return during
    copied = file_size(intent.temp)
    if copied != intent.expected_size:
        raise TransientError(
            f"size check failed copying {intent.source} -> {intent.temp}: expected "
            f"{intent.expected_size} bytes, the copy has {copied}"
        )
    return None


def _roll_back_after_error(intent: MoveIntent, *, published: bool) -> bool:
    """Undo what execute did. False when the move is already complete (source gone)."""
    if published and file_size(intent.source) != intent.expected_size:
        # the source was consumed by our rename: the target is now the only copy, never undo
        # that; if it is somehow incomplete, leave everything for recover() and a person
        return file_size(intent.target) != intent.expected_size
    if published:
        remove_if_exists(intent.target)
    remove_if_exists(intent.temp)
    remove_empty_dirs(intent.created_dirs)
    return True


def _finish_anyway(intent: MoveIntent, announce: Callable[[Step], None]) -> Path:
    # the source is gone and the target is complete: the move happened, only a late
    # bookkeeping step (a directory fsync, removing the temp name) failed
    remove_if_exists(intent.temp)
    announce(Step.DONE)
    return intent.target


def _translate(exc: BaseException, intent: MoveIntent) -> ProcessingError:
    if isinstance(exc, TargetExistsError):
        # publish() names the temp file as the source when copying; name the user's file
        return TargetExistsError(f"target exists: {intent.target} (source: {intent.source})",
                                 target=str(intent.target), source=str(intent.source))
    if isinstance(exc, ProcessingError):
        return exc
    what = f"{intent.mode} {intent.source} -> {intent.target}"
    if isinstance(exc, OSError):
        if exc.errno == errno.ENOENT and file_size(intent.source) is None:
            return SourceMissingError(f"source file is missing: {intent.source}")
        detail = f"{exc.strerror or exc}" + (f" ({exc.filename})" if exc.filename else "")
        if exc.errno in _PERMANENT_ERRNOS:
            return PermanentError(f"cannot {what}: {detail}", cause="permission")
        if exc.errno == errno.ENOSPC:
            return TransientError(f"cannot {what}: {detail}", cause="disk_full")
        return TransientError(f"cannot {what}: {detail}")
    return TransientError(f"cannot {what}: {exc}")


# --- recovery helpers ------------------------------------------------------------------------


def _recover_publish(
    intent: MoveIntent, announce: Callable[[Step], None], actions: list[str]
) -> RecoveryOutcome:
    published_from = intent.temp if intent.via_temp else intent.source
    target_size = file_size(intent.target)
    if target_size is not None and same_file(intent.target, published_from):
        return _complete(intent, announce, actions)
    from_complete = file_size(published_from) == intent.expected_size
    # an empty target is the placeholder of a rename-publish (never used in hardlink mode);
    # removing it loses nothing even in the unlikely case that it was someone else's
    placeholder = target_size == 0 and intent.mode != "hardlink"
    if placeholder and (intent.expected_size > 0 or from_complete):
        remove_if_exists(intent.target)
        actions.append(f"removed placeholder {intent.target}")
        target_size = None
    if target_size is None and not os.path.lexists(intent.target) and from_complete:
        try:
            publish(published_from, intent.target, allow_rename=intent.mode != "hardlink")
        except (TargetExistsError, OSError):
            return _roll_back(intent, announce, actions)
        actions.append(f"published {published_from} -> {intent.target}")
        return _complete(intent, announce, actions)
    if target_size == intent.expected_size and not os.path.lexists(published_from):
        return _complete(intent, announce, actions)
    return _roll_back(intent, announce, actions)


def _complete(
    intent: MoveIntent, announce: Callable[[Step], None], actions: list[str]
) -> RecoveryOutcome:
    fsync_dir(intent.target.parent)
    if os.path.lexists(intent.temp):
        announce(Step.REMOVE_TEMP)
        remove_if_exists(intent.temp)
        actions.append(f"removed temp {intent.temp}")
    if intent.mode == "move" and os.path.lexists(intent.source):
        changed = intent.source_change() if intent.via_temp else (
            None if same_file(intent.source, intent.target) else "another file")
        if changed is None:
            announce(Step.REMOVE_SOURCE)
            remove_if_exists(intent.source)
            fsync_dir(intent.source.parent)
            actions.append(f"removed source {intent.source}")
        else:
            actions.append(f"kept source {intent.source}: it changed after the copy ({changed})")
    announce(Step.DONE)
    return RecoveryOutcome("completed", intent.target, tuple(actions))


def _roll_back(
    intent: MoveIntent, announce: Callable[[Step], None], actions: list[str]
) -> RecoveryOutcome:
    source_ok = file_size(intent.source) is not None
    if os.path.lexists(intent.temp):
        if source_ok or file_size(intent.temp) != intent.expected_size:
            remove_if_exists(intent.temp)
            actions.append(f"removed temp {intent.temp}")
        else:
            actions.append(f"source vanished; kept the complete copy at {intent.temp}")
            announce(Step.ROLLED_BACK)
            return RecoveryOutcome("source_missing", intent.temp, tuple(actions))
    announce(Step.ROLLED_BACK)
    remove_empty_dirs(intent.created_dirs)
    if source_ok:
        return RecoveryOutcome("rolled_back", intent.source, tuple(actions))
    return RecoveryOutcome("source_missing", None, tuple(actions))
