"""Files videos into the library (crash-safe, never overwriting) and writes their sidecars."""

from __future__ import annotations

from .filer import RecoveryOutcome, execute, plan, recover
from .images import ImageFetcher
from .intent import FileMode, MoveIntent, Step
from .organizer import ORGANIZE_MODES, Organizer
from .sidecars import SidecarResult, write_sidecars
from .template import DEFAULT_TEMPLATE, FIELDS, render_target, validate_template

__all__ = [
    "DEFAULT_TEMPLATE",
    "FIELDS",
    "ORGANIZE_MODES",
    "FileMode",
    "ImageFetcher",
    "MoveIntent",
    "Organizer",
    "RecoveryOutcome",
    "SidecarResult",
    "Step",
    "execute",
    "plan",
    "recover",
    "render_target",
    "validate_template",
    "write_sidecars",
]
