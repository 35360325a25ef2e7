"""Notifications through Apprise (``NOTIFY_URLS``): items that need a person, health changes
and a daily digest, from a worker that reads the database (see ``notifier.py``)."""

from __future__ import annotations

from emby_processor.config import Settings
from emby_processor.db import QueueDB
from emby_processor.errors import ConfigError
from emby_processor.notify.notifier import HealthReport, Notifier
from emby_processor.notify.sender import Delivery, InvalidNotifyUrl, Sender


def build_sender(settings: Settings) -> Sender:
    try:
        return Sender(settings.notify_urls)
    except InvalidNotifyUrl as error:
        raise ConfigError(f"invalid configuration: {error}") from None


def build_notifier(settings: Settings, db: QueueDB, health: HealthReport | None) -> Notifier:
    return Notifier(
        db, build_sender(settings), health=health, public_url=settings.public_url,
        batch_seconds=settings.notify_batch_seconds, digest_hour=settings.notify_digest_hour,
    )


__all__ = ["Delivery", "Notifier", "Sender", "build_notifier", "build_sender"]
