"""Finding the server's item for a filed video (docs/mediaserver.md, "Find the item").

By its own path, compared as the server may spell it; as a stacked movie, by the path of any of
its parts (the servers stack ``-cd1``, ``-cd2``… of one folder into one movie whose ``Path`` is
the first part and list the others as additional parts); and on Emby by name as well once the
``Path=`` filter has had its chance.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from emby_processor.mediaserver.client import MediaServerClient
from emby_processor.mediaserver.pathmap import PathMap, same_server_path
from emby_processor.mediaserver.stacking import stack_of


@dataclass(frozen=True)
class Found:
    #: the item to write; None when the server has none for the file yet
    item_id: str | None
    #: the part whose path found the stacked movie, when it is not the file's own
    via: str | None = None
    #: a part of the stack the server has not indexed yet, while the file has an item of its own
    #: that the stack will replace
    unstacked: str | None = None


def stack_paths(video: Path, server_path: str, path_map: PathMap,
                extensions: frozenset[str]) -> list[str]:
    """The server paths of the files the server stacks with ``video`` (its own included), first
    part first: the video files beside it in the library whose names stack with its name."""
    try:
        with os.scandir(video.parent) as entries:
            names = [e.name for e in entries if e.name != video.name and _is_video(e, extensions)]
    except OSError:
        return [server_path]
    parts = stack_of(video.name, names)
    return [server_path if name == video.name else path_map.to_server(str(video.parent / name))
            for name in parts]


def _is_video(entry: os.DirEntry[str], extensions: frozenset[str]) -> bool:
    if os.path.splitext(entry.name)[1].lower() not in extensions:
        return False
    try:
        entry.name.encode("utf-8")  # a name the server cannot read cannot be one of its parts
        return entry.is_file()
    except (UnicodeEncodeError, OSError):
        return False


def locate(server: MediaServerClient, own: str, stack: Sequence[str], *,
           search_term: str | None, by_name: bool) -> Found:
    """The item for the file at ``own``, one of the parts in ``stack`` (first part first)."""
    ids = server.find_items(stack, search_term=search_term, by_name=by_name)
    own_id = ids.get(own)
    for path in stack:
        head = ids.get(path)
        if path == own or head is None or head == own_id:
            continue
        if any(same_server_path(part, own) for part in server.additional_parts(head)):
            return Found(head, via=path)
    if own_id is None or own == stack[0]:
        return Found(own_id)
    # A part with an item of its own: the server has not stacked it (yet). Once every part is
    # indexed without a stack, the server does not stack these names; until then it will.
    missing = next((path for path in stack if path not in ids), None)
    return Found(own_id, unstacked=missing)
