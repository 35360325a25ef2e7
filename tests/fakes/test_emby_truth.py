"""The fake Emby/Jellyfin behaves as the real servers do when its switches are on.

Each test drives the fake over HTTP the way a client would; the switches are documented in
``tests/fakes/emby.py`` and the rules in ``tests/fakes/mediaserver_rules.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.fakes.emby import FakeMediaServer, Kind
from tests.fakes.mediaserver_rules import rating_value, split_joined, stack_parts
from tests.fakes.server import serve

ROOT = "/mnt/media/jav"
FOLDER = f"{ROOT}/Yui Hatano/ABP-200"


@dataclass
class Served:
    fake: FakeMediaServer
    http: httpx.Client

    @property
    def url(self) -> str:
        return str(self.http.base_url).rstrip("/")

    @property
    def prefix(self) -> str:
        return self.fake.prefix

    def announce(self, *paths: str) -> None:
        body = {"Updates": [{"Path": p, "UpdateType": "Created"} for p in paths]}
        self.http.post(f"{self.prefix}/Library/Media/Updated", json=body).raise_for_status()

    def item(self, item_id: str, user_id: str | None = None) -> httpx.Response:
        user = user_id or self.fake.admin_user_id
        return self.http.get(f"{self.prefix}/Users/{user}/Items/{item_id}")

    def write(self, item_id: str, **changes: Any) -> httpx.Response:
        dto = self.fake.get(item_id)
        dto.update(changes)
        return self.http.post(f"{self.prefix}/Items/{item_id}", json=dto)


@pytest.fixture
def start() -> Iterator[Callable[..., Served]]:
    with ExitStack() as stack:

        def run(kind: Kind = "jellyfin", **switches: Any) -> Served:
            fake = FakeMediaServer(kind)
            fake.add_library_root(ROOT)
            for name, value in switches.items():
                setattr(fake, name, value)
            server = stack.enter_context(serve(fake.app))
            auth = ({"X-Emby-Token": fake.api_key} if kind == "emby"
                    else {"Authorization": f'MediaBrowser Token="{fake.api_key}"'})
            http = stack.enter_context(httpx.Client(base_url=server.url, headers=auth))
            return Served(fake, http)

        yield run


# -- stacking --------------------------------------------------------------------------------


def test_stacking_rule_follows_jellyfin() -> None:
    def stacks(*names: str) -> list[tuple[str, list[str]]]:
        return stack_parts(f"/m/{n}" for n in names)

    assert stacks("ABP-200-cd1.mp4", "ABP-200-cd2.mp4") == [
        ("ABP-200", ["/m/ABP-200-cd1.mp4", "/m/ABP-200-cd2.mp4"])]
    assert stacks("ABP-200 Part 2.mkv", "ABP-200 Part 1.mkv")[0][1][0] == "/m/ABP-200 Part 1.mkv"
    assert stacks("x.pt1.mp4", "x.pt2.mp4") and stacks("x-disc1.iso", "x-disc2.iso")
    assert stacks("x [dvd1].mp4", "x [dvd2].mp4") and stacks("x-cda.mp4", "x-cdb.mp4")
    # no part word, a lone part, mixed part words, mixed numbers and letters: no stack
    assert stacks("ABP-200-1.mp4", "ABP-200-2.mp4") == []
    assert stacks("ABP-200-A.mp4", "ABP-200-B.mp4") == []
    assert stacks("ABP-200-cd1.mp4") == []
    assert stacks("x-cd1.mp4", "x-part2.mp4") == []
    assert stacks("x-cd1.mp4", "x-cdb.mp4") == []
    assert stacks("ABP-200-cd1-C.mp4", "ABP-200-cd2-C.mp4") == []


def test_parts_in_one_folder_are_one_movie(start: Callable[..., Served]) -> None:
    served = start("jellyfin", stacking=True)
    served.announce(f"{FOLDER}/ABP-200-cd2.mp4", f"{FOLDER}/ABP-200-cd1.mp4")
    held = served.fake.items_by_path()
    assert list(held) == [f"{FOLDER}/ABP-200-cd1.mp4"]
    movie = held[f"{FOLDER}/ABP-200-cd1.mp4"]
    assert (movie["Name"], movie["PartCount"]) == ("ABP-200", 2)
    assert served.fake.item_for(f"{FOLDER}/ABP-200-cd2.mp4") == movie
    parts = served.http.get(f"/Videos/{movie['Id']}/AdditionalParts").json()
    assert [p["Path"] for p in parts["Items"]] == [f"{FOLDER}/ABP-200-cd2.mp4"]
    listed = served.http.get("/Items", params={"SearchTerm": "ABP-200", "Fields": "Path"}).json()
    assert [i["Path"] for i in listed["Items"]] == [f"{FOLDER}/ABP-200-cd1.mp4"]


def test_a_later_first_part_restacks_the_folder(start: Callable[..., Served]) -> None:
    served = start("emby", stacking=True)
    served.announce(f"{FOLDER}/ABP-200-cd2.mp4")
    alone = served.fake.items_by_path()[f"{FOLDER}/ABP-200-cd2.mp4"]
    assert "PartCount" not in alone
    served.announce(f"{FOLDER}/ABP-200-cd1.mp4")
    held = served.fake.items_by_path()
    assert list(held) == [f"{FOLDER}/ABP-200-cd1.mp4"]
    assert held[f"{FOLDER}/ABP-200-cd1.mp4"]["PartCount"] == 2
    assert served.item(alone["Id"]).status_code == 404  # the part's own item is gone


def test_without_the_switch_every_file_is_an_item(start: Callable[..., Served]) -> None:
    served = start("jellyfin")
    served.announce(f"{FOLDER}/ABP-200-cd1.mp4", f"{FOLDER}/ABP-200-cd2.mp4")
    assert len(served.fake.items_by_path()) == 2


# -- names: "|" and shared casing ------------------------------------------------------------


def test_pipes_inside_values_come_back_split(start: Callable[..., Served]) -> None:
    served = start("jellyfin", split_pipes=True)
    item_id = served.fake.add_item(f"{ROOT}/ABP-123.mp4")
    response = served.write(item_id, Genres=["Drama|Romance"], Tags=["Label|Series"],
                            Studios=[{"Name": "Maker|Co"}])
    assert response.status_code == 204
    held = served.item(item_id).json()
    assert held["Genres"] == ["Drama", "Romance"] and held["Tags"] == ["Label", "Series"]
    assert [s["Name"] for s in held["Studios"]] == ["Maker", "Co"]
    assert split_joined(["a||b", "c"]) == ["a", "b", "c"]


def test_emby_shares_names_in_the_casing_it_met_first(start: Callable[..., Served]) -> None:
    served = start("emby", shared_names=True)
    served.fake.add_item(f"{ROOT}/OLD-001.mp4", Genres=["Big Tits"], Tags=["Sample Label"])
    item_id = served.fake.add_item(f"{ROOT}/ABP-123.mp4")
    served.write(item_id, Genres=["big tits", "Drama", "BIG TITS"],
                 TagItems=[{"Name": "sample label"}]).raise_for_status()
    held = served.item(item_id).json()
    assert held["Genres"] == ["Big Tits", "Drama"]
    assert [t["Name"] for t in held["TagItems"]] == ["Sample Label"]


# -- visibility ------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["emby", "jellyfin"])
def test_a_user_limited_to_other_libraries_gets_404(
    start: Callable[..., Served], kind: Kind
) -> None:
    served = start(kind)
    served.fake.add_library_root("/mnt/media/family")
    limited = served.fake.add_user("family", libraries=["/mnt/media/family"])
    item_id = served.fake.add_item(f"{ROOT}/ABP-123.mp4")
    assert served.item(item_id, limited).status_code == 404
    assert served.item(item_id).status_code == 200
    if kind == "jellyfin":
        seen = served.http.get(f"/Items/{item_id}", params={"userId": limited})
        assert seen.status_code == 404


@pytest.mark.parametrize("kind", ["emby", "jellyfin"])
def test_a_parental_limit_hides_the_item_once_rated(
    start: Callable[..., Served], kind: Kind
) -> None:
    served = start(kind)
    teen = served.fake.add_user("teen-admin", max_parental_rating=16, first=True)
    item_id = served.fake.add_item(f"{ROOT}/ABP-123.mp4")
    assert served.item(item_id, teen).status_code == 200  # unrated: visible
    served.write(item_id, OfficialRating="JP-18+", TagItems=[], Tags=[]).raise_for_status()
    assert served.item(item_id, teen).status_code == 404
    assert served.item(item_id).status_code == 200
    assert [rating_value(r) for r in ("JP-18+", "XXX", "PG-13", None, "Unrated")] == [
        18, 18, 13, None, None]


# -- versions and the unknown-item 500 -------------------------------------------------------


def test_jellyfin_10_8_has_only_the_user_item_route(start: Callable[..., Served]) -> None:
    served = start("jellyfin")
    served.fake.set_jellyfin_version("10.8")
    item_id = served.fake.add_item(f"{ROOT}/ABP-123.mp4")
    user = served.fake.admin_user_id
    route_missing = served.http.get(f"/Items/{item_id}", params={"userId": user})
    assert route_missing.status_code == 404 and route_missing.content == b""
    assert served.item(item_id).json()["Id"] == item_id
    assert served.http.get("/System/Info/Public").json()["Version"] == "10.8.13"


@pytest.mark.parametrize("mode", ["10.9", "10.10", "10.11"])
def test_jellyfin_10_x_strips_emby_and_takes_legacy_auth(
    start: Callable[..., Served], mode: str
) -> None:
    served = start("jellyfin")
    served.fake.set_jellyfin_version(mode)
    item_id = served.fake.add_item(f"{ROOT}/ABP-123.mp4")
    user = served.fake.admin_user_id
    assert served.http.get(f"/Items/{item_id}", params={"userId": user}).status_code == 200
    assert served.http.get(f"/emby/Users/{user}/Items/{item_id}").status_code == 200
    legacy = httpx.get(f"{served.url}/System/Info", headers={"X-Emby-Token": served.fake.api_key})
    assert legacy.status_code == 200
    assert served.http.get("/System/Info/Public").json()["Version"].startswith(mode + ".")


def test_jellyfin_12_keeps_emby_and_rejects_legacy_auth(start: Callable[..., Served]) -> None:
    served = start("jellyfin")
    served.fake.set_jellyfin_version("12")
    assert served.http.get("/emby/System/Info/Public").status_code == 404
    assert served.http.get("/System/Info").status_code == 200
    legacy = httpx.get(f"{served.url}/System/Info", headers={"X-Emby-Token": served.fake.api_key})
    assert legacy.status_code == 401


def test_emby_answers_500_for_a_write_to_an_unknown_item(start: Callable[..., Served]) -> None:
    served = start("emby", unknown_item_status=500)
    missing = served.http.post("/emby/Items/999999", json={"Name": "x"})
    assert missing.status_code == 500 and "Object reference" in missing.text
    served.fake.unknown_item_status = 404
    assert served.http.post("/emby/Items/999999", json={"Name": "x"}).status_code == 404


def test_a_rescan_gives_the_file_a_new_id(start: Callable[..., Served]) -> None:
    served = start("emby")
    path = f"{ROOT}/ABP-123.mp4"
    old = served.fake.add_item(path)
    served.fake.reindex_on_next_read(path)
    assert served.item(old).json()["Id"] == old  # answered, then replaced
    new = served.fake.items_by_path()[path]["Id"]
    assert new != old
    assert served.item(old).status_code == 404 and served.item(new).status_code == 200
    assert served.fake.reindex(path) not in (old, new)


# -- Windows servers ---------------------------------------------------------------------------


def test_a_windows_server_spells_paths_its_own_way(start: Callable[..., Served]) -> None:
    served = start("emby", windows_paths=True)
    served.fake.add_library_root("D:\\Media\\JAV")
    announced = "d:/media/jav/Kaede Fua/ABP-123/ABP-123.mp4"
    served.announce(announced)
    spelled = "D:\\Media\\JAV\\Kaede Fua\\ABP-123\\ABP-123.mp4"
    assert list(served.fake.items_by_path()) == [spelled]
    by_path = served.http.get("/emby/Items", params={"Path": announced, "Fields": "Path"})
    assert by_path.json()["Items"] == []  # the filter compares the string as given
    exact = served.http.get("/emby/Items", params={"Path": spelled, "Fields": "Path"})
    assert [i["Path"] for i in exact.json()["Items"]] == [spelled]
