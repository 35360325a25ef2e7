"""The clients of everything outside this process, built from the settings in one place."""

from __future__ import annotations

from dataclasses import dataclass

from emby_processor.config import Settings
from emby_processor.emby.client import EmbyClient
from emby_processor.organizer.images import ImageFetcher
from emby_processor.providers.base import MetadataProvider
from emby_processor.providers.chain import build_providers


@dataclass
class Upstreams:
    """The clients of everything outside this process."""

    providers: list[MetadataProvider]
    emby: EmbyClient | None
    images: ImageFetcher

    def close(self) -> None:
        for provider in self.providers:
            provider.close()
        if self.emby is not None:
            self.emby.close()
        self.images.close()


def build_upstreams(settings: Settings) -> Upstreams:
    providers = build_providers(
        list(settings.metadata_providers),
        metatube_url=settings.metatube_url,
        metatube_token=settings.metatube_token,
        r18dev_url=settings.r18dev_url,
        timeout=settings.provider_timeout_seconds,
    )
    emby = None
    if settings.emby_url and settings.emby_api_key:
        emby = EmbyClient(
            settings.emby_url, settings.emby_api_key, user_id=settings.emby_user_id,
            timeout=settings.provider_timeout_seconds,
        )
    return Upstreams(providers, emby, ImageFetcher(timeout=settings.provider_timeout_seconds))
