"""Whether two providers' answers describe the same movie (docs/providers.md, 4.4)."""

from __future__ import annotations

from datetime import date

from emby_processor.metadata import MovieMetadata, Person
from emby_processor.providers.sameness import compare, same_title


def movie(**fields: object) -> MovieMetadata:
    return MovieMetadata.model_validate({"code": "ABF-030", **fields})


METATUBE = movie(title="ABF-030 彼女の見本タイトル 中出し編", release_date=date(2021, 6, 1),
                 maker="プレステージ", actresses=[Person(name="見本花子")])
R18DEV = movie(title="Her Sample Title", original_title="彼女の見本タイトル 中●し編",
               release_date=date(2021, 6, 1), maker="Prestige",
               actresses=[Person(name="Hanako Mihon", name_ja="見本花子")])
OTHER_CHANNEL = movie(title="Best Of Compilation 4 Hours",
                      original_title="Best Of Compilation 4 Hours（別チャンネル）",
                      release_date=date(2009, 3, 1), maker="Other Channel",
                      actresses=[Person(name="Hanako Betsujin", name_ja="別人花子")])


def test_the_japanese_title_in_either_field_and_a_masked_word() -> None:
    assert same_title(METATUBE, R18DEV) is True
    assert compare(METATUBE, R18DEV) == "same"


def test_another_channels_release_is_another_movie() -> None:
    assert same_title(R18DEV, OTHER_CHANNEL) is False
    assert compare(R18DEV, OTHER_CHANNEL) == "different"
    assert compare(METATUBE, OTHER_CHANNEL) == "different"


def test_same_date_and_maker_or_cast_across_languages() -> None:
    retitled = movie(title="A translated title", release_date=date(2021, 6, 1),
                     maker="プレステージ")
    assert compare(METATUBE, retitled) == "same"
    cast = movie(title="Yet another title", release_date=date(2021, 6, 1), maker="Prestige",
                 actresses=[Person(name="Mihon Hanako")])
    assert compare(R18DEV, cast) == "same"  # romaji in either order
    assert compare(METATUBE, movie(title="Other", release_date=date(2021, 6, 1),
                                   maker="Someone Else")) == "different"


def test_one_content_id_is_one_movie() -> None:
    a = movie(title="One title", content_id="118abf00030")
    b = movie(title="Quite another", content_id="118abf030")
    assert compare(a, b) == "same"


def test_too_little_to_tell() -> None:
    assert compare(METATUBE, movie(series="見本シリーズ")) == "unknown"
    assert compare(movie(plot="x"), movie(maker="m")) == "unknown"


def test_a_truncated_title_still_matches() -> None:
    long = movie(title="彼女の見本タイトル 中出し編 完全版 特典映像付き")
    assert compare(long, movie(title="ABF-030 彼女の見本タイトル 中出し編")) == "same"
