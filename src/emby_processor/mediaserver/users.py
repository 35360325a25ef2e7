"""Which media-server user reads items back (docs/mediaserver.md, "Authentication").

Writes go through the API key, but the full single-item GET is a user's view: both servers
answer 404 for an item the user may not see (Jellyfin's ``ItemIsVisible``: the user's libraries,
then the parental limit, which a ``JP-18+`` rating exceeds the moment it is written). So the
reader is a user who sees every library, with no parental limit below 18 and no tag allow-list;
administrators first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

#: the age ``JP-18+`` stands for; a parental limit below it hides every movie we write
ADULT_AGE = 18


@dataclass(frozen=True)
class Reader:
    id: str
    name: str


def limits(user: dict[str, Any]) -> list[str]:
    """Why ``user`` may not see every movie we write; empty when it sees them all."""
    policy = user.get("Policy") or {}
    found: list[str] = []
    if policy.get("IsDisabled"):
        found.append("disabled")
    if policy.get("EnableAllFolders") is False or policy.get("BlockedMediaFolders"):
        found.append("limited to some libraries")
    limit = policy.get("MaxParentalRating")
    if isinstance(limit, int) and limit < ADULT_AGE:
        found.append(f"a parental limit of {limit}")
    if policy.get("AllowedTags") or policy.get("IncludeTags"):
        found.append("limited to items with some tags")
    return found


def choose_reader(users: Sequence[dict[str, Any]]) -> Reader | None:
    """The first user without limits, administrators before others; None when nobody fits."""
    fit = [u for u in users if u.get("Id") and not limits(u)]
    fit.sort(key=lambda u: not (u.get("Policy") or {}).get("IsAdministrator"))
    if not fit:
        return None
    return Reader(str(fit[0]["Id"]), str(fit[0].get("Name") or fit[0]["Id"]))


def nobody_sees(users: Sequence[dict[str, Any]]) -> str:
    """The sentence for when no user fits, naming what holds each one back."""
    held = "; ".join(f"{u.get('Name') or u.get('Id')}: {', '.join(limits(u))}" for u in users)
    return (
        f"no media-server user sees every library with no parental limit below {ADULT_AGE}"
        f" ({held or 'the API key sees no users'}), so no item can be read back; give one user"
        " that access, or set EMBY_USER_ID to one that has it"
    )
