"""Talking to the user's Emby or Jellyfin server: HTTP calls, dialects, path map, DTOs."""

from __future__ import annotations

from emby_processor.mediaserver.client import MediaServerClient, ServerInfo
from emby_processor.mediaserver.dialect import EMBY, JELLYFIN, Dialect, detect
from emby_processor.mediaserver.dto import build_update, verify
from emby_processor.mediaserver.pathmap import PathMap

__all__ = [
    "EMBY",
    "JELLYFIN",
    "Dialect",
    "MediaServerClient",
    "PathMap",
    "ServerInfo",
    "build_update",
    "detect",
    "verify",
]
