"""The HTTP calls to Emby and Jellyfin, one dialect-aware surface for both (docs/mediaserver.md).

Only requests and answers live here; what to send and in which order is the publish stage's
(``pipeline/publish.py``), what a DTO should contain is ``dto.py``'s. Requests go through the HTTP
client factory (deadline, size cap, error translation); every unhappy status is translated here,
so the stage only has to look at ``kind``: transient (network, timeouts, 429, 5xx) is retried
with backoff, permanent (bad key, item gone, request refused) waits for a person.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from emby_processor.errors import MediaServerError, PermanentError, UpstreamAuthError
from emby_processor.httpclient import HttpClientFactory, HttpLimits, Reply
from emby_processor.mediaserver.dialect import Dialect, detect

#: statuses that say "try again later" rather than "this request is wrong"
_TRANSIENT_STATUSES = frozenset({408, 425, 429})
#: how many of the newest items to scan when Jellyfin's name search misses a new file
_RECENT_ITEMS = 100


@dataclass(frozen=True)
class ServerInfo:
    name: str
    version: str
    product: str
    dialect: Dialect
    server_id: str = ""


def _snippet(text: str, limit: int = 160) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _file_stem(server_path: str) -> str:
    name = re.split(r"[\\/]", server_path)[-1]
    return name.rsplit(".", 1)[0] if "." in name else name


def _normalise_base(base_url: str) -> str:
    base = base_url.strip().rstrip("/")
    # Users often paste Emby's ".../emby" URL; the prefix is the dialect's business.
    if base.lower().endswith("/emby"):
        base = base[: -len("/emby")]
    return base


class MediaServerClient:
    """One connection pool per server. Safe to share between worker threads."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        user_id: str | None = None,
        http: HttpClientFactory | None = None,
        timeout: float = 30.0,
    ) -> None:
        self._base = _normalise_base(base_url)
        self._api_key = api_key
        self._user_id = user_id or None
        self._info: ServerInfo | None = None
        http = http or HttpClientFactory(HttpLimits(read_timeout=timeout, deadline=4 * timeout))
        self._http = http.client(
            "emby", self._base, headers={"Accept": "application/json"}, error=MediaServerError,
            follow_redirects=False,
        )

    # -- plumbing ---------------------------------------------------------------------------

    @property
    def _service(self) -> str:
        return self._info.dialect.kind if self._info else "emby"

    def _send(
        self,
        method: str,
        route: str,
        *,
        auth: bool = True,
        prefix: str | None = None,
        not_found: str | None = None,
        check: bool = True,
        **kwargs: Any,
    ) -> Reply:
        headers: dict[str, str] = dict(kwargs.pop("headers", None) or {})
        if auth:
            dialect = self.server_info().dialect
            headers.update(dialect.auth_headers(self._api_key))
            prefix = dialect.prefix if prefix is None else prefix
        url = (prefix or "") + route
        response = self._http.request(method, url, headers=headers, service=self._service,
                                      **kwargs)
        if check:
            self._raise_for_status(response, f"{method} {url}", not_found)
        return response

    def _raise_for_status(self, response: Reply, what: str, not_found: str | None) -> None:
        status = response.status_code
        if status < 300:
            return
        body = _snippet(response.text)
        detail = f"{what}: HTTP {status}" + (f" {body!r}" if body else "")
        if status == 401:
            raise UpstreamAuthError(
                self._service, f"the API key was rejected ({detail}); check EMBY_API_KEY",
                cause="server_auth",
            )
        if status == 403:
            raise UpstreamAuthError(
                self._service,
                f"the API key is not allowed to do this ({detail}); use an admin key",
                cause="server_auth",
            )
        if status == 404 and not_found:
            raise PermanentError(f"{self._service}: {not_found} ({detail})", cause="item_gone")
        if status >= 500 or status in _TRANSIENT_STATUSES:
            raise MediaServerError(
                self._service,
                detail,
                retry_after=response.retry_after,
            )
        raise PermanentError(f"{self._service}: request refused, {detail}", cause="server_refused")

    def _json(self, response: Reply) -> Any:
        try:
            return response.json()
        except ValueError:
            kind = response.headers.get("Content-Type") or "no content type"
            raise MediaServerError(
                self._service,
                f"{response.method} {response.path} answered {kind}, "
                f"not JSON: {_snippet(response.text)!r}; is EMBY_URL the media server?",
            ) from None

    def _get_json(self, route: str, **kwargs: Any) -> Any:
        return self._json(self._send("GET", route, **kwargs))

    def _get_object(self, route: str, **kwargs: Any) -> dict[str, Any]:
        payload = self._get_json(route, **kwargs)
        if not isinstance(payload, dict):
            raise MediaServerError(self._service, f"GET {route} answered {type(payload).__name__}")
        return payload

    # -- identity ---------------------------------------------------------------------------

    def server_info(self) -> ServerInfo:
        """Name, version and dialect from ``/System/Info/Public`` (asked once, then cached)."""
        if self._info is not None:
            return self._info
        payload = self._public_info()
        try:
            dialect = detect(payload)
        except ValueError as exc:
            raise MediaServerError(self._service, str(exc)) from None
        default_product = "Jellyfin Server" if dialect.kind == "jellyfin" else "Emby Server"
        product = str(payload.get("ProductName") or default_product)
        self._info = ServerInfo(
            name=str(payload.get("ServerName") or ""),
            version=str(payload.get("Version") or ""),
            product=product,
            dialect=dialect,
            server_id=str(payload.get("Id") or ""),
        )
        return self._info

    def _public_info(self) -> dict[str, Any]:
        # Jellyfin answers at the root; Emby always under /emby (and maybe at the root too).
        route = "/System/Info/Public"
        response: Reply | None = None
        for prefix in ("", "/emby"):
            response = self._send("GET", route, auth=False, prefix=prefix, check=False)
            if response.status_code == 404 or response.is_redirect:
                continue
            self._raise_for_status(response, f"GET {prefix}{route}", None)
            try:
                payload = response.json()
            except ValueError:
                continue  # e.g. a web UI page at the root; the /emby route may still answer
            if isinstance(payload, dict):
                return payload
        assert response is not None
        self._raise_for_status(response, f"GET {route}", f"no {route} here; check EMBY_URL")
        self._json(response)  # raises the readable "not JSON" error if that was the problem
        raise MediaServerError(self._service, f"GET {route} did not answer with a JSON object")

    def check_key(self) -> None:
        """Raise UpstreamAuthError unless the API key is accepted."""
        self._send("GET", "/System/Info")

    def resolve_user_id(self) -> str:
        """The configured user id, or the first administrator the key can see."""
        if self._user_id:
            return self._user_id
        dialect = self.server_info().dialect
        users = dialect.users_from(self._get_json(dialect.users_path))
        for user in users:
            policy = user.get("Policy") or {}
            if policy.get("IsAdministrator") and user.get("Id"):
                self._user_id = str(user["Id"])
                return self._user_id
        raise PermanentError(
            f"{self._service}: no administrator among the {len(users)} users the API key can "
            "see; set EMBY_USER_ID", cause="server_user",
        )

    # -- library ----------------------------------------------------------------------------

    def announce(self, server_path: str) -> None:
        """Tell the server a file appeared; it scans the folder after its monitor delay."""
        body = {"Updates": [{"Path": server_path, "UpdateType": "Created"}]}
        self._send("POST", "/Library/Media/Updated", json=body)

    def find_item(self, server_path: str, *, search_term: str | None = None) -> str | None:
        """The id of the movie/video whose Path is exactly ``server_path``, if indexed.

        Emby filters by path. Jellyfin cannot, so it is asked by name (``search_term``, usually
        the code, then the file name a new item is named after), then for the newest items.
        """
        dialect = self.server_info().dialect
        base = {
            "Recursive": "true",
            "IncludeItemTypes": "Movie,Video",
            "Fields": "Path,ProviderIds,Tags",
        }
        if dialect.find_by == "path":
            queries = [{**base, "Path": server_path}]
        else:
            terms = dict.fromkeys(t for t in (search_term, _file_stem(server_path)) if t)
            queries = [{**base, "SearchTerm": term} for term in terms]
            queries.append({**base, "SortBy": "DateCreated", "SortOrder": "Descending",
                            "Limit": str(_RECENT_ITEMS)})
        for params in queries:
            for item in self._get_object("/Items", params=params).get("Items") or []:
                # Jellyfin ignores Path= and search is fuzzy: only an exact path is a match.
                if isinstance(item, dict) and item.get("Path") == server_path and item.get("Id"):
                    return str(item["Id"])
        return None

    def get_item(self, item_id: str) -> dict[str, Any]:
        """The full DTO, the only safe base for a full-replace update."""
        route, params = self.server_info().dialect.item_route(item_id, self.resolve_user_id())
        return self._get_object(route, params=params, not_found=f"item {item_id} gone")

    def update_item(self, item_id: str, dto: dict[str, Any]) -> None:
        """Replace the item's metadata with ``dto`` (missing fields are cleared)."""
        self._send("POST", f"/Items/{item_id}", json=dto, not_found=f"item {item_id} gone")

    def upload_image(
        self, item_id: str, image_type: str, data: bytes, content_type: str
    ) -> None:
        if not content_type.startswith("image/"):
            raise ValueError(f"image content type must be image/*, not {content_type!r}")
        self._send(
            "POST",
            f"/Items/{item_id}/Images/{image_type}",
            content=base64.b64encode(data),
            headers={"Content-Type": content_type},
            not_found=f"item {item_id} gone",
        )

    def find_person(self, name: str) -> dict[str, Any] | None:
        """The person item called ``name`` (exact, else case-insensitive), if the server has one."""
        # Search instead of /Persons/{Name}: names with '/', '?' or '&' need per-server escaping.
        payload = self._get_object("/Persons", params={"SearchTerm": name})
        people = [p for p in payload.get("Items") or [] if isinstance(p, dict)]
        exact = [p for p in people if p.get("Name") == name]
        loose = [p for p in people if str(p.get("Name", "")).casefold() == name.casefold()]
        return next(iter(exact or loose), None)

    # -- lifetime ---------------------------------------------------------------------------

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> MediaServerClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
