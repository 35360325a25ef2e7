"""MetaTube as it really is: "incomplete metadata" is an HTTP 500 that never goes away."""

from __future__ import annotations

import pytest

from tests.pipeline.stack import InProcess, Stack
from tests.truth.conftest import QUICK, finished


@pytest.mark.xfail(strict=True, reason=(
    "retries MetaTube's deterministic 'incomplete metadata' 500 as an outage instead of "
    "calling the code unknown"))
def test_an_incomplete_record_nobody_else_has_is_an_unknown_code(
    emby: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    emby.metatube.validate = True
    emby.movie_on_metatube("ABP-321", cover_url="")
    emby.drop("ABP-321.mp4")
    with InProcess(emby, monkeypatch, **{**QUICK, "MAX_RETRIES": "3"}) as run:
        item = finished(run, 1)["ABP-321.mp4"]
    assert (item.status, item.error_kind, item.cause) == ("error", "permanent", "unknown_code")
    assert item.retry_count <= 2  # the first attempt and at most one more
    assert (emby.watch / "ABP-321.mp4").exists()


def test_an_incomplete_record_is_replaced_by_another_providers(
    emby: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    emby.metatube.validate = True
    emby.movie_on_metatube("SSIS-001", cover_url="")
    emby.movie_on_r18dev("SSIS-001", actresses=(("三上悠亜", "Yua Mikami"),))
    emby.drop("SSIS-001.mp4")
    with InProcess(emby, monkeypatch, **QUICK) as run:
        item = finished(run, 1)["SSIS-001.mp4"]
    assert item.status == "completed", item.error_message
    assert item.actress == "Yua Mikami"
