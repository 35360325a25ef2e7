"""Metadata providers: product code -> normalised ``MovieMetadata``.

``registry.build_providers`` makes the configured ones (each provider module declares a
``PROVIDER`` spec), ``ProviderChain`` asks them in order.
"""

from emby_processor.providers.base import MetadataProvider, ProviderStatus
from emby_processor.providers.codes import codes_match, normalize_code

__all__ = ["MetadataProvider", "ProviderStatus", "codes_match", "normalize_code"]
