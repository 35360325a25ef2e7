"""Read a Kodi-style ``.nfo`` already beside the video (ours, Kodi's, Javinizer's, MDC's).

The file is untrusted: it is parsed with defusedxml, size-capped, and only used when the code
it names is the item's code. A ``movie.nfo`` is shared by a whole folder, so it must name the
code; a ``<video name>.nfo`` belongs to the video by its name and may leave the code out.
Malformed files are logged and ignored, never raised.
"""

from __future__ import annotations

import logging
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from emby_processor.config import Settings
from emby_processor.metadata import MovieMetadata
from emby_processor.providers.base import ProviderStatus
from emby_processor.providers.codes import cid_matches_code, codes_match, normalize_code
from emby_processor.providers.nfo_mapping import is_code_like, map_nfo, title_code
from emby_processor.providers.registry import ProviderSpec, ProviderTools

log = logging.getLogger(__name__)

_CODE_TYPES = {
    "num", "code", "number", "dvdid", "dvd_id", "productcode", "product_code", "javcode",
}
_CID_TYPES = {"dmmcid", "dmm", "cid", "dmm_cid", "content_id", "fanza", "r18dev"}


class NfoProvider:
    name = "nfo"

    def __init__(self, *, max_bytes: int = 1_000_000) -> None:
        self._max_bytes = max_bytes

    def fetch(
        self, code: str, *, path: Path | None = None, refresh: bool = False
    ) -> MovieMetadata | None:
        return self.fetch_for_file(path, code) if path is not None else None

    def fetch_for_file(self, video_path: Path, code: str) -> MovieMetadata | None:
        own = video_path.with_name(video_path.stem + ".nfo")
        for nfo, named_after_video in ((own, True), (video_path.with_name("movie.nfo"), False)):
            root = self._read(nfo)
            if root is None:
                continue
            verdict = code_verdict(root, code)
            if verdict is False or (verdict is None and not named_after_video):
                log.warning("%s does not name %s: ignored", nfo, code)
                continue
            return map_nfo(root, code, nfo)
        return None

    def check(self) -> ProviderStatus:
        return ProviderStatus(True, "reads .nfo files beside the videos")

    def close(self) -> None:
        return None

    def _read(self, nfo: Path) -> Element | None:
        try:
            if not nfo.is_file():
                return None
            if nfo.stat().st_size > self._max_bytes:
                log.warning("%s is larger than %d bytes: ignored", nfo, self._max_bytes)
                return None
            data = nfo.read_bytes()
        except OSError as exc:
            log.warning("cannot read %s: %s", nfo, exc)
            return None
        root = _parse(data, nfo)
        if root is not None and root.tag.lower() != "movie":
            log.warning("%s is a <%s> document, not <movie>: ignored", nfo, root.tag)
            return None
        return root


def _parse(data: bytes, nfo: Path) -> Element | None:
    # Kodi allows a scraper URL on a line after the XML; cut it off before parsing
    end = data.rfind(b"</movie>")
    if end != -1:
        data = data[: end + len(b"</movie>")]
    try:
        root: Element = fromstring(data)
    except (ParseError, DefusedXmlException, ValueError, UnicodeError) as exc:
        log.warning("%s is not a readable .nfo: %s", nfo, exc)
        return None
    return root


def code_verdict(root: Element, code: str) -> bool | None:
    """True if every code the nfo names is ``code``, False if one is not, None if it names none."""
    verdicts: list[bool] = []
    for tag in ("num", "sorttitle"):
        value = (root.findtext(tag) or "").strip()
        if is_code_like(value):
            verdicts.append(codes_match(value, code))
    for uid in root.iter("uniqueid"):
        kind, value = (uid.get("type") or "").lower(), (uid.text or "").strip()
        if kind in _CODE_TYPES and is_code_like(value):
            verdicts.append(codes_match(value, code))
        elif kind in _CID_TYPES and value:
            verdicts.append(cid_matches_code(value, code))
    token = title_code(root.findtext("title") or "")
    if token:
        verdicts.append(_starts_with_code(token, code))
    return all(verdicts) if verdicts else None


def _starts_with_code(token: str, code: str) -> bool:
    # titles often carry suffixes after the code (ABP-123-C, ABP-123-UC), which still match
    if codes_match(token, code):
        return True
    key, wanted = normalize_code(token), normalize_code(code)
    return key.startswith(wanted) and not key[len(wanted) : len(wanted) + 1].isdigit()


def _build(settings: Settings, tools: ProviderTools) -> NfoProvider:
    return NfoProvider()


PROVIDER = ProviderSpec(
    name="nfo",
    settings=(),
    build=_build,
    summary="an .nfo file already beside the video (Kodi, Javinizer, MDC, ours)",
)
