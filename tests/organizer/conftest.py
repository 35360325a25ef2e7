"""Shared helpers for the organizer tests."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from emby_processor.metadata import MovieMetadata, Person
from emby_processor.organizer.fsutil import TEMP_SUFFIX


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def temp_files(*roots: Path) -> list[Path]:
    found: list[Path] = []
    for root in roots:
        for dirpath, _dirs, files in os.walk(root):
            found += [Path(dirpath, f) for f in files if f.endswith(TEMP_SUFFIX)]
    return found


def make_metadata(**overrides: object) -> MovieMetadata:
    fields: dict[str, object] = {
        "code": "ABP-123",
        "title": "見本タイトル",
        "actresses": [Person(name="見本花子"), Person(name="Second Actress")],
        "maker": "見本メーカー",
        "label": "見本レーベル",
        "series": "見本シリーズ",
        "year": 2021,
        "cover_url": "http://img.invalid/cover.jpg",
        "poster_url": "http://img.invalid/poster.jpg",
    }
    fields.update(overrides)
    return MovieMetadata.model_validate(fields)


@pytest.fixture
def metadata() -> MovieMetadata:
    return make_metadata()


@pytest.fixture
def dirs(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    watch, library = tmp_path / "watch", tmp_path / "library"
    watch.mkdir()
    library.mkdir()
    yield watch, library
