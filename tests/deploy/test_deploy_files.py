"""What can be checked of the Docker and systemd files without a Docker engine."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from emby_processor.config import Settings, load_settings

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = {name.upper() for name in Settings.model_fields}


def _env_example() -> dict[str, str]:
    pairs = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            pairs[name.strip()] = value.strip()
    return pairs


def test_env_example_lists_every_setting_and_nothing_else() -> None:
    names = set(_env_example())
    assert SETTINGS - names == set(), "settings missing from .env.example"
    assert names - SETTINGS == set(), ".env.example names settings that do not exist"


def test_env_example_is_a_valid_configuration(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in _env_example().items():
        if value.startswith("/"):
            value = str(clean_env / value.lstrip("/"))
        monkeypatch.setenv(name, value)
    settings = load_settings()
    assert settings.api_port == 8000


def test_compose_file_uses_real_settings_port_and_health_path() -> None:
    compose = (ROOT / "docker-compose.yml").read_text()
    assert '"8000:8000"' in compose
    assert "env_file: .env" in compose
    assert "restart: unless-stopped" in compose
    for volume in ("/watch", "/library", "/data"):
        assert f":{volume}" in compose
    for name in re.findall(r"^\s+([A-Z][A-Z0-9_]+):", compose, flags=re.M):
        assert name in SETTINGS, name
    assert "http://127.0.0.1:8000/api/health" in compose


def test_dockerfile_port_health_check_and_entry_point_agree_with_the_app() -> None:
    from emby_processor.api import create_app

    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "EXPOSE 8000" in dockerfile
    assert Settings.model_fields["api_port"].default == 8000
    assert "http://127.0.0.1:8000/api/health" in dockerfile
    assert 'CMD ["emby-processor", "run"]' in dockerfile
    assert re.search(r"^USER (?!root)\w+", dockerfile, flags=re.M)
    for name in re.findall(r"^\s+([A-Z_]+)=", dockerfile, flags=re.M):
        if not name.startswith(("PYTHON", "PIP", "MALLOC")):
            assert name in SETTINGS, name
    assert "/api/health" in create_app(load_settings()).openapi()["paths"]


def _pip_installs(text: str) -> list[list[str]]:
    text = text.replace("\\\n", " ")
    commands = []
    for match in re.finditer(r"pip install ([^&\n]+)", text):
        words = [w for w in shlex.split(match.group(1)) if w not in ("--quiet", "-q")]
        commands.append(words)
    return commands


def test_dockerfile_installs_dependencies_the_way_ci_does() -> None:
    docker = _pip_installs((ROOT / "Dockerfile").read_text())
    make = _pip_installs((ROOT / "Makefile").read_text())
    assert docker[0] == make[0]
    make_deps = make[1]
    docker_deps = docker[1]
    for flag in ("--build-constraint", "-r"):
        assert docker_deps[docker_deps.index(flag) + 1] == make_deps[make_deps.index(flag) + 1]
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_dockerignore_keeps_tests_data_and_git_out() -> None:
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".git", "tests", "data", ".venv", ".env"} <= ignored


def test_systemd_unit_runs_the_service() -> None:
    unit = (ROOT / "deploy" / "emby-processor.service").read_text()
    assert "ExecStart=" in unit and "emby-processor run" in unit
    assert "KillSignal=SIGTERM" in unit


def _health_command(text: str, port: int) -> list[str]:
    match = re.search(r"HEALTHCHECK[^\n]*\\\n\s*CMD (\[.*\])", text) or re.search(
        r"test: (\[.*\])", text)
    assert match, "no health check command"
    words = json.loads(match.group(1))
    words = [w for w in words if w != "CMD"]
    assert words[0] == "python"
    return [sys.executable, *[w.replace(":8000/", f":{port}/") for w in words[1:]]]


@pytest.mark.parametrize("source", ["Dockerfile", "docker-compose.yml"])
def test_health_check_command_passes_only_when_the_service_is_not_unhealthy(
    clean_env: Path, source: str
) -> None:
    from tests.fakes.server import serve

    from emby_processor.api import create_app
    from emby_processor.db import QueueDB

    settings = load_settings(data_dir=clean_env / "data", watch_dirs=[clean_env])
    db = QueueDB(settings.db_path).open()
    try:
        with serve(create_app(settings, db=db)) as server:
            command = _health_command((ROOT / source).read_text(), server.port)
            # no worker has ever written a heartbeat: unhealthy, the check fails
            assert subprocess.run(command, timeout=30).returncode == 1
            for worker in ("FileProcessor", "EmbyUpdater", "RetryHandler"):
                db.beat(worker, "idle")
            assert subprocess.run(command, timeout=30).returncode == 0
    finally:
        db.close()
