"""Upstream health checks for a dashboard that runs on its own (``uvicorn
emby_processor.api:app``): it builds its own Emby client and providers, used only to probe them.
"""

from __future__ import annotations

from collections.abc import Callable

from emby_processor.config import Settings
from emby_processor.health import ProviderLike, UpstreamCheck, build_upstream_checks

PROBE_TIMEOUT_SECONDS = 10.0


def standalone_upstreams(
    settings: Settings,
) -> tuple[dict[str, UpstreamCheck], list[Callable[[], None]]]:
    """(checks, closers): the closers release the HTTP clients at shutdown."""
    from emby_processor.emby import EmbyClient
    from emby_processor.providers.metatube import MetaTubeProvider
    from emby_processor.providers.nfo import NfoProvider
    from emby_processor.providers.r18dev import R18DevProvider

    closers: list[Callable[[], None]] = []
    emby = None
    if settings.emby_url and settings.emby_api_key:
        emby = EmbyClient(settings.emby_url, settings.emby_api_key,
                          user_id=settings.emby_user_id, timeout=PROBE_TIMEOUT_SECONDS)
        closers.append(emby.close)
    providers: list[ProviderLike] = []
    for name in settings.metadata_providers:
        if name == "metatube" and settings.metatube_url:
            metatube = MetaTubeProvider(settings.metatube_url, settings.metatube_token,
                                        timeout=PROBE_TIMEOUT_SECONDS)
            providers.append(metatube)
            closers.append(metatube.close)
        elif name == "r18dev" and settings.r18dev_url:
            r18dev = R18DevProvider(settings.r18dev_url, timeout=PROBE_TIMEOUT_SECONDS)
            providers.append(r18dev)
            closers.append(r18dev.close)
        elif name == "nfo":
            providers.append(NfoProvider())
    return build_upstream_checks(settings, emby=emby, providers=providers), closers
