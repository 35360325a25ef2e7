"""A fake Emby / Jellyfin server, built from their OpenAPI files and source (docs/compatibility.md).

It is strict where the real servers bite: ``POST /Items/{id}`` is a full replace (missing fields
are cleared; Jellyfin answers 500 "Error processing request." without Tags/ProviderIds/Genres),
Emby keeps tags only in ``TagItems``, Jellyfin ignores ``Path=`` and 404s a single-item GET
without ``userId``, new files appear only ``index_delay`` seconds after being announced, and each
dialect accepts only its own auth forms.

Serve it with ``tests.fakes.server.serve(fake.app)``. Switches for fault tests: ``down`` (503 with
Retry-After, or ``down_mode="close"`` to cut connections), ``fail_next(n, status)``, ``delay``,
``ignore_fields`` (accept but silently drop fields on update). Every request is in ``requests``.

Switches for what real servers do (docs/compatibility.md; the rules are in
``tests/fakes/mediaserver_rules.py``), all off by default:

- ``stacking``: files named ``<name>-cd1``/``-part2``/``-pt1``/``-disc2``/``-dvd1`` in one folder
  are ONE Movie whose ``Path`` is the first part; the DTO carries ``PartCount`` and
  ``GET /Videos/{id}/AdditionalParts`` lists the others; no item exists for their paths. An
  announce makes the server scan the whole folder (everything announced there is indexed
  together); a part indexed later restacks the folder, which removes a part's own item.
- ``split_pipes``: Genres, Studios and Tags are stored joined with ``|`` and split on read, so
  a genre ``A|B`` comes back as ``A`` and ``B``.
- ``shared_names``: genres, studios and tags are shared items-by-name (Emby): a written
  ``big tits`` comes back in the casing of an existing ``Big Tits``.
- ``unknown_item_status = 500``: ``POST /Items/{id}`` for an unknown id answers 500 (a null
  dereference, as the last open-source Emby did) instead of 404.
- ``set_jellyfin_version("10.8" | "10.9" | "10.10" | "10.11" | "12")``: 10.8 has no
  ``GET /Items/{id}`` (only ``/Users/{userId}/Items/{itemId}``, which every version has); 10.x
  strips a leading ``/emby`` and accepts the legacy ``X-Emby-Token``/``api_key``; 12 does not.
- Visibility is always enforced and needs no switch: ``add_user(..., libraries=[...],
  max_parental_rating=...)`` makes a user limited to some libraries or with a parental limit; a
  single-item GET as that user answers 404 for an item it may not see (``JP-18+`` counts as 18).
- ``reindex(path)`` / ``reindex_on_next_read(path)``: the library re-scan gives the file a new
  item id (the old id becomes unknown), now or right after the next single-item GET of it.
- ``windows_paths``: a server on Windows (case-insensitive file system, either separator). An
  announced path under a library root in any case or separator is scanned, and the item's
  ``Path`` is spelled as the server enumerates the folder: the root as the library has it, then
  ``\\`` separators. ``Path=`` stays an exact string filter (Emby's handling is unknown).
"""

from __future__ import annotations

import asyncio
import itertools
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Literal

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount, Route

from tests.fakes.emby_handlers import Handlers
from tests.fakes.emby_model import Kind, query
from tests.fakes.mediaserver_rules import JELLYFIN_VERSIONS, JellyfinVersion, SharedNames

ASGIScope = dict[str, Any]


@dataclass
class LoggedRequest:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes
    at: float = field(default_factory=time.monotonic)


@dataclass
class _Failure:
    remaining: int
    status: int
    path: str | None
    retry_after: int | None
    close: bool


class FakeMediaServer(Handlers):
    def __init__(
        self,
        dialect: Kind = "emby",
        api_key: str = "fake-api-key",
        index_delay: float = 0.0,
        version: str | None = None,
        *,
        legacy_auth: bool = False,
        server_name: str = "fake-nas",
    ) -> None:
        self.dialect: Kind = dialect
        self.api_key = api_key
        self.index_delay = index_delay
        self.version = version or ("4.8.11.0" if dialect == "emby" else "10.11.11")
        #: Jellyfin only: also accept X-Emby-Token / api_key (on by default before 12.0)
        self.legacy_auth = legacy_auth
        self.server_name = server_name
        self.server_id = uuid.uuid4().hex
        self.prefix = "/emby" if dialect == "emby" else ""
        # switches
        self.down = False
        self.down_mode: Literal["503", "close"] = "503"
        self.retry_after: int | None = 5
        self.delay = 0.0
        self.ignore_fields: set[str] = set()
        # what real servers do (see the module docstring)
        self.stacking = False
        self.split_pipes = False
        self.shared_names = False
        self.unknown_item_status = 404
        self.windows_paths = False
        self.jellyfin: JellyfinVersion | None = None
        self._shared = SharedNames()
        self._reindex_after_read: set[str] = set()
        self._library_ids: dict[str, str] = {}
        # state
        self.requests: list[LoggedRequest] = []
        self.announced: list[str] = []
        self._failures: list[_Failure] = []
        self._lock = threading.RLock()
        self._items: dict[str, dict[str, Any]] = {}
        self._persons: dict[str, dict[str, Any]] = {}
        self._images: dict[tuple[str, str], bytes] = {}
        self._roots: list[str] = []
        self._pending: list[tuple[float, str]] = []
        self._numbers = itertools.count(10000)
        self._created = itertools.count(1)
        self._name_ids: dict[str, str] = {}
        self.users = [
            self._user("viewer", admin=False),
            self._user("admin", admin=True),
        ]
        self.admin_user_id = str(self.users[1]["Id"])
        routes = self._routes()

        # A plain function, not a bound method: uvicorn only recognises those as ASGI 3.
        async def app(scope: ASGIScope, receive: Any, send: Any) -> None:
            await self._handle(scope, receive, send)

        #: the ASGI app to serve
        self.app = app
        self._router = Starlette(routes=[Mount(self.prefix, routes=routes)] if self.prefix
                                 else routes)

    # -- test-facing API --------------------------------------------------------------------

    def add_library_root(self, server_prefix: str) -> str:
        """A folder the server's libraries cover; announced paths elsewhere are ignored.

        Returns the library's id (what a user policy's ``EnabledFolders`` lists)."""
        root = server_prefix.rstrip("/\\") or server_prefix
        with self._lock:
            self._roots.append(root)
            return self._library_ids.setdefault(root, uuid.uuid5(uuid.NAMESPACE_URL, root).hex)

    def add_user(
        self,
        name: str,
        *,
        admin: bool = True,
        libraries: list[str] | None = None,
        max_parental_rating: int | None = None,
        first: bool = False,
    ) -> str:
        """A user limited to ``libraries`` (root paths; None = all) and/or a parental limit.

        ``first`` puts it at the head of the user list, where a client picking "the first
        administrator" finds it."""
        with self._lock:
            user = self._user(name, admin=admin)
            if libraries is not None:
                user["Policy"].update(EnableAllFolders=False, EnabledFolders=[
                    self._library_ids[root.rstrip("/\\")] for root in libraries])
            if max_parental_rating is not None:
                user["Policy"]["MaxParentalRating"] = max_parental_rating
            self.users.insert(0 if first else len(self.users), user)
            return str(user["Id"])

    def set_jellyfin_version(self, mode: str) -> None:
        """Behave as that Jellyfin version: one of ``JELLYFIN_VERSIONS`` (10.8 … 12)."""
        if self.dialect != "jellyfin":
            raise ValueError("Jellyfin versions apply to the jellyfin dialect")
        with self._lock:
            self.jellyfin = JELLYFIN_VERSIONS[mode]
            self.version = self.jellyfin.version
            self.legacy_auth = self.jellyfin.legacy_auth

    def item_for(self, server_path: str) -> dict[str, Any] | None:
        """The item that holds ``server_path``: as its Path or as one of its stacked parts."""
        with self._lock:
            self._index_due()
            for item in self._items.values():
                if server_path == item["Path"] or server_path in item.get("_parts", ()):
                    return self._render(item)
            return None

    def reindex(self, server_path: str) -> str:
        """The library re-scan replaced the item at ``server_path``: a fresh item, a new id."""
        with self._lock:
            old = next(i for i in self._items.values() if i["Path"] == server_path)
            del self._items[old["Id"]]
            item = self._new_item(server_path)
            self._items[item["Id"]] = item
            return str(item["Id"])

    def reindex_on_next_read(self, server_path: str) -> None:
        """Right after the next single-item GET of that path's item, ``reindex`` it."""
        with self._lock:
            self._reindex_after_read.add(server_path)

    def fail_next(
        self,
        n: int,
        status: int = 500,
        *,
        path: str | None = None,
        retry_after: int | None = None,
        close: bool = False,
    ) -> None:
        """The next ``n`` requests (whose path contains ``path``, if given) fail this way."""
        with self._lock:
            self._failures.append(_Failure(n, status, path, retry_after, close))

    def add_item(self, server_path: str, **fields: Any) -> str:
        """Seed an already indexed item; ``fields`` override the defaults (internal shape:
        Tags/Genres/Studios as lists of names)."""
        with self._lock:
            item = self._new_item(server_path)
            item.update(fields)
            for key, kind in (("Genres", "genre"), ("Studios", "studio"), ("Tags", "tag")):
                item[key] = self._stored(kind, item[key])
            self._items[item["Id"]] = item
            return str(item["Id"])

    def add_person(self, name: str, image: bytes | None = None) -> str:
        with self._lock:
            person = self._person(name)
            if image is not None:
                self._store_image(person, "Primary", image)
            return str(person["Id"])

    def get(self, item_id: str) -> dict[str, Any]:
        """The full DTO exactly as the single-item GET would return it."""
        with self._lock:
            self._index_due()
            return self._render(self._items.get(item_id) or self._persons_by_id()[item_id])

    def items_by_path(self) -> dict[str, dict[str, Any]]:
        with self._lock:
            self._index_due()
            return {item["Path"]: self._render(item) for item in self._items.values()}

    def image(self, item_id: str, image_type: str = "Primary") -> bytes | None:
        with self._lock:
            return self._images.get((item_id, image_type))

    def person(self, name: str) -> dict[str, Any] | None:
        with self._lock:
            person = self._persons.get(name.casefold())
            return self._render(person) if person else None

    def requests_to(self, fragment: str, method: str | None = None) -> list[LoggedRequest]:
        with self._lock:
            return [r for r in self.requests
                    if fragment in r.path and (method is None or r.method == method)]

    # -- ASGI entry: faults first, then the routes --------------------------------------------

    async def _handle(self, scope: ASGIScope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        with self._lock:
            self.requests.append(LoggedRequest(
                scope["method"], scope["path"], scope["query_string"].decode("latin-1"),
                headers, body,
            ))
            failure = self._take_failure(scope["path"])
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.down or failure:
            close = failure.close if failure else self.down_mode == "close"
            if close:
                # Start a response and hang up mid-body: the client sees a broken connection.
                await send({"type": "http.response.start", "status": 200,
                            "headers": [(b"content-length", b"100")]})
                await send({"type": "http.response.body", "body": b"{", "more_body": True})
                return
            status = failure.status if failure else 503
            retry = failure.retry_after if failure else self.retry_after
            extra = {"Retry-After": str(retry)} if retry is not None else {}
            await PlainTextResponse("Service Unavailable" if status == 503 else "fault",
                                    status, headers=extra)(scope, receive, send)
            return

        if (self.jellyfin and self.jellyfin.strips_emby
                and re.match(r"/emby(/|$)", scope["path"], re.IGNORECASE)):
            # Jellyfin 10.x serves old Emby clients by dropping the prefix; 12.0 does not
            scope = {**scope, "path": scope["path"][5:] or "/",
                     "raw_path": scope.get("raw_path", b"")[5:] or b"/"}
        replayed = False

        async def replay() -> dict[str, Any]:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            result: dict[str, Any] = await receive()
            return result

        await self._router(scope, replay, send)

    def _take_failure(self, path: str) -> _Failure | None:
        for failure in self._failures:
            if failure.remaining > 0 and (failure.path is None or failure.path in path):
                failure.remaining -= 1
                return failure
        return None

    # -- routing, auth and error shapes -------------------------------------------------------

    def _routes(self) -> list[Route]:
        r = self._endpoint
        routes = [
            Route("/System/Info/Public", r(self._public_info, auth=False)),
            Route("/System/Info", r(self._system_info)),
            Route("/Library/Media/Updated", r(self._media_updated), methods=["POST"]),
            Route("/Library/Refresh", r(self._refresh), methods=["POST"]),
            Route("/Items", r(self._list_items)),
            Route("/Items/{item_id}", r(self._update_item), methods=["POST"]),
            Route("/Items/{item_id}/Images/{image_type}", r(self._upload_image), methods=["POST"]),
            Route("/Items/{item_id}/Images/{image_type}/{index:int}", r(self._upload_image),
                  methods=["POST"]),
            Route("/Users/{user_id}/Items/{item_id}", r(self._user_item)),
            Route("/Videos/{item_id}/AdditionalParts", r(self._additional_parts)),
            Route("/Persons", r(self._list_persons)),
            Route("/Persons/{name:path}", r(self._get_person)),
        ]
        if self.dialect == "emby":
            routes.append(Route("/Users/Query", r(self._users_query)))
        else:
            routes.append(Route("/Users", r(self._users_list)))
            routes.append(Route("/Items/{item_id}", r(self._jellyfin_item), methods=["GET"]))
        return routes

    def _endpoint(self, handler: Any, *, auth: bool = True) -> Any:
        async def endpoint(request: Request) -> Response:
            if auth and not self._authorized(request):
                return self._unauthorized(request)
            body = await request.body()
            with self._lock:
                self._index_due()
                response: Response = handler(request, body)
                return response
        return endpoint

    def _tokens(self, request: Request) -> list[str]:
        headers, tokens = request.headers, []
        for name in ("authorization", "x-emby-authorization"):
            value = headers.get(name, "")
            if re.match(r"^(MediaBrowser|Emby)\s", value):
                match = re.search(r'Token="([^"]*)"', value)
                if match:
                    tokens.append(match.group(1))
        query_names = ["ApiKey"]
        if self.dialect == "emby" or self.legacy_auth:
            tokens += [headers.get("x-emby-token", ""), headers.get("x-mediabrowser-token", "")]
            query_names.append("api_key")
        if self.dialect == "emby":
            query_names.remove("ApiKey")
        tokens += [query(request, q) or "" for q in query_names]
        return [t for t in tokens if t]

    def _authorized(self, request: Request) -> bool:
        return self.api_key in self._tokens(request)

    def _unauthorized(self, request: Request) -> Response:
        if self.dialect == "jellyfin":
            return Response(status_code=401)
        text = ("Access token is invalid or expired." if self._tokens(request)
                else "Access token is required.")
        return PlainTextResponse(text, 401)
