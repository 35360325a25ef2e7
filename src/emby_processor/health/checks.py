"""The individual health checks: upstream probes (Emby, providers) and local folder and disk
checks. ``HealthMonitor`` in ``emby_processor.health`` runs them and applies the status rule.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from emby_processor.config import Settings
from emby_processor.errors import (
    EmbyProcessorError,
    ProcessingError,
    UpstreamAuthError,
    UpstreamError,
)
from emby_processor.vocabulary import CAUSES, CheckStatus


@dataclass(frozen=True)
class CheckResult:
    name: str
    status: CheckStatus
    message: str
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"status": self.status, "message": self.message, "details": self.details}


UpstreamCheck = Callable[[], CheckResult]


class EmbyLike(Protocol):
    def server_info(self) -> Any: ...

    def check_key(self) -> None: ...

    def reader(self, *, refresh: bool = False) -> Any: ...


class ProviderLike(Protocol):
    name: str

    def check(self) -> Any: ...


def emby_check(client: EmbyLike) -> UpstreamCheck:
    """Reachable, key accepted, which server it is, and a user who can read every movie back."""

    def run() -> CheckResult:
        try:
            info = client.server_info()
            # server_info is cached by the client; check_key is a real request every time
            client.check_key()
            reader = client.reader(refresh=True)
        except UpstreamAuthError as error:
            return CheckResult("emby", "error", f"API key rejected: {error}")
        except UpstreamError as error:
            return CheckResult("emby", "error", f"unreachable: {error}")
        except ProcessingError as error:
            if error.cause != "server_user":
                return CheckResult("emby", "error", str(error))
            # the words of the items that fail for it (cause server_user)
            return CheckResult("emby", "error", f"{CAUSES['server_user'].title}: {error}")
        except EmbyProcessorError as error:
            return CheckResult("emby", "error", str(error))
        details = {
            "server_name": str(getattr(info, "name", "")),
            "version": str(getattr(info, "version", "")),
            "product": str(getattr(info, "product", "")),
            "reader": str(getattr(reader, "name", "")),
        }
        # what links into the server's web app need (api/links.py)
        kind = getattr(getattr(info, "dialect", None), "kind", None)
        for key, value in (("kind", kind), ("server_id", getattr(info, "server_id", None))):
            if value:
                details[key] = str(value)
        message = f"{details['product']} {details['version']} '{details['server_name']}'"
        return CheckResult("emby", "ok", message, details)

    return run


def provider_check(provider: ProviderLike) -> UpstreamCheck:
    name = f"provider:{provider.name}"

    def run() -> CheckResult:
        result = provider.check()
        ok = bool(getattr(result, "ok", False))
        return CheckResult(name, "ok" if ok else "error", str(getattr(result, "message", "")))

    return run


def build_upstream_checks(
    settings: Settings, *, emby: EmbyLike | None = None, providers: Iterable[ProviderLike] = ()
) -> dict[str, UpstreamCheck]:
    """The checks for HealthMonitor from the objects the service already built."""
    checks: dict[str, UpstreamCheck] = {}
    if emby is not None:
        checks["emby"] = emby_check(emby)
    else:
        missing = CheckResult(
            "emby", "warning",
            "EMBY_URL and EMBY_API_KEY are not set: organised items wait at the Emby step"
            if not settings.emby_configured else "no Emby client was given to the dashboard",
        )
        checks["emby"] = lambda: missing
    for provider in providers:
        checks[f"provider:{provider.name}"] = provider_check(provider)
    return checks


def folder_check(name: str, path: Path, *, write: bool) -> CheckResult:
    mode = os.R_OK | os.X_OK | (os.W_OK if write else 0)
    if not path.exists():
        return CheckResult(name, "error", f"{path} does not exist", {"path": str(path)})
    if not path.is_dir():
        return CheckResult(name, "error", f"{path} is not a folder", {"path": str(path)})
    if not os.access(path, mode):
        what = "writable" if write else "readable"
        return CheckResult(name, "error", f"{path} is not {what}", {"path": str(path)})
    return CheckResult(name, "ok", f"{path} {'writable' if write else 'readable'}",
                       {"path": str(path)})


def disk_check(name: str, path: Path, minimum_mb: float) -> CheckResult:
    probe = path.absolute()
    # the folder may not exist yet (first start): measure the disk it will be created on
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    try:
        usage = shutil.disk_usage(probe)
    except OSError as error:
        return CheckResult(name, "error", f"cannot measure {path}: {error}")
    free_mb = usage.free / 1048576
    details = {"path": str(path), "free_bytes": usage.free, "total_bytes": usage.total}
    if free_mb < minimum_mb:
        return CheckResult(
            name, "error", f"{free_mb:.0f} MiB free on {path}, below {minimum_mb:g} MiB", details)
    return CheckResult(name, "ok", f"{free_mb / 1024:.1f} GiB free", details)
