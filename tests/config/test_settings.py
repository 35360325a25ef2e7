"""Settings: defaults, parsing, and one clear line for every bad value."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from emby_processor.config import Settings, load_settings
from emby_processor.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]


def test_defaults(clean_env: Path) -> None:
    s = load_settings()
    assert s.watch_dirs == [Path("./watch")]
    assert s.effective_organize_mode == "none"
    assert s.api_host == "0.0.0.0" and s.api_port == 8000
    assert s.db_path == Path("./data/queue.db")
    assert s.metadata_providers == ["metatube", "r18dev", "nfo"]
    assert ".mkv" in s.video_extensions
    assert s.max_retries == 5 and s.emby_item_wait_seconds == 900


def test_library_dir_defaults_mode_to_move(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LIBRARY_DIR", str(clean_env / "lib"))
    monkeypatch.setenv("WATCH_DIRS", f"{clean_env}/a, {clean_env}/b")
    monkeypatch.setenv("VIDEO_EXTENSIONS", "MP4,mkv")
    s = load_settings()
    assert s.effective_organize_mode == "move"
    assert s.watch_dirs == [clean_env / "a", clean_env / "b"]
    assert s.video_extensions == [".mp4", ".mkv"]


def test_dotenv_file_is_read(clean_env: Path) -> None:
    (clean_env / ".env").write_text("API_PORT=9123\nMETADATA_PROVIDERS=r18dev\n")
    s = load_settings()
    assert s.api_port == 9123 and s.metadata_providers == ["r18dev"]


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("API_PORT", "abc", "API_PORT"),
        ("API_PORT", "70000", "API_PORT"),
        ("ORGANIZE_MODE", "teleport", "ORGANIZE_MODE"),
        ("EMBY_PATH_MAP", "no-equals-sign", "EMBY_PATH_MAP"),
        ("EMBY_URL", "emby.local:8096", "EMBY_URL"),
        ("MAX_RETRIES", "-1", "MAX_RETRIES"),
        ("LIBRARY_TEMPLATE", "{code}/{nonsense}{ext}", "LIBRARY_TEMPLATE"),
        ("LOG_LEVEL", "LOUD", "LOG_LEVEL"),
        ("ALLOWED_HOSTS", "nas.lan,media.*", "ALLOWED_HOSTS"),
        ("ALLOWED_HOSTS", "*nas.lan", "ALLOWED_HOSTS"),
        ("ALLOWED_HOSTS", "nas.lan:8000", "ALLOWED_HOSTS"),
    ],
)
def test_bad_values_name_the_variable(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, name: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as error:
        load_settings()
    assert expected in str(error.value)
    assert "\n" not in str(error.value)


def test_allowed_hosts_are_compared_as_the_host_guard_sees_them(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ALLOWED_HOSTS", "NAS.lan, *.Example.lan, *, ::1, [FE80::0001]")
    assert load_settings().allowed_hosts == ["nas.lan", "*.example.lan", "*", "[::1]", "[fe80::1]"]


def test_watch_folder_that_is_a_file(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (clean_env / "file.txt").write_text("x")
    monkeypatch.setenv("WATCH_DIRS", str(clean_env / "file.txt"))
    with pytest.raises(ConfigError, match=r"WATCH_DIRS: .*is a file"):
        load_settings()


def test_organize_mode_without_library(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORGANIZE_MODE", "copy")
    with pytest.raises(ConfigError, match="LIBRARY_DIR"):
        load_settings()


def test_bad_setting_stops_the_cli_with_exit_2_and_one_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k.upper() not in
           {n.upper() for n in Settings.model_fields}}
    env["API_PORT"] = "abc"
    result = subprocess.run(
        [sys.executable, "-m", "emby_processor", "status"], cwd=tmp_path, env=env,
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "API_PORT" in lines[0]
    assert "Traceback" not in result.stderr


def test_every_setting_is_documented_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    documented = set(re.findall(r"^\| `([A-Z0-9_]+)`", readme, flags=re.M))
    names = {name.upper() for name in Settings.model_fields}
    assert names - documented == set(), "settings missing from the README table"
    assert documented - names == set(), "README documents settings that do not exist"
