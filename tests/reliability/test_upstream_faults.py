"""Misbehaving upstreams: every item ends in the right state with an error a person can read, no
worker thread dies, and the retry policy is what the request logs show.

The service runs in this process against the fake MetaTube, r18.dev and Emby over real HTTP.
Each fault is switched on for good (so the item uses up its retries) or for a few requests (so
it recovers). "Backoff respected" is checked from the fakes' own request logs: the number of
attempts is exactly what ``MAX_RETRIES`` allows, consecutive attempts are at least the policy's
smallest delay apart (``RETRY_BACKOFF_SECONDS`` doubling, minus the 20 % jitter), nothing more
arrives once the retries are used up, and after a 429 nothing arrives before ``Retry-After``.

Most of a scenario is waiting for backoff, so the scenarios of one test run side by side, each
with its own fakes, folders, database and service (see ``run_scenarios``); each is reported as
its own subtest.
"""

from __future__ import annotations

import contextlib
import itertools
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from emby_processor.db import QueueItem
from tests.fakes.common import RequestLog
from tests.fakes.server import serve
from tests.pipeline.stack import InProcess, Stack, running_stack, sha256, wait_for

TIMEOUT = 1.0  # PROVIDER_TIMEOUT_SECONDS: the fakes' "slow" answers take longer than this
MAX_RETRIES = 2
BACKOFF = 0.4
BACKOFF_MAX = 2.0
JITTER = 0.2  # RetryPolicy's default
#: longer than the retry handler's 1 s cycle plus a worker's 0.5 s idle wait: a retry still
#: due would have been sent within this window
QUIET_SECONDS = 2.0

SETTINGS = {
    "PROVIDER_TIMEOUT_SECONDS": str(TIMEOUT),
    "MAX_RETRIES": str(MAX_RETRIES),
    "RETRY_BACKOFF_SECONDS": str(BACKOFF),
    "RETRY_BACKOFF_MAX_SECONDS": str(BACKOFF_MAX),
    "FILE_WORKERS": "2",
    "EMBY_WORKERS": "2",
}


# --- running scenarios side by side ---------------------------------------------------------


@dataclass
class Scenario:
    name: str
    #: seeds the fakes and drops files; returns extra settings for this scenario's service
    #: (its second argument is the URL of ``extra_app``, when there is one)
    arrange: Callable[[Stack, str | None], dict[str, str]]
    #: runs (in its own thread) while the service works; raises AssertionError on failure
    check: Callable[[Stack, InProcess], None]
    #: a server of the scenario's own to start beside the stack (URL passed to ``arrange``)
    extra_app: object | None = None


def run_scenarios(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, subtests: pytest.Subtests,
    scenarios: list[Scenario], timeout: float = 90.0,
) -> None:
    failures: dict[str, str] = {}
    with contextlib.ExitStack() as resources:
        prepared: list[tuple[Scenario, Stack, InProcess]] = []
        for scenario in scenarios:
            stack = resources.enter_context(
                running_stack(tmp_path / scenario.name, index_delay=0.0))
            stack.metatube.hang_seconds = stack.r18dev.hang_seconds = 10 * TIMEOUT
            extra_url = None
            if scenario.extra_app is not None:
                extra_url = resources.enter_context(serve(scenario.extra_app)).url
            overrides = scenario.arrange(stack, extra_url)
            # settings come from the environment: built one scenario at a time
            run = InProcess(stack, monkeypatch, **{**SETTINGS, **overrides})
            prepared.append((scenario, stack, run))
        for _, _, run in prepared:
            resources.enter_context(run)

        def worker(scenario: Scenario, stack: Stack, run: InProcess) -> None:
            try:
                scenario.check(stack, run)
            except BaseException:
                failures[scenario.name] = traceback.format_exc()

        threads = [threading.Thread(target=worker, args=p, name=p[0].name) for p in prepared]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout)
            if thread.is_alive():
                failures[thread.name] = f"still running after {timeout} s"
    for scenario in scenarios:
        with subtests.test(msg=scenario.name):
            if scenario.name in failures:
                pytest.fail(failures[scenario.name], pytrace=False)


# --- what the checks share ----------------------------------------------------------------


def min_gap(failures: int) -> float:
    """The smallest delay the policy may choose after the ``failures``-th failure."""
    return min(BACKOFF * 2 ** (failures - 1), BACKOFF_MAX) * (1 - JITTER)


def check_backoff(times: list[float], what: str) -> None:
    assert len(times) == MAX_RETRIES + 1, (
        f"{what}: {len(times)} attempts, the policy allows {MAX_RETRIES + 1}")
    for n, (earlier, later) in enumerate(itertools.pairwise(times), start=1):
        assert later - earlier >= min_gap(n), (
            f"{what}: attempt {n + 1} came {later - earlier:.2f} s after attempt {n}; "
            f"the policy waits at least {min_gap(n):.2f} s"
        )


def gave_up(run: InProcess, name: str) -> QueueItem | None:
    item = run.item(name)
    if item and item.status == "error" and item.next_attempt_at is None:
        return item
    return None


def completed(run: InProcess, name: str) -> QueueItem | None:
    item = run.item(name)
    return item if item and item.status == "completed" else None


def assert_used_up(item: QueueItem, stage: str, *fragments: str) -> None:
    assert (item.status, item.stage, item.error_kind) == ("error", stage, "transient"), item
    assert item.retry_count == MAX_RETRIES + 1, item
    message = item.error_message or ""
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in the error {message!r}"
    assert "Traceback" not in message and len(message) < 1000, message


def assert_quiet(count: Callable[[], int], what: str) -> None:
    """Nothing more arrives at ``what`` for QUIET_SECONDS (the retries are used up)."""
    seen = count()
    try:
        wait_for(lambda: count() > seen, QUIET_SECONDS)
    except AssertionError:
        return
    raise AssertionError(f"{what} was asked again after the retries were used up")


def assert_workers_alive(run: InProcess) -> None:
    problems = run.workers_healthy()
    assert problems == [], problems


def search_times(stack: Stack, code: str) -> list[float]:
    return [r.time for r in stack.metatube.requests.all("/v1/movies/search")
            if r.query.get("q") == code]


# --- metadata providers ---------------------------------------------------------------------

METATUBE_FAULTS = {
    "timeout": ("metatube", "within the time limit", "read timeout"),
    "drop": ("metatube", "closed the connection before answering fully"),
    "500": ("metatube", "HTTP 500"),
    "html": ("metatube", "HTML page instead of JSON", "Sign in"),
    "truncated": ("metatube", "truncated or invalid JSON"),
    "wrong_movie": ("metatube", "answered with a record for 'SSIS-001', not 'ABP-123'"),
}


def metatube_fault(mode: str, fragments: tuple[str, ...]) -> Scenario:
    originals: dict[str, str] = {}

    def arrange(stack: Stack, extra_url: str | None) -> dict[str, str]:
        stack.movie_on_metatube("ABP-123", actresses=("Kaede Fua",))
        stack.movie_on_metatube("SSIS-001", actresses=("Yua Mikami",))  # the "wrong movie"
        stack.metatube.faults.set(mode)
        originals["ABP-123.mp4"] = sha256(stack.drop("ABP-123.mp4"))
        return {"METADATA_PROVIDERS": "metatube"}

    def check(stack: Stack, run: InProcess) -> None:
        item = wait_for(lambda: gave_up(run, "ABP-123.mp4"), 40, run.describe)
        assert_quiet(lambda: len(stack.metatube.requests), "MetaTube")
        assert_workers_alive(run)
        assert_used_up(item, "metadata", *fragments)
        check_backoff(search_times(stack, "ABP-123"), f"MetaTube {mode}")
        errors = [e for e in run.db.events(item.id) if e.outcome == "error"]
        assert len(errors) == MAX_RETRIES + 1
        assert all(e.duration_ms is not None for e in errors)
        assert sha256(stack.watch / "ABP-123.mp4") == originals["ABP-123.mp4"]

    return Scenario(f"metatube-{mode}", arrange, check)


def metatube_429() -> Scenario:
    def arrange(stack: Stack, extra_url: str | None) -> dict[str, str]:
        stack.movie_on_metatube("IPX-535", actresses=("Momo Sakura",))
        # much longer than the policy's first delay (0.4 s), within RETRY_BACKOFF_MAX_SECONDS
        stack.metatube.retry_after = "1.8"
        stack.metatube.faults.set("429", times=1)
        stack.drop("IPX-535.mp4")
        return {"METADATA_PROVIDERS": "metatube"}

    def check(stack: Stack, run: InProcess) -> None:
        item = wait_for(lambda: completed(run, "IPX-535.mp4"), 40, run.describe)
        assert_workers_alive(run)
        first, second = search_times(stack, "IPX-535")[:2]
        assert second - first >= 1.8, f"asked again {second - first:.2f} s after Retry-After: 1.8"
        error = next(e for e in run.db.events(item.id) if e.outcome == "error")
        assert "HTTP 429" in error.message and "try again later" in error.message, error
        assert item.retry_count == 1

    return Scenario("metatube-429-retry-after", arrange, check)


def r18dev_429() -> Scenario:
    """r18.dev's client waits out a short Retry-After itself (one request at a time)."""

    def arrange(stack: Stack, extra_url: str | None) -> dict[str, str]:
        stack.movie_on_r18dev("SSIS-002", actresses=(("三上悠亜", "Yua Mikami"),))
        stack.r18dev.retry_after = "2"
        stack.r18dev.faults.set("429", times=1)
        stack.drop("SSIS-002.mp4")
        return {"METADATA_PROVIDERS": "r18dev"}

    def check(stack: Stack, run: InProcess) -> None:
        item = wait_for(lambda: completed(run, "SSIS-002.mp4"), 40, run.describe)
        assert_workers_alive(run)
        times = [r.time for r in stack.r18dev.requests.all("/videos")]
        assert times[1] - times[0] >= 2.0, f"asked again {times[1] - times[0]:.2f} s after 429"
        assert item.retry_count == 0 and item.actress == "Yua Mikami"

    return Scenario("r18dev-429-retry-after", arrange, check)


R18DEV_FAULTS = {
    "403": ("r18dev", "HTTP 403", "bot challenge", "Just a moment"),
    "truncated": ("r18dev", "truncated or invalid JSON"),
    "drop": ("r18dev", "closed the connection before answering fully"),
}


def r18dev_fault(mode: str, fragments: tuple[str, ...]) -> Scenario:
    def arrange(stack: Stack, extra_url: str | None) -> dict[str, str]:
        stack.movie_on_r18dev("SSIS-003")
        stack.r18dev.faults.set(mode)
        stack.drop("SSIS-003.mp4")
        return {"METADATA_PROVIDERS": "r18dev"}

    def check(stack: Stack, run: InProcess) -> None:
        item = wait_for(lambda: gave_up(run, "SSIS-003.mp4"), 40, run.describe)
        assert_quiet(lambda: len(stack.r18dev.requests), "r18.dev")
        assert_workers_alive(run)
        assert_used_up(item, "metadata", *fragments)
        asked = [r.time for r in stack.r18dev.requests.all("/videos")]
        if mode == "403":
            # a challenge pauses r18.dev: the later attempts fail at once without asking it
            assert len(asked) == 1, f"r18.dev asked {len(asked)} times during a challenge"
            return
        # each attempt is one request (the first one fails), so requests are attempts
        check_backoff(asked, f"r18.dev {mode}")

    return Scenario(f"r18dev-{mode}", arrange, check)


def test_metadata_provider_faults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, subtests: pytest.Subtests
) -> None:
    scenarios = [metatube_fault(mode, text) for mode, text in METATUBE_FAULTS.items()]
    scenarios += [r18dev_fault(mode, text) for mode, text in R18DEV_FAULTS.items()]
    scenarios += [metatube_429(), r18dev_429()]
    run_scenarios(tmp_path, monkeypatch, subtests, scenarios)


# --- the media server -------------------------------------------------------------------------


class HtmlProxy:
    """What EMBY_URL sometimes points at: a reverse proxy's sign-in page, 200 for every path."""

    def __init__(self) -> None:
        self.requests = RequestLog()

        async def page(request: Request) -> Response:
            self.requests.record(request)
            return HTMLResponse("<html><head><title>Sign in - NAS portal</title></head></html>")

        self.app = Starlette(routes=[Route("/{path:path}", page, methods=["GET", "POST"])])


def emby_attempts(stack: Stack) -> list[float]:
    """Each attempt starts by asking who the server is (not cached while that fails)."""
    return [r.at for r in stack.emby.requests if r.path.endswith("/System/Info/Public")]


EMBY_FAULTS = {
    "slow": ("emby", "timed out", f"time limit of {TIMEOUT:g} s"),
    "drop": ("emby", "closed the connection before answering fully"),
    "500": ("emby", "HTTP 500"),
    "503": ("emby", "HTTP 503", "Service Unavailable"),
}


def emby_fault(mode: str, fragments: tuple[str, ...]) -> Scenario:
    code, name = "MIDV-018", "MIDV-018.mp4"

    def arrange(stack: Stack, extra_url: str | None) -> dict[str, str]:
        stack.movie_on_metatube(code, actresses=("Nana Yagi",))
        emby = stack.emby
        emby.retry_after = None
        if mode == "slow":
            emby.delay = 3 * TIMEOUT
        elif mode == "drop":
            emby.down, emby.down_mode = True, "close"
        elif mode == "500":
            emby.fail_next(1000, 500)
        else:
            emby.down = True
        stack.drop(name)
        return {}

    def check(stack: Stack, run: InProcess) -> None:
        item = wait_for(lambda: gave_up(run, name), 40, run.describe)
        assert_quiet(lambda: len(stack.emby.requests), "Emby")
        assert_workers_alive(run)
        assert_used_up(item, "emby", *fragments)
        assert item.library_path and Path(item.library_path).is_file()  # filed; Emby waits
        check_backoff(emby_attempts(stack), f"Emby {mode}")

    return Scenario(f"emby-{mode}", arrange, check)


def emby_html() -> Scenario:
    proxy = HtmlProxy()

    def arrange(stack: Stack, extra_url: str | None) -> dict[str, str]:
        stack.movie_on_metatube("MIDV-019", actresses=("Nana Yagi",))
        stack.drop("MIDV-019.mp4")
        assert extra_url is not None
        return {"EMBY_URL": extra_url}

    def check(stack: Stack, run: InProcess) -> None:
        item = wait_for(lambda: gave_up(run, "MIDV-019.mp4"), 40, run.describe)
        assert_quiet(lambda: len(proxy.requests), "the HTML page")
        assert_workers_alive(run)
        assert_used_up(item, "emby", "text/html", "not JSON", "Sign in",
                       "is EMBY_URL the media server")
        # each attempt asks at the root and under /emby
        times = [r.time for r in proxy.requests.all() if r.path.endswith("/System/Info/Public")]
        check_backoff(times[::2], "Emby behind an HTML page")

    return Scenario("emby-html-page", arrange, check, extra_app=proxy.app)


def emby_429() -> Scenario:
    def arrange(stack: Stack, extra_url: str | None) -> dict[str, str]:
        stack.movie_on_metatube("JUL-100", actresses=("Yu Shinoda",))
        # Retry-After as long as RETRY_BACKOFF_MAX_SECONDS: longer ones are cut to it
        stack.emby.fail_next(1, 429, path="/Library/Media/Updated", retry_after=2)
        stack.drop("JUL-100.mp4")
        return {}

    def check(stack: Stack, run: InProcess) -> None:
        item = wait_for(lambda: completed(run, "JUL-100.mp4"), 40, run.describe)
        assert_workers_alive(run)
        announces = [r.at for r in stack.emby.requests_to("/Library/Media/Updated")]
        assert len(announces) == 2, announces
        later = [r.at for r in stack.emby.requests if r.at > announces[0]]
        assert later[0] - announces[0] >= 2.0, (
            f"asked again {later[0] - announces[0]:.2f} s after a 429 with Retry-After: 2")
        error = next(e for e in run.db.events(item.id) if e.outcome == "error")
        assert "HTTP 429" in error.message and error.stage == "emby", error
        assert item.retry_count == 1 and item.emby_id

    return Scenario("emby-429-retry-after", arrange, check)


def emby_slow_then_fast() -> Scenario:
    """Slower than the timeout for a while, then fast again: the item completes, and its
    timeline tells the story."""

    def arrange(stack: Stack, extra_url: str | None) -> dict[str, str]:
        stack.movie_on_metatube("CAWD-001", actresses=("Kana Ito",))
        stack.emby.delay = 3 * TIMEOUT
        stack.drop("CAWD-001.mp4")
        return {"MAX_RETRIES": "5"}

    def check(stack: Stack, run: InProcess) -> None:
        wait_for(lambda: (i := run.item("CAWD-001.mp4")) and i.retry_count >= 1, 30,
                 run.describe)
        stack.emby.delay = 0
        item = wait_for(lambda: completed(run, "CAWD-001.mp4"), 40, run.describe)
        assert_workers_alive(run)
        events = run.db.events(item.id)
        assert any(e.outcome == "error" and "timed out" in e.message for e in events)
        assert (events[-1].stage, events[-1].outcome) == ("emby", "ok")
        assert item.error_message is None

    return Scenario("emby-slow-then-fast", arrange, check)


def test_media_server_faults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, subtests: pytest.Subtests
) -> None:
    scenarios = [emby_fault(mode, text) for mode, text in EMBY_FAULTS.items()]
    scenarios += [emby_html(), emby_429(), emby_slow_then_fast()]
    run_scenarios(tmp_path, monkeypatch, subtests, scenarios)
