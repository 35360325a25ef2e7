"""Every family entry's own examples, and a few checks of the table and helpers."""

from __future__ import annotations

import pytest

from emby_processor.moviecode import FAMILIES, canonical_code, cid_to_code, explain
from emby_processor.moviecode.families import STANDARD

_EXAMPLES = [(f.name, name, code) for f in FAMILIES for name, code in f.examples]


@pytest.mark.parametrize(("family", "name", "code"), _EXAMPLES)
def test_family_examples(family: str, name: str, code: str) -> None:
    result = explain(name)
    assert result.result is not None, name
    assert result.result.code == code
    assert result.family == family


def test_every_family_has_examples_and_unique_name() -> None:
    names = [f.name for f in FAMILIES]
    assert len(names) == len(set(names))
    assert all(f.examples for f in FAMILIES)
    assert FAMILIES[-1] is STANDARD, "the generic family goes last"


@pytest.mark.parametrize(
    ("cid", "code"),
    [
        ("abp00123", "ABP-123"), ("118abw00001", "ABW-001"), ("4sone00860", "SONE-860"),
        ("h_1472smkcx003", "SMKCX-003"), ("h_068mxgs1184bod", "MXGS-1184"),
        ("1fsdss00131re01", "FSDSS-131"), ("xyz01234", "XYZ-1234"), ("hello", None),
        ("", None), ("123_0456", None),
    ],
)
def test_cid_to_code(cid: str, code: str | None) -> None:
    assert cid_to_code(cid) == code


@pytest.mark.parametrize(
    ("code", "canonical"),
    [("abp00012", "ABP-012"), ("xyz01234", "XYZ-1234"), ("abp-123", "ABP-123"),
     ("fc2-ppv-1234567", "FC2-1234567"), ("heyzo_hd_1380", "HEYZO-1380"), ("IMG_1234", None),
     ("", None)],
)
def test_canonical_code(code: str, canonical: str | None) -> None:
    assert canonical_code(code) == canonical


def test_explain_says_where_and_why() -> None:
    e = explain("/watch/[Thz.la]abp-123-C/CD2.mp4")
    assert e.result is not None
    assert e.source == "folder"
    assert e.family == "standard"
    assert e.matched.upper() == "ABP-123"
    assert any("subtitles" in n for n in e.notes)
    assert any("part 2" in n for n in e.notes)
    none = explain("IMG_1234.mp4")
    assert none.result is None and none.family == ""
