"""SettleTracker with an injected clock."""

from __future__ import annotations

from emby_processor.watcher.settle import SettleTracker

from .conftest import FakeClock


def test_zero_settle_is_immediate(clock: FakeClock) -> None:
    assert SettleTracker(0, clock).observe("/a.mp4", 10, 1)


def test_settles_after_unchanged_for_settle_seconds(clock: FakeClock) -> None:
    tracker = SettleTracker(30, clock)
    assert not tracker.observe("/a.mp4", 10, 1)
    clock.advance(29.9)
    assert not tracker.observe("/a.mp4", 10, 1)
    clock.advance(0.1)
    assert tracker.observe("/a.mp4", 10, 1)


def test_size_or_mtime_change_restarts_the_wait(clock: FakeClock) -> None:
    tracker = SettleTracker(30, clock)
    tracker.observe("/a.mp4", 10, 1)
    clock.advance(25)
    assert not tracker.observe("/a.mp4", 20, 1)  # grew
    clock.advance(25)
    assert not tracker.observe("/a.mp4", 20, 2)  # same size, touched (preallocated download)
    clock.advance(30)
    assert tracker.observe("/a.mp4", 20, 2)


def test_handled_is_per_version(clock: FakeClock) -> None:
    tracker = SettleTracker(0, clock)
    tracker.observe("/a.mp4", 10, 1)
    tracker.mark_handled("/a.mp4")
    assert tracker.is_handled("/a.mp4")
    tracker.observe("/a.mp4", 10, 1)
    assert tracker.is_handled("/a.mp4")
    tracker.observe("/a.mp4", 11, 1)
    assert not tracker.is_handled("/a.mp4")


def test_forget_and_prune(clock: FakeClock) -> None:
    tracker = SettleTracker(30, clock)
    for name in ("/a.mp4", "/b.mp4", "/c.mp4"):
        tracker.observe(name, 1, 1)
    tracker.forget("/a.mp4")
    assert "/a.mp4" not in tracker
    assert tracker.prune(lambda path: path == "/b.mp4") == 1
    assert len(tracker) == 1 and "/b.mp4" in tracker
    # forgotten state starts over
    clock.advance(60)
    assert not tracker.observe("/a.mp4", 1, 1)
