"""The fake media server's library: items, persons, images, and how writes are stored.

A mixin of :class:`tests.fakes.emby.FakeMediaServer` (which owns the state and the switches);
the rules real servers apply are in :mod:`tests.fakes.mediaserver_rules`.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
import uuid
from datetime import datetime
from typing import Any, Literal

from starlette.requests import Request

from tests.fakes.mediaserver_rules import (
    JellyfinVersion,
    SharedNames,
    folder_of,
    split_joined,
    stack_parts,
)

Kind = Literal["emby", "jellyfin"]

_JELLYFIN_LOCKABLE = {
    "Cast", "Genres", "ProductionLocations", "Studios", "Tags", "Name", "Overview", "Runtime",
    "OfficialRating",
}
#: fields POST /Items/{id} sets from the body, clearing them when missing or null
_REPLACED_TEXT = ("Name", "ForcedSortName", "OriginalTitle", "Overview", "OfficialRating")
_REPLACED_OTHER = ("PremiereDate", "ProductionYear", "CommunityRating", "CriticRating")


def file_stem(path: str) -> str:
    return re.split(r"[\\/]", path)[-1].rsplit(".", 1)[0]


def query(request: Request, name: str) -> str | None:
    """Both servers bind query names case-insensitively."""
    for key, value in request.query_params.multi_items():
        if key.casefold() == name.casefold():
            return value
    return None


class LibraryModel:
    """Items and persons as the server holds them (the internal shape: Tags/Genres/Studios as
    lists of names, ``_parts`` for a stack's additional parts, ``_created`` for sorting)."""

    dialect: Kind
    server_id: str
    users: list[dict[str, Any]]
    stacking: bool
    split_pipes: bool
    shared_names: bool
    windows_paths: bool
    jellyfin: JellyfinVersion | None
    _lock: threading.RLock
    _items: dict[str, dict[str, Any]]
    _persons: dict[str, dict[str, Any]]
    _images: dict[tuple[str, str], bytes]
    _roots: list[str]
    _pending: list[tuple[float, str]]
    _numbers: itertools.count[int]
    _created: itertools.count[int]
    _name_ids: dict[str, str]
    _shared: SharedNames
    _library_ids: dict[str, str]

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
                "HasPassword": True, "Policy": {"IsAdministrator": admin, "IsDisabled": False,
                                                "EnableAllFolders": True, "EnabledFolders": []}}

    def _new_item(self, path: str) -> dict[str, Any]:
        stem = file_stem(path)
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
        path = self._spelled(path)
        return any(path == root or path.startswith(root + sep)
                   for root in self._roots for sep in ("/", "\\"))

    def _spelled(self, path: str) -> str:
        """The path as the server enumerates it (``windows_paths``: the library root's spelling
        and backslashes, however the path was announced)."""
        if not self.windows_paths:
            return path
        wanted = path.replace("/", "\\")
        for root in self._roots:
            native = root.replace("/", "\\")
            if wanted.casefold().startswith(native.casefold() + "\\"):
                return native + wanted[len(native):]
        return path

    def _index_due(self) -> None:
        now = time.monotonic()
        due = [p for at, p in self._pending if at <= now]
        if not due:
            return
        folders = {folder_of(p) for p in due} if self.stacking else set()
        # the server scans the folder of a change: what was announced there comes in too
        self._pending = [(at, p) for at, p in self._pending
                         if at > now and folder_of(p) not in folders]
        due += [p for at, p in self._pending if folder_of(p) in folders]
        known = {path for item in self._items.values()
                 for path in (item["Path"], *item.get("_parts", ()))}
        for path in due:
            if path not in known:
                item = self._new_item(path)
                self._items[item["Id"]] = item
                known.add(path)
        for folder in folders:
            self._restack(folder)

    def _restack(self, folder: str) -> None:
        """Group the folder's files as the server's stacking rule does (one Movie per stack)."""
        members = [i for i in self._items.values()
                   if i["Type"] != "Person" and folder_of(i["Path"]) == folder]
        by_path = {i["Path"]: i for i in members}
        paths = set(by_path) | {p for i in members for p in i.get("_parts", ())}
        for name, parts in stack_parts(paths):
            head = by_path.get(parts[0])
            if head is None:
                head = self._new_item(parts[0])
                self._items[head["Id"]] = head
            if head["Name"] == file_stem(head["Path"]):
                head["Name"], head["SortName"] = name, name.lower()
            head["_parts"] = parts[1:]
            for path in parts[1:]:
                swallowed = by_path.get(path)
                if swallowed is not None and swallowed is not head:
                    del self._items[swallowed["Id"]]

    def _render(self, item: dict[str, Any]) -> dict[str, Any]:
        """The full DTO in the dialect's shape; nulls are omitted like the real servers do."""
        # A deep copy via JSON, so callers cannot alter the server's state by accident.
        out: dict[str, Any] = json.loads(json.dumps(
            {k: v for k, v in item.items() if not k.startswith("_") and v is not None}
        ))
        if item.get("Type") == "Person":
            return out
        if item.get("_parts"):
            out["PartCount"] = 1 + len(item["_parts"])
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

    def _user_by_id(self, user_id: str) -> dict[str, Any] | None:
        return next((u for u in self.users if u["Id"] == user_id), None)

    def _library_of(self, path: str) -> str | None:
        return next((library for root, library in self._library_ids.items()
                     if path.startswith((root + "/", root + "\\"))), None)

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
        new["Genres"] = self._stored("genre", [str(g) for g in dto.get("Genres") or []])
        if self.dialect == "emby":
            tags = [str(t["Name"]) for t in dto.get("TagItems") or [] if t.get("Name")]
        else:
            tags = [str(t) for t in dto.get("Tags") or []]
        new["Tags"] = self._stored("tag", tags)
        new["Studios"] = self._stored(
            "studio", [str(s["Name"]) for s in dto.get("Studios") or [] if s.get("Name")])
        new["People"] = [
            {"Name": str(p["Name"]), "Type": p.get("Type") or "Actor", "Role": p.get("Role") or ""}
            for p in dto.get("People") or [] if p.get("Name")
        ]
        new["ProviderIds"] = {str(k): str(v) for k, v in (dto.get("ProviderIds") or {}).items()
                              if v not in (None, "")}
        new["LockedFields"] = list(dto.get("LockedFields") or [])
        new["Taglines"] = list(dto.get("Taglines") or [])[:1]
        return new

    def _stored(self, kind: str, names: list[str]) -> list[str]:
        """Genre/studio/tag names as the server keeps them (split on ``|``, shared casing)."""
        if self.split_pipes:
            names = split_joined(names)
        shared = self._shared.canonical(kind, names)  # every name met is remembered
        return shared if self.shared_names else names

    def _store_image(self, item: dict[str, Any], image_type: str, data: bytes) -> None:
        self._images[(item["Id"], image_type)] = data
        tag = uuid.uuid4().hex
        if image_type == "Backdrop":
            item["BackdropImageTags"].append(tag)
        else:
            item["ImageTags"][image_type] = tag
