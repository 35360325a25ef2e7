"""The command line as a user runs it: real subprocesses, real database, real signals."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
from tests.fakes.server import free_port

from emby_processor.config import Settings

ROOT = Path(__file__).resolve().parents[2]


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k.upper() not in {n.upper() for n in Settings.model_fields}}
    env.update({"WATCH_DIRS": str(tmp_path / "watch"), "DATA_DIR": str(tmp_path / "data"),
                "METADATA_PROVIDERS": "nfo"})
    env.update(extra)
    return env


def _cli(tmp_path: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "emby_processor", *args], cwd=tmp_path, env=_env(tmp_path, **extra),
        capture_output=True, text=True, timeout=120,
    )


def test_help_lists_every_command(tmp_path: Path) -> None:
    out = _cli(tmp_path, "--help").stdout
    for command in ("run", "api", "workers", "scan", "parse", "status"):
        assert command in out


def test_parse_shows_code_flags_and_rule(tmp_path: Path) -> None:
    result = _cli(tmp_path, "parse", "[Thz.la]abp-123-C.mp4", "IMG_1234.mp4", "ABP-123-cd2.mkv")
    assert result.returncode == 0
    blocks = result.stdout.strip().split("\n\n")
    assert "ABP-123" in blocks[0] and "subtitles" in blocks[0].lower()
    assert "no code" in blocks[1]
    assert "part" in blocks[2].lower() and "2" in blocks[2]


def test_scan_then_status(tmp_path: Path) -> None:
    watch = tmp_path / "watch"
    (watch / "nested").mkdir(parents=True)
    for name in ("ABP-123.mp4", "nested/SSIS-001.mkv", "notes.txt", ".hidden.mp4"):
        (watch / name).write_bytes(b"x" * 10)
    result = _cli(tmp_path, "scan")
    assert result.returncode == 0, result.stderr
    assert "queued 2 new file(s)" in result.stdout
    again = _cli(tmp_path, "scan")
    assert "queued 0 new file(s)" in again.stdout
    status = json.loads(_cli(tmp_path, "status", "--json").stdout)
    assert (status["total"], status["pending"]) == (2, 2)


def test_scan_of_a_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    result = _cli(tmp_path, "scan", str(tmp_path / "nope"))
    assert result.returncode == 2
    assert "is not a folder" in result.stderr and "Traceback" not in result.stderr


def test_run_serves_the_dashboard_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "main.py")], cwd=tmp_path,
        env=_env(tmp_path, API_HOST="127.0.0.1", API_PORT=str(port)),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        deadline = time.monotonic() + 60
        health = None
        while time.monotonic() < deadline:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2).json()
                if health["workers"].get("FileProcessor") in ("idle", "running"):
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        assert health is not None and health["database"] == "connected"
        assert httpx.get(f"http://127.0.0.1:{port}/api/stats").json()["total"] == 0
        page = httpx.get(f"http://127.0.0.1:{port}/")
        assert page.status_code == 200 and "emby-processor" in page.text
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=10)
        assert code == 0
        assert time.monotonic() - started < 10
    finally:
        if proc.poll() is None:
            proc.kill()
    output = proc.stdout.read() if proc.stdout else ""
    assert "Traceback" not in output
    assert (tmp_path / "data" / "queue.db").exists()
