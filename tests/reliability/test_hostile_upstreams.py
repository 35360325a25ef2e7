"""Hostile upstreams against the whole service: bounded memory, bounded time, no crash loop.

The service runs in this process against the usual fakes, with one upstream replaced by the
hostile server (``tests/fakes/hostile.py``). Each test is one of issue 13's cases:

2. a provider answers a huge body or a gzip bomb: the answer is dropped at the size cap, memory
   stays flat, the item fails with a message naming the cap;
3. an image host drips a byte at a time: every request ends at its deadline, the item is not held
   past it and completes without the image;
4. ``Retry-After`` is ``inf``, ``nan``, huge, negative or garbled: no worker crashes, the retry
   count grows and no retry is scheduled past ``RETRY_BACKOFF_MAX_SECONDS``;
5. r18.dev asks for an hour's pause: the other items are not held behind it, the ``.nfo`` beside
   them answers at once.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from emby_processor.db import QueueItem
from emby_processor.metadata import MovieMetadata, Person
from emby_processor.nfo_writer import render_nfo
from emby_processor.timeutil import parse_iso
from tests.fakes.hostile import HostileServer, Mode
from tests.fakes.metatube import sample_movie
from tests.fakes.server import serve
from tests.pipeline.stack import InProcess, Stack, running_stack, wait_for
from tests.reliability.rss import RssSampler

MIB = 1024 * 1024
QUICK = {
    "PROVIDER_TIMEOUT_SECONDS": "1",
    "UPSTREAM_DEADLINE_SECONDS": "2",
    "RETRY_BACKOFF_SECONDS": "0.2",
    "RETRY_BACKOFF_MAX_SECONDS": "3",
    "MAX_RETRIES": "2",
}


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    with running_stack(tmp_path, index_delay=0.0) as running:
        yield running


@pytest.fixture
def hostile() -> Iterator[tuple[HostileServer, str]]:
    server = HostileServer()
    with serve(server.app) as running:
        yield server, running.url


def test_huge_answers_and_gzip_bombs_are_dropped_at_the_cap(
    stack: Stack, hostile: tuple[HostileServer, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    server, url = hostile
    server.by_query = {"ABP-001": Mode.huge(96 * MIB), "ABP-002": Mode.gzip_bomb(512 * MIB)}
    stack.drop("ABP-001.mp4")
    stack.drop("ABP-002.mp4")
    settings = {**QUICK, "METATUBE_URL": url, "METADATA_PROVIDERS": "metatube"}

    def both_failed() -> list[QueueItem]:
        failed = [i for i in run.items() if i.retry_count >= 1]
        return failed if len(failed) == 2 else []

    with RssSampler(interval=0.01) as rss, InProcess(stack, monkeypatch, **settings) as run:
        items = wait_for(both_failed, 30, run.describe, check=lambda: _no_crash(run))
    for item in items:
        assert item.error_kind == "transient", item.error_message
        assert "bytes" in (item.error_message or "") and "more than" in (item.error_message or "")
    print(f"\nhuge answers, gzip bombs: RSS grew {rss.growth:.0f} MB, peak {rss.peak:.0f} MB")
    assert rss.growth < 120, f"resident memory grew by {rss.growth:.0f} MB"


def test_a_dripping_image_host_holds_no_worker_past_the_deadline(
    stack: Stack, hostile: tuple[HostileServer, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    server, url = hostile
    server.mode = Mode.drip(interval=0.25, seconds=120, content_type="image/jpeg")
    stack.metatube.add_movie(sample_movie("ABP-003", image_base=url, actresses=("Kaede Fua",)))
    stack.drop("ABP-003.mp4")
    started = time.monotonic()
    with InProcess(stack, monkeypatch, **QUICK) as run:
        held_since: dict[int, float] = {}

        def no_item_held_too_long() -> None:
            now = time.monotonic()
            for item in run.items():
                if item.status == "processing":
                    since = held_since.setdefault(item.id, now)
                    # one stage makes at most three image requests here, each within 2 s
                    assert now - since < 3 * 2 + 5, f"held for {now - since:.0f} s: {item}"
                else:
                    held_since.pop(item.id, None)

        (item,) = wait_for(lambda: run.settled(1), 40, run.describe,
                           check=no_item_held_too_long)
        _no_crash(run)
    assert item.status == "completed", item.error_message
    assert any("deadline" in warning for warning in item.warnings), item.warnings
    assert time.monotonic() - started < 40
    assert server.requests  # the images were asked for, and given up on


@pytest.mark.parametrize(
    "values", [("inf", "nan", "1e300", "99999999999", "-5", "soon", "Wed, 21 Oct 2999 07:28:00")])
def test_absurd_retry_after_values_never_crash_a_worker_or_delay_past_the_cap(
    stack: Stack, hostile: tuple[HostileServer, str], monkeypatch: pytest.MonkeyPatch,
    values: tuple[str, ...],
) -> None:
    server, url = hostile
    codes = [f"ABP-{100 + n}" for n in range(len(values))]
    server.by_query = {code: Mode.retry_after(value) for code, value in zip(codes, values,
                                                                            strict=True)}
    for code in codes:
        stack.drop(f"{code}.mp4")
    settings = {**QUICK, "METATUBE_URL": url, "METADATA_PROVIDERS": "metatube"}
    cap = timedelta(seconds=3 + 1)  # RETRY_BACKOFF_MAX_SECONDS, and a second of slack

    def retried_twice() -> bool:
        items = run.items()
        for item in items:
            if item.status == "error" and item.next_attempt_at is not None:
                wait = parse_iso(item.next_attempt_at) - parse_iso(item.updated_at)
                assert wait <= cap, f"retry scheduled {wait} after the failure: {item}"
        return len(items) == len(codes) and all(i.retry_count >= 2 for i in items)

    with InProcess(stack, monkeypatch, **settings) as run:
        wait_for(retried_twice, 30, run.describe, check=lambda: _no_crash(run))
        items = run.items()
    for item in items:
        assert item.error_kind in (None, "transient"), item
        assert "429" in (item.error_message or "429"), item


def _no_crash(run: InProcess) -> None:
    problems = run.workers_healthy()
    assert problems == [], problems


def test_a_long_r18dev_pause_does_not_hold_the_other_items(
    stack: Stack, hostile: tuple[HostileServer, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    server, url = hostile
    server.mode = Mode.retry_after("3600")
    codes = ["IPX-001", "IPX-002", "IPX-003"]
    for code in codes:
        video = stack.drop(f"{code}.mp4")
        nfo = MovieMetadata(code=code, title=f"{code} from the nfo",
                            actresses=[Person(name="Ai Hoshina")])
        video.with_suffix(".nfo").write_bytes(render_nfo(nfo))
    settings = {**QUICK, "R18DEV_URL": url, "METADATA_PROVIDERS": "r18dev,nfo",
                "RETRY_BACKOFF_MAX_SECONDS": "60", "FILE_WORKERS": "2"}
    started = time.monotonic()
    with InProcess(stack, monkeypatch, **settings) as run:
        items = wait_for(lambda: run.settled(3), 30, run.describe,
                         check=lambda: _no_crash(run))
    assert [i.status for i in items] == ["completed"] * 3, [i.error_message for i in items]
    assert {i.title for i in items} == {f"{code} from the nfo" for code in codes}
    assert time.monotonic() - started < 30
    # asked once; after its "wait an hour" nobody asked again, and nobody slept on it either
    assert len(server.requests) == 1, server.requests

