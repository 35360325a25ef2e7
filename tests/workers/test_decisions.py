"""What a person decided, carried out by the file lane: a code set by hand is looked up, and a
duplicate is filed the chosen way through the organizer's move intents (nothing is deleted)."""

from __future__ import annotations

from pathlib import Path

from tests.workers.test_lane import Provider, db, drop, file_lane, library, provider

from emby_processor.db import QueueDB
from emby_processor.organizer import Organizer, execute
from emby_processor.workers.step import execute_all

__all__ = ["db", "library", "provider"]  # the fixtures of the lane tests


def duplicate(tmp_path: Path, db: QueueDB, provider: Provider, library: Path
              ) -> tuple[int, Path]:
    """ABP-123 arrives while the library already holds an ABP-123 (bytes b"old")."""
    target = library / "Hana" / "ABP-123.mp4"
    target.parent.mkdir(parents=True)
    target.write_bytes(b"old")
    item = drop(tmp_path, db, "ABP-123.mp4")
    execute_all(file_lane(db, provider, library))
    failed = db.require(item.id)
    assert (failed.status, failed.cause, failed.stage) == ("error", "target_exists", "organize")
    error = [e for e in db.events(item.id) if e.outcome == "error"][-1]
    assert error.payload is not None and error.payload["target"] == str(target)
    return item.id, target


def test_keep_both_files_the_new_video_under_a_numbered_name(
    tmp_path: Path, db: QueueDB, provider: Provider, library: Path
) -> None:
    item_id, target = duplicate(tmp_path, db, provider, library)
    db.settle_duplicate(item_id, "both")
    execute_all(file_lane(db, provider, library))
    item = db.require(item_id)
    both = target.with_name("ABP-123 (2).mp4")
    assert (item.stage, item.status, item.library_path, item.resolution) == (
        "emby", "pending", str(both), None)
    assert target.read_bytes() == b"old" and both.read_bytes() == b"video"
    assert both.with_suffix(".nfo").exists()  # its own sidecars
    assert not (tmp_path / "watch" / "ABP-123.mp4").exists()


def test_replace_moves_the_library_copy_aside_and_files_the_new_one(
    tmp_path: Path, db: QueueDB, provider: Provider, library: Path
) -> None:
    item_id, target = duplicate(tmp_path, db, provider, library)
    db.settle_duplicate(item_id, "new")
    execute_all(file_lane(db, provider, library))
    item = db.require(item_id)
    aside = library / ".replaced" / "Hana" / "ABP-123.mp4"
    assert (item.stage, item.library_path, item.organize_intent) == ("emby", str(target), None)
    assert target.read_bytes() == b"video" and aside.read_bytes() == b"old"
    assert (library / ".replaced" / ".ignore").exists()  # the media servers skip the folder
    filed = [e for e in db.events(item_id) if e.stage == "organize" and e.outcome == "ok"][-1]
    assert filed.payload is not None and filed.payload["set_aside"] == str(aside)


def test_a_crash_after_the_move_aside_is_finished_at_the_next_claim(
    tmp_path: Path, db: QueueDB, provider: Provider, library: Path
) -> None:
    item_id, target = duplicate(tmp_path, db, provider, library)
    db.settle_duplicate(item_id, "new")
    # the worker moved the library's copy aside, then died before filing the new video
    item = db.require(item_id)
    organizer = Organizer(library, "move", "{actress}/{code}{part}{ext}", write_images=False)
    assert item.movie is not None
    intent = organizer.set_aside(Path(item.file_path), item.movie, "ABP-123", None)
    assert intent is not None and intent.purpose == "set_aside"
    aside = execute(intent)
    claimed = db.claim("file", "dead-worker")
    assert claimed is not None
    db.update_fields(item_id, "dead-worker", organize_intent=intent.to_json())
    db.release(item_id, "dead-worker")
    execute_all(file_lane(db, provider, library))
    item = db.require(item_id)
    assert (item.stage, item.library_path) == ("emby", str(target))
    assert target.read_bytes() == b"video" and aside.read_bytes() == b"old"


def test_a_code_set_by_hand_is_looked_up_and_filed(
    tmp_path: Path, db: QueueDB, provider: Provider, library: Path
) -> None:
    item = drop(tmp_path, db, "holiday video.mp4")
    execute_all(file_lane(db, provider, library))
    assert db.require(item.id).cause == "no_code"
    db.set_code(item.id, "ABP-777")
    execute_all(file_lane(db, provider, library))
    done = db.require(item.id)
    assert (done.movie_code, done.stage, done.code_rule) == ("ABP-777", "emby", "manual")
    assert provider.calls == [("ABP-777", True)]  # caches skipped: a person asked
    assert (library / "Hana" / "ABP-777.mp4").read_bytes() == b"video"
