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
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from emby_processor.errors import MediaServerError, PermanentError, UpstreamAuthError
from emby_processor.httpclient import HttpClientFactory, HttpLimits, Reply
from emby_processor.httpclient.closing import Closing
from emby_processor.mediaserver.dialect import Dialect, detect
from emby_processor.mediaserver.pathmap import same_server_path
from emby_processor.mediaserver.users import Reader, choose_reader, nobody_sees

#: statuses that say "try again later" rather than "this request is wrong"
_TRANSIENT_STATUSES = frozenset({408, 425, 429})
#: how many of the newest items to scan when Jellyfin's name search misses a new file
_RECENT_ITEMS = 100


class ItemGone(PermanentError):
    """The server answered 404 for an item id: gone, or not visible to the reading user."""

    cause = "item_gone"


class ServerFault(MediaServerError):
    """The server answered 5xx. Emby answers 500 to a write to an unknown item id, so the
    publish stage looks for the file's item again before it calls this an outage."""

    def __init__(self, service: str, message: str, *, status: int,
                 retry_after: float | None = None) -> None:
        super().__init__(service, message, retry_after=retry_after)
        self.status = status


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


class MediaServerClient(Closing):
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
        self._reader: Reader | None = None
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
            raise ItemGone(f"{self._service}: {not_found} ({detail})")
        if status >= 500:
            raise ServerFault(self._service, detail, status=status,
                              retry_after=response.retry_after)
        if status in _TRANSIENT_STATUSES:
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

    def reader(self, *, refresh: bool = False) -> Reader:
        """The user items are read as: ``EMBY_USER_ID`` when set, else the first user who sees
        every library with no parental limit below 18 (``users.choose_reader``). A choice is
        kept until ``refresh`` or ``forget_reader``; a failed one is asked again next time."""
        if self._user_id:
            return Reader(self._user_id, self._user_id)
        if self._reader is not None and not refresh:
            return self._reader
        dialect = self.server_info().dialect
        users = dialect.users_from(self._get_json(dialect.users_path))
        chosen = choose_reader(users)
        if chosen is None:
            raise PermanentError(f"{self._service}: {nobody_sees(users)}", cause="server_user")
        self._reader = chosen
        return chosen

    def forget_reader(self) -> None:
        """Choose the reading user again on the next read (its rights may have changed)."""
        self._reader = None

    def resolve_user_id(self) -> str:
        return self.reader().id

    # -- library ----------------------------------------------------------------------------

    def announce(self, server_paths: Sequence[str]) -> None:
        """Tell the server files appeared; it scans their folder after its monitor delay."""
        body = {"Updates": [{"Path": path, "UpdateType": "Created"} for path in server_paths]}
        self._send("POST", "/Library/Media/Updated", json=body)

    def find_items(
        self, server_paths: Sequence[str], *, search_term: str | None = None,
        by_name: bool = False,
    ) -> dict[str, str]:
        """The ids of the movies/videos whose Path is one of ``server_paths``, by wanted path.

        Paths are compared as the server may spell them (``same_server_path``: a Windows
        server's case and separators, the Unicode form). Emby filters by path; with ``by_name``
        it is also searched by name, for a server whose filter does not match our spelling.
        Jellyfin cannot filter by path, so it is always asked by name (``search_term``, usually
        the code, then the file names a new item is named after), then for the newest items.
        """
        base = {"Recursive": "true", "IncludeItemTypes": "Movie,Video",
                "Fields": "Path,ProviderIds,Tags"}
        queries: list[dict[str, str]] = []
        if self.server_info().dialect.find_by == "path":
            queries = [{**base, "Path": path} for path in server_paths]
        if by_name or not queries:
            terms = dict.fromkeys(t for t in (search_term, *map(_file_stem, server_paths)) if t)
            queries += [{**base, "SearchTerm": term} for term in terms]
            queries.append({**base, "SortBy": "DateCreated", "SortOrder": "Descending",
                            "Limit": str(_RECENT_ITEMS)})
        found: dict[str, str] = {}
        for params in queries:
            for item in self._get_object("/Items", params=params).get("Items") or []:
                # Jellyfin ignores Path= and search is fuzzy: only the path decides.
                if not isinstance(item, dict) or not item.get("Id"):
                    continue
                for wanted in server_paths:
                    if same_server_path(str(item.get("Path") or ""), wanted):
                        found.setdefault(wanted, str(item["Id"]))
            if len(found) == len(set(server_paths)):
                break
        return found

    def find_item(self, server_path: str, *, search_term: str | None = None) -> str | None:
        """The id of the movie/video at ``server_path``, if indexed (see ``find_items``)."""
        return self.find_items([server_path], search_term=search_term).get(server_path)

    def additional_parts(self, item_id: str) -> list[str]:
        """The paths of a stacked movie's other parts (its own Path is the first part)."""
        payload = self._get_object(f"/Videos/{item_id}/AdditionalParts",
                                   params={"UserId": self.reader().id},
                                   not_found=f"item {item_id} gone")
        return [str(part["Path"]) for part in payload.get("Items") or []
                if isinstance(part, dict) and part.get("Path")]

    def get_item(self, item_id: str) -> dict[str, Any]:
        """The full DTO, the only safe base for a full-replace update."""
        route = self.server_info().dialect.item_route(item_id, self.reader().id)
        return self._get_object(route, not_found=f"item {item_id} gone")

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

