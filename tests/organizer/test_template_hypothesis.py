"""Property: whatever the metadata says, the target is a safe relative path in the library."""

from __future__ import annotations

import unicodedata
from pathlib import PurePosixPath

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emby_processor.metadata import MovieMetadata, Person
from emby_processor.organizer.sanitize import FORBIDDEN_CHARS, is_safe_segment
from emby_processor.organizer.template import render_target

HOSTILE = [
    "..", ".", "../", "../../etc", "/", "\\", "\x00", "\x7f", "\x85", "\u202e", "\u2066",
    "\u200f", "\ufeff", "CON", "nul", "COM1", "LPT¹", "aux.mp4", "-", " ", ".hidden",
    "👩\u200d👩\u200d👧", "🇯🇵", "あ" * 120, "x" * 300, "\udcff", "a:b*c?d", "trailing. ",
]
text = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=120),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=300),
    st.lists(st.sampled_from(HOSTILE), max_size=8).map("".join),
)
TEMPLATES = st.sampled_from([
    "{actress}/{code}/{code}{part}{ext}",
    "{actresses}/{maker}/{label}/{series}/{year}/{code} {title}{part}{ext}",
    "{title}/{title} {title}{part}{ext}",
    "{code}{part}{ext}",
    "x{title}./..{maker}/-{series}{ext}",
])


def _check(path: PurePosixPath) -> None:
    assert not path.is_absolute()
    assert path.parts, path
    for segment in path.parts:
        assert segment not in (".", ".."), path
        assert 0 < len(segment.encode("utf-8")) <= 255, segment
        assert not any(ch in FORBIDDEN_CHARS for ch in segment), segment
        assert not any(unicodedata.category(ch) in ("Cc", "Cs") for ch in segment), segment
        assert not any(0x202A <= ord(ch) <= 0x202E or 0x2066 <= ord(ch) <= 0x2069 for ch in segment)
        assert is_safe_segment(segment), segment
    # joined under any library, it stays inside it
    library = PurePosixPath("/library")
    assert (library / path).parts[: len(library.parts)] == library.parts
    assert ".." not in (library / path).parts


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    template=TEMPLATES,
    title=text, actress=text, second=text, maker=text, series=text, code=text,
    part=st.one_of(st.none(), st.integers(min_value=1, max_value=99)),
    ext=st.one_of(st.sampled_from([".mp4", ".MKV", "", ".x" * 20, "./..", ". "]), text),
)
def test_target_is_always_safe(
    template: str, title: str, actress: str, second: str, maker: str, series: str,
    code: str, part: int | None, ext: str,
) -> None:
    meta = MovieMetadata(
        code="ABP-123", title=title, maker=maker, series=series, label=title,
        actresses=[Person(name=actress), Person(name=second)],
    )
    path = render_target(template, meta, code=code, part=part, ext=ext)
    _check(path)
    if part is not None and "{part}" in template:
        assert f"cd{part}" in path.name or len(code.encode("utf-8", "surrogatepass")) > 200
