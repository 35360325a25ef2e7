"""Links from the dashboard into the media server's own web app.

The address is ``EMBY_URL`` (the one the service talks to); the server's kind, version and id
come from the health report's ``emby`` check, so building a link costs no request.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from emby_processor.config import Settings


def server_link(settings: Settings, details: dict[str, Any], emby_id: str | None) -> str | None:
    """The item's page in Emby's or Jellyfin's web app; None when it cannot be made.

    ``details`` are the ``emby`` health check's (kind, product, version, server id)."""
    if not emby_id or not settings.emby_url:
        return None
    base = settings.emby_url.strip().rstrip("/")
    if base.lower().endswith("/emby"):
        base = base[: -len("/emby")]
    kind = str(details.get("kind") or "")
    product = str(details.get("product") or "")
    server_id = quote(str(details.get("server_id") or ""), safe="")
    item = quote(emby_id, safe="")
    suffix = f"&serverId={server_id}" if server_id else ""
    if kind == "jellyfin" or "jellyfin" in product.lower():
        # 10.9 moved the web app's routes from "#!/" to "#/"
        bang = "!" if str(details.get("version") or "").startswith("10.8") else ""
        return f"{base}/web/#{bang}/details?id={item}{suffix}"
    return f"{base}/web/index.html#!/item?id={item}{suffix}"
