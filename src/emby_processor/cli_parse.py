"""Text output of ``emby-processor parse NAME…``: how each name parses and which rule matched."""

from __future__ import annotations

from emby_processor.moviecode import Explanation, explain

_SOURCES = {
    "filename": "file name",
    "folder": "folder name",
    "grandparent": "grandparent folder name",
}


def _flags(e: Explanation) -> str:
    if e.result is None:
        return ""
    flags = [f for f, on in (("subtitles", e.result.subtitles),
                             ("uncensored", e.result.uncensored)) if on]
    return ", ".join(flags) or "-"


def format_parse_result(e: Explanation) -> str:
    """One readable block for one name."""
    if e.result is None:
        return f"{e.name}\n  no code"
    part = "-" if e.result.part is None else str(e.result.part)
    lines = [
        e.name,
        f"  code:  {e.result.code}",
        f"  part:  {part}",
        f"  flags: {_flags(e)}",
        f"  rule:  {e.family}: {e.rule}",
        f"  read:  {e.matched!r} in the {_SOURCES.get(e.source, e.source)}",
    ]
    if e.notes:
        lines.append("  notes: " + "; ".join(e.notes))
    return "\n".join(lines)


def format_parse_results(names: list[str]) -> str:
    """For each name: the code, part, flags and which rule matched ("no code" when none).

    Blocks are separated by a blank line; the text ends without a trailing newline.
    """
    return "\n\n".join(format_parse_result(explain(name)) for name in names)
