"""MetaTube server client (docs/providers.md, section 1).

Search by code, keep only candidates whose ``number`` really is the code (MetaTube ranks by
similarity, so the first hit can be a different movie), then fetch the full record of the
best-ranked match. A candidate answered with the deterministic "incomplete metadata" 500 has no
usable record: the next one is asked, and when none has one MetaTube does not know the code.
Other 500s may pass. Actress photos come from the actor search and never fail a fetch.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

from emby_processor.config import Settings
from emby_processor.errors import EmbyProcessorError, UpstreamAuthError, UpstreamError
from emby_processor.httpclient import HttpClientFactory, HttpLimits, Reply
from emby_processor.metadata import MovieMetadata, Person
from emby_processor.providers import fields
from emby_processor.providers.answers import describe_body, is_html, json_payload, status_error
from emby_processor.providers.base import ProviderStatus
from emby_processor.providers.codes import codes_match
from emby_processor.providers.registry import ProviderSpec, ProviderTools

log = logging.getLogger(__name__)

# the server queries all its upstreams per search and may take its REQUEST_TIMEOUT (1 min by
# default) to answer, hence the generous read timeout
DEFAULT_TIMEOUT = 90.0


#: the message of MetaTube's deterministic 500: the upstream record lacks a required field
INCOMPLETE = "incomplete metadata"


class IncompleteRecordError(UpstreamError):
    """MetaTube's "incomplete metadata" 500: that candidate has no usable record, every time."""


class MetaTubeProvider:
    name = "metatube"

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        http: HttpClientFactory | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        actor_images: bool = True,
        max_actor_lookups: int = 10,
        check_timeout: float = 5.0,
    ) -> None:
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        http = http or HttpClientFactory(HttpLimits(read_timeout=timeout, deadline=4 * timeout))
        self._client = http.client(self.name, base_url, headers=headers, read_timeout=timeout)
        self._has_token = bool(token)
        self._check_timeout = min(check_timeout, timeout)
        self._actor_images = actor_images
        self._max_actor_lookups = max_actor_lookups

    def fetch(
        self, code: str, *, path: Path | None = None, refresh: bool = False
    ) -> MovieMetadata | None:
        results = self._data("/v1/movies/search", {"q": code, "provider": "", "fallback": "True"})
        candidates = [c for c in fields.dicts(results) if _usable_candidate(c, code)]
        if not candidates:
            log.info("metatube has no candidate numbered %s", code)
            return None
        failure: UpstreamError | None = None
        # the server already sorted by provider priority; keep its order
        for candidate in candidates:
            provider, movie_id = str(candidate["provider"]), str(candidate["id"])
            try:
                info = self._data(
                    f"/v1/movies/{quote(provider, safe='')}/{quote(movie_id, safe='')}",
                    {"lazy": "False" if refresh else "True"},
                )
            except UpstreamAuthError:
                raise
            except IncompleteRecordError as exc:
                # deterministic: this candidate has no usable record, asking again won't help
                log.info("metatube %s:%s has no usable record (%s); trying the next candidate",
                         provider, movie_id, exc)
                continue
            except UpstreamError as exc:
                log.warning(
                    "metatube %s:%s failed, trying next candidate: %s", provider, movie_id, exc
                )
                failure = failure or exc
                continue
            if isinstance(info, Mapping):
                metadata = map_movie_info(info)
                self._add_actor_images(metadata)
                return metadata
        if failure is not None:
            raise failure
        return None

    def check(self) -> ProviderStatus:
        try:
            about = self._data("/", None, timeout=self._check_timeout)
            version = about.get("version", "?") if isinstance(about, Mapping) else "?"
            # /v1/db/version needs the token, so this also tells a wrong token from a down server
            self._data("/v1/db/version", None, timeout=self._check_timeout)
        except EmbyProcessorError as exc:
            return ProviderStatus(False, str(exc))
        return ProviderStatus(True, f"MetaTube {version} at {self._client.base_url}")

    def close(self) -> None:
        self._client.close()

    def _data(
        self, path: str, params: dict[str, str] | None, *, timeout: float | None = None
    ) -> Any:
        """The ``data`` of the envelope; None when MetaTube says it knows nothing (404)."""
        response = self._client.get(path, params=params, timeout=timeout)
        if response.status_code == 404 and not is_html(response):
            return None
        if response.status_code == 400 and path == "/v1/movies/search":
            # "invalid keyword": the server cannot search this code at all
            log.warning("metatube rejected the search for %s: %s", params, _error(response))
            return None
        if response.status_code == 404:
            raise UpstreamError(
                self.name,
                f"HTTP 404 with an HTML page ({describe_body(response)!r}) for {path}: "
                f"is {self._client.base_url} a MetaTube server?",
            )
        if response.status_code == 401 and not self._has_token:
            raise UpstreamAuthError(
                self.name, "HTTP 401: the server requires a token; set METATUBE_TOKEN"
            )
        if response.status_code == 500 and _error(response).strip().lower() == INCOMPLETE:
            raise IncompleteRecordError(self.name, f"HTTP 500 ({INCOMPLETE}) for {path}")
        if response.status_code >= 400:
            raise status_error(response, self.name, _error(response))
        payload = json_payload(response, self.name)
        if not isinstance(payload, Mapping) or "data" not in payload:
            raise UpstreamError(self.name, f"answer to {path} has no 'data' envelope")
        return payload["data"]

    def _add_actor_images(self, metadata: MovieMetadata) -> None:
        if not self._actor_images:
            return
        for person in metadata.actresses[: self._max_actor_lookups]:
            try:
                found = self._data(
                    "/v1/actors/search", {"q": person.name, "provider": "", "fallback": "True"}
                )
            except EmbyProcessorError as exc:
                # photos are decoration: a failing actor search must not cost the movie, and
                # after one failure the next lookups would most likely fail the same way
                log.info(
                    "metatube actor search for %r failed, skipping photos: %s", person.name, exc
                )
                return
            _apply_actor(person, fields.dicts(found))


def _usable_candidate(candidate: Mapping[str, Any], code: str) -> bool:
    number = fields.text(candidate, "number")
    return bool(
        number
        and codes_match(number, code)
        and fields.text(candidate, "provider")
        and fields.text(candidate, "id")
    )


def _error(response: Reply) -> str:
    """The envelope's error message, or a hint of the body when it is not the envelope."""
    try:
        message = response.json()["error"]["message"]
    except (ValueError, KeyError, TypeError, IndexError):
        return describe_body(response)
    return str(message)


def _apply_actor(person: Person, results: list[Mapping[str, Any]]) -> None:
    for actor in results:
        names = [fields.text(actor, "name"), *fields.strings(actor.get("aliases"))]
        if person.name not in names:
            continue  # a different person with a similar name is worse than no photo
        images = [u for u in fields.strings(actor.get("images")) if u.startswith("http")]
        if images and not person.image_url:
            person.image_url = images[0]
        person.aliases = fields.unique([*person.aliases, *(n for n in names[1:] if n)])
        provider, actor_id = fields.text(actor, "provider"), fields.text(actor, "id")
        if provider and actor_id:
            person.external_ids.setdefault("metatube", f"{provider}:{quote(actor_id, safe='')}")
        return


def map_movie_info(info: Mapping[str, Any]) -> MovieMetadata:
    """MetaTube ``MovieInfo`` -> ``MovieMetadata`` (docs/providers.md, 4.1); empty means None."""
    provider = fields.text(info, "provider") or ""
    movie_id = fields.text(info, "id") or ""
    title = fields.text(info, "title") or ""
    release = fields.calendar_date(info.get("release_date"))
    score = info.get("score")
    rating = (
        min(10.0, round(float(score) * 2, 2))
        if isinstance(score, int | float) and not isinstance(score, bool) and score > 0
        else None
    )
    director = fields.text(info, "director")
    external = {"metatube": f"{provider}:{quote(movie_id, safe='')}"}
    is_fanza = provider.upper() == "FANZA"
    if is_fanza and movie_id:
        external["dmm_cid"] = movie_id
    return MovieMetadata(
        code=fields.text(info, "number") or "",
        content_id=movie_id if is_fanza and movie_id else None,
        title=title,
        original_title=title or None,
        plot=fields.text(info, "summary"),
        language="ja",
        release_date=release,
        year=release.year if release else None,
        runtime_minutes=fields.positive_int(info.get("runtime")),
        directors=[director] if director else [],
        maker=fields.text(info, "maker"),
        label=fields.text(info, "label"),
        series=fields.text(info, "series"),
        genres=fields.strings(info.get("genres")),
        actresses=[Person(name=name) for name in fields.strings(info.get("actors"))],
        cover_url=fields.first_text(info, "big_cover_url", "cover_url"),
        poster_url=fields.text(info, "big_thumb_url"),
        thumb_url=fields.text(info, "thumb_url"),
        screenshot_urls=fields.strings(info.get("preview_images")),
        trailer_url=fields.first_text(info, "preview_video_url", "preview_video_hls_url"),
        rating=rating,
        homepage_url=fields.text(info, "homepage"),
        source="metatube",
        source_id=f"{provider}:{movie_id}",
        external_ids=external,
    )


def _build(settings: Settings, tools: ProviderTools) -> MetaTubeProvider | None:
    if not settings.metatube_url:
        log.info("METATUBE_URL is not set: the metatube provider is skipped")
        return None
    return MetaTubeProvider(settings.metatube_url, settings.metatube_token, http=tools.http,
                            timeout=settings.provider_timeout_seconds)


PROVIDER = ProviderSpec(
    name="metatube",
    settings=("METATUBE_URL", "METATUBE_TOKEN", "PROVIDER_TIMEOUT_SECONDS"),
    build=_build,
    summary="a MetaTube server you run (skipped while METATUBE_URL is unset)",
)
