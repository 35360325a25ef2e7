"""Upstream health checks for a dashboard that runs on its own (``uvicorn
emby_processor.api:app``): it builds its own clients of Emby and the providers to probe them.
"""

from __future__ import annotations

from collections.abc import Callable

from emby_processor.config import Settings
from emby_processor.health import UpstreamCheck, build_upstream_checks
from emby_processor.upstreams import build_upstreams


def standalone_upstreams(
    settings: Settings,
) -> tuple[dict[str, UpstreamCheck], list[Callable[[], None]]]:
    """(checks, closers): the closers release the HTTP clients at shutdown."""
    upstreams = build_upstreams(settings)
    checks = build_upstream_checks(settings, emby=upstreams.emby, providers=upstreams.providers)
    return checks, [upstreams.close]
