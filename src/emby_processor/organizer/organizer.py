"""The organizer as the worker sees it: where a video goes, and what is written beside it."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from pathlib import Path
from typing import cast

from emby_processor.metadata import MovieMetadata

from .duplicates import aside_target, both_target, mark_set_aside_dir
from .filer import plan
from .intent import FILE_MODES, FileMode, MoveIntent
from .sidecars import SidecarResult, write_sidecars
from .template import DEFAULT_TEMPLATE, render_target, validate_template

ORGANIZE_MODES = (*FILE_MODES, "none")


class Organizer:
    """Files videos under ``library_dir`` by ``template``; ``mode`` ``none`` leaves them in place.

    Multi-part movies share a folder because the template's directories do not depend on the
    part; only ``{part}`` in the file name tells ``-cd1`` from ``-cd2``.
    """

    def __init__(
        self,
        library_dir: Path | None,
        mode: str,
        template: str = DEFAULT_TEMPLATE,
        write_nfo: bool = True,
        write_images: bool = True,
        image_fetcher: Callable[[str], bytes] | None = None,
    ) -> None:
        if mode not in ORGANIZE_MODES:
            raise ValueError(f"ORGANIZE_MODE must be one of {', '.join(ORGANIZE_MODES)}: {mode!r}")
        validate_template(template)
        self.library_dir = Path(os.path.abspath(library_dir)) if library_dir else None
        self.mode = mode
        self.template = template
        self.write_nfo = write_nfo
        self.write_images = write_images
        self.image_fetcher = image_fetcher

    @property
    def files_videos(self) -> bool:
        return self.library_dir is not None and self.mode != "none"

    def target_for(
        self, source: Path, metadata: MovieMetadata, code: str, part: int | None
    ) -> Path | None:
        if not self.files_videos or self.library_dir is None:
            return None
        relative = render_target(self.template, metadata, code=code, part=part, ext=source.suffix)
        return self.library_dir.joinpath(*relative.parts)

    def plan(
        self, source: Path, metadata: MovieMetadata, code: str, part: int | None, *,
        keep_both: bool = False,
    ) -> MoveIntent | None:
        """The filing operation for ``source``; None when the file stays where it is.

        ``keep_both``: a file already at the target stays, and ``source`` is filed beside it
        under a numbered name. Raises TargetExistsError (naming both paths) or
        SourceMissingError.
        """
        target = self.target_for(source, metadata, code, part)
        if target is None or os.path.abspath(source) == str(target):
            return None
        if keep_both and os.path.lexists(target):
            target = both_target(target)
        return plan(source, target, cast(FileMode, self.mode))

    def set_aside(
        self, source: Path, metadata: MovieMetadata, code: str, part: int | None
    ) -> MoveIntent | None:
        """The move of the library's copy out of ``source``'s way (a duplicate a person chose
        to replace); None when nothing is at the target."""
        target = self.target_for(source, metadata, code, part)
        if (target is None or self.library_dir is None or not os.path.lexists(target)
                or os.path.abspath(source) == str(target)):
            return None
        mark_set_aside_dir(self.library_dir)
        intent = plan(target, aside_target(self.library_dir, target), "move")
        return dataclasses.replace(intent, purpose="set_aside")

    def finish(self, video_path: Path, metadata: MovieMetadata) -> SidecarResult:
        """Write the sidecars beside the video (wherever it is, filed or left in place).

        The warnings start with the metadata's own notes (fields cut to their limits): they are
        what the ``.nfo`` and the media server get, so the item says so.
        """
        fetch = self.image_fetcher
        result = write_sidecars(
            video_path,
            metadata,
            write_nfo=self.write_nfo,
            write_images=self.write_images and fetch is not None,
            fetch_image=fetch if fetch is not None else _no_fetcher,
        )
        result.warnings[:0] = [f"metadata: {note}" for note in metadata.truncated]
        return result


def _no_fetcher(url: str) -> bytes:
    raise RuntimeError("no image fetcher configured")
