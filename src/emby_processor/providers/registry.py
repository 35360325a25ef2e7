"""Which metadata providers exist: every module of this package that declares ``PROVIDER``.

A provider module ends with one ``ProviderSpec``: its name (what ``METADATA_PROVIDERS`` lists),
the settings it reads and how it is built from them. Nothing else names the providers, so adding
one is its module, its test fake and its section in docs/providers.md (docs/development.md,
"Adding a provider").
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache

from emby_processor.config import Settings
from emby_processor.errors import ConfigError
from emby_processor.httpclient import HttpClientFactory
from emby_processor.providers.base import MetadataProvider
from emby_processor.providers.channels import ChannelBook

log = logging.getLogger(__name__)

@dataclass(frozen=True)
class ProviderTools:
    """What the composition root hands every provider it builds."""

    #: the one HTTP client factory
    http: HttpClientFactory
    #: the DMM channel prefixes known per label (shipped, learned), shared by the providers
    channels: ChannelBook = field(default_factory=ChannelBook)


Build = Callable[[Settings, ProviderTools], MetadataProvider | None]


@dataclass(frozen=True)
class ProviderSpec:
    #: the name in METADATA_PROVIDERS (lower case)
    name: str
    #: the settings (environment variables) it reads
    settings: tuple[str, ...]
    #: builds it from the settings; returns None (and logs why) when it cannot run as set up
    build: Build
    #: one line for people: what it asks
    summary: str = ""


@cache
def specs() -> dict[str, ProviderSpec]:
    """Every provider, by name, found in this package's modules."""
    package = importlib.import_module(__package__ or "emby_processor.providers")
    found: dict[str, ProviderSpec] = {}
    for module_info in pkgutil.iter_modules(package.__path__):
        if module_info.name.startswith("_") or module_info.name == "registry":
            continue
        module = importlib.import_module(f"{package.__name__}.{module_info.name}")
        spec = getattr(module, "PROVIDER", None)
        if isinstance(spec, ProviderSpec):
            if spec.name in found:
                raise RuntimeError(f"two providers are called {spec.name!r}")
            found[spec.name] = spec
    return dict(sorted(found.items()))


def known_names() -> list[str]:
    return list(specs())


def check_names(names: Sequence[str]) -> list[str]:
    """``names`` normalised (stripped, lower case, blanks dropped); ConfigError naming
    METADATA_PROVIDERS for a name no module declares."""
    known = specs()
    normalised: list[str] = []
    for raw in names:
        name = raw.strip().lower()
        if not name:
            continue
        if name not in known:
            raise ConfigError(
                f"METADATA_PROVIDERS: unknown provider {raw!r} (known: {', '.join(known)})")
        normalised.append(name)
    return normalised


def build_providers(
    names: Sequence[str], settings: Settings, http: HttpClientFactory,
    channels: ChannelBook | None = None,
) -> list[MetadataProvider]:
    """The providers in ``names`` order; those that cannot run as set up are left out."""
    tools = ProviderTools(http, channels or ChannelBook())
    built: list[MetadataProvider] = []
    for name in check_names(names):
        provider = specs()[name].build(settings, tools)
        if provider is not None:
            built.append(provider)
    return built
