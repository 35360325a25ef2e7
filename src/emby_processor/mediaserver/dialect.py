"""The differences between Emby and Jellyfin that the client has to know about.

Everything else in the client is shared; docs/mediaserver.md ("Dialect differences") lists where
the two servers disagree, and each disagreement is one field here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

ServerKind = Literal["emby", "jellyfin"]


@dataclass(frozen=True)
class Dialect:
    kind: ServerKind
    #: path prefix in front of every API route
    prefix: str
    #: "path": the server filters /Items by Path=; "search": it ignores Path=, search and compare
    find_by: Literal["path", "search"]
    #: the DTO field the server stores tags in
    tags_field: Literal["TagItems", "Tags"]
    #: admin route listing users
    users_path: str

    def auth_headers(self, api_key: str) -> dict[str, str]:
        if self.kind == "jellyfin":
            # X-Emby-Token only works while Jellyfin's legacy auth is on (off in 12.0).
            return {"Authorization": f'MediaBrowser Token="{api_key}"'}
        return {"X-Emby-Token": api_key}

    def item_route(self, item_id: str, user_id: str) -> str:
        """The full single-item GET. Both servers have it in every version: Jellyfin 10.8 has
        no ``/Items/{id}``, and later versions keep this route up to 12.0."""
        return f"/Users/{user_id}/Items/{item_id}"

    def users_from(self, payload: Any) -> list[dict[str, Any]]:
        """The user list from the users route (Emby wraps it in a query result)."""
        if isinstance(payload, dict):
            payload = payload.get("Items")
        if not isinstance(payload, list):
            return []
        return [user for user in payload if isinstance(user, dict)]


EMBY = Dialect(
    kind="emby", prefix="/emby", find_by="path", tags_field="TagItems", users_path="/Users/Query"
)
JELLYFIN = Dialect(
    kind="jellyfin", prefix="", find_by="search", tags_field="Tags", users_path="/Users"
)


def detect(public_info: dict[str, Any]) -> Dialect:
    """Tell the server kind from ``/System/Info/Public``.

    Jellyfin names itself in ``ProductName``; Emby sends no product name, so anything else that
    looks like a server answer (it has a ``Version``) is taken to be Emby.
    """
    product = public_info.get("ProductName")
    if isinstance(product, str) and "jellyfin" in product.casefold():
        return JELLYFIN
    if isinstance(public_info.get("Version"), str) and public_info["Version"]:
        return EMBY
    raise ValueError(
        "the server's /System/Info/Public answer has no Version or ProductName; "
        "this does not look like Emby or Jellyfin"
    )
