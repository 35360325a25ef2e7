from __future__ import annotations

import pytest

from emby_processor.providers.codes import (
    cid_matches_code,
    cid_series_number,
    code_series_number,
    codes_match,
    normalize_code,
)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("ABP-123", "abp123"),
        ("ABP-123", "abp-0123"),
        ("ABP-012", "ABP-12"),
        ("abp00012", "ABP-012"),
        ("FC2-PPV-1234567", "FC2-1234567"),
        ("fc2ppv1234567", "FC2-1234567"),
        ("FC2 PPV 1234567", "FC2-1234567"),
        ("259LUXU-1234", "259luxu1234"),
        ("HEYZO-1234", "heyzo_1234"),
        ("062620-001", "062620_001"),
        ("N1234", "n-1234"),
        ("IPX-535Z", "ipx535z"),
    ],
)
def test_same_code_written_differently_matches(a: str, b: str) -> None:
    assert codes_match(a, b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("ABP-123", "ABP-124"),
        ("ABP-123", "ABP-1234"),
        ("ABP-123", "ABW-123"),
        ("259LUXU-1234", "LUXU-1234"),  # digit prefixes are part of the code
        ("FC2-1234567", "FC2-1234568"),
        ("IPX-535", "IPX-535Z"),
        ("", ""),
    ],
)
def test_different_codes_do_not_match(a: str, b: str) -> None:
    assert not codes_match(a, b)


def test_normalize_code_keeps_prefix_and_drops_padding() -> None:
    assert normalize_code("259luxu-01234") == "259LUXU1234"
    assert normalize_code("FC2-PPV-123456") == "FC2123456"


@pytest.mark.parametrize(
    ("cid", "expected"),
    [
        ("118abp00123", ("ABP", 123)),
        ("abp00123", ("ABP", 123)),
        ("h_1472smkcx003", ("SMKCX", 3)),
        ("1fsdss00131re01", ("FSDSS", 131)),
        ("436abf00030", ("ABF", 30)),
        ("", None),
    ],
)
def test_cid_series_number(cid: str, expected: tuple[str, int] | None) -> None:
    assert cid_series_number(cid) == expected


def test_cid_matches_code_by_series_and_number() -> None:
    assert code_series_number("259LUXU-1234") == ("LUXU", 1234)
    assert cid_matches_code("118abp00123", "ABP-123")
    assert cid_matches_code("259luxu01234", "259LUXU-1234")
    assert not cid_matches_code("118abp00124", "ABP-123")
    assert not cid_matches_code("118abw00123", "ABP-123")
