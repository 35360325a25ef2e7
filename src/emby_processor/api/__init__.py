"""The HTTP API and dashboard.

``emby_processor.api:app`` is built on first access from the environment by the composition
root (``composition.build_app``), so importing this package does no work; ``create_app``
builds one from explicit parts. Asking the composition root for the app is the one place the
API reaches above its layer (the import contracts in pyproject.toml name it).
"""

from __future__ import annotations

from typing import Any

from emby_processor.api.app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "app":
        from emby_processor.composition import build_app
        from emby_processor.config import load_settings

        built = build_app(load_settings())
        # cache it as a real attribute: later lookups no longer reach __getattr__
        globals()["app"] = built
        return built
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
