"""Suite-wide test plumbing.

Under ``CI=true`` a test skipped because something it needs is missing fails instead: use
``require_dependency`` for such skips, never a bare ``pytest.skip``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

MISSING = "missing dependency: "


def require_dependency(available: bool, what: str) -> None:
    """Skip locally (fail under CI=true) when ``what`` is not available."""
    if not available:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{MISSING}{what} (CI=true turns this skip into a failure)")
        pytest.skip(f"{MISSING}{what}")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if os.environ.get("CI") == "true" and report.skipped and MISSING in str(report.longrepr):
        report.outcome = "failed"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--soak", action="store_true", help="run the long soak tests")
    parser.addoption("--screenshots", action="store_true",
                     help="write the README screenshots to docs/screenshots")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--soak"):
        return
    skip = pytest.mark.skip(reason="soak test: run with --soak")
    for item in items:
        if "soak" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No setting leaks in from the developer's environment or a .env file."""
    from emby_processor.config import Settings

    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path
