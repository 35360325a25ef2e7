"""A fake MetaTube server over real HTTP (docs/providers.md, section 1).

    fake = FakeMetaTube(token="secret")
    fake.add_movie(sample_movie("ABP-123", actresses=["見本花子"]))
    fake.add_actor(sample_actor("見本花子", image_base=images_url))
    fake.faults.set("500", times=2)          # next two requests fail, then recover
    with serve(fake.app) as server: ...
    fake.requests.all("/v1/movies/search")   # method, path, query, headers, time

Fault modes: ok, 500, 429 (``Retry-After: fake.retry_after``), timeout (answers after
``hang_seconds``), html (200 HTML page), truncated (JSON cut in half), wrong_movie (movie info
describes another movie than the one searched), drop (connection closed mid-body).
``times`` counts every request under ``path_prefix``; ``fuzzy_search`` returns near misses.

``validate = True`` behaves as the real server's ``IsValid`` checks (``model/movie.go``): a
search drops results lacking id, number, title, provider or homepage, and
``GET /v1/movies/{provider}/{id}`` of a record lacking id, number, title, cover_url, provider or
homepage answers HTTP 500 ``{"error":{"code":500,"message":"incomplete metadata"}}``, every time.
"""

from __future__ import annotations

import copy
import re
import threading
from collections.abc import Awaitable, Callable, Sequence
from typing import Any
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from tests.fakes.common import DroppedResponse, Faults, RequestLog, pause
from tests.fakes.images import TINY_JPEG, jpeg_size, url

MODES = ("ok", "500", "429", "timeout", "html", "truncated", "wrong_movie", "drop")
ZERO_DATE = "0001-01-01T00:00:00Z"
MOVIE_PROVIDERS = [
    "FANZA", "MGS", "FC2", "HEYZO", "1Pondo", "10musume", "Caribbeancom", "CaribbeancomPR",
    "C0930", "H0930", "H4610", "HeyDouga", "Gcolle", "Pcolle", "Getchu", "KIN8", "MYWIFE",
    "AV-LEAGUE", "PACOPACOMAMA", "MURAMURA", "SOD", "fc2hub", "AVE", "DUGA", "TOKYO-HOT",
    "FC2PPVDB", "AVBASE", "JavBus", "DAHLIA", "FALENO", "JAV321", "JAVFREE",
]
ACTOR_PROVIDERS = ["Gfriends", "AV-LEAGUE"]
_TRUE = {"1", "t", "T", "TRUE", "true", "True"}
_FALSE = {"0", "f", "F", "FALSE", "false", "False"}
_SEARCH_FIELDS = (
    "id", "number", "title", "provider", "homepage", "thumb_url", "cover_url", "score", "actors",
    "release_date",
)
_INFO_DEFAULTS: dict[str, Any] = {
    "title": "", "summary": "", "homepage": "", "director": "", "actors": None, "thumb_url": "",
    "big_thumb_url": "", "cover_url": "", "big_cover_url": "", "preview_video_url": "",
    "preview_video_hls_url": "", "preview_images": None, "maker": "", "label": "", "series": "",
    "genres": None, "score": 0, "runtime": 0, "release_date": ZERO_DATE,
}
_ACTOR_DEFAULTS: dict[str, Any] = {
    "homepage": "", "aliases": None, "images": None, "summary": "", "hobby": "", "skill": "",
    "blood_type": "", "cup_size": "", "measurements": "", "nationality": "", "height": 0,
    "birthday": ZERO_DATE, "debut_date": ZERO_DATE,
}

Handler = Callable[[Request], Awaitable[Response]]


class BadRequest(Exception):
    pass


def parse_bool(value: str | None, default: bool) -> bool:
    """Go's strconv.ParseBool, as the real server uses."""
    if value is None or value == "":
        return default
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise BadRequest(f'strconv.ParseBool: parsing "{value}": invalid syntax')


def _key(number: str) -> str:
    return re.sub(r"[^0-9A-Z]", "", number.upper()).replace("FC2PPV", "FC2")


def envelope_error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse(
        {"error": {"code": status, "message": message}}, status_code=status, headers=headers
    )


class FakeMetaTube:
    def __init__(self, *, token: str | None = None, delay: float = 0.0) -> None:
        self.token = token
        self.delay = delay
        self.hang_seconds = 30.0
        self.retry_after: str | None = "1"
        self.version = "v1.0.0-fake"
        #: also return movies whose number merely contains the keyword, like the real ranking
        self.fuzzy_search = False
        #: answer as the real server's validity checks do (see the module docstring)
        self.validate = False
        self.faults = Faults(MODES)
        self.requests = RequestLog()
        self.movies: dict[tuple[str, str], dict[str, Any]] = {}
        self.actors: dict[tuple[str, str], dict[str, Any]] = {}
        self._lock = threading.Lock()
        self.app = Starlette(
            routes=self._routes(),
            exception_handlers={404: self._not_found, 405: self._not_found},
        )

    # -- seeding -------------------------------------------------------------------------------

    def add_movie(self, info: dict[str, Any]) -> dict[str, Any]:
        """Add a ``MovieInfo`` dict (``id``, ``number``, ``provider`` required)."""
        movie = {**_INFO_DEFAULTS, **copy.deepcopy(info)}
        for required in ("id", "number", "provider"):
            if not movie.get(required):
                raise ValueError(f"MovieInfo needs {required!r}")
        with self._lock:
            self.movies[(movie["provider"], movie["id"])] = movie
        return movie

    def add_actor(self, info: dict[str, Any]) -> dict[str, Any]:
        actor = {**_ACTOR_DEFAULTS, **copy.deepcopy(info)}
        with self._lock:
            self.actors[(actor["provider"], actor["id"])] = actor
        return actor

    @property
    def mode(self) -> str:
        return self.faults.mode

    @mode.setter
    def mode(self, value: str) -> None:
        self.faults.set(value)

    # -- HTTP ------------------------------------------------------------------------------------

    def _routes(self) -> list[Route]:
        def r(path: str, handler: Handler, *, auth: bool) -> Route:
            return Route(path, self._wrap(handler, auth=auth), methods=["GET"])

        return [
            r("/", self._root, auth=False),
            r("/v1/providers", self._providers, auth=False),
            r("/v1/modules", self._modules, auth=False),
            r("/v1/db/version", self._db_version, auth=True),
            r("/v1/translate", self._translate, auth=False),
            r("/v1/movies/search", self._search, auth=True),
            r("/v1/movies/{provider}/{id:path}", self._info, auth=True),
            r("/v1/actors/search", self._actor_search, auth=True),
            r("/v1/actors/{provider}/{id:path}", self._actor_info, auth=True),
            r("/v1/reviews/{provider}/{id:path}", self._reviews, auth=True),
            r("/v1/images/{kind}/{provider}/{id:path}", self._image, auth=False),
        ]

    def _wrap(self, handler: Handler, *, auth: bool) -> Handler:
        async def endpoint(request: Request) -> Response:
            self.requests.record(request)
            if self.delay:
                await pause(request, self.delay)
            mode = self.faults.take(request.url.path)
            if mode == "timeout":
                await pause(request, self.hang_seconds)
            elif mode == "500":
                return envelope_error(500, "internal server error")
            elif mode == "429":
                headers = {"Retry-After": self.retry_after} if self.retry_after else None
                return envelope_error(429, "too many requests", headers)
            elif mode == "html":
                return HTMLResponse("<html><head><title>Sign in</title></head><body>proxy</body>")
            elif mode == "drop":
                return DroppedResponse()
            expected = f"Bearer {self.token}"
            if auth and self.token and request.headers.get("authorization") != expected:
                return envelope_error(401, "Unauthorized")
            request.state.wrong_movie = mode == "wrong_movie"
            try:
                response = await handler(request)
            except BadRequest as exc:
                return envelope_error(400, str(exc))
            if mode == "truncated":
                body = bytes(response.body)
                return Response(body[: len(body) // 2], media_type="application/json")
            return response

        return endpoint

    async def _not_found(self, request: Request, exc: Exception) -> Response:
        self.requests.record(request)
        return envelope_error(404, "Not Found")

    @staticmethod
    def _data(payload: Any, **headers: str) -> JSONResponse:
        return JSONResponse({"data": payload}, headers=headers or None)

    async def _root(self, request: Request) -> Response:
        return self._data({"app": "metatube", "version": self.version})

    async def _providers(self, request: Request) -> Response:
        movie = {p: f"https://{p.lower()}.example.invalid/" for p in MOVIE_PROVIDERS}
        actor = {p: f"https://{p.lower()}.example.invalid/" for p in ACTOR_PROVIDERS}
        return self._data(
            {"actor_providers": actor, "movie_providers": movie}, **{"Cache-Control": "no-store"}
        )

    async def _modules(self, request: Request) -> Response:
        return JSONResponse(
            {"modules": ["github.com/metatube-community/metatube-sdk-go"]},
            headers={"Cache-Control": "no-store"},
        )

    async def _db_version(self, request: Request) -> Response:
        return self._data({"version": "fake-db"})

    async def _translate(self, request: Request) -> Response:
        q = request.query_params
        for name in ("q", "to", "engine"):
            if not q.get(name):
                raise BadRequest(f"Key: '{name}' Error:Field validation failed on 'required'")
        return self._data({"from": q.get("from", "auto"), "to": q["to"], "translated_text": q["q"]})

    async def _search(self, request: Request) -> Response:
        q = request.query_params.get("q", "")
        if not q:
            raise BadRequest(
                "Key: 'Query.Q' Error:Field validation for 'Q' failed on the 'required' tag"
            )
        parse_bool(request.query_params.get("fallback"), True)
        wanted = request.query_params.get("provider", "")
        if wanted and wanted not in MOVIE_PROVIDERS and wanted not in self._providers_in_use():
            return envelope_error(404, "provider not found")
        key = _key(q)
        if not key:
            raise BadRequest("invalid keyword")
        with self._lock:
            hits = [
                m
                for m in self.movies.values()
                if self._similar(_key(m["number"]), key) and (not wanted or m["provider"] == wanted)
                and (not self.validate or _complete(m, SEARCH_REQUIRED))
            ]
        if not hits:
            return envelope_error(404, "Not Found")
        hits.sort(key=lambda m: _priority(m["provider"]))
        return self._data([_search_result(m) for m in hits])

    async def _info(self, request: Request) -> Response:
        provider, movie_id = request.path_params["provider"], request.path_params["id"]
        parse_bool(request.query_params.get("lazy"), True)
        if provider not in MOVIE_PROVIDERS and provider not in self._providers_in_use():
            return envelope_error(404, "provider not found")
        with self._lock:
            movie = self.movies.get((provider, movie_id))
            if movie is not None and request.state.wrong_movie:
                movie = self._other_movie(movie)
        if movie is None:
            return envelope_error(404, "info not found")
        if self.validate and not _complete(movie, INFO_REQUIRED):
            return envelope_error(500, "incomplete metadata")
        return self._data(movie)

    def _similar(self, number: str, keyword: str) -> bool:
        # the real server ranks by similarity, so near misses (ABP-1230 for ABP-123) come back
        return number == keyword or (self.fuzzy_search and keyword in number)

    def _other_movie(self, movie: dict[str, Any]) -> dict[str, Any]:
        others = [m for m in self.movies.values() if _key(m["number"]) != _key(movie["number"])]
        if others:
            return others[0]
        return {**movie, "number": "WRONG-999", "title": "Unrelated movie"}

    async def _actor_search(self, request: Request) -> Response:
        q = request.query_params.get("q", "")
        if not q:
            raise BadRequest("Key: 'Query.Q' Error:Field validation for 'Q' failed")
        parse_bool(request.query_params.get("fallback"), True)
        with self._lock:
            hits = [a for a in self.actors.values() if q == a["name"] or q in (a["aliases"] or [])]
        if not hits:
            return envelope_error(404, "Not Found")
        results = []
        for actor in hits:
            result = {k: actor[k] for k in ("id", "name", "provider", "homepage", "images")}
            if actor["aliases"]:
                result["aliases"] = actor["aliases"]
            results.append(result)
        return self._data(results)

    async def _actor_info(self, request: Request) -> Response:
        with self._lock:
            actor = self.actors.get((request.path_params["provider"], request.path_params["id"]))
        if actor is None:
            return envelope_error(404, "info not found")
        return self._data(actor)

    async def _reviews(self, request: Request) -> Response:
        if request.path_params["provider"] in ACTOR_PROVIDERS:
            raise BadRequest("only movie provider is supported")
        return self._data([])

    async def _image(self, request: Request) -> Response:
        kind, provider = request.path_params["kind"], request.path_params["provider"]
        if kind not in ("primary", "thumb", "backdrop"):
            return envelope_error(404, "Not Found")
        if kind != "primary" and provider in ACTOR_PROVIDERS and provider not in MOVIE_PROVIDERS:
            raise BadRequest("unsupported image type")
        width, height = jpeg_size(TINY_JPEG)
        return Response(
            TINY_JPEG,
            media_type="image/jpeg",
            headers={
                "X-MetaTube-Image-Width": str(width),
                "X-MetaTube-Image-Height": str(height),
                "Cache-Control": "public, max-age=604800, s-maxage=15552000",
            },
        )

    def _providers_in_use(self) -> set[str]:
        with self._lock:
            return {provider for provider, _ in self.movies}


#: the fields ``MovieSearchResult.IsValid`` / ``MovieInfo.IsValid`` require
SEARCH_REQUIRED = ("id", "number", "title", "provider", "homepage")
INFO_REQUIRED = ("id", "number", "title", "cover_url", "provider", "homepage")


def _complete(movie: dict[str, Any], required: Sequence[str]) -> bool:
    return all(movie.get(name) for name in required)


def _priority(provider: str) -> int:
    return MOVIE_PROVIDERS.index(provider) if provider in MOVIE_PROVIDERS else len(MOVIE_PROVIDERS)


def _search_result(movie: dict[str, Any]) -> dict[str, Any]:
    result = {k: movie.get(k) for k in _SEARCH_FIELDS}
    if not result["actors"]:
        del result["actors"]  # omitted when empty, like the real server's omitempty
    return result


def sample_movie(
    code: str,
    *,
    provider: str = "FANZA",
    movie_id: str | None = None,
    actresses: Sequence[str] = ("見本花子",),
    title: str | None = None,
    release_date: str = "2021-06-01T00:00:00Z",
    image_base: str = "https://pics.example.invalid",
    **overrides: Any,
) -> dict[str, Any]:
    """A realistic ``MovieInfo`` for ``code``; ``overrides`` replace any field."""
    label, _, number = code.upper().rpartition("-")
    cid = movie_id or (
        f"118{label.lower()}{int(number):05d}" if number.isdigit() and label else code.lower()
    )
    pics = f"digital/video/{cid}/{cid}"
    movie = {
        "id": cid,
        "number": code,
        "title": title if title is not None else f"{code} の見本タイトル",
        "summary": f"{code} のあらすじの例。",
        "provider": provider,
        "homepage": f"https://video.dmm.co.jp/av/content/?id={cid}",
        "director": "見本監督",
        "actors": list(actresses),
        "thumb_url": url(image_base, f"{pics}ps.jpg"),
        "big_thumb_url": "",
        "cover_url": url(image_base, f"{pics}pl.jpg"),
        "big_cover_url": "",
        "preview_video_url": f"https://cc3001.dmm.co.jp/litevideo/freepv/{cid}_dmb_w.mp4",
        "preview_video_hls_url": "",
        "preview_images": [url(image_base, f"{pics}jp-1.jpg"), url(image_base, f"{pics}jp-2.jpg")],
        "maker": "見本メーカー",
        "label": "見本レーベル",
        "series": "見本シリーズ",
        "genres": ["単体作品", "ドラマ"],
        "score": 4.1,
        "runtime": 120,
        "release_date": release_date,
    }
    movie.update(overrides)
    return movie


def sample_actor(
    name: str,
    *,
    provider: str = "Gfriends",
    aliases: Sequence[str] = (),
    image_base: str = "https://pics.example.invalid",
) -> dict[str, Any]:
    return {
        "id": name,
        "name": name,
        "provider": provider,
        "homepage": "https://github.com/gfriends/gfriends",
        "aliases": list(aliases) or None,
        "images": [url(image_base, f"actress/{quote(name)}.jpg")],
    }
