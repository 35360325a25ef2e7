"""MetaTube as it really is: "incomplete metadata" is an HTTP 500 that never goes away."""

from __future__ import annotations

import pytest

from tests.pipeline.stack import Stack
from tests.truth.conftest import file_one


def test_an_incomplete_record_nobody_else_has_is_an_unknown_code(
    emby: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    emby.metatube.validate = True
    emby.movie_on_metatube("ABP-321", cover_url="")
    item = file_one(emby, monkeypatch, "ABP-321.mp4", MAX_RETRIES="3")
    assert (item.status, item.error_kind, item.cause) == ("error", "permanent", "unknown_code")
    assert item.retry_count <= 2  # the first attempt and at most one more
    assert (emby.watch / "ABP-321.mp4").exists()


def test_an_incomplete_record_is_replaced_by_another_providers(
    emby: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    emby.metatube.validate = True
    emby.movie_on_metatube("SSIS-001", cover_url="")
    emby.movie_on_r18dev("SSIS-001", actresses=(("三上悠亜", "Yua Mikami"),))
    item = file_one(emby, monkeypatch, "SSIS-001.mp4")
    assert item.status == "completed", item.error_message
    assert item.actress == "Yua Mikami"
