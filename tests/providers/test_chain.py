"""ProviderChain: order, fill-in, provenance, mismatch rejection and error classification."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from emby_processor.errors import (
    MetadataNotFoundError,
    UpstreamAuthError,
    UpstreamBlockedError,
    UpstreamError,
)
from emby_processor.metadata import MovieMetadata, Person
from emby_processor.nfo_writer import render_nfo
from emby_processor.providers import ProviderStatus
from emby_processor.providers.chain import ProviderChain
from emby_processor.providers.metatube import MetaTubeProvider
from emby_processor.providers.nfo import NfoProvider
from emby_processor.providers.r18dev import R18DevProvider
from tests.fakes.metatube import sample_movie
from tests.fakes.r18dev import sample_record
from tests.providers.conftest import Served


class Stub:
    """An in-process provider answering from a script: a record, None, or an exception."""

    def __init__(self, name: str, answer: MovieMetadata | Exception | None) -> None:
        self.name = name
        self.answer = answer
        self.calls: list[tuple[str, Path | None, bool]] = []

    def fetch(
        self, code: str, *, path: Path | None = None, refresh: bool = False
    ) -> MovieMetadata | None:
        self.calls.append((code, path, refresh))
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer.model_copy(deep=True) if self.answer else None

    def check(self) -> ProviderStatus:
        if isinstance(self.answer, Exception):
            raise self.answer
        return ProviderStatus(True, f"{self.name} fine")

    def close(self) -> None:
        pass


def complete(code: str = "ABP-123", **changes: object) -> MovieMetadata:
    fields = {
        "code": code, "title": "Full", "release_date": date(2021, 6, 1), "year": 2021,
        "actresses": [Person(name="Hanako")], "cover_url": "https://x.invalid/pl.jpg",
        "maker": "Maker", "source": "full", "source_id": "f1",
        "external_ids": {"dmm_cid": "118abp00123"},
    }  # fmt: skip
    fields.update(changes)
    return MovieMetadata.model_validate(fields)


def test_first_complete_answer_wins_and_later_ones_are_not_asked() -> None:
    first, second = Stub("a", complete(title="A")), Stub("b", complete(title="B"))
    m = ProviderChain([first, second]).fetch("ABP-123")
    assert m.title == "A" and second.calls == []
    assert m.provenance["title"] == "a" and m.provenance["cover_url"] == "a"


def test_gaps_are_filled_in_chain_order_with_provenance() -> None:
    # the same movie (same title), a thinner record first
    partial = MovieMetadata(code="abp123", title="FULL", plot="Plot from a",
                            external_ids={"metatube": "X:1"})  # fmt: skip
    full = complete(plot=None, label="Label b", genres=["Drama"])
    nfo = MovieMetadata(code="ABP-123", series="Series c", genres=["Ignored"])
    a, b, c = Stub("a", partial), Stub("b", full), Stub("c", nfo)
    m = ProviderChain([a, b, c]).fetch("ABP-123")
    # b is the first complete answer: its values win, a (earlier, incomplete) fills its gaps
    assert m.title == "Full" and m.plot == "Plot from a" and m.label == "Label b"
    assert m.genres == ["Drama"]
    assert c.calls == []  # b was complete
    assert m.code == "ABP-123"  # the asked, canonical form
    assert m.source == "full"
    assert m.external_ids == {"metatube": "X:1", "dmm_cid": "118abp00123"}
    assert m.provenance == {
        "title": "b", "plot": "a", "release_date": "b", "maker": "b", "label": "b",
        "genres": "b", "actresses": "b", "cover_url": "b",
        "external_ids.metatube": "a", "external_ids.dmm_cid": "b",
    }  # fmt: skip
    assert "series" not in m.provenance and "code" not in m.provenance


def test_no_complete_answer_merges_everything_in_order() -> None:
    a = Stub("a", MovieMetadata(code="ABP-123", title="A title", release_date=date(2020, 1, 2)))
    b = Stub("b", MovieMetadata(code="ABP-123", title="A title", maker="B maker", year=1999))
    m = ProviderChain([a, b]).fetch("ABP-123")
    assert (m.title, m.maker, m.release_date) == ("A title", "B maker", date(2020, 1, 2))
    assert m.year == 2020  # follows the merged date, not b's stray year
    assert m.provenance == {"title": "a", "release_date": "a", "maker": "b"}


def test_record_for_another_code_is_rejected_never_applied() -> None:
    liar = Stub("liar", complete("XYZ-999", title="Wrong movie", plot="wrong plot"))
    honest = Stub("honest", MovieMetadata(code="ABP-123", title="Right"))
    m = ProviderChain([liar, honest]).fetch("ABP-123")
    assert m.title == "Right" and m.plot is None and m.cover_url is None
    assert set(m.provenance.values()) == {"honest"}


def test_mismatch_alone_is_a_transient_failure() -> None:
    with pytest.raises(UpstreamError, match="XYZ-999") as caught:
        ProviderChain([Stub("liar", complete("XYZ-999"))]).fetch("ABP-123")
    assert caught.value.kind == "transient"


def test_one_failing_provider_does_not_fail_the_item() -> None:
    broken = Stub("broken", UpstreamError("broken", "HTTP 500"))
    crashing = Stub("crashing", RuntimeError("bug"))
    m = ProviderChain([broken, crashing, Stub("ok", complete())]).fetch("ABP-123")
    assert m.title == "Full"


def test_all_not_found_is_permanent_and_names_the_providers() -> None:
    chain = ProviderChain([Stub("metatube", None), Stub("r18dev", None)])
    with pytest.raises(MetadataNotFoundError, match="ABP-123 not found by metatube, r18dev") as e:
        chain.fetch("ABP-123")
    assert e.value.kind == "permanent"


def test_any_transient_failure_makes_the_whole_miss_transient() -> None:
    chain = ProviderChain([
        Stub("metatube", UpstreamError("metatube", "HTTP 429", retry_after=5)),
        Stub("r18dev", UpstreamBlockedError("r18dev", "HTTP 403", retry_after=30)),
        Stub("nfo", None),
    ])  # fmt: skip
    with pytest.raises(UpstreamError) as caught:
        chain.fetch("ABP-123")
    message = str(caught.value)
    assert caught.value.kind == "transient" and caught.value.retry_after == 30
    assert "metatube: HTTP 429" in message and "r18dev: HTTP 403" in message
    assert "nfo: not found" in message


def test_provider_crash_counts_as_transient() -> None:
    with pytest.raises(UpstreamError, match="unexpected error"):
        ProviderChain([Stub("buggy", KeyError("x"))]).fetch("ABP-123")


def test_auth_failure_without_transient_ones_is_permanent() -> None:
    chain = ProviderChain([Stub("metatube", UpstreamAuthError("metatube", "HTTP 401")),
                           Stub("r18dev", None)])  # fmt: skip
    with pytest.raises(UpstreamAuthError, match="HTTP 401") as caught:
        chain.fetch("ABP-123")
    assert caught.value.kind == "permanent"


def test_no_providers() -> None:
    with pytest.raises(MetadataNotFoundError, match="no metadata providers"):
        ProviderChain([]).fetch("ABP-123")


def test_path_and_refresh_reach_every_provider(tmp_path: Path) -> None:
    a, b = Stub("a", None), Stub("b", complete())
    ProviderChain([a, b]).fetch("ABP-123", path=tmp_path / "v.mp4", refresh=True)
    assert a.calls == b.calls == [("ABP-123", tmp_path / "v.mp4", True)]


def test_whole_chain_against_the_fakes(metatube: Served, r18: Served, tmp_path: Path) -> None:
    """MetaTube is down, r18.dev answers without a plot, the .nfo beside the video fills it."""
    metatube.fake.add_movie(sample_movie("ABP-123"))
    metatube.fake.faults.set("500")
    r18.fake.add_movie(sample_record("ABP-123", comment_en=None, title_en=None))
    video = tmp_path / "ABP-123.mp4"
    video.write_bytes(b"")
    nfo = MovieMetadata(code="ABP-123", title="ABP-123 の見本タイトル", plot="Plot from the nfo")
    video.with_suffix(".nfo").write_bytes(render_nfo(nfo))
    providers = [
        MetaTubeProvider(metatube.url, timeout=5),
        R18DevProvider(r18.url, min_interval=0.0),
        NfoProvider(),
    ]
    chain = ProviderChain(providers)
    try:
        m = chain.fetch("ABP-123", path=video)
        assert m.source == "r18dev" and m.title == "ABP-123 の見本タイトル"
        assert m.plot is None  # r18 was complete: the chain stopped there
        r18.fake.records["118abp00123"]["jacket_full_url"] = None
        m = chain.fetch("ABP-123", path=video, refresh=True)
        assert m.provenance["plot"] == "nfo" and m.plot == "Plot from the nfo"
        assert m.provenance["title"] == "r18dev" and m.cover_url is None
        statuses = {p.name: p.check() for p in providers}
        assert not statuses["metatube"].ok and statuses["r18dev"].ok and statuses["nfo"].ok
    finally:
        for provider in providers:
            provider.close()


def test_language_follows_the_provider_of_the_title() -> None:
    a = Stub("a", MovieMetadata(code="ABP-123", maker="Maker", language="ja"))
    b = Stub("b", MovieMetadata(code="ABP-123", title="English title", language="en"))
    m = ProviderChain([a, b]).fetch("ABP-123")
    assert m.title == "English title" and m.language == "en"
