"""The fake media server's HTTP handlers (a mixin of :class:`tests.fakes.emby.FakeMediaServer`).

Each takes the request and its body, runs under the server's lock with due files indexed, and
answers as the real server would (docs/mediaserver.md; ``tests/fakes/mediaserver_rules.py``).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import time
import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from tests.fakes.emby_model import LibraryModel, file_stem, query
from tests.fakes.mediaserver_rules import can_see

_LIST_BASE_FIELDS = (
    "Name", "ServerId", "Id", "Type", "IsFolder", "MediaType", "ImageTags", "BackdropImageTags",
)


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


class Handlers(LibraryModel):
    """The routes' handlers; the server adds routing, auth and faults around them."""

    version: str
    server_name: str
    announced: list[str]
    unknown_item_status: int
    _reindex_after_read: set[str]

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
                self._pending.append((time.monotonic() + self.index_delay, self._spelled(path)))
        return Response(status_code=204)

    def _refresh(self, request: Request, body: bytes) -> Response:
        self._pending = [(0.0, path) for _, path in self._pending]
        self._index_due()
        return Response(status_code=204)

    def _list_items(self, request: Request, body: bytes) -> Response:
        items = list(self._items.values())
        types = {t.casefold() for t in (query(request, "IncludeItemTypes") or "").split(",") if t}
        if types:
            items = [i for i in items if i["Type"].casefold() in types]
        path = query(request, "Path")
        if path is not None and self.dialect == "emby":  # Jellyfin has no Path filter
            items = [i for i in items if i["Path"] == path]
        term = (query(request, "SearchTerm") or "").casefold()
        if term:
            items = [i for i in items if term in i["Name"].casefold()]
        if (query(request, "SortBy") or "").casefold() == "datecreated":
            descending = (query(request, "SortOrder") or "").casefold() == "descending"
            items.sort(key=lambda i: i["_created"], reverse=descending)
        start = int(query(request, "StartIndex") or 0)
        limit = query(request, "Limit")
        total = len(items)
        items = items[start : start + int(limit) if limit else None]
        wanted = set(_LIST_BASE_FIELDS)
        for name in (query(request, "Fields") or "").split(","):
            wanted.add(name.strip())
            if name.strip() == "Tags" and self.dialect == "emby":
                wanted.add("TagItems")
        trimmed = [{k: v for k, v in self._render(i).items() if k in wanted} for i in items]
        payload: dict[str, Any] = {"Items": trimmed, "TotalRecordCount": total}
        if self.dialect == "jellyfin":
            payload["StartIndex"] = start
        return JSONResponse(payload)

    def _user_item(self, request: Request, body: bytes) -> Response:
        user = self._user_by_id(request.path_params["user_id"])
        if user is None:
            return self._error(404, "User not found")
        return self._item_as(user, request.path_params["item_id"])

    def _jellyfin_item(self, request: Request, body: bytes) -> Response:
        if self.jellyfin and not self.jellyfin.item_route:
            return Response(status_code=404)  # no such route before 10.9
        # Under an API key there is no user, so without userId Jellyfin finds nothing.
        user = self._user_by_id(query(request, "userId") or "")
        if user is None:
            return self._error(404, "Item not found")
        return self._item_as(user, request.path_params["item_id"])

    def _item_as(self, user: dict[str, Any], item_id: str) -> Response:
        """The single-item GET through ``ItemIsVisible``: 404 for what the user may not see."""
        item = self._find(item_id)
        if item is None or (item["Type"] != "Person" and not can_see(
            user["Policy"], self._library_of(item["Path"]), item.get("OfficialRating")
        )):
            return self._error(404, "Item not found")
        response = JSONResponse(self._render(item))
        if item.get("Path") in self._reindex_after_read:
            self._reindex_after_read.discard(item["Path"])
            del self._items[item["Id"]]
            fresh = self._new_item(item["Path"])
            self._items[fresh["Id"]] = fresh
        return response

    def _additional_parts(self, request: Request, body: bytes) -> Response:
        item = self._find(request.path_params["item_id"])
        if item is None:
            return self._error(404, "Item not found")
        parts = [{"Name": file_stem(path), "ServerId": self.server_id,
                  "Id": self._name_id("part", path), "Type": "Video", "Path": path,
                  "IsFolder": False, "MediaType": "Video"} for path in item.get("_parts", ())]
        return JSONResponse({"Items": parts, "TotalRecordCount": len(parts)})

    def _update_item(self, request: Request, body: bytes) -> Response:
        item = self._find(request.path_params["item_id"])
        if item is None and self.unknown_item_status == 500:
            return PlainTextResponse("Object reference not set to an instance of an object.", 500)
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
        term = (query(request, "SearchTerm") or "").casefold()
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
