"""Health: the monitor behind ``/api/health`` and the checks it runs."""

from emby_processor.health.checks import (
    CheckResult,
    EmbyLike,
    ProviderLike,
    UpstreamCheck,
    build_upstream_checks,
    disk_check,
    emby_check,
    folder_check,
    provider_check,
)
from emby_processor.health.monitor import (
    ALIVE_STATES,
    CRITICAL_CHECKS,
    EXPECTED_WORKERS,
    HealthMonitor,
    judge,
    overall_status,
    worker_view,
)
from emby_processor.vocabulary import CheckStatus

__all__ = [
    "ALIVE_STATES", "CRITICAL_CHECKS", "EXPECTED_WORKERS", "CheckResult", "CheckStatus",
    "EmbyLike", "HealthMonitor", "ProviderLike", "UpstreamCheck", "build_upstream_checks",
    "disk_check", "emby_check", "folder_check", "judge", "overall_status", "provider_check",
    "worker_view",
]
