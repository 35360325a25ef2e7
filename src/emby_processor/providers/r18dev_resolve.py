"""r18.dev: from a code to the one record that is that movie (docs/providers.md, 2.3 and 2.4).

A ``dvd_id=`` lookup may answer another DMM channel's release of the same code (its ``dvd_id``
null, or even the code), so where the answer comes from matters as much as what it says:

1. Look the code up, compact form first (``abf030``), then as written (``ABF-030``).
2. An answer labelled with the code on the label's first known channel is the movie (``exact``).
3. Otherwise ask ``combined=`` at the label's known channels (the shipped table, then the learned
   ones; five- then three-digit numbers): a record there labelled with the code is the movie
   (``known_prefix``), whatever the lookup said.
4. No known channel has it: a lookup answer labelled with the code stands (``exact``); the
   channel it came from is learned by the chain.
5. Otherwise only guesses are left, never trusted on their own: a record labelled with the code
   at an unprefixed content id built from the code (``guessed``), else a record whose content id
   has the label and number but no code in it (``fuzzy``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote

from emby_processor.metadata import MatchKind, MovieMetadata
from emby_processor.providers import fields
from emby_processor.providers.channels import ChannelBook, content_ids, parse_content_id
from emby_processor.providers.codes import cid_matches_code, code_series_number, codes_match
from emby_processor.providers.r18dev_mapping import map_record

log = logging.getLogger(__name__)

LOOKUP = "/videos/vod/movies/detail/-/dvd_id={q}/json"
COMBINED = "/videos/vod/movies/detail/-/combined={content_id}/json"
#: known channels asked per code at most (two requests each)
MAX_CHANNELS = 3

Record = Mapping[str, Any]
#: path -> the JSON object there, None when not found
Ask = Callable[[str], Record | None]


def lookup_forms(code: str) -> list[str]:
    """``abp123`` (the compact form real clients send), then ``ABP-123`` as written."""
    compact = "".join(ch for ch in code.lower() if ch.isalnum())
    return fields.unique([compact, code.strip().upper()])


class Resolution:
    """One resolution of ``code`` against r18.dev, asking through ``ask``."""

    def __init__(self, code: str, ask: Ask, channels: ChannelBook, *, guess: bool) -> None:
        self.code = code
        self.ask = ask
        self.channels = channels
        self.guess = guess
        self.loose: Record | None = None  # a known channel's record without the code
        # one resolution may reach the same content id twice (a guess, then the lookup's own
        # record): r18.dev is asked once for it
        self._combined_answers: dict[str, Record | None] = {}

    def run(self) -> MovieMetadata | None:
        labelled, fuzzy = self._lookup()
        cid = fields.text(labelled, "content_id") if labelled else None
        parsed = code_series_number(self.code)
        known = self.channels.prefixes(parsed[0]) if parsed else []
        own = parse_content_id(cid)
        if labelled is not None and (not known or (own and own.prefix == known[0])):
            return self._full(cid, labelled, "exact")
        found = self._known_channels(known, skip=own.prefix if own else None)
        if found is not None:
            if labelled is not None:
                log.info("r18dev: %s is %s on its label's known channel, not the lookup's %s",
                         self.code, fields.text(found, "content_id"), cid)
            return map_record(found, self.code, match="known_prefix")
        if labelled is not None:
            return self._full(cid, labelled, "exact")
        return self._guesses(known, fuzzy)

    def _lookup(self) -> tuple[Record | None, Record | None]:
        """The lookup's answer labelled with the code, else one without a code whose content id
        has the code's label and number (a fuzzy match)."""
        fuzzy: Record | None = None
        for q in lookup_forms(self.code):
            record = self.ask(LOOKUP.format(q=quote(q, safe="")))
            if record is None:
                continue
            cid, dvd_id = fields.text(record, "content_id"), fields.text(record, "dvd_id")
            if cid and dvd_id and codes_match(dvd_id, self.code):
                return record, None
            if cid and dvd_id is None and cid_matches_code(cid, self.code):
                fuzzy = fuzzy or record
                continue
            log.info("r18dev lookup %r answered %s/%s, not %s: ignored", q, dvd_id, cid,
                     self.code)
        return None, fuzzy

    def _known_channels(self, known: list[str], *, skip: str | None) -> Record | None:
        """The record labelled with the code on one of the label's known channels."""
        for prefix in [p for p in known if p != skip][:MAX_CHANNELS]:
            for cid in content_ids(self.code, prefix):
                record = self._combined(cid)
                if record is None:
                    continue
                dvd_id = fields.text(record, "dvd_id")
                if dvd_id and codes_match(dvd_id, self.code):
                    return record
                if dvd_id is None and cid_matches_code(cid, self.code):
                    self.loose = self.loose or record
        return None

    def _guesses(self, known: list[str], fuzzy: Record | None) -> MovieMetadata | None:
        if self.guess and "" not in known:
            for guessed in content_ids(self.code, ""):
                record = self._combined(guessed)
                dvd_id = fields.text(record, "dvd_id") if record else None
                if record is not None and dvd_id and codes_match(dvd_id, self.code):
                    return map_record(record, self.code, match="guessed")
        if self.loose is not None:
            return map_record(self.loose, self.code, match="fuzzy")
        cid = fields.text(fuzzy, "content_id") if fuzzy else None
        if cid:
            log.info("r18dev: only a record without the code, %s, is left for %s", cid, self.code)
            return self._full(cid, None, "fuzzy")
        return None

    def _combined(self, content_id: str) -> Record | None:
        if content_id not in self._combined_answers:
            self._combined_answers[content_id] = self.ask(
                COMBINED.format(content_id=quote(content_id, safe="")))
        return self._combined_answers[content_id]

    def _full(self, content_id: str | None, lookup: Record | None,
              match: MatchKind) -> MovieMetadata | None:
        """The full record of ``content_id``; the lookup's own answer when there is none."""
        record = self._combined(content_id) if content_id else None
        if record is None:
            if lookup is None:
                return None
            record = lookup  # the lookup answer is a (possibly partial) record of its own
        return map_record(record, self.code, match=match)
