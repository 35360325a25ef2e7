"""The provider registry: every provider module declares itself; METADATA_PROVIDERS picks them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from emby_processor.config import Settings
from emby_processor.errors import ConfigError
from emby_processor.httpclient import HttpClientFactory
from emby_processor.providers.metatube import MetaTubeProvider
from emby_processor.providers.nfo import NfoProvider
from emby_processor.providers.registry import build_providers, check_names, known_names, specs


def settings(tmp_path: Path, **values: object) -> Settings:
    return Settings(_env_file=None, data_dir=tmp_path, watch_dirs=[tmp_path],  # type: ignore[call-arg]
                    **values)


def test_every_provider_module_is_found_with_what_it_reads() -> None:
    assert known_names() == ["metatube", "nfo", "r18dev"]
    assert "METATUBE_URL" in specs()["metatube"].settings
    assert all(spec.summary for spec in specs().values())


def test_built_in_the_order_asked_and_metatube_skipped_without_its_url(tmp_path: Path) -> None:
    http = HttpClientFactory()
    built = build_providers(["metatube", "r18dev", "nfo"], settings(tmp_path), http)
    assert [p.name for p in built] == ["r18dev", "nfo"]
    with_url = settings(tmp_path, metatube_url="http://mt:8080", provider_timeout_seconds=3)
    built = build_providers([" NFO ", "metatube"], with_url, http)
    assert [type(p) for p in built] == [NfoProvider, MetaTubeProvider]
    for provider in built:
        provider.close()


def test_an_unknown_name_is_a_config_error_naming_the_variable() -> None:
    with pytest.raises(ConfigError, match=r"METADATA_PROVIDERS: unknown provider 'javbus' \("
                                          r"known: metatube, nfo, r18dev\)"):
        check_names(["metatube", "javbus"])
    assert check_names([" R18DEV", "", "nfo"]) == ["r18dev", "nfo"]


def test_the_service_does_not_start_with_an_unknown_provider(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items()
           if k.upper() not in {n.upper() for n in Settings.model_fields}}
    env.update({"WATCH_DIRS": str(tmp_path), "DATA_DIR": str(tmp_path / "data"),
                "METADATA_PROVIDERS": "metatube,imdb"})
    result = subprocess.run(
        [sys.executable, "-m", "emby_processor", "workers"], cwd=tmp_path, env=env,
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "METADATA_PROVIDERS" in lines[0] and "'imdb'" in lines[0]
    assert "Traceback" not in result.stderr
