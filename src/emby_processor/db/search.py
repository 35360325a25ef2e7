"""The queue's search box, read the way people mean it.

- Plain text is one phrase, found inside any one field: ``summer story`` finds the title
  "A Summer Story", not an item whose title has "summer" and whose path has "story".
- Field prefixes narrow it, and combine: ``code:ABP``, ``actress:"Yua Mikami"``,
  ``title:summer``, ``path:incoming``, ``error:timeout`` (the error text and its cause code).
  Quotes keep spaces inside a value; a plain phrase may be quoted too.
- The free-text index is trigram FTS5 (schema migration 12): a term of three characters or more
  is a substring match on the index. Shorter terms cannot use it: a short code (or a short plain
  phrase) is a code prefix, a short actress a name prefix, anything else matches nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

#: search prefix -> the indexed columns it looks in (``items_search``)
FIELDS: dict[str, tuple[str, ...]] = {
    "code": ("movie_code",),
    "actress": ("actresses",),
    "title": ("title",),
    "path": ("file_path",),
    "error": ("error_message", "error_cause"),
}
_TERM = re.compile(
    r'(?i)(?<!\S)(' + "|".join(FIELDS) + r'):(?:"([^"]*)"?|(\S*))'
)
MIN_TERM = 3  # trigram: shorter text has no trigram to look up


@dataclass
class Search:
    """What a search asks for, as pieces of SQL the filter builder combines with AND."""

    clauses: list[str] = field(default_factory=list)
    params: list[object] = field(default_factory=list)

    def add(self, clause: str, *params: object) -> None:
        self.clauses.append(clause)
        self.params.extend(params)


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def parse_search(text: str) -> Search:
    # FTS5 reads its query as a C string: a NUL ends it mid-quote ("unterminated string")
    text = text.replace("\x00", "")
    search = Search()
    matches: list[str] = []

    def take(found: re.Match[str]) -> str:
        name = found.group(1).lower()
        value = (found.group(2) if found.group(2) is not None else found.group(3)).strip()
        if value:
            _term(search, matches, name, value)
        return " "

    rest = " ".join(_TERM.sub(take, text).split())
    if len(rest) >= 2 and rest[0] == rest[-1] == '"':
        rest = rest[1:-1].strip()
    if rest:
        _term(search, matches, None, rest)
    if matches:
        search.add("items.id IN (SELECT rowid FROM items_search WHERE items_search MATCH ?)",
                   " AND ".join(matches))
    return search


def _term(search: Search, matches: list[str], name: str | None, value: str) -> None:
    if len(value) >= MIN_TERM:
        columns = FIELDS[name] if name else ()
        scope = ("{" + " ".join(columns) + "} : ") if columns else ""
        matches.append(scope + _quoted(value))
    elif name in (None, "code"):
        # one or two characters: a code prefix is the only useful meaning
        prefix = value.upper()
        search.add("items.movie_code >= ? AND items.movie_code < ?", prefix, prefix + "\uffff")
    elif name == "actress":
        search.add("items.id IN (SELECT item_id FROM item_actresses"
                   " WHERE name >= ? AND name < ?)", value, value + "\uffff")
    else:
        search.add("items.id < 0")  # matches nothing, through the primary key
