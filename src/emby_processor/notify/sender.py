"""Sending a message to every ``NOTIFY_URLS`` service through Apprise.

Apprise knows Discord, ntfy, Telegram, e-mail, Gotify, Matrix, plain JSON/form webhooks and
many more, each by its URL scheme. The URLs carry secrets (webhook tokens, passwords): only
Apprise's "privacy" form of a URL, with the secrets elided, is ever logged or returned.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import apprise

from emby_processor import __version__

logger = logging.getLogger("emby_processor.notify")

LEVELS = {"info": apprise.NotifyType.INFO, "warning": apprise.NotifyType.WARNING,
          "failure": apprise.NotifyType.FAILURE, "success": apprise.NotifyType.SUCCESS}


class InvalidNotifyUrl(ValueError):
    """One of NOTIFY_URLS is not a URL Apprise knows (the message names it by position only)."""


@dataclass(frozen=True)
class Delivery:
    service: str
    url: str  # with secrets elided
    ok: bool
    error: str | None = None


class Sender:
    def __init__(self, urls: Sequence[str]) -> None:
        asset = apprise.AppriseAsset(app_id="emby-processor",
                                     app_desc=f"emby-processor {__version__}")
        self._apprise = apprise.Apprise(asset=asset)
        for position, url in enumerate(urls, 1):
            if not self._apprise.add(url):
                raise InvalidNotifyUrl(
                    f"NOTIFY_URLS: entry {position} of {len(urls)} is not a notification URL "
                    "Apprise knows (see https://github.com/caronc/apprise/wiki)")

    def __len__(self) -> int:
        return len(self._apprise)

    def send(self, title: str, body: str, level: str = "info") -> list[Delivery]:
        """Send to every service; failures are logged and returned, never raised."""
        results = []
        for service in self._apprise:
            name = str(service.service_name)
            shown = str(service.url(privacy=True))  # type: ignore[no-untyped-call]
            capture = apprise.LogCapture(  # type: ignore[no-untyped-call]
                level=logging.WARNING, fmt="%(message)s")
            with capture as captured:
                try:
                    ok = bool(service.notify(body=body, title=title, notify_type=LEVELS[level]))
                except Exception as error:  # a plugin bug must not reach the caller
                    ok = False
                    logger.warning("notification to %s failed: %r", shown, error)
                text = str(captured.getvalue()).strip()
            error_text = None if ok else (text.splitlines()[-1] if text else "not delivered")
            if not ok:
                logger.warning("notification to %s (%s) failed: %s", name, shown, error_text)
            results.append(Delivery(name, shown, ok, error_text))
        return results
