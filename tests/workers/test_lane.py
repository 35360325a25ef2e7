"""Lane workers without threads: one stage at a time with ``execute_next``, or a whole claim
with ``step()``; outcomes are applied to a real queue database."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date
from functools import partial
from pathlib import Path

import pytest

from emby_processor.db import QueueDB
from emby_processor.errors import UpstreamError
from emby_processor.item import QueueItem
from emby_processor.metadata import MovieMetadata, Person
from emby_processor.organizer import Organizer
from emby_processor.pipeline.identify import identify
from emby_processor.pipeline.metadata import fetch_metadata
from emby_processor.pipeline.organize import organize
from emby_processor.pipeline.outcome import Outcome, StageContext, StageFn, Wait
from emby_processor.timeutil import parse_iso, utcnow
from emby_processor.vocabulary import Stage
from emby_processor.workers.backoff import RetryPolicy
from emby_processor.workers.lane import LaneWorker
from emby_processor.workers.step import execute_all, execute_next


class Control:
    def __init__(self) -> None:
        self.stop_event = threading.Event()

    def paused(self) -> bool:
        return False


class Provider:
    """The provider chain as the metadata stage sees it: a record per code, or an error."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, bool]] = []
        self.error: Exception | None = None

    def fetch(self, code: str, *, path: Path | None = None, refresh: bool = False
              ) -> MovieMetadata:
        self.calls.append((code, refresh))
        if self.error is not None:
            raise self.error
        return MovieMetadata(code=code, title=f"{code} title", release_date=date(2021, 6, 1),
                             actresses=[Person(name="Hana"), Person(name="Yui")], maker="M",
                             source="stub", provenance={"title": "stub"})


@pytest.fixture
def db(tmp_path: Path) -> Iterator[QueueDB]:
    store = QueueDB(tmp_path / "q.db").open()
    yield store
    store.close()


@pytest.fixture
def provider() -> Provider:
    return Provider()


@pytest.fixture
def library(tmp_path: Path) -> Path:
    return tmp_path / "library"


def file_lane(db: QueueDB, provider: Provider, library: Path,
              control: Control | None = None) -> LaneWorker:
    organizer = Organizer(library, "move", "{actress}/{code}{part}{ext}", write_images=False)
    stages: dict[Stage, StageFn] = {
        "identify": identify,
        "metadata": partial(fetch_metadata, source=provider),
        "organize": partial(organize, organizer=organizer),
    }
    return LaneWorker("FileProcessor", "file", stages, db=db,
                      policy=RetryPolicy(2, 10, 60), control=control or Control(), owner="w1")


def drop(tmp_path: Path, db: QueueDB, name: str) -> QueueItem:
    video = tmp_path / "watch" / name
    video.parent.mkdir(parents=True, exist_ok=True)
    video.write_bytes(b"video")
    return db.enqueue(str(video), 5, 1)[0]


def test_one_stage_per_step_each_recorded_in_order(
    tmp_path: Path, db: QueueDB, provider: Provider, library: Path
) -> None:
    item = drop(tmp_path, db, "[site]abp-123-C.mp4")
    worker = file_lane(db, provider, library)
    steps = execute_all(worker)
    assert [(s.before.stage, s.after.stage, s.after.status) for s in steps] == [
        ("identify", "metadata", "pending"),
        ("metadata", "organize", "pending"),
        ("organize", "emby", "pending"),
    ]
    done = db.require(item.id)
    assert (done.movie_code, done.subtitles, done.title) == ("ABP-123", True, "ABP-123 title")
    assert done.actresses == ["Hana", "Yui"] and done.actress == "Hana"
    filed = library / "Hana" / "ABP-123.mp4"
    assert done.library_path == str(filed) and filed.read_bytes() == b"video"
    assert filed.with_suffix(".nfo").exists()
    events = [(e.stage, e.outcome) for e in db.events(item.id)]
    assert events == [("identify", "queued"), ("identify", "ok"), ("metadata", "ok"),
                      ("organize", "ok")]
    assert all(e.duration_ms is not None for e in db.events(item.id)[1:])


def test_a_claim_runs_the_whole_lane_without_reading_the_item_again(
    tmp_path: Path, db: QueueDB, provider: Provider, library: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    item = drop(tmp_path, db, "ABP-124.mp4")
    worker = file_lane(db, provider, library)
    reads: list[int] = []
    parsed: list[str] = []
    monkeypatch.setattr(QueueDB, "get", lambda self, item_id: reads.append(item_id))
    original = MovieMetadata.model_validate_json
    monkeypatch.setattr(MovieMetadata, "model_validate_json",
                        lambda data: parsed.append(data) or original(data))
    assert worker.step() is True
    monkeypatch.undo()
    assert reads == [] and parsed == []  # the snapshot and its metadata are carried on
    after = db.require(item.id)
    assert (after.stage, after.status, after.lease_owner) == ("emby", "pending", None)
    assert worker.stats.processed == 1 and worker.stats.current_item is None


def test_a_refetch_of_a_filed_item_refreshes_its_sidecars_on_the_way_to_the_server(
    tmp_path: Path, db: QueueDB, provider: Provider, library: Path
) -> None:
    item = drop(tmp_path, db, "ABP-125.mp4")
    worker = file_lane(db, provider, library)
    worker.step()
    filed = Path(db.require(item.id).library_path or "")
    nfo = filed.with_suffix(".nfo")
    nfo.unlink()
    db.reprocess(item.id)
    assert worker.step() is True
    again = db.require(item.id)
    assert (again.stage, again.library_path, again.refresh_metadata) == ("emby", str(filed),
                                                                         False)
    assert nfo.exists()
    assert provider.calls[-1] == ("ABP-125", True)
    last = [(e.stage, e.outcome, e.message) for e in db.events(item.id)][-3:]
    assert [stage for stage, _, _ in last] == ["metadata", "metadata", "organize"]
    assert last[-1][2] == f"already filed at {filed}"


def test_permanent_and_transient_failures(
    tmp_path: Path, db: QueueDB, provider: Provider, library: Path
) -> None:
    worker = file_lane(db, provider, library)
    nameless = drop(tmp_path, db, "holiday video.mp4")
    (step,) = execute_all(worker)
    failed = step.after
    assert (failed.status, failed.error_kind, failed.cause, failed.retry_count) == (
        "error", "permanent", "no_code", 1)
    assert failed.next_attempt_at is None and failed.id == nameless.id
    provider.error = UpstreamError("metatube", "HTTP 500", retry_after=30)
    item = drop(tmp_path, db, "ABP-126.mp4")
    execute_next(worker)
    result = execute_next(worker)
    assert result is not None and result.after.status == "error"
    after = result.after
    assert (after.stage, after.error_kind, after.cause) == ("metadata", "transient",
                                                            "provider_unreachable")
    wait = (parse_iso(after.next_attempt_at or "") - utcnow()).total_seconds()
    assert 25 <= wait <= 31  # the upstream's 30 s, not the policy's 10 s
    assert item.id == after.id


def test_a_bug_in_a_stage_is_a_transient_internal_error(
    tmp_path: Path, db: QueueDB
) -> None:
    def broken(item: QueueItem, ctx: StageContext) -> Outcome:
        raise KeyError("oops")

    worker = LaneWorker("FileProcessor", "file", {"identify": broken}, db=db,
                        policy=RetryPolicy(2, 10, 60), control=Control(), owner="w1")
    drop(tmp_path, db, "ABP-127.mp4")
    result = execute_next(worker)
    assert result is not None
    assert (result.after.status, result.after.cause) == ("error", "internal")
    assert "KeyError" in (result.after.error_message or "")


def test_waiting_is_not_an_error(tmp_path: Path, db: QueueDB) -> None:
    def later(item: QueueItem, ctx: StageContext) -> Outcome:
        return Wait(120, ctx.event("identify", "waiting", "not yet"))

    worker = LaneWorker("FileProcessor", "file", {"identify": later}, db=db,
                        policy=RetryPolicy(2, 10, 60), control=Control(), owner="w1")
    item = drop(tmp_path, db, "ABP-128.mp4")
    result = execute_next(worker)
    assert result is not None
    assert (result.after.status, result.after.retry_count, result.after.error_kind) == (
        "pending", 0, None)
    assert (parse_iso(result.after.next_attempt_at or "") - utcnow()).total_seconds() > 100
    assert execute_next(worker) is None  # not due
    assert db.events(item.id)[-1].outcome == "waiting"


def test_a_stop_between_stages_hands_the_item_back_at_the_next_stage(
    tmp_path: Path, db: QueueDB, provider: Provider, library: Path
) -> None:
    control = Control()
    worker = file_lane(db, provider, library, control)

    def identify_then_stop(item: QueueItem, ctx: StageContext) -> Outcome:
        outcome = identify(item, ctx)
        control.stop_event.set()
        return outcome

    worker.stages["identify"] = identify_then_stop
    item = drop(tmp_path, db, "ABP-129.mp4")
    assert worker.step() is True
    after = db.require(item.id)
    assert (after.stage, after.status, after.lease_owner) == ("metadata", "pending", None)
    assert provider.calls == []


def test_a_lost_lease_is_logged_not_fatal(
    tmp_path: Path, db: QueueDB, caplog: pytest.LogCaptureFixture
) -> None:
    def steal(item: QueueItem, ctx: StageContext) -> Outcome:
        db.release(item.id, "w1")  # as if the lease expired and someone else took it
        return identify(item, ctx)

    worker = LaneWorker("FileProcessor", "file", {"identify": steal}, db=db,
                        policy=RetryPolicy(2, 10, 60), control=Control(), owner="w1")
    drop(tmp_path, db, "ABP-130.mp4")
    assert worker.step() is True
    assert "lost the lease" in caplog.text
    assert worker.stats.failed == 1


def test_a_crash_after_the_move_never_loses_the_filed_video(
    tmp_path: Path, db: QueueDB, provider: Provider, library: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    item = drop(tmp_path, db, "ABP-131.mp4")
    worker = file_lane(db, provider, library)
    execute_next(worker)  # identify
    execute_next(worker)  # metadata
    original = Organizer.finish

    def killed(self: Organizer, video: Path, movie: MovieMetadata) -> object:
        raise KeyboardInterrupt  # the process dies while the sidecars are written

    monkeypatch.setattr(Organizer, "finish", killed)
    for _attempt in range(2):  # killed after the move, then again right after the recovery
        with pytest.raises(KeyboardInterrupt):
            execute_next(worker)
        left = db.require(item.id)
        assert left.organize_intent is not None and left.library_path is None
        db.release_owner("w1")  # the next run finds the item held by a dead run
    monkeypatch.setattr(Organizer, "finish", original)
    result = execute_next(worker)
    assert result is not None
    filed = library / "Hana" / "ABP-131.mp4"
    assert (result.after.stage, result.after.library_path) == ("emby", str(filed))
    assert result.after.organize_intent is None and filed.read_bytes() == b"video"
