"""The watcher driven by full scans (events off) and a fake clock: every case is deterministic."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

from emby_processor.db import QueueDB, QueueFilter
from emby_processor.organizer.intent import MoveIntent
from emby_processor.timeutil import iso_in
from emby_processor.watcher import Watcher, scan_once

from .conftest import FakeClock, MakeSettings, items, queued_paths, write


def make_watcher(
    make_settings: MakeSettings, db: QueueDB, clock: FakeClock, **overrides: object
) -> Watcher:
    return Watcher(make_settings(**overrides), db, clock=clock, use_events=False)


def test_growing_file_waits_until_it_stops_growing(
    watch: Path, make_settings: MakeSettings, db: QueueDB, clock: FakeClock
) -> None:
    watcher = make_watcher(make_settings, db, clock)
    video = write(watch / "ABP-123.mp4", b"a")
    assert watcher.step() == 0
    for size in range(2, 6):  # still growing: every step sees a new size
        clock.advance(20)
        video.write_bytes(b"a" * size)
        assert watcher.step() == 0
    clock.advance(29)
    assert watcher.step() == 0
    clock.advance(1)  # 30 s unchanged, long before the next full rescan is due
    assert watcher.step() == 1
    [item] = items(db)
    assert (item.file_path, item.file_size) == (str(video), 5)
    assert item.file_mtime_ns == video.stat().st_mtime_ns


def test_nested_folders_and_ignored_files(
    watch: Path, make_settings: MakeSettings, db: QueueDB, clock: FakeClock
) -> None:
    wanted = [write(watch / "a" / "b" / "ABP-1.mp4"), write(watch / "SSIS-2.MKV")]
    for junk in (".hidden/ABP-3.mp4", "@eaDir/ABP-4.mp4", "ABP-5.nfo", "~ABP-6.mp4"):
        write(watch / junk)
    watcher = make_watcher(make_settings, db, clock, file_settle_seconds=0)
    assert watcher.step() == 2
    assert sorted(queued_paths(db)) == sorted(map(str, wanted))


def test_rescans_and_restarts_do_not_duplicate(
    watch: Path, make_settings: MakeSettings, db: QueueDB, clock: FakeClock
) -> None:
    write(watch / "ABP-123.mp4")
    watcher = make_watcher(make_settings, db, clock, file_settle_seconds=0)
    assert watcher.step() == 1
    clock.advance(300)
    assert watcher.step() == 0  # full rescan, same file
    again = make_watcher(make_settings, db, clock, file_settle_seconds=0)  # a restart
    assert again.step() == 0
    assert len(items(db)) == 1


def test_replaced_file_is_a_new_item(
    watch: Path, make_settings: MakeSettings, db: QueueDB, clock: FakeClock
) -> None:
    video = write(watch / "ABP-123.mp4", b"first", mtime_ns=1_000_000_000_000_000_000)
    watcher = make_watcher(make_settings, db, clock, file_settle_seconds=5)
    watcher.step()
    clock.advance(5)
    assert watcher.step() == 1
    write(video, b"second, longer", mtime_ns=1_100_000_000_000_000_000)
    clock.advance(300)
    assert watcher.step() == 0  # seen by the rescan, but has to settle again
    clock.advance(5)
    assert watcher.step() == 1
    assert [item.file_size for item in items(db)] == [5, 14]


def test_library_inside_watch_folder(
    watch: Path, make_settings: MakeSettings, db: QueueDB, clock: FakeClock
) -> None:
    library = watch / "library"
    filed = write(library / "Actress" / "ABP-1" / "ABP-1.mp4")
    being_filed = write(library / "Actress" / "ABP-2" / "ABP-2.mp4")
    by_hand = write(library / "Other" / "ABP-3.mp4")
    done, _ = db.enqueue(str(watch / "ABP-1.mp4"), 5, 1)
    db.update_fields(done.id, library_path=str(filed))
    moving, _ = db.enqueue(str(watch / "ABP-2.mp4"), 5, 1)
    intent = MoveIntent("move", watch / "ABP-2.mp4", being_filed,
                        being_filed.with_name(".ABP-2.mp4.tmp"), 5)
    db.update_fields(moving.id, organize_intent=intent.to_json())

    watcher = make_watcher(make_settings, db, clock, file_settle_seconds=0, library_dir=library)
    assert watcher.step() == 1
    clock.advance(300)
    assert watcher.step() == 0
    assert queued_paths(db)[-1] == str(by_hand)


def test_missing_folder_is_reported_tolerated_and_resumed(
    tmp_path: Path,
    watch: Path,
    make_settings: MakeSettings,
    db: QueueDB,
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    share = tmp_path / "share"
    write(watch / "ABP-1.mp4")
    watcher = make_watcher(
        make_settings, db, clock, watch_dirs=[watch, share], file_settle_seconds=10
    )
    caplog.set_level(logging.INFO, logger="emby_processor.watcher")
    watcher.step()
    clock.advance(10)
    assert watcher.step() == 1
    for _ in range(3):
        clock.advance(300)
        assert watcher.step() == 0
    assert watcher.folder_status() == {str(watch): "ok", str(share): "missing"}
    assert sum("is missing" in r.getMessage() for r in caplog.records) == 1

    # the share is mounted: its files are picked up without waiting for the next rescan
    write(share / "sub" / "SSIS-2.mp4")
    assert watcher.step() == 0
    assert watcher.folder_status()[str(share)] == "ok"
    clock.advance(10)
    assert watcher.step() == 1
    assert any("is back" in r.getMessage() for r in caplog.records)


def test_unmounted_share_coming_back_requeues_nothing_settled(
    tmp_path: Path, make_settings: MakeSettings, db: QueueDB, clock: FakeClock
) -> None:
    share, unmounted = tmp_path / "share", tmp_path / "elsewhere"
    kept = write(share / "ABP-1.mp4", b"one", mtime_ns=1_000_000_000_000_000_000)
    changed = write(share / "ABP-2.mp4", b"two", mtime_ns=1_000_000_000_000_000_000)
    settling = write(share / "ABP-3.mp4", b"three", mtime_ns=1_000_000_000_000_000_000)
    watcher = make_watcher(make_settings, db, clock, watch_dirs=[share], file_settle_seconds=10)
    watcher.step()
    clock.advance(10)
    settling.write_bytes(b"three, still copying")  # changes just as the share goes away
    assert watcher.step() == 2

    share.rename(unmounted)
    for _ in range(3):
        clock.advance(300)
        assert watcher.step() == 0
    assert watcher.folder_status() == {str(share): "missing"}
    assert len(items(db)) == 2

    unmounted.rename(share)
    write(changed, b"two, new content", mtime_ns=1_200_000_000_000_000_000)
    # back: nothing queued before is queued again; the file that was settling has not changed
    # since it was last seen (before the gap), so it is settled; the changed one starts over
    assert watcher.step() == 1
    assert queued_paths(db)[-1] == str(settling)
    clock.advance(9)
    assert watcher.step() == 0
    clock.advance(1)
    assert watcher.step() == 1
    assert queued_paths(db)[-1] == str(changed)
    assert sorted(queued_paths(db)) == sorted(map(str, [kept, changed, changed, settling]))


def test_scan_requested_at_triggers_a_rescan(
    watch: Path, make_settings: MakeSettings, db: QueueDB, clock: FakeClock
) -> None:
    watcher = make_watcher(make_settings, db, clock, file_settle_seconds=0)
    assert watcher.step() == 0
    write(watch / "ABP-1.mp4")
    assert watcher.step() == 0  # no events, rescan not due
    db.set_control("scan_requested_at", iso_in(-3600))  # older than our scan: nothing to do
    assert watcher.step() == 0
    db.set_control("scan_requested_at", iso_in(1))
    assert watcher.step() == 1
    write(watch / "ABP-2.mp4")
    assert watcher.step() == 0  # the same request is honoured once


def test_periodic_rescan(
    watch: Path, make_settings: MakeSettings, db: QueueDB, clock: FakeClock
) -> None:
    watcher = make_watcher(make_settings, db, clock, file_settle_seconds=0)
    watcher.step()
    write(watch / "ABP-1.mp4")
    clock.advance(299)
    assert watcher.step() == 0
    clock.advance(1)
    assert watcher.step() == 1


def test_minimum_size(
    watch: Path, make_settings: MakeSettings, db: QueueDB, clock: FakeClock
) -> None:
    write(watch / "sample.mp4", b"x" * 1000)
    big = write(watch / "ABP-1.mp4", b"x" * 2_000_000)
    watcher = make_watcher(make_settings, db, clock, file_settle_seconds=0, min_file_size_mb=1)
    assert watcher.step() == 1
    assert queued_paths(db) == [str(big)]


def test_download_marker_holds_the_file_until_removed(
    watch: Path, make_settings: MakeSettings, db: QueueDB, clock: FakeClock
) -> None:
    write(watch / "ABP-1.mp4")
    marker = write(watch / "ABP-1.mp4.aria2")
    watcher = make_watcher(make_settings, db, clock, file_settle_seconds=0)
    assert watcher.step() == 0
    assert watcher.step() == 0
    marker.unlink()
    assert watcher.step() == 1  # re-checked as a pending file, no rescan needed


def test_queued_log_line_carries_item_id(
    watch: Path,
    make_settings: MakeSettings,
    db: QueueDB,
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    video = write(watch / "ABP-1.mp4")
    caplog.set_level(logging.INFO, logger="emby_processor.watcher")
    make_watcher(make_settings, db, clock, file_settle_seconds=0).step()
    [record] = [r for r in caplog.records if r.levelno == logging.INFO]
    [item] = items(db)
    assert record.getMessage() == f"queued {video}"
    assert record.item_id == item.id  # type: ignore[attr-defined]


def test_vanished_pending_file_is_forgotten(
    watch: Path, make_settings: MakeSettings, db: QueueDB, clock: FakeClock
) -> None:
    video = write(watch / "ABP-1.mp4")
    watcher = make_watcher(make_settings, db, clock, file_settle_seconds=10)
    watcher.step()
    video.unlink()
    clock.advance(10)
    assert watcher.step() == 0
    write(video)
    clock.advance(300)
    assert watcher.step() == 0  # found again by the rescan: it settles from now, not from before
    clock.advance(10)
    assert watcher.step() == 1


def test_scan_once_skips_settling(watch: Path, make_settings: MakeSettings, db: QueueDB) -> None:
    other = watch.parent / "other"
    write(other / "ABP-1.mp4")
    write(other / "ABP-2.mp4")
    write(other / "ABP-2.mp4.part")
    assert scan_once(make_settings(), db, [other]) == 1
    assert scan_once(make_settings(), db, [other]) == 0
    shutil.rmtree(other)
    assert scan_once(make_settings(), db, [other]) == 0


def test_a_full_scan_queues_what_it_found_in_one_write(
    watch: Path, make_settings: MakeSettings, db: QueueDB, clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for n in range(30):
        write(watch / f"sub{n % 3}" / f"ABP-{n:03d}.mp4")
    batches: list[tuple[int, bool]] = []
    single: list[str] = []
    enqueue_many = db.enqueue_many
    monkeypatch.setattr(db, "enqueue_many", lambda files, backlog=False: batches.append(
        (len(files), backlog)) or enqueue_many(files, backlog=backlog))
    monkeypatch.setattr(db, "enqueue", lambda path, *a: single.append(path))
    watcher = make_watcher(make_settings, db, clock, file_settle_seconds=0)
    assert watcher.step() == 30
    # more than a handful at once is a backlog: after any new file, in path order
    assert batches == [(30, True)] and single == []
    assert len(queued_paths(db)) == 30
    ids = {item.file_path: item.id for item in db.iter_items(QueueFilter(), sort="oldest")}
    assert sorted(ids, key=ids.__getitem__) == sorted(ids)
