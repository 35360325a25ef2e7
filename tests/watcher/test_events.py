"""The file-system event path with real watchfiles threads: no fixed sleeps, only polling."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from emby_processor.db import QueueDB
from emby_processor.watcher import Watcher

from .conftest import MakeSettings, items, queued_paths, write

NEVER = 10**9  # a scan interval no test reaches


@pytest.fixture
def watchers() -> Iterator[list[Watcher]]:
    started: list[Watcher] = []
    yield started
    for watcher in started:
        watcher.close()


def poll(watcher: Watcher, done: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        watcher.step()
        if done():
            return
        time.sleep(0.05)
    raise AssertionError(f"not done within {timeout} s")


def event_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "watcher-events" and t.is_alive()]


def start(
    make_settings: MakeSettings, db: QueueDB, watchers: list[Watcher], **kw: object
) -> Watcher:
    values: dict[str, object] = {"scan_interval_seconds": NEVER, "file_settle_seconds": 0}
    values.update(kw)
    watcher = Watcher(make_settings(**values), db)
    watchers.append(watcher)
    assert watcher.step() == 0  # the initial (empty) scan
    return watcher


def test_new_file_found_by_events_without_rescan(
    watch: Path, make_settings: MakeSettings, db: QueueDB, watchers: list[Watcher]
) -> None:
    watcher = start(make_settings, db, watchers)
    assert watcher.wait_until_watching(5)
    video = write(watch / "deep" / "er" / "ABP-123.mp4")
    poll(watcher, lambda: len(items(db)) == 1)
    assert queued_paths(db) == [str(video)]


def test_folder_moved_in_is_walked(
    tmp_path: Path, watch: Path, make_settings: MakeSettings, db: QueueDB,
    watchers: list[Watcher],
) -> None:
    outside = tmp_path / "outside" / "Movies"
    write(outside / "ABP-1.mp4")
    write(outside / "cd" / "ABP-2.mp4")
    watcher = start(make_settings, db, watchers)
    assert watcher.wait_until_watching(5)
    outside.rename(watch / "Movies")
    poll(watcher, lambda: len(items(db)) == 2)


def test_settle_time_with_events(
    watch: Path, make_settings: MakeSettings, db: QueueDB, watchers: list[Watcher]
) -> None:
    watcher = start(make_settings, db, watchers, file_settle_seconds=0.5)
    assert watcher.wait_until_watching(5)
    video = write(watch / "ABP-1.mp4", b"a")
    for size in range(2, 5):
        video.write_bytes(b"a" * size)
        watcher.step()
    written = time.monotonic()
    poll(watcher, lambda: len(items(db)) == 1)
    assert time.monotonic() - written >= 0.5
    assert items(db)[0].file_size == 4


def test_missing_folder_watched_once_it_appears(
    tmp_path: Path, watch: Path, make_settings: MakeSettings, db: QueueDB,
    watchers: list[Watcher],
) -> None:
    share = tmp_path / "share"
    watcher = start(make_settings, db, watchers, watch_dirs=[watch, share])
    assert watcher.folder_status()[str(share)] == "missing"
    write(share / "ABP-1.mp4")
    poll(watcher, lambda: len(items(db)) == 1)  # the folder came back: scanned at once
    assert watcher.wait_until_watching(5)
    write(share / "ABP-2.mp4")  # and now watched: found by events alone
    poll(watcher, lambda: len(items(db)) == 2)


def test_close_stops_the_event_thread_quickly(
    watch: Path, make_settings: MakeSettings, db: QueueDB, watchers: list[Watcher]
) -> None:
    watcher = start(make_settings, db, watchers)
    assert watcher.wait_until_watching(5)
    assert event_threads()
    began = time.monotonic()
    watcher.close()
    assert time.monotonic() - began < 2
    assert not event_threads()
    watcher.close()  # twice is fine
    watcher.step()  # a supervisor restarting the worker gets events back
    assert watcher.wait_until_watching(5)


def test_events_failing_to_start_fall_back_to_rescans(
    watch: Path, make_settings: MakeSettings, db: QueueDB, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from emby_processor.watcher import events

    from .conftest import FakeClock

    attempts: list[int] = []

    def broken_watch(*_args: object, **_kwargs: object) -> Iterator[object]:
        attempts.append(1)
        raise OSError(28, "inotify watch limit reached")
        yield  # a generator, like the real one

    monkeypatch.setattr(events.watchfiles, "watch", broken_watch)
    clock = FakeClock()
    watcher = Watcher(make_settings(file_settle_seconds=0), db, clock=clock)
    try:
        watcher.step()
        deadline = time.monotonic() + 5
        while event_threads() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert attempts == [1] and not event_threads()
        assert any("watch limit" in r.getMessage() for r in caplog.records)
        assert watcher.step() == 0  # notices the dead thread: next try with the next rescan
        write(watch / "ABP-1.mp4")
        clock.advance(299)
        assert watcher.step() == 0
        assert attempts == [1]  # no restart storm
        clock.advance(1)
        assert watcher.step() == 1  # the rescan still finds files
        assert len(attempts) == 2
    finally:
        watcher.close()
