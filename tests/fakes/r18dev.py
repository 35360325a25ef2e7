"""A fake r18.dev over real HTTP (docs/providers.md, section 2).

    fake = FakeR18Dev()
    fake.add_movie(sample_record("ABP-123"))            # combined= + dvd_id= lookups
    fake.add_fuzzy("abp999", "999abp00999")              # a dvd_id: null lookup answer
    fake.faults.set("429", times=1)                      # Retry-After: fake.retry_after
    with serve(fake.app) as server: ...
    fake.requests.all()                                  # times and User-Agent per request

Lookups are keyed by the exact ``q`` and content ids by the exact cid, as on the real site;
``add_movie`` answers every form clients send, the compact lower-case one (``abp123``) included.
Unknown ids answer 404 with an HTML page.

What the real site does (docs/compatibility.md), behind switches:

- ``add_other_channel(real, other)``: one code, several records. Every ``dvd_id=`` lookup of
  the code answers ``other`` (a release of another DMM channel, see ``other_channel_record``:
  content id with another numeric prefix and a zero-padded number, ``dvd_id`` null or even the
  code itself, another title, maker and date); the real movie is reachable only as
  ``combined=<its content_id>``.
- ``cloudflare = True``: a client that does not look like a browser (an ``Accept`` with
  ``text/html`` or ``*/*``, an ``Accept-Language``, a ``Referer`` on the site) gets Cloudflare's
  403 challenge page on every route.
- The image fake's ``real_sizes`` gives ``jacket_thumb_url`` (147x200) and ``jacket_full_url``
  (800x538 landscape) their real sizes. Fault modes: ok, 429, 503, 403 (Cloudflare-like
challenge page), html200 (200 HTML page: "not found" to javinizer-go), 500, timeout
(answers after ``hang_seconds``), truncated (JSON cut in half), drop (connection closed).
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterable, Sequence
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from tests.fakes.common import DroppedResponse, Faults, RequestLog, pause
from tests.fakes.images import url

MODES = ("ok", "429", "503", "403", "html200", "500", "timeout", "truncated", "drop")
DETAIL = "/videos/vod/movies/detail/-"

NOT_FOUND_PAGE = (
    "<!DOCTYPE html><html><head><title>404 Not Found | R18.dev</title></head>"
    "<body><h1>Not Found</h1></body></html>"
)
CHALLENGE_PAGE = (
    '<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title>'
    '<meta http-equiv="refresh" content="390"></head><body>'
    '<div id="challenge-running">Checking if the site connection is secure</div>'
    '<script src="/cdn-cgi/challenge-platform/h/g/orchestrate/chl_page/v1"></script>'
    "</body></html>"
)


class FakeR18Dev:
    def __init__(self, *, delay: float = 0.0) -> None:
        self.delay = delay
        self.hang_seconds = 30.0
        self.retry_after: str | None = "1"
        #: answer non-browser clients with Cloudflare's challenge (see the module docstring)
        self.cloudflare = False
        self.faults = Faults(MODES)
        self.requests = RequestLog()
        self.records: dict[str, dict[str, Any]] = {}  # content_id -> combined record
        self.lookups: dict[str, dict[str, Any]] = {}  # exact q -> dvd_id= answer
        self._lock = threading.Lock()
        self.app = Starlette(
            routes=[
                Route("/", self._home),
                Route(DETAIL + "/dvd_id={q}/json", self._lookup),
                Route(DETAIL + "/combined={content_id}/json", self._combined),
                Route(DETAIL + "/id={content_id}/", self._page),
            ],
            exception_handlers={404: self._not_found, 405: self._not_found},
        )

    # -- seeding -------------------------------------------------------------------------------

    def add_movie(
        self,
        record: dict[str, Any],
        *,
        lookup_keys: Iterable[str] | None = None,
        lookup_full: bool = False,
    ) -> dict[str, Any]:
        """Serve ``record`` at ``combined=<content_id>`` and its short form at ``dvd_id=<q>``.

        Default lookup keys are the forms clients send: ``ABP-123``, ``abp-123``, ``abp123``.
        ``lookup_full`` makes the lookup answer the whole record, as the site sometimes does.
        """
        record = copy.deepcopy(record)
        content_id, dvd_id = record["content_id"], record.get("dvd_id")
        if lookup_keys is None:
            lookup_keys = lookup_forms(dvd_id) if dvd_id else []
        short = {"content_id": content_id, "dvd_id": dvd_id, "title_ja": record.get("title_ja")}
        with self._lock:
            self.records[content_id] = record
            for q in lookup_keys:
                self.lookups[q] = record if lookup_full else short
        return record

    def add_fuzzy(
        self, q: str, content_id: str, *, title: str = "Unrelated Compilation"
    ) -> dict[str, Any]:
        """A ``dvd_id: null`` lookup answer for ``q``: the site's fuzzy content-id fallback."""
        answer = {"content_id": content_id, "dvd_id": None, "title": title}
        with self._lock:
            self.lookups[q] = answer
        return answer

    def add_other_channel(
        self, real: dict[str, Any], other: dict[str, Any], *, lookup_full: bool = False
    ) -> None:
        """``real`` only at ``combined=``; every lookup form of its code answers ``other``."""
        self.add_movie(real, lookup_keys=[])
        self.add_movie(other, lookup_keys=lookup_forms(real["dvd_id"]), lookup_full=lookup_full)

    def add_lookup(self, q: str, answer: dict[str, Any]) -> None:
        """Any raw lookup answer, e.g. a mislabeled record pointing at another movie."""
        with self._lock:
            self.lookups[q] = copy.deepcopy(answer)

    # -- HTTP ------------------------------------------------------------------------------------

    def _challenge(self, request: Request) -> Response | None:
        if not self.cloudflare or looks_like_a_browser(request):
            return None
        headers = {"cf-mitigated": "challenge", "Server": "cloudflare"}
        return HTMLResponse(CHALLENGE_PAGE, 403, headers)

    async def _respond(self, request: Request, found: dict[str, Any] | None) -> Response:
        self.requests.record(request)
        if self.delay:
            await pause(request, self.delay)
        challenge = self._challenge(request)
        if challenge is not None:
            return challenge
        mode = self.faults.take(request.url.path)
        if mode == "429":
            headers = {"Retry-After": self.retry_after} if self.retry_after else None
            return HTMLResponse("<html><title>429 Too Many Requests</title></html>", 429, headers)
        if mode == "503":
            return HTMLResponse("<html><title>503 Service Unavailable</title></html>", 503)
        if mode == "500":
            return HTMLResponse("<html><title>500 Internal Server Error</title></html>", 500)
        if mode == "403":
            headers = {"cf-mitigated": "challenge", "Server": "cloudflare"}
            return HTMLResponse(CHALLENGE_PAGE, 403, headers)
        if mode == "html200":
            return HTMLResponse("<html><title>R18.dev</title><body>search</body></html>")
        if mode == "drop":
            return DroppedResponse()
        if mode == "timeout":
            await pause(request, self.hang_seconds)
        if found is None:
            return HTMLResponse(NOT_FOUND_PAGE, 404)
        response = JSONResponse(found)
        if mode == "truncated":
            body = bytes(response.body)
            return Response(body[: len(body) // 2], media_type="application/json")
        return response

    async def _home(self, request: Request) -> Response:
        self.requests.record(request)
        challenge = self._challenge(request)
        if challenge is not None:
            return challenge
        mode = self.faults.take(request.url.path)
        if mode == "403":
            return HTMLResponse(CHALLENGE_PAGE, 403, {"cf-mitigated": "challenge"})
        if mode in ("500", "503"):
            return HTMLResponse("<html><title>unavailable</title></html>", int(mode))
        return HTMLResponse("<html><title>R18.dev</title></html>")

    async def _lookup(self, request: Request) -> Response:
        with self._lock:
            found = self.lookups.get(request.path_params["q"])
        return await self._respond(request, found)

    async def _combined(self, request: Request) -> Response:
        with self._lock:
            found = self.records.get(request.path_params["content_id"])
        return await self._respond(request, found)

    async def _page(self, request: Request) -> Response:
        self.requests.record(request)
        challenge = self._challenge(request)
        if challenge is not None:
            return challenge
        with self._lock:
            record = self.records.get(request.path_params["content_id"])
        if record is None:
            return HTMLResponse(NOT_FOUND_PAGE, 404)
        return HTMLResponse(f"<html><title>{record['content_id']}</title></html>")

    async def _not_found(self, request: Request, exc: Exception) -> Response:
        self.requests.record(request)
        return HTMLResponse(NOT_FOUND_PAGE, 404)


def looks_like_a_browser(request: Request) -> bool:
    """What Cloudflare lets through here: browser-like Accept, Accept-Language and Referer."""
    headers = request.headers
    accept = headers.get("accept", "")
    sites = ("https://r18.dev/", str(request.base_url))
    return (
        ("text/html" in accept or "*/*" in accept)
        and bool(headers.get("accept-language", "").strip())
        and headers.get("referer", "").startswith(sites)
    )


def lookup_forms(dvd_id: str) -> list[str]:
    compact = "".join(c for c in dvd_id.lower() if c.isalnum())
    return list(dict.fromkeys([dvd_id, dvd_id.lower(), compact]))


def sample_record(
    code: str,
    *,
    content_id: str | None = None,
    actresses: Sequence[tuple[str, str]] = (("見本花子", "Hanako Mihon"),),
    english: bool = True,
    image_base: str = "https://pics.example.invalid",
    **overrides: Any,
) -> dict[str, Any]:
    """A realistic ``combined`` record for ``code``; actresses are (kanji, romaji) pairs.

    ``english=False`` gives the nulls in ``*_en`` fields that many real records have.
    """
    label, _, number = code.upper().rpartition("-")
    cid = content_id or f"118{label.lower()}{int(number):05d}"
    pics = f"digital/video/{cid}/{cid}"
    en = english
    record = {
        "content_id": cid,
        "dvd_id": code,
        "title_ja": f"{code} の見本タイトル",
        "title_en": f"Sample Title of {code}" if en else None,
        "comment_en": f"A short English synopsis of {code}." if en else None,
        "release_date": "2021-06-01",
        "runtime_mins": 120,
        "jacket_full_url": url(image_base, f"{pics}pl.jpg"),
        "jacket_thumb_url": url(image_base, f"{pics}ps.jpg"),
        "sample_url": f"https://cc3001.dmm.co.jp/litevideo/freepv/{cid}_mhb_w.mp4",
        "maker_id": 1001,
        "maker_name_en": "Sample Maker" if en else None,
        "maker_name_ja": "見本メーカー",
        "label_id": 2002,
        "label_name_en": None,
        "label_name_ja": "見本レーベル",
        "series_id": 3003,
        "series_name_en": "Sample Series" if en else None,
        "series_name_ja": "見本シリーズ",
        "directors": [
            {
                "id": 11,
                "name_kana": "みほんかんとく",
                "name_kanji": "見本監督",
                "name_romaji": "Kantoku Mihon",
            }
        ],
        "actresses": [
            {
                "id": 22 + i,
                "image_url": f"actress_{i}.jpg",
                "name_kana": None,
                "name_kanji": kanji,
                "name_romaji": romaji,
            }
            for i, (kanji, romaji) in enumerate(actresses)
        ],
        "categories": [
            {"id": 4025, "name_en": "Featured Actress" if en else None, "name_ja": "単体作品"},
            {"id": 4114, "name_en": "Drama" if en else None, "name_ja": "ドラマ"},
        ],
        "gallery": [
            {
                "image_full": url(image_base, f"{pics}jp-1.jpg"),
                "image_thumb": url(image_base, f"{pics}-1.jpg"),
            }
        ],
    }
    record.update(overrides)
    return record


def other_channel_record(
    real: dict[str, Any],
    *,
    prefix: str = "436",
    dvd_id: str | None = None,
    title: str = "Best Of Compilation 4 Hours",
    maker: str = "Other Channel",
    release_date: str = "2009-03-01",
) -> dict[str, Any]:
    """Another DMM channel's release filed under ``real``'s code (``436abc00030`` for
    ``118abc030``): its own content id, title, maker, date and cast, ``dvd_id`` null or
    ``dvd_id`` (pass the code to get the mislabeled kind)."""
    code = real["dvd_id"]
    label, _, number = code.upper().rpartition("-")
    cid = f"{prefix}{label.lower()}{int(number):05d}"
    pics = real["jacket_full_url"].rsplit("/digital/", 1)[0] + f"/digital/video/{cid}/{cid}"
    return {
        **copy.deepcopy(real),
        "content_id": cid, "dvd_id": dvd_id, "title_ja": f"{title}（別チャンネル）",
        "title_en": title, "comment_en": f"{title}: another channel's release.",
        "release_date": release_date, "maker_id": 9009, "maker_name_en": maker,
        "maker_name_ja": maker, "runtime_mins": 240,
        "actresses": [{"id": 90, "image_url": None, "name_kana": None,
                       "name_kanji": "別人花子", "name_romaji": "Hanako Betsujin"}],
        "jacket_full_url": f"{pics}pl.jpg", "jacket_thumb_url": f"{pics}ps.jpg",
    }
