"""Translate between the paths we see and the paths the media server sees (``EMBY_PATH_MAP``).

In Docker set-ups the same folder is mounted at different places in our container and in the
server's (``/library`` here, ``/mnt/media`` there, or ``D:\\media`` on a Windows server), and the
server only recognises a file announced under its own path.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:(?:[\\/]|$)")


def _is_windows(path: str) -> bool:
    return bool(_WINDOWS_DRIVE.match(path)) or path.startswith("\\\\")


def path_key(path: str) -> str:
    """What two spellings of one server path have in common: the Unicode form (NFC; a macOS
    volume hands out NFD) and, for a Windows path, the case and the separator."""
    text = unicodedata.normalize("NFC", path)
    if _is_windows(text):
        return text.replace("/", "\\").casefold()
    return text


def same_server_path(a: str, b: str) -> bool:
    """Whether two paths a media server reports name the same file (see ``path_key``)."""
    return path_key(a) == path_key(b)


def _sep(path: str) -> str:
    return "\\" if _is_windows(path) else "/"


def _normalise_prefix(prefix: str) -> str:
    """Drop trailing separators so ``/a/`` and ``/a`` are one prefix, but keep roots whole."""
    sep = _sep(prefix)
    if _is_windows(prefix):
        prefix = prefix.replace("/", "\\")
    stripped = prefix.rstrip(sep)
    if not stripped or re.fullmatch(r"[A-Za-z]:", stripped):
        return stripped + sep
    return stripped


def _remainder(path: str, prefix: str) -> str | None:
    """The part of ``path`` after ``prefix`` if the prefix ends on a segment boundary."""
    sep = _sep(prefix)
    windows = _is_windows(prefix)
    if windows:
        # Windows file systems are case-insensitive and accept either separator.
        path = path.replace("/", "\\")
    head = path[: len(prefix)]
    if (head.casefold() != prefix.casefold()) if windows else (head != prefix):
        return None
    rest = path[len(prefix) :]
    if prefix.endswith(sep) or not rest:
        return rest
    return rest[1:] if rest.startswith(sep) else None


def _join(prefix: str, remainder: str, from_sep: str) -> str:
    sep = _sep(prefix)
    if from_sep != sep:
        remainder = remainder.replace(from_sep, sep)
    if not remainder:
        return prefix
    return prefix + remainder if prefix.endswith(sep) else prefix + sep + remainder


def _is_absolute(path: str) -> bool:
    return path.startswith("/") or _is_windows(path)


@dataclass(frozen=True)
class PathMap:
    """Ordered ``(local_prefix, server_prefix)`` pairs; an empty map is the identity."""

    entries: tuple[tuple[str, str], ...] = ()

    @classmethod
    def parse(cls, text: str) -> PathMap:
        """Parse ``local_prefix=server_prefix[,…]``; blank text gives the identity map."""
        entries: list[tuple[str, str]] = []
        seen: set[str] = set()
        for number, raw in enumerate(text.split(","), start=1):
            entry = raw.strip()
            if not entry:
                continue
            if "=" not in entry:
                raise ValueError(
                    f"EMBY_PATH_MAP entry {number} {entry!r} has no '=': "
                    "expected local_prefix=server_prefix, e.g. /library=/mnt/media"
                )
            local, server = (side.strip() for side in entry.split("=", 1))
            if not local or not server:
                side = "local" if not local else "server"
                raise ValueError(f"EMBY_PATH_MAP entry {number} {entry!r} has an empty {side} side")
            for side, value in (("local", local), ("server", server)):
                if not _is_absolute(value):
                    raise ValueError(
                        f"EMBY_PATH_MAP entry {number}: {side} prefix {value!r} is not an "
                        "absolute path (start with '/', 'X:\\' or '\\\\server\\share')"
                    )
            local, server = _normalise_prefix(local), _normalise_prefix(server)
            key = local.casefold() if _is_windows(local) else local
            if key in seen:
                raise ValueError(f"EMBY_PATH_MAP lists the local prefix {local!r} twice")
            seen.add(key)
            entries.append((local, server))
        return cls(tuple(entries))

    def to_server(self, local_path: str) -> str:
        """The server's path for ``local_path``; unmapped paths are returned unchanged."""
        return self._translate(local_path, forward=True)

    def to_local(self, server_path: str) -> str:
        """Our path for a path the server reported; unmapped paths are returned unchanged."""
        return self._translate(server_path, forward=False)

    def _translate(self, path: str, *, forward: bool) -> str:
        best: tuple[int, str, str, str] | None = None
        for local, server in self.entries:
            source, target = (local, server) if forward else (server, local)
            rest = _remainder(path, source)
            # Longest prefix wins so /a/b=... overrides /a=... for files under /a/b.
            if rest is not None and (best is None or len(source) > best[0]):
                best = (len(source), source, target, rest)
        if best is None:
            return path
        _, source, target, rest = best
        return _join(target, rest, _sep(source))

    def __bool__(self) -> bool:
        return bool(self.entries)
