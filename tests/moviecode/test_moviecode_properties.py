"""Property-based tests of the movie-code parser (hypothesis)."""

from __future__ import annotations

import string

from hypothesis import example, given, settings
from hypothesis import strategies as st

from emby_processor.moviecode import MovieCode, canonical_code, explain, parse_movie_code
from emby_processor.moviecode.noise import NOISE_LABELS

_ALPHABET = st.characters(codec="utf-8") | st.sampled_from(
    list("/\\-_.@[]()【】 \t\n\x00\x1f\x7f") + list(string.ascii_letters + string.digits)
)


@settings(max_examples=800, deadline=None)
@given(st.text(alphabet=_ALPHABET, max_size=300))
@example("")
@example("/" * 10_000)
@example("\\" * 10_000)
@example("a" * 100_000)
@example("ABP-" + "1" * 50_000)
@example("ABP-123" * 20_000)
@example("-_" * 40_000 + "ABP-123")
@example("\x00\x01ABP-123\x02")
@example("ＡＢＰ－１２３" * 1000)
@example("C:\\dir/sub\\ABP-123/CD1.mp4")
def test_any_string_parses_or_is_none(name: str) -> None:
    result = parse_movie_code(name)
    assert result is None or isinstance(result, MovieCode)
    if result is not None:
        assert result.code == result.code.strip()
        assert result.part is None or 1 <= result.part <= 50
    assert explain(name).result == result


@given(st.lists(st.text(max_size=40), min_size=1, max_size=6))
def test_paths_with_both_separators_never_raise(parts: list[str]) -> None:
    for sep in ("/", "\\"):
        name = sep.join(parts)
        result = parse_movie_code(name)
        assert result is None or isinstance(result, MovieCode)


def test_non_string_input_gives_none() -> None:
    assert parse_movie_code(None) is None  # type: ignore[arg-type]
    assert parse_movie_code(b"ABP-123") is None  # type: ignore[arg-type]


_LABEL = st.text(alphabet=string.ascii_uppercase, min_size=2, max_size=6).filter(
    lambda s: s not in NOISE_LABELS
)
_NUMBER = st.integers(min_value=1, max_value=99999).map(str)


def _standard(label: str, number: str) -> str:
    return f"{label}-{number.zfill(3)}"


_CODES = st.one_of(
    st.builds(_standard, _LABEL, st.integers(min_value=1, max_value=99999).map(str)),
    st.builds(
        lambda p, lab, n: f"{p}{lab}-{n:03d}",
        st.sampled_from(["259", "300", "200", "261", "229", "390", "107"]),
        _LABEL,
        st.integers(1, 9999),
    ),
    st.integers(10000, 9999999).map(lambda n: f"FC2-{n}"),
    st.integers(0, 9999).map(lambda n: f"HEYZO-{n:04d}"),
    st.builds(
        lambda m, d, y, n, sep: f"{m:02d}{d:02d}{y:02d}{sep}{n:03d}",
        st.integers(1, 12), st.integers(1, 28), st.integers(0, 99), st.integers(1, 999),
        st.sampled_from(["-", "_"]),
    ),
    st.integers(0, 9999).map(lambda n: f"N{n:04d}"),
    st.builds(
        lambda a, b: f"HEYDOUGA-{a}-{b}", st.integers(4000, 4199), st.integers(100, 99999)
    ),
    st.sampled_from(["T28-557", "S2M-007", "MKBD-S143", "XXX-AV-22061", "MKY-NS-001",
                     "TH101-140-112594", "KIN8-1234", "1000GIRI-130906", "AV9898-1234",
                     "GETCHU-4041236", "H4610-KI180913", "X-ART.18.05.15", "IBW-230Z",
                     "PRED-123E", "MYWIFE-1111", "R18-123"]),
)


@settings(max_examples=500)
@given(_CODES)
def test_canonical_code_is_a_fixed_point(code: str) -> None:
    assert canonical_code(code) == code
    canonical = canonical_code(code)
    assert canonical is not None
    assert canonical_code(canonical) == canonical


_PREFIX_NOISE = st.sampled_from(
    ["", "[Thz.la]", "hhd800.com@", "[44x.me]", "【MONV】", "sbw99.cc@", "FHD-", "HD_",
     "(HD)", "[FHD][MP4]", "javcn.net_", "第一會所新片@SIS001@", "2048论坛@fun2048.com - ",
     "[鈴村あいり] ", "4K-", "@蜂鳥@FENGNIAO131.VIP-"]
)
_SUFFIX_NOISE = st.sampled_from(
    ["", "-C", "_C", "-cd2", "_CD1", "-1080p", " 720P", "-60fps", ".x264", "-h265", "-4K",
     "-uncensored", "-U", "-UC", "-pt2", " part1", "-2", "~nyap2p.com", "-FHD", " 鈴村あいり",
     "[1080p]", "-C-cd1", ".HEVC", "-hhb", "_whole_fhd"]
)


@settings(max_examples=600)
@given(_CODES, _PREFIX_NOISE, _SUFFIX_NOISE, _SUFFIX_NOISE,
       st.sampled_from([".mp4", ".mkv", ".avi", ""]))
def test_noise_around_a_code_does_not_change_it(
    code: str, before: str, after: str, after2: str, ext: str
) -> None:
    name = f"{before}{code}{after}{after2}{ext}"
    result = parse_movie_code(name)
    assert result is not None, name
    assert result.code == code, name


@given(_CODES, st.sampled_from(["", "/watch/", "C:\\lib\\", "/a/b/c/", "\\\\nas\\x\\"]))
def test_code_survives_any_directory(code: str, directory: str) -> None:
    result = parse_movie_code(f"{directory}{code}.mp4")
    assert result is not None
    assert result.code == code


@given(st.integers(1, 9))
def test_cd_folder_gives_part(part: int) -> None:
    result = parse_movie_code(f"/watch/ABP-123/CD{part}.mp4")
    assert result == MovieCode("ABP-123", part, False, False)
