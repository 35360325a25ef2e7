"""A fake Emby / Jellyfin server, built from ../shared/emby-api/README.md.

It is strict where the real servers bite: ``POST /Items/{id}`` is a full replace (missing fields
are cleared; Jellyfin answers 500 "Error processing request." without Tags/ProviderIds/Genres),
Emby keeps tags only in ``TagItems``, Jellyfin ignores ``Path=`` and 404s a single-item GET
without ``userId``, new files appear only ``index_delay`` seconds after being announced, and each
dialect accepts only its own auth forms.

Serve it with ``tests.fakes.server.serve(fake.app)``. Switches for fault tests: ``down`` (503 with
Retry-After, or ``down_mode="close"`` to cut connections), ``fail_next(n, status)``, ``delay``,
``ignore_fields`` (accept but silently drop fields on update). Every request is in ``requests``.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import itertools
import json
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route

Kind = Literal["emby", "jellyfin"]
ASGIScope = dict[str, Any]

_JELLYFIN_LOCKABLE = {
    "Cast", "Genres", "ProductionLocations", "Studios", "Tags", "Name", "Overview", "Runtime",
    "OfficialRating",
}
#: fields POST /Items/{id} sets from the body, clearing them when missing or null
_REPLACED_TEXT = ("Name", "ForcedSortName", "OriginalTitle", "Overview", "OfficialRating")
_REPLACED_OTHER = ("PremiereDate", "ProductionYear", "CommunityRating", "CriticRating")
_LIST_BASE_FIELDS = (
    "Name", "ServerId", "Id", "Type", "IsFolder", "MediaType", "ImageTags", "BackdropImageTags",
)


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


def _sniff(data: bytes) -> str | None:
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"GIF8"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def _query(request: Request, name: str) -> str | None:
    """Both servers bind query names case-insensitively."""
    for key, value in request.query_params.multi_items():
        if key.casefold() == name.casefold():
            return value
    return None


class FakeMediaServer:
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

    def add_library_root(self, server_prefix: str) -> None:
        """A folder the server's libraries cover; announced paths elsewhere are ignored."""
        with self._lock:
            self._roots.append(server_prefix.rstrip("/\\") or server_prefix)

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
        tokens += [_query(request, q) or "" for q in query_names]
        return [t for t in tokens if t]

    def _authorized(self, request: Request) -> bool:
        return self.api_key in self._tokens(request)

    def _unauthorized(self, request: Request) -> Response:
        if self.dialect == "jellyfin":
            return Response(status_code=401)
        text = ("Access token is invalid or expired." if self._tokens(request)
                else "Access token is required.")
        return PlainTextResponse(text, 401)

    def _error(self, status: int, message: str) -> Response:
        if self.dialect == "jellyfin":
            titles = {400: "Bad Request", 404: "Not Found"}
            problem: dict[str, Any] = {
                "type": "https://tools.ietf.org/html/rfc9110", "title": titles.get(status, "Error"),
                "status": status, "traceId": f"00-{uuid.uuid4().hex}-00",
            }
            if status == 400:
                problem["errors"] = {"request": [message]}
            return JSONResponse(problem, status, media_type="application/problem+json")
        return PlainTextResponse(message, status)

    # -- model --------------------------------------------------------------------------------

    def _new_id(self) -> str:
        return str(next(self._numbers)) if self.dialect == "emby" else uuid.uuid4().hex

    def _name_id(self, kind: str, name: str) -> str:
        # Studio/genre/tag ids: int64 on Emby, GUIDs on Jellyfin; stable per name.
        key = f"{kind}:{name.casefold()}"
        if key not in self._name_ids:
            self._name_ids[key] = (str(next(self._numbers)) if self.dialect == "emby"
                                   else uuid.uuid5(uuid.NAMESPACE_URL, key).hex)
        return self._name_ids[key]

    def _user(self, name: str, *, admin: bool) -> dict[str, Any]:
        return {"Name": name, "ServerId": self.server_id, "Id": uuid.uuid4().hex,
                "HasPassword": True, "Policy": {"IsAdministrator": admin, "IsDisabled": False}}

    def _new_item(self, path: str) -> dict[str, Any]:
        stem = re.split(r"[\\/]", path)[-1].rsplit(".", 1)[0]
        item: dict[str, Any] = {
            "Name": stem, "ServerId": self.server_id, "Id": self._new_id(), "Type": "Movie",
            "IsFolder": False, "MediaType": "Video", "Path": path, "SortName": stem.lower(),
            "DateCreated": datetime.now().strftime("%Y-%m-%dT%H:%M:%S.0000000Z"),
            "_created": next(self._created), "OriginalTitle": None, "Overview": None,
            "PremiereDate": None, "ProductionYear": None, "OfficialRating": None,
            "CommunityRating": None, "CriticRating": None, "Genres": [], "Tags": [],
            "Studios": [], "People": [], "ProviderIds": {}, "LockedFields": [],
            "LockData": False, "Taglines": [], "ImageTags": {}, "BackdropImageTags": [],
            "ForcedSortName": stem if self.dialect == "emby" else None,
        }
        return item

    def _person(self, name: str) -> dict[str, Any]:
        person = self._persons.get(name.casefold())
        if person is None:
            person = {"Name": name, "ServerId": self.server_id, "Id": self._new_id(),
                      "Type": "Person", "ImageTags": {}, "BackdropImageTags": []}
            self._persons[name.casefold()] = person
        return person

    def _persons_by_id(self) -> dict[str, dict[str, Any]]:
        return {p["Id"]: p for p in self._persons.values()}

    def _under_root(self, path: str) -> bool:
        return any(path == root or path.startswith(root + sep)
                   for root in self._roots for sep in ("/", "\\"))

    def _index_due(self) -> None:
        now = time.monotonic()
        due = [p for at, p in self._pending if at <= now]
        self._pending = [(at, p) for at, p in self._pending if at > now]
        known = {item["Path"] for item in self._items.values()}
        for path in due:
            if path not in known:
                item = self._new_item(path)
                self._items[item["Id"]] = item
                known.add(path)

    def _render(self, item: dict[str, Any]) -> dict[str, Any]:
        """The full DTO in the dialect's shape; nulls are omitted like the real servers do."""
        # A deep copy via JSON, so callers cannot alter the server's state by accident.
        out: dict[str, Any] = json.loads(json.dumps(
            {k: v for k, v in item.items() if not k.startswith("_") and v is not None}
        ))
        if item.get("Type") == "Person":
            return out
        out["GenreItems"] = [{"Name": g, "Id": self._name_id("genre", g)} for g in item["Genres"]]
        out["Studios"] = [{"Name": s, "Id": self._name_id("studio", s)} for s in item["Studios"]]
        out["People"] = []
        for person in item["People"]:
            entry = {**person, "Id": self._person(person["Name"])["Id"]}
            tag = self._person(person["Name"])["ImageTags"].get("Primary")
            if tag:
                entry["PrimaryImageTag"] = tag
            out["People"].append(entry)
        if self.dialect == "emby":
            # Emby 4.x keeps tags in TagItems and leaves Tags null.
            out["TagItems"] = [{"Name": t, "Id": self._name_id("tag", t)} for t in item["Tags"]]
            out.pop("Tags", None)
        return out

    def _find(self, item_id: str) -> dict[str, Any] | None:
        return self._items.get(item_id) or self._persons_by_id().get(item_id)

    # -- handlers -----------------------------------------------------------------------------

    def _public_info(self, request: Request, body: bytes) -> Response:
        info: dict[str, Any] = {
            "LocalAddress": str(request.base_url).rstrip("/"), "ServerName": self.server_name,
            "Version": self.version, "Id": self.server_id,
        }
        if self.dialect == "jellyfin":
            info.update(ProductName="Jellyfin Server", OperatingSystem="",
                        StartupWizardCompleted=True)
        else:
            info.update(LocalAddresses=[info["LocalAddress"]], WanAddress="", RemoteAddresses=[])
        return JSONResponse(info)

    def _system_info(self, request: Request, body: bytes) -> Response:
        info = json.loads(bytes(self._public_info(request, body).body))
        info.update(OperatingSystem="Linux", HasPendingRestart=False, CanSelfRestart=True)
        return JSONResponse(info)

    def _users_query(self, request: Request, body: bytes) -> Response:
        return JSONResponse({"Items": self.users, "TotalRecordCount": len(self.users)})

    def _users_list(self, request: Request, body: bytes) -> Response:
        return JSONResponse(self.users)

    def _media_updated(self, request: Request, body: bytes) -> Response:
        try:
            updates = json.loads(body)["Updates"]
            paths = [str(u["Path"]) for u in updates]
        except (ValueError, KeyError, TypeError):
            return self._error(400, "Updates[].Path required")
        for path in paths:
            self.announced.append(path)
            if self._under_root(path):
                self._pending.append((time.monotonic() + self.index_delay, path))
        return Response(status_code=204)

    def _refresh(self, request: Request, body: bytes) -> Response:
        self._pending = [(0.0, path) for _, path in self._pending]
        self._index_due()
        return Response(status_code=204)

    def _list_items(self, request: Request, body: bytes) -> Response:
        items = list(self._items.values())
        types = {t.casefold() for t in (_query(request, "IncludeItemTypes") or "").split(",") if t}
        if types:
            items = [i for i in items if i["Type"].casefold() in types]
        path = _query(request, "Path")
        if path is not None and self.dialect == "emby":  # Jellyfin has no Path filter
            items = [i for i in items if i["Path"] == path]
        term = (_query(request, "SearchTerm") or "").casefold()
        if term:
            items = [i for i in items if term in i["Name"].casefold()]
        if (_query(request, "SortBy") or "").casefold() == "datecreated":
            descending = (_query(request, "SortOrder") or "").casefold() == "descending"
            items.sort(key=lambda i: i["_created"], reverse=descending)
        start = int(_query(request, "StartIndex") or 0)
        limit = _query(request, "Limit")
        total = len(items)
        items = items[start : start + int(limit) if limit else None]
        wanted = set(_LIST_BASE_FIELDS)
        for name in (_query(request, "Fields") or "").split(","):
            wanted.add(name.strip())
            if name.strip() == "Tags" and self.dialect == "emby":
                wanted.add("TagItems")
        trimmed = [{k: v for k, v in self._render(i).items() if k in wanted} for i in items]
        payload: dict[str, Any] = {"Items": trimmed, "TotalRecordCount": total}
        if self.dialect == "jellyfin":
            payload["StartIndex"] = start
        return JSONResponse(payload)

    def _user_item(self, request: Request, body: bytes) -> Response:
        if request.path_params["user_id"] not in {u["Id"] for u in self.users}:
            return self._error(404, "User not found")
        item = self._find(request.path_params["item_id"])
        return JSONResponse(self._render(item)) if item else self._error(404, "Item not found")

    def _jellyfin_item(self, request: Request, body: bytes) -> Response:
        item = self._find(request.path_params["item_id"])
        # Under an API key there is no user, so without userId Jellyfin finds nothing.
        if item is None or not _query(request, "userId"):
            return self._error(404, "Item not found")
        return JSONResponse(self._render(item))

    def _update_item(self, request: Request, body: bytes) -> Response:
        item = self._find(request.path_params["item_id"])
        if item is None:
            return self._error(404, "Item not found")
        try:
            dto = json.loads(body)
        except ValueError:
            return self._error(400, "invalid JSON")
        if not isinstance(dto, dict):
            return self._error(400, "body must be a BaseItemDto")
        if self.dialect == "jellyfin" and any(
            dto.get(k) is None for k in ("Tags", "ProviderIds", "Genres")
        ):
            return PlainTextResponse("Error processing request.", 500)
        problem = self._validate(dto)
        if problem:
            return self._error(400, problem)
        new = self._replaced(dto)
        for key, value in new.items():
            if key not in self.ignore_fields:
                item[key] = value
        for person in item.get("People", []):
            self._person(person["Name"])
        return Response(status_code=204)

    def _validate(self, dto: dict[str, Any]) -> str | None:
        premiere = dto.get("PremiereDate")
        if premiere not in (None, ""):
            try:
                datetime.fromisoformat(re.sub(r"(\.\d{6})\d*", r"\1", str(premiere)))
            except ValueError:
                return f"invalid PremiereDate {premiere!r}"
        year = dto.get("ProductionYear")
        if year is not None and not isinstance(year, int):
            return f"invalid ProductionYear {year!r}"
        locked = dto.get("LockedFields") or []
        if self.dialect == "jellyfin" and not set(locked) <= _JELLYFIN_LOCKABLE:
            return f"unknown LockedFields {sorted(set(locked) - _JELLYFIN_LOCKABLE)}"
        return None

    def _replaced(self, dto: dict[str, Any]) -> dict[str, Any]:
        """What a full replace leaves on the item: every owned field, from the body or cleared."""
        new: dict[str, Any] = {k: (dto.get(k) or None) for k in _REPLACED_TEXT}
        new.update({k: dto.get(k) for k in _REPLACED_OTHER})
        new["LockData"] = bool(dto.get("LockData"))
        new["Genres"] = [str(g) for g in dto.get("Genres") or []]
        if self.dialect == "emby":
            new["Tags"] = [str(t["Name"]) for t in dto.get("TagItems") or [] if t.get("Name")]
        else:
            new["Tags"] = [str(t) for t in dto.get("Tags") or []]
        new["Studios"] = [str(s["Name"]) for s in dto.get("Studios") or [] if s.get("Name")]
        new["People"] = [
            {"Name": str(p["Name"]), "Type": p.get("Type") or "Actor", "Role": p.get("Role") or ""}
            for p in dto.get("People") or [] if p.get("Name")
        ]
        new["ProviderIds"] = {str(k): str(v) for k, v in (dto.get("ProviderIds") or {}).items()
                              if v not in (None, "")}
        new["LockedFields"] = list(dto.get("LockedFields") or [])
        new["Taglines"] = list(dto.get("Taglines") or [])[:1]
        return new

    def _store_image(self, item: dict[str, Any], image_type: str, data: bytes) -> None:
        self._images[(item["Id"], image_type)] = data
        tag = uuid.uuid4().hex
        if image_type == "Backdrop":
            item["BackdropImageTags"].append(tag)
        else:
            item["ImageTags"][image_type] = tag

    def _upload_image(self, request: Request, body: bytes) -> Response:
        item = self._find(request.path_params["item_id"])
        if item is None:
            return self._error(404, "Item not found")
        content_type = request.headers.get("content-type", "").split(";")[0].strip()
        if not content_type.startswith("image/"):
            return self._error(400, "Incorrect ContentType.")
        try:
            data = base64.b64decode(b"".join(body.split()), validate=True)
        except (binascii.Error, ValueError):
            return self._error(400, "body is not base64")
        sniffed = _sniff(data)
        if sniffed is None or sniffed != content_type:
            return self._error(400, f"image bytes are {sniffed or 'unknown'}, not {content_type}")
        self._store_image(item, request.path_params["image_type"], data)
        return Response(status_code=204)

    def _list_persons(self, request: Request, body: bytes) -> Response:
        term = (_query(request, "SearchTerm") or "").casefold()
        found = [self._render(p) for p in self._persons.values() if term in p["Name"].casefold()]
        return JSONResponse({"Items": found, "TotalRecordCount": len(found)})

    def _get_person(self, request: Request, body: bytes) -> Response:
        wanted = request.path_params["name"]
        for person in self._persons.values():
            name = person["Name"]
            if self.dialect == "emby":
                name = re.sub(r"[?&/]", "-", name)
            if name.casefold() == wanted.casefold():
                return JSONResponse(self._render(person))
        return self._error(404, "Person not found")
