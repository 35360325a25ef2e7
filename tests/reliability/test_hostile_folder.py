"""The hostile watch folder (``hostile_folder.py``) against the parts that read it.

Sidecars: in organise mode ``none`` the poster or fanart beside a video is uploaded to the media
server as its Primary image. A sidecar that is a symlink (to ``/proc/self/environ`` or a secrets
file), a FIFO, a 1 GiB sparse file or bytes that are no image is never read into memory and never
uploaded: the cover is downloaded instead.

Names: ``emby-processor scan`` queues every video, the Shift-JIS one under its exact name, and
the queue page and CSV show that name readably; the service runs the folder to the end with no
worker crash.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from emby_processor.api import create_app
from emby_processor.config import Settings
from emby_processor.db import QueueDB, QueueFilter
from emby_processor.logbuffer import LogBuffer
from emby_processor.metadata import MovieMetadata
from emby_processor.organizer.localimage import cover_reader
from tests.fakes.images import TINY_JPEG, png
from tests.fakes.server import free_port, serve
from tests.pipeline.stack import SERVER_LIBRARY, Stack, running_stack
from tests.reliability.hostile_folder import SECRET, HostileFolder, build, shift_jis
from tests.reliability.proc import QueueView, ServiceProcess, clean_environment, wait_until
from tests.reliability.rss import RssSampler

DOWNLOADED = (TINY_JPEG, "image/jpeg")


class FakeImages:
    """Stands in for the image downloader: records what was asked, answers a tiny JPEG."""

    def __init__(self) -> None:
        self.urls: list[str] = []

    def fetch(self, url: str) -> tuple[bytes, str]:
        self.urls.append(url)
        return DOWNLOADED


@pytest.fixture
def folder(tmp_path: Path) -> HostileFolder:
    return build(tmp_path / "watch")


def _metadata(code: str) -> MovieMetadata:
    return MovieMetadata(code=code, title="t", cover_url=f"http://img.invalid/{code}.jpg")


@pytest.mark.parametrize("name", ["ABP-001.mp4", "ABP-002.mp4", "ABP-003.mp4", "ABP-004.mp4"])
def test_hostile_sidecars_are_never_uploaded(folder: HostileFolder, name: str) -> None:
    images = FakeImages()
    read = cover_reader(images.fetch)
    tracemalloc.start()
    started = time.monotonic()
    try:
        cover = read(folder.video(name), _metadata(name[:7]))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert cover == DOWNLOADED, f"{folder.videos[name]}: the local file was used"
    assert images.urls == [f"http://img.invalid/{name[:7]}.jpg"]
    assert peak < 25 * 2**20, f"{folder.videos[name]}: {peak / 2**20:.0f} MB read"
    assert time.monotonic() - started < 5


def test_secrets_never_leave_through_a_sidecar(folder: HostileFolder) -> None:
    read = cover_reader(FakeImages().fetch)
    for name in folder.videos:
        cover = read(folder.video(name), _metadata("ABP-000"))
        assert cover is None or SECRET not in cover[0]
        assert cover is None or b"PATH=" not in cover[0]


def test_a_real_image_under_a_jpg_name_is_used_with_its_own_type(folder: HostileFolder) -> None:
    images = FakeImages()
    cover = cover_reader(images.fetch)(folder.video("ABP-005.mp4"), _metadata("ABP-005"))
    assert cover is not None
    assert cover[1] == "image/png" and cover[0].startswith(b"\x89PNG")
    assert images.urls == []


# --- the whole folder through the command line and the service --------------------------------

ROOT = Path(__file__).resolve().parents[2]


def test_scan_command_queues_every_video_without_a_traceback(tmp_path: Path) -> None:
    folder = build(tmp_path / "watch")
    env = clean_environment({
        "WATCH_DIRS": str(folder.root), "DATA_DIR": str(tmp_path / "data"),
        "METADATA_PROVIDERS": "nfo",
    })
    done = subprocess.run(
        [sys.executable, "-m", "emby_processor", "scan"], cwd=tmp_path, env=env,
        capture_output=True, timeout=120,
    )
    stderr = done.stderr.decode("utf-8", "replace")
    assert done.returncode == 0 and "Traceback" not in stderr, stderr
    assert f"queued {len(folder.videos)} new file(s)".encode() in done.stdout
    db = QueueDB(tmp_path / "data" / "queue.db").open()
    try:
        found = {Path(item.file_path).name for item in db.iter_items(QueueFilter())}
        assert found == set(folder.videos)  # the Shift-JIS name exactly as the disk has it
        app = create_app(make_api_settings(tmp_path), db=db, logs=LogBuffer(100))
        with serve(app) as server, httpx.Client(base_url=server.url, timeout=10) as client:
            page, export = client.get("/api/queue"), client.get("/api/queue/export.csv")
        assert page.status_code == 200
        names = [item["file_path"] for item in page.json()["items"]]
        assert str(folder.root / "[字幕]ABP-006 ファイル.mp4") in names
        assert export.status_code == 200 and "[字幕]ABP-006 ファイル.mp4" in export.text
    finally:
        db.close()


def make_api_settings(tmp_path: Path) -> Settings:
    return Settings(_env_file=None, data_dir=tmp_path / "data",  # type: ignore[call-arg]
                    watch_dirs=[tmp_path / "watch"], metadata_providers=[])


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    with running_stack(tmp_path, index_delay=0.0) as running:
        yield running


def test_the_service_runs_the_folder_uploads_no_secret_and_stays_small(stack: Stack) -> None:
    """``emby-processor run`` in organise mode ``none`` on the hostile folder, as a real process
    whose memory is sampled: the Primary image each video gets on the media server is the cover
    downloaded from the provider, never a hostile sidecar; the dashboard's queue and live log
    answer with the Shift-JIS name readable; the peak RSS stays under the issue's 150 MB."""
    shutil.rmtree(stack.watch)
    folder = build(stack.watch)
    for code in ("ABP-001", "ABP-002", "ABP-003", "ABP-004", "ABP-005", "ABP-006"):
        stack.movie_on_metatube(code)
    port = free_port()
    env = stack.env(LIBRARY_DIR="", ORGANIZE_MODE="none", API_PORT=str(port),
                    EMBY_PATH_MAP=f"{stack.watch}={SERVER_LIBRARY}")
    service = ServiceProcess(env, stack.root, command="run")
    view = QueueView(stack.data / "queue.db")
    service.start()
    try:
        with RssSampler(service.pid) as rss:
            wait_until(lambda: _settled(view, len(folder.videos)), 90, view.describe,
                       check=service.ensure_alive)
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
                queue = client.get("/api/queue")
                logs = client.get("/api/logs/recent", params={"limit": 1000})
        rows = {os.fsdecode(r["file_path"]) if isinstance(r["file_path"], bytes)
                else r["file_path"]: r for r in view.items()}
        heartbeats = view.heartbeats()
        assert service.terminate() == 0
    finally:
        service.close()
        view.close()
    print(f"\nhostile folder: service RSS peak {rss.peak:.1f} MB; aim < 150 MB")
    by_name = {Path(path).name: row for path, row in rows.items()}
    for name in ("ABP-001.mp4", "ABP-002.mp4", "ABP-003.mp4", "ABP-004.mp4"):
        row = by_name[name]
        assert row["status"] == "completed", (name, row["error_message"])
        image = stack.emby.image(str(row["emby_id"]))
        assert image is not None and SECRET not in image and b"PATH=" not in image
        assert image.startswith(b"\xff\xd8")  # the fake image host's JPEG
    assert stack.emby.image(str(by_name["ABP-005.mp4"]["emby_id"])) == png()
    # the Shift-JIS name is identified and looked up under its exact name; telling the media
    # server about a path that is not UTF-8 is the media-server client's business
    sjis = by_name[shift_jis("[字幕]ABP-006 ファイル.mp4")]
    assert sjis["movie_code"] == "ABP-006" and sjis["title"]
    assert queue.status_code == 200 and logs.status_code == 200
    assert "[字幕]ABP-006 ファイル.mp4" in queue.text and "ファイル" in logs.text
    assert not [beat for beat in heartbeats if beat["state"] == "crashed"]
    assert rss.peak < 150, f"peak RSS {rss.peak:.1f} MB"


def _settled(view: QueueView, count: int) -> bool:
    """Every item done or failed; the Shift-JIS one may still be on its way to its permanent
    bad_name error at the media-server step (its metadata is in by then)."""
    rows = view.items()
    return len(rows) == count and all(
        row["status"] in ("completed", "error") or (row["movie_code"] == "ABP-006" and row["title"])
        for row in rows
    )
