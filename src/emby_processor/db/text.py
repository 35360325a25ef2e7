"""How text reaches SQLite: file paths losslessly, everything else as readable text.

A file name that is not UTF-8 (a Shift-JIS download) reaches Python as a string with lone
surrogates (PEP 383), which SQLite's UTF-8 text cannot hold. The path columns (``PATH_COLUMNS``)
store such a path as a BLOB of its exact bytes (``os.fsencode``) and give back the same string
(``os.fsdecode``), so the worker opens the very file the watcher saw; a valid UTF-8 path stays
TEXT, as before. The unique key (path, size, mtime) tells the two apart, search indexes the
bytes, and what is shown (the API, the CSV, event messages) is ``safetext.display_path``.

Any other text (messages, titles, warnings, JSON payloads) is stored ``safetext.readable``:
what cannot be stored is shown the way a person would read it rather than refused.
"""

from __future__ import annotations

import json
import os
from typing import Any

from emby_processor.item import PATH_COLUMNS, path_value
from emby_processor.safetext import is_storable, readable, safe_json

__all__ = ["PATH_COLUMNS", "json_param", "path_param", "path_value", "text_param"]



def path_param(path: str) -> str | bytes:
    """``path`` as a value to bind: the string, or its bytes when it is no valid UTF-8."""
    if is_storable(path):
        return path
    try:
        return os.fsencode(path)
    except UnicodeEncodeError:  # surrogates that are not escaped bytes: no file has this name
        return readable(path)


def text_param(value: Any) -> Any:
    """Strings made storable; anything else unchanged."""
    return readable(value) if isinstance(value, str) else value


def json_param(value: Any) -> str:
    """JSON text for a column, every string in it readable."""
    return json.dumps(safe_json(value), ensure_ascii=False, default=lambda o: readable(str(o)))
