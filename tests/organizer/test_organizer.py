"""The Organizer facade as the worker uses it."""

from __future__ import annotations

from pathlib import Path

import pytest

from emby_processor.errors import TargetExistsError
from emby_processor.metadata import MovieMetadata
from emby_processor.organizer import Organizer, execute

from .conftest import make_metadata

JPEG = b"\xff\xd8\xff" + b"x" * 50


def fetch(url: str) -> bytes:
    return JPEG


def organizer(library: Path | None, mode: str = "move", **kw: object) -> Organizer:
    return Organizer(library, mode, image_fetcher=fetch, **kw)  # type: ignore[arg-type]


def test_none_mode_and_no_library_leave_files(dirs: tuple[Path, Path]) -> None:
    watch, library = dirs
    video = watch / "abp-123.mp4"
    video.write_bytes(b"v")
    meta = make_metadata()
    assert organizer(library, "none").plan(video, meta, "ABP-123", None) is None
    assert organizer(None, "move").plan(video, meta, "ABP-123", None) is None


def test_multi_part_lands_in_one_folder(dirs: tuple[Path, Path]) -> None:
    watch, library = dirs
    org = organizer(library)
    meta = make_metadata()
    targets = []
    for part in (1, 2):
        video = watch / f"abp-123-cd{part}.MP4"
        video.write_bytes(b"part %d" % part)
        intent = org.plan(video, meta, "ABP-123", part)
        assert intent is not None
        targets.append(execute(intent))
        org.finish(targets[-1], meta)
    folder = library / "見本花子" / "ABP-123"
    assert targets == [folder / "ABP-123-cd1.mp4", folder / "ABP-123-cd2.mp4"]
    assert sorted(p.name for p in folder.iterdir()) == sorted([
        "ABP-123-cd1.mp4", "ABP-123-cd1.nfo", "ABP-123-cd1-poster.jpg",
        "ABP-123-cd1-fanart.jpg", "ABP-123-cd2.mp4", "ABP-123-cd2.nfo",
        "ABP-123-cd2-poster.jpg", "ABP-123-cd2-fanart.jpg",
    ])


def test_same_code_twice_is_target_exists(dirs: tuple[Path, Path]) -> None:
    watch, library = dirs
    org = organizer(library, "copy")
    meta = make_metadata()
    first, second = watch / "a" / "ABP-123.mp4", watch / "b" / "ABP-123.mp4"
    for path in (first, second):
        path.parent.mkdir()
        path.write_bytes(path.parent.name.encode())
    intent = org.plan(first, meta, "ABP-123", None)
    assert intent is not None
    execute(intent)
    with pytest.raises(TargetExistsError) as info:
        org.plan(second, meta, "ABP-123", None)
    assert str(second) in str(info.value) and str(intent.target) in str(info.value)


def test_file_already_in_place_is_not_planned(dirs: tuple[Path, Path]) -> None:
    _, library = dirs
    org = organizer(library)
    meta: MovieMetadata = make_metadata()
    target = org.target_for(Path("x.mp4"), meta, "ABP-123", None)
    assert target is not None
    target.parent.mkdir(parents=True)
    target.write_bytes(b"v")
    assert org.plan(target, meta, "ABP-123", None) is None


def test_bad_settings() -> None:
    with pytest.raises(ValueError, match="ORGANIZE_MODE"):
        Organizer(None, "symlink", "{code}{ext}", True, True, fetch)
    with pytest.raises(ValueError, match="unknown field"):
        Organizer(None, "move", "{nope}{ext}", True, True, fetch)


def test_finish_without_fetcher_writes_nfo_only(tmp_path: Path) -> None:
    video = tmp_path / "ABP-123.mp4"
    video.write_bytes(b"v")
    result = Organizer(tmp_path, "move", image_fetcher=None).finish(video, make_metadata())
    assert [p.name for p in result.written] == ["ABP-123.nfo"] and result.warnings == []
