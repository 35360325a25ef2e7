"""Talking to the user's Emby or Jellyfin server: path mapping, dialects, client, push logic."""

from __future__ import annotations

from emby_processor.emby.client import EmbyClient, ServerInfo
from emby_processor.emby.dialect import EMBY, JELLYFIN, Dialect, detect
from emby_processor.emby.pathmap import PathMap
from emby_processor.emby.updater import EmbyPusher, PushResult, build_update, verify

__all__ = [
    "EMBY",
    "JELLYFIN",
    "Dialect",
    "EmbyClient",
    "EmbyPusher",
    "PathMap",
    "PushResult",
    "ServerInfo",
    "build_update",
    "detect",
    "verify",
]
