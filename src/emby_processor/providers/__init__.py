"""Metadata providers: product code -> normalised ``MovieMetadata``.

``build_providers`` makes the configured providers, ``ProviderChain`` asks them in order.
"""

from emby_processor.providers.base import MetadataProvider, ProviderStatus
from emby_processor.providers.chain import ProviderChain, build_providers
from emby_processor.providers.codes import codes_match, normalize_code
from emby_processor.providers.metatube import MetaTubeProvider
from emby_processor.providers.nfo import NfoProvider
from emby_processor.providers.r18dev import R18DevProvider

__all__ = [
    "MetaTubeProvider",
    "MetadataProvider",
    "NfoProvider",
    "ProviderChain",
    "ProviderStatus",
    "R18DevProvider",
    "build_providers",
    "codes_match",
    "normalize_code",
]
