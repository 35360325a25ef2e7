"""Files a person ignored from the dashboard: never queued, in this process or another, until
they are un-ignored; then the next step queues them again as new items."""

from __future__ import annotations

from pathlib import Path

from emby_processor.db import QueueDB
from emby_processor.watcher import Watcher, scan_once

from .conftest import FakeClock, MakeSettings, items, write


def test_an_ignored_file_stays_out_until_it_is_unignored(
    watch: Path, make_settings: MakeSettings, db: QueueDB, clock: FakeClock
) -> None:
    video = write(watch / "holiday video.mp4")
    watcher = Watcher(make_settings(file_settle_seconds=0), db, clock=clock, use_events=False)
    assert watcher.step() == 1
    [item] = items(db)
    ignored = db.ignore(item.id)
    assert items(db) == []
    clock.advance(400)  # a full rescan is due: the file is there, and stays out
    assert watcher.step() == 0 and items(db) == []
    # another process (a fresh watcher, `emby-processor scan`) does not queue it either
    assert scan_once(make_settings(), db) == 0
    db.unignore(ignored.id)
    assert watcher.step() == 1  # at once, not at the next full scan
    [again] = items(db)
    assert (again.file_path, again.status, again.stage) == (str(video), "pending", "identify")


def test_unignore_reaches_a_file_the_watcher_had_already_handled(
    watch: Path, make_settings: MakeSettings, db: QueueDB, clock: FakeClock
) -> None:
    """The old Delete: the watcher had handled the file, so only a restart brought it back."""
    write(watch / "ABP-123.mp4")
    watcher = Watcher(make_settings(file_settle_seconds=30), db, clock=clock, use_events=False)
    watcher.step()
    clock.advance(30)
    assert watcher.step() == 1
    ignored = db.ignore(items(db)[0].id)
    clock.advance(5)
    assert watcher.step() == 0
    db.unignore(ignored.id)
    clock.advance(1)
    assert watcher.step() == 1  # settled long ago: no new wait
    assert [i.file_path for i in items(db)] == [str(watch / "ABP-123.mp4")]


def test_a_file_ignored_and_unignored_between_two_steps_is_looked_at_again(
    watch: Path, make_settings: MakeSettings, db: QueueDB, clock: FakeClock
) -> None:
    """The watcher never saw the file ignored; it had marked it handled long ago."""
    write(watch / "clip.mp4")
    watcher = Watcher(make_settings(file_settle_seconds=0), db, clock=clock, use_events=False)
    assert watcher.step() == 1
    ignored = db.ignore(items(db)[0].id)
    db.unignore(ignored.id)  # both before the watcher's next step
    assert watcher.step() == 1
    assert [i.file_path for i in items(db)] == [str(watch / "clip.mp4")]
