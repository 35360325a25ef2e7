"""DMM channel prefixes: which numeric prefixes a label's content ids carry (docs/providers.md,
2.3).

A DMM content id is ``<channel prefix><label><number>[suffix]``: ``118abf030``, ``436abf00030``,
``h_1472smkcx003``. One label may be sold under several channels, and the prefix cannot be
derived from the code, so the r18.dev provider asks the channels known for the label. They come
from two places:

- a small table shipped with the service (``dmm_channels.csv``, its source in its header), which
  is asked first: a channel learned later never jumps it;
- the channels of answers already seen (``learn``): each confident answer with a content id of
  its code records its prefix in the store (the queue database's ``dmm_channels`` table), most
  seen first.
"""

from __future__ import annotations

import csv
import logging
import re
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import NamedTuple, Protocol

from emby_processor.providers.codes import code_series_number

log = logging.getLogger(__name__)

_CID = re.compile(r"(h_\d+|\d*)([a-z]+)(\d+)([a-z0-9_]*)")
_DIGIT_PREFIX = re.compile(r"\d+")
TABLE = "dmm_channels.csv"


class ContentId(NamedTuple):
    prefix: str
    label: str  # upper case, as in codes
    number: int
    suffix: str


class ChannelStore(Protocol):
    """Where learned channels are kept (``QueueDB`` implements it)."""

    def channel_prefixes(self, label: str) -> list[str]: ...

    def learn_channel(self, label: str, prefix: str) -> None: ...


def parse_content_id(content_id: str | None) -> ContentId | None:
    match = _CID.fullmatch((content_id or "").strip().lower())
    if not match:
        return None
    return ContentId(match[1], match[2].upper(), int(match[3]), match[4])


def content_ids(code: str, prefix: str) -> list[str]:
    """The content ids ``code`` may have on the channel ``prefix``: the number padded to five
    digits, then to three (``118abf00030``, ``118abf030``: DMM uses both, and they are different
    keys). A code with a digit prefix of its own (``259LUXU-1234``) keeps it when ``prefix`` is
    empty."""
    parsed = code_series_number(code)
    if parsed is None:
        return []
    label, number = parsed
    if not prefix:
        own = _DIGIT_PREFIX.match(code.strip())
        prefix = own[0] if own else ""
    stem = f"{prefix}{label.lower()}"
    return list(dict.fromkeys([f"{stem}{number:05d}", f"{stem}{number:03d}"]))


@cache
def load_shipped() -> dict[str, tuple[str, ...]]:
    """The shipped table: label -> its channel prefixes, in the table's order."""
    table: dict[str, list[str]] = {}
    text = resources.files(__package__ or "emby_processor.providers").joinpath(TABLE)
    with text.open(encoding="utf-8") as handle:
        rows = csv.reader(line for line in handle if line.strip() and not line.startswith("#"))
        for row in rows:
            if len(row) >= 2 and row[0].strip() != "label":
                label, prefix = row[0].strip().upper(), row[1].strip().lower()
                table.setdefault(label, []).append(prefix)
    return {label: tuple(prefixes) for label, prefixes in table.items()}


class MemoryChannels:
    """A ``ChannelStore`` kept in memory (the dashboard alone, tests)."""

    def __init__(self) -> None:
        self.learned: dict[str, dict[str, int]] = {}

    def channel_prefixes(self, label: str) -> list[str]:
        seen = self.learned.get(label.upper(), {})
        return sorted(seen, key=lambda prefix: (-seen[prefix], prefix))

    def learn_channel(self, label: str, prefix: str) -> None:
        seen = self.learned.setdefault(label.upper(), {})
        seen[prefix] = seen.get(prefix, 0) + 1


class ChannelBook:
    """The channels known for a label: the shipped table's first, then the learned ones."""

    def __init__(self, store: ChannelStore | None = None,
                 shipped: Mapping[str, tuple[str, ...]] | None = None) -> None:
        self._store: ChannelStore = store if store is not None else MemoryChannels()
        self._shipped = load_shipped() if shipped is None else shipped

    def prefixes(self, label: str) -> list[str]:
        label = label.upper()
        known = list(self._shipped.get(label, ()))
        try:
            learned = self._store.channel_prefixes(label)
        except Exception as error:  # the table is a help, never a reason to fail a fetch
            log.warning("learned DMM channels of %s not read: %s", label, error)
            learned = []
        return list(dict.fromkeys([*known, *learned]))

    def learn(self, code: str, content_id: str | None) -> None:
        """Remember the channel of ``content_id`` when it is a content id of ``code``."""
        parsed, wanted = parse_content_id(content_id), code_series_number(code)
        if parsed is None or wanted is None or (parsed.label, parsed.number) != wanted:
            return
        try:
            self._store.learn_channel(parsed.label, parsed.prefix)
        except Exception as error:
            log.warning("DMM channel %r of %s not recorded: %s", parsed.prefix, parsed.label,
                        error)
