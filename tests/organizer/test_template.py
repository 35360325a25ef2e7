"""LIBRARY_TEMPLATE rendering and every sanitising rule."""

from __future__ import annotations

from pathlib import PurePosixPath

import pytest

from emby_processor.metadata import MovieMetadata, Person
from emby_processor.organizer.sanitize import is_safe_segment
from emby_processor.organizer.template import (
    DEFAULT_TEMPLATE,
    FIELDS,
    render_target,
    validate_template,
)

from .conftest import make_metadata


def render(template: str, meta: MovieMetadata | None = None, **kw: object) -> PurePosixPath:
    args: dict[str, object] = {"code": "ABP-123", "part": None, "ext": ".mp4"}
    args.update(kw)
    return render_target(template, meta or make_metadata(), **args)  # type: ignore[arg-type]


def one(value: str, field: str = "title") -> str:
    """Render a single field as the file name and return the stem."""
    meta = make_metadata(**{field: value}) if field != "actress" else None
    return render(f"{{{field}}}{{ext}}", meta).name.removesuffix(".mp4")


def test_default_template() -> None:
    assert render(DEFAULT_TEMPLATE) == PurePosixPath("見本花子/ABP-123/ABP-123.mp4")


def test_every_field() -> None:
    template = "/".join(f"{{{f}}}" for f in FIELDS if f not in ("part", "ext"))
    path = render(template + "{part}{ext}", part=2, ext=".MKV")
    assert path.parts == (
        "ABP-123", "見本タイトル", "見本花子", "見本花子, Second Actress",
        "見本メーカー", "見本レーベル", "見本シリーズ", "2021-cd2.mkv",
    )
    # a segment that would start with "-" is never read as an option by shell tools
    assert render("{part}{ext}", part=1).name == "_cd1.mp4"


def test_part_and_multipart_share_folder() -> None:
    first = render(DEFAULT_TEMPLATE, part=1)
    second = render(DEFAULT_TEMPLATE, part=2)
    assert first.name == "ABP-123-cd1.mp4" and second.name == "ABP-123-cd2.mp4"
    assert first.parent == second.parent


def test_missing_values() -> None:
    meta = MovieMetadata(code="ABP-123")
    assert render("{actress}/{actresses}/{maker}/{year}/{code}{ext}", meta).parts == (
        "Unknown", "Unknown", "Unknown", "Unknown", "ABP-123.mp4",
    )


def test_year_from_release_date() -> None:
    meta = MovieMetadata.model_validate({"code": "ABP-123", "release_date": "2019-05-06"})
    assert render("{year}/{code}{ext}", meta).parts[0] == "2019"


def test_actresses_truncated_after_three() -> None:
    people = [Person(name=n) for n in ("A", "B", "C", "D", "E")]
    meta = make_metadata(actresses=people)
    assert render("{actresses}/{code}{ext}", meta).parts[0] == "A, B, C, …"


def test_format_spec_allowed() -> None:
    assert render("{title:.2}/{code}{ext}").parts[0] == "見本"


def test_ext_normalised() -> None:
    assert render("{code}{ext}", ext="MKV").name == "ABP-123.mkv"
    assert render("{code}{ext}", ext="").name == "ABP-123"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("a/b\\c", "a／b＼c"),
        ('<>:"|?*', "＜＞：＂｜？＊"),
        ("..", "Unknown"),
        (".", "Unknown"),
        ("...hidden", "hidden"),
        ("  spaced   out  ", "spaced out"),
        ("tab\tnew\nline\u2028sep\u3000wide", "tab new line sep wide"),
        ("nul\x00ctl\x01del\x7fc1\x85\x9f", "nulctldelc1"),
        ("bidi\u202eevil\u202c\u2066x\u2069\u200e\u200f\u061c", "bidievilx"),
        ("zero\u200bwidth\ufeff", "zerowidth"),
        ("emoji 👩\u200d👩\u200d👧 ok", "emoji 👩\u200d👩\u200d👧 ok"),
        ("trailing dots...", "trailing dots"),
        ("-rf", "_rf"),
        ("", "Unknown"),
        ("\u202e", "Unknown"),
        ("e\u0301", "\u00e9"),  # NFC
        ("lone\udcffsurrogate", "lonesurrogate"),
    ],
)
def test_sanitise_value(value: str, expected: str) -> None:
    meta = make_metadata()
    meta.title = value  # as given, past the model's own cleaning: the template copes with anything
    segment = render("{title}/{code}{ext}", meta).parts[0]
    assert segment == expected
    assert is_safe_segment(segment)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("CON", "CON_"),
        ("con", "con_"),
        ("NUL.txt", "NUL_.txt"),
        ("COM1", "COM1_"),
        ("LPT9", "LPT9_"),
        ("COM¹", "COM¹_"),
        ("CONIN$", "CONIN$_"),
        ("AUX .x", "AUX_ .x"),
        ("CONSOLE", "CONSOLE"),
        ("COM10", "COM10"),
    ],
)
def test_reserved_windows_names(value: str, expected: str) -> None:
    meta = make_metadata(title=value)
    assert render("{title}/{code}{ext}", meta).parts[0] == expected


def test_reserved_name_as_file_name() -> None:
    assert render("{code}{ext}", code="NUL").name == "NUL_.mp4"
    assert render("{code}{part}{ext}", code="CON", part=None).name == "CON_.mp4"


def test_value_cannot_create_directories() -> None:
    meta = make_metadata(title="../../etc/passwd", actresses=[Person(name="/abs")])
    path = render("{actress}/{title}{ext}", meta)
    assert len(path.parts) == 2
    assert path.parts[0] == "／abs"
    assert ".." not in path.parts and not path.is_absolute()


def test_long_segment_truncated_on_character_boundary() -> None:
    meta = make_metadata(title="あ" * 200)  # 600 bytes
    path = render("{title}/{code} {title}{part}{ext}", meta, part=2)
    folder, name = path.parts
    assert len(folder.encode()) <= 255 and folder.endswith("…")
    assert len(name.encode()) <= 255 - len("-fanart.jpg") + len(".mp4")
    assert name.startswith("ABP-123 あ") and name.endswith("…-cd2.mp4")
    folder.encode().decode()  # valid UTF-8


def test_truncation_keeps_code_part_and_ext() -> None:
    meta = make_metadata(title="x" * 400, series="y" * 400)
    one_ = render("{title} {series} {code}{part}{ext}", meta, part=1).name
    two_ = render("{title} {series} {code}{part}{ext}", meta, part=2).name
    assert one_ != two_ and one_.endswith("ABP-123-cd1.mp4") and two_.endswith("-cd2.mp4")
    stem = one_.removesuffix(".mp4")
    assert len((stem + "-fanart.jpg").encode()) <= 255


def test_overlong_literal_falls_back_to_hard_cut() -> None:
    path = render("{code}" + "L" * 300 + "{ext}")
    assert len(path.name.encode()) <= 255 and path.name.endswith(".mp4")


def test_literals_are_sanitised_too() -> None:
    assert render("{code}: {title}{ext}").name == "ABP-123： 見本タイトル.mp4"


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("{nope}/{code}{ext}", "unknown field {nope}"),
        ("{code.__class__}{ext}", "unknown field {code.__class__}"),
        ("{code[0]}{ext}", "unknown field {code[0]}"),
        ("{0}{ext}", "unknown field {0}"),
        ("{}{ext}", "unknown field {}"),
        ("{code!r}{ext}", "conversion"),
        ("{title:{code}}{ext}", "nested"),
        ("{code:d}{ext}", "Unknown format code"),
        ("{code", "invalid"),
        ("/{code}{ext}", "relative"),
        ("{code}//{code}{ext}", "empty"),
        ("../{code}{ext}", "'..'"),
        ("./{code}{ext}", "'.'"),
        ("{code}\\{code}{ext}", "'/'"),
        ("{code}", "must end with {ext}"),
        ("{code}{ext}/", "empty"),
        ("", "empty"),
    ],
)
def test_invalid_templates(template: str, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("{", r"\{")):
        validate_template(template)


def test_render_rejects_invalid_template_too() -> None:
    with pytest.raises(ValueError, match="unknown field"):
        render("{bogus}{ext}")


def test_parts_are_named_so_the_media_servers_stack_them() -> None:
    """Every part of a movie gets a name the servers' stacking rule groups into one movie,
    even when a long title has to be shortened (``-cd10`` is longer than ``-cd9``)."""
    from emby_processor.mediaserver.stacking import stack_of
    from tests.fakes.mediaserver_rules import stack_parts

    for template in (DEFAULT_TEMPLATE, "{actress}/{code} {title}{part}{ext}", "{code}{ext}"):
        meta = make_metadata(title="あ" * 200)
        names = [render(template, meta, part=n).name for n in range(1, 13)]
        assert stack_parts(f"/m/{name}" for name in names) == [
            (names[0][: names[0].rindex("-cd1")], [f"/m/{name}" for name in sorted(names)])]
        assert sorted(stack_of(names[1], names)) == sorted(names)
    assert render("{code}{ext}", part=2).name == "ABP-123-cd2.mp4"  # no {part}: added


def test_a_part_anywhere_but_the_end_of_the_name_is_refused() -> None:
    with pytest.raises(ValueError, match=r"\{part\} must come right before \{ext\}"):
        validate_template("{code}{part} {title}{ext}")
    with pytest.raises(ValueError, match=r"\{part\} must come right before \{ext\}"):
        validate_template("{code}{part}/{code}{ext}")
