"""Right movie or nothing: the chain writes a confident answer only, and keeps the candidates of
an uncertain one for a person (docs/providers.md, 4.4)."""

from __future__ import annotations

from datetime import date

import pytest

from emby_processor.errors import AmbiguousMatchError, UpstreamError
from emby_processor.metadata import MovieMetadata, Person
from emby_processor.providers.chain import ProviderChain
from tests.providers.test_chain import Stub


def record(source: str, title: str, *, match: str = "exact", complete: bool = True,
           **fields: object) -> MovieMetadata:
    data: dict[str, object] = {
        "code": "ABF-030", "title": title, "source": source, "source_id": f"{source}-id",
        "match": match,
    }
    if complete:
        data |= {"release_date": date(2021, 6, 1), "maker": "Prestige",
                 "actresses": [Person(name="Hanako")], "cover_url": f"https://x.invalid/{source}"}
    return MovieMetadata.model_validate(data | fields)


OTHER = {"release_date": date(2009, 3, 1), "maker": "Other Channel",
         "actresses": [Person(name="Someone Else")]}


def test_a_guess_alone_is_not_written() -> None:
    guess = record("r18dev", "Best Of Compilation", match="fuzzy", content_id="436abf00030")
    with pytest.raises(AmbiguousMatchError) as caught:
        ProviderChain([Stub("metatube", None), Stub("r18dev", guess)]).fetch("ABF-030")
    error = caught.value
    assert (error.kind, error.cause) == ("permanent", "ambiguous_match")
    (candidate,) = error.candidates
    assert candidate.title == "Best Of Compilation" and candidate.match == "fuzzy"
    assert "Best Of Compilation" in error.message and "fuzzy" not in error.message


def test_a_guess_another_provider_confirms_is_written() -> None:
    guess = record("r18dev", "The Real Title", match="guessed")
    nfo = record("nfo", "the real title", complete=False, plot="From the nfo")
    m = ProviderChain([Stub("r18dev", guess), Stub("nfo", nfo)]).fetch("ABF-030")
    assert m.title == "The Real Title" and m.plot == "From the nfo"
    assert m.match == "guessed" and m.agreed_by == ["nfo"] and m.confident


def test_two_providers_with_different_movies_write_neither() -> None:
    metatube = record("metatube", "本物のタイトル", complete=False, release_date=date(2021, 6, 1))
    r18dev = record("r18dev", "Best Of Compilation", **OTHER)
    chain = ProviderChain([Stub("metatube", metatube), Stub("r18dev", r18dev)])
    with pytest.raises(AmbiguousMatchError) as caught:
        chain.fetch("ABF-030")
    assert [c.source for c in caught.value.candidates] == ["metatube", "r18dev"]
    assert "different movies" in caught.value.message


def test_a_guess_that_disagrees_with_a_sure_answer_is_dropped() -> None:
    sure = record("metatube", "The Real Title", complete=False)
    guess = record("r18dev", "Best Of Compilation", match="fuzzy", **OTHER)
    m = ProviderChain([Stub("metatube", sure), Stub("r18dev", guess)]).fetch("ABF-030")
    assert m.title == "The Real Title"
    assert m.maker is None and m.actresses == []  # nothing of the other movie was merged in
    assert set(m.provenance.values()) == {"metatube"}


def test_an_outage_beside_a_guess_is_retried_and_the_guess_kept() -> None:
    guess = record("r18dev", "Best Of Compilation", match="fuzzy")
    chain = ProviderChain([Stub("metatube", UpstreamError("metatube", "HTTP 503")),
                           Stub("r18dev", guess)])
    with pytest.raises(UpstreamError) as caught:
        chain.fetch("ABF-030")
    assert caught.value.kind == "transient"
    assert [c.title for c in caught.value.candidates] == ["Best Of Compilation"]


def test_a_sure_complete_answer_stops_the_chain_a_guess_does_not() -> None:
    sure, later = Stub("a", record("a", "Title")), Stub("b", record("b", "Title"))
    ProviderChain([sure, later]).fetch("ABF-030")
    assert later.calls == []
    guess = Stub("a", record("a", "Title", match="guessed"))
    confirm = Stub("b", record("b", "Title"))
    m = ProviderChain([guess, confirm]).fetch("ABF-030")
    assert confirm.calls  # a guess is not enough to stop asking
    assert m.source == "a" and m.agreed_by == ["b"]  # confirmed, it keeps its place in the order


def test_channels_are_learned_from_confident_answers_only() -> None:
    learned: list[tuple[str, str | None]] = []
    sure = record("r18dev", "Title", match="known_prefix", content_id="118abf030")
    ProviderChain([Stub("r18dev", sure)], learn=lambda code, cid: learned.append((code, cid))) \
        .fetch("ABF-030")
    assert learned == [("ABF-030", "118abf030")]
    guess = record("r18dev", "Title", match="guessed", content_id="abf00030")
    with pytest.raises(AmbiguousMatchError):
        ProviderChain([Stub("r18dev", guess)],
                      learn=lambda code, cid: learned.append((code, cid))).fetch("ABF-030")
    assert learned == [("ABF-030", "118abf030")]
