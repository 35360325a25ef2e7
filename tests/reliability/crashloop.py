"""The crash loop: run the real service as a subprocess, SIGKILL it again and again while it
works, then let it finish, and check that nothing was lost, duplicated or left half-done.

Kills are synchronised on progress, never on the clock alone: each cycle waits until the
running service has written ``k`` more events to the queue (``k`` drawn from a seeded RNG and
scaled to the work left, so the kills spread over the whole run), then waits a random extra
0–250 ms (measured from that progress point) so the kill lands at arbitrary instructions:
mid-claim, mid-copy, between a rename and its bookkeeping, mid-Emby-update.
"""

from __future__ import annotations

import hashlib
import os
import random
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from tests.pipeline.stack import SERVER_LIBRARY, Stack
from tests.reliability.proc import (
    VIDEO_SUFFIXES,
    QueueView,
    ServiceProcess,
    temp_names,
    wait_until,
    walk_files,
)

LABELS = ("ABP", "SSIS", "IPX", "MIDV", "PRED", "JUL", "CAWD", "STARS", "MIAA", "SNIS")
ACTRESSES = ("Kaede Fua", "Yui Hatano", "Momo Sakura", "Ai Hoshina", "Nana Yagi", "Yu Shinoda")
#: events one item writes on its way when nothing goes wrong (queued, identify, metadata,
#: organize, announced, emby ok) — used only to spread the kills over the run
EVENTS_PER_ITEM = 6


@dataclass
class Dropped:
    name: str
    code: str
    actress: str
    sha256: str
    size: int
    #: the bytes, kept only until the file is dropped
    content: bytes = field(default=b"", repr=False)


@dataclass
class CrashReport:
    files: int
    kills: int
    seconds: float
    runs: int
    kill_points: list[int] = field(default_factory=list)
    recovered_events: int = 0
    released: int = 0
    resumed_intents: int = 0

    def line(self) -> str:
        return (
            f"crash loop: {self.files} files, {self.kills} SIGKILLs in {self.seconds:.1f} s;"
            f" {self.released} items released from dead runs at start-up,"
            f" {self.recovered_events} expired leases, {self.resumed_intents} resumed"
            f" filing intents; kills after events {self.kill_points}"
        )


def file_name(rng: random.Random, code: str) -> str:
    style = rng.randrange(4)
    if style == 0:
        return f"{code}.mp4"
    if style == 1:
        return f"{code.lower()}.mkv"
    if style == 2:
        return f"[Thz.la]{code}-C.mp4"
    return f"{code.replace('-', '')}.wmv"


def drop_atomically(watch: Path, name: str, content: bytes) -> None:
    """Like a sane downloader: write under a hidden name, then rename into place."""
    hidden = watch / f".{name}.incoming"
    hidden.write_bytes(content)
    os.rename(hidden, watch / name)


def prepare(
    stack: Stack, rng: random.Random, count: int, sizes: tuple[int, int], *, first: int = 0
) -> list[Dropped]:
    """Seed MetaTube with ``count`` movies and make their files (not dropped yet)."""
    dropped: list[Dropped] = []
    for n in range(first, first + count):
        code = f"{LABELS[n % len(LABELS)]}-{100 + n // len(LABELS):03d}"
        actress = rng.choice(ACTRESSES)
        stack.movie_on_metatube(code, actresses=(actress,), title=f"Crash test {n}")
        size = rng.randint(*sizes)
        content = rng.randbytes(size)
        dropped.append(Dropped(file_name(rng, code), code, actress,
                               hashlib.sha256(content).hexdigest(), size, content))
    return dropped


def drop(stack: Stack, files: list[Dropped]) -> None:
    for entry in files:
        drop_atomically(stack.watch, entry.name, entry.content)
        entry.content = b""


def run_crash_loop(
    stack: Stack, *, files: int, kills: int, seed: int, library: Path | None = None,
    sizes: tuple[int, int] = (1024, 64 * 1024), finish_timeout: float = 180.0,
    workers: int = 3,
) -> CrashReport:
    rng = random.Random(seed)
    library = library or stack.library
    env = stack.env(
        LIBRARY_DIR=str(library),
        EMBY_PATH_MAP=f"{library}={SERVER_LIBRARY}",
        FILE_WORKERS=str(workers),
        EMBY_WORKERS=str(workers),
        LOG_LEVEL="INFO",
    )
    dropped = prepare(stack, rng, files, sizes)
    early, late = dropped[: files * 2 // 3], dropped[files * 2 // 3:]
    drop(stack, early)
    view = QueueView(stack.data / "queue.db")
    service = ServiceProcess(env, stack.root, command="workers")
    report = CrashReport(files=files, kills=kills, seconds=0.0, runs=0)
    started = time.monotonic()
    try:
        service.start()
        for cycle in range(kills):
            baseline = view.events()
            if cycle == 0:
                drop(stack, late)  # these arrive while the service runs (file-system events)
            left = max(EVENTS_PER_ITEM * files - baseline, kills)
            step = rng.randint(1, max(1, left // (kills - cycle + 1)))
            target = baseline + step
            wait_until(
                lambda t=target: view.events() >= t, 60,
                lambda: f"no progress before kill {cycle + 1}: {view.describe()}\n"
                f"{service.tail()}",
                check=service.ensure_alive, interval=0.01,
            )
            time.sleep(rng.uniform(0, 0.25))  # jitter after the progress point, not the sync
            report.kill_points.append(view.events())
            service.kill()
            service.start()
        wait_until(
            lambda: view.counts()["completed"] == files, finish_timeout,
            lambda: f"not all items completed: {view.describe()}\n{service.tail()}",
            check=service.ensure_alive, interval=0.1,
        )
        report.seconds = time.monotonic() - started
        # a SIGTERM that lands while Python is still importing kills it before the handler is
        # installed; the clean-stop check is about a running service, so wait for its heartbeat
        wait_until(lambda: view.beat_from(service.pid), 15, "a heartbeat of the last run",
                   check=service.ensure_alive)
        code = service.terminate()
        assert code == 0, f"exit {code}: {service.tail()}"
        report.runs = service.runs
        check_outcome(stack, view, dropped, library)
        events = view.item_events()
        report.recovered_events = sum(1 for e in events if e["outcome"] == "recovered")
        output = service.output()
        report.resumed_intents = output.count("resumed an interrupted")
        report.released = sum(
            int(m) for m in re.findall(r"(\d+) items were held by a run that stopped", output))
    finally:
        service.close()
        view.close()
    return report


def check_outcome(stack: Stack, view: QueueView, dropped: list[Dropped], library: Path) -> None:
    items = view.items()
    by_name = {d.name: d for d in dropped}

    # one item per file, every one completed, none left processing or holding a lease
    per_file = Counter(Path(i["file_path"]).name for i in items)
    duplicates = {name: n for name, n in per_file.items() if n != 1}
    assert not duplicates, f"duplicate items: {duplicates}"
    assert set(per_file) == set(by_name), set(per_file) ^ set(by_name)
    not_done = [(i["id"], i["status"], i["stage"], i["error_message"]) for i in items
                if i["status"] != "completed" or i["stage"] != "done"]
    assert not not_done, not_done
    assert not [i["id"] for i in items if i["lease_owner"] or i["organize_intent"]]
    assert view.counts()["processing"] == 0

    # every video exactly once in the library, with its original bytes; nothing in watch
    videos = [p for p in walk_files(library) if p.suffix.lower() in VIDEO_SUFFIXES]
    hashes = Counter(hashlib.sha256(p.read_bytes()).hexdigest() for p in videos)
    expected = Counter(d.sha256 for d in dropped)
    assert hashes == expected, (
        f"library has {len(videos)} videos for {len(dropped)} files; "
        f"missing {len(expected - hashes)}, extra {len(hashes - expected)}"
    )
    for item in items:
        original = by_name[Path(item["file_path"]).name]
        path = Path(item["library_path"])
        assert path.is_file() and path.stat().st_size == original.size, item
        assert hashlib.sha256(path.read_bytes()).hexdigest() == original.sha256, item
    left = list(walk_files(stack.watch))
    assert not left, f"left in the watch folder: {left[:10]}"
    assert not temp_names(stack.watch, library, stack.root), temp_names(stack.watch, library)

    # each item updated on the media server, at the path the library has, exactly once
    server = stack.emby.items_by_path()
    ours = {path: dto for path, dto in server.items() if path.startswith(SERVER_LIBRARY + "/")}
    assert len(ours) == len(dropped), f"{len(ours)} server items for {len(dropped)} files"
    for item in items:
        original = by_name[Path(item["file_path"]).name]
        relative = Path(item["library_path"]).relative_to(library).as_posix()
        dto = ours[f"{SERVER_LIBRARY}/{relative}"]
        assert item["emby_id"] == dto["Id"], (item, dto["Id"])
        assert dto["Name"].startswith(original.code), dto["Name"]
        assert dto.get("LockData") is True
        people = [p["Name"] for p in dto["People"] if p.get("Type") == "Actor"]
        assert people == [original.actress], (dto["People"], original)

    # the timeline agrees: at most one successful Emby update per item
    emby_ok = Counter(e["item_id"] for e in view.item_events()
                      if e["stage"] == "emby" and e["outcome"] == "ok")
    assert all(n == 1 for n in emby_ok.values()), emby_ok.most_common(3)
    assert len(emby_ok) <= len(items)
