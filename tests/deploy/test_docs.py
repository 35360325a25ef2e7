"""The documents in the repository: every local link resolves, none points outside the repo."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
_LINK = re.compile(r"\]\(([^)\s]+)\)")
_HEADING = re.compile(r"^#+\s+(.*)$", re.MULTILINE)


def _anchor(heading: str) -> str:
    """The id a Markdown renderer gives a heading: lower case, punctuation dropped, '-' for ' '."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def _local_links(document: Path) -> list[str]:
    return [link for link in _LINK.findall(document.read_text(encoding="utf-8"))
            if not link.startswith(("http://", "https://", "mailto:"))]


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: p.name)
def test_local_links_resolve_inside_the_repository(document: Path) -> None:
    for link in _local_links(document):
        target, _, fragment = link.partition("#")
        path = (document.parent / target).resolve() if target else document
        assert path.is_relative_to(ROOT), f"{document.name} links outside the repository: {link}"
        assert path.exists(), f"{document.name} links to a missing file: {link}"
        if fragment and path.suffix == ".md":
            anchors = {_anchor(h) for h in _HEADING.findall(path.read_text(encoding="utf-8"))}
            assert fragment in anchors, f"{document.name}: no heading #{fragment} in {target}"


def test_readme_links_every_document() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for document in DOCUMENTS[1:]:
        assert f"(docs/{document.name})" in readme, f"README does not link docs/{document.name}"


def test_troubleshooting_says_what_the_page_says() -> None:
    """Every cause, in the README's words and the page's: the same title, sentence, hint and
    buttons (the message catalogue), so a new cause cannot ship undocumented."""
    from emby_processor.catalogue import ACTION_LABELS, CATALOGUE
    from emby_processor.vocabulary import CAUSES

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Troubleshooting"):readme.index("## Documentation")]
    for code, entry in CATALOGUE.items():
        row = next((line for line in section.splitlines() if line.startswith(f"| `{code}`")), "")
        assert row, f"README's troubleshooting has no row for {code}"
        message = entry.message.replace("{code}", "ABP-123").replace("{name}", "the file name")
        for words in (CAUSES[code].title, CAUSES[code].hint, message):
            assert words in row, f"{code}: {words!r} is not in the README"
        for action in entry.actions:
            assert ACTION_LABELS[action] in row, f"{code}: no {ACTION_LABELS[action]!r} button"
