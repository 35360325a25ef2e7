"""Proxies from the environment, as httpx itself reads them: ``HTTP_PROXY``, ``HTTPS_PROXY``,
``ALL_PROXY`` and ``NO_PROXY`` (upper or lower case).

httpx reads them only for the transports it builds; ours bound every socket operation with the
request's deadline (``bounds.DeadlineTransport``), so the same rules are applied here as mounts.
Loopback addresses never go through a proxy: a proxy elsewhere cannot reach this machine's own
services (a MetaTube server beside this one, say).
"""

from __future__ import annotations

import ipaddress
import urllib.request
from collections.abc import Callable, Mapping

import httpx

#: always direct, whatever NO_PROXY says
LOOPBACK = ("localhost", "127.0.0.1", "[::1]")


def proxy_mounts(
    make: Callable[[str | None], httpx.BaseTransport],
    environ: Mapping[str, str] | None = None,
) -> dict[str, httpx.BaseTransport | None]:
    """httpx ``mounts``: a proxied transport (``make(proxy_url)``) per scheme with a proxy, and
    ``None`` (the client's direct transport) for the hosts that bypass it; empty without
    proxies."""
    env = _environment(environ)
    mounts: dict[str, httpx.BaseTransport | None] = {}
    for scheme in ("http", "https"):
        url = env.get(scheme) or env.get("all")
        if url and url.startswith(("http://", "https://")):
            mounts[f"{scheme}://"] = make(url)
    if not mounts:
        return {}
    bypass = [host.strip() for host in env.get("no", "").split(",") if host.strip()]
    if "*" in bypass:
        return {}
    for host in (*LOOPBACK, *bypass):
        mounts[_pattern(host)] = None
    return mounts


def _environment(environ: Mapping[str, str] | None) -> dict[str, str]:
    if environ is None:
        return urllib.request.getproxies_environment()
    found: dict[str, str] = {}
    for name, value in environ.items():
        if value and name.lower().endswith("_proxy"):
            found[name.lower()[: -len("_proxy")]] = value
    return found


def _pattern(host: str) -> str:
    """The mount pattern httpx uses for a NO_PROXY entry."""
    if "://" in host:
        return host
    bare = host.strip("[]")
    try:
        address = ipaddress.ip_address(bare)
    except ValueError:
        return "all://localhost" if host.lower() == "localhost" else f"all://*{host.lstrip('.')}"
    return f"all://[{bare}]" if address.version == 6 else f"all://{bare}"
