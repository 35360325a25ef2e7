"""r18.dev as it really is: one code answered by another channel's release, Cloudflare in
front, the compact lookup form, and a jacket thumbnail that is 147x200."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from tests.fakes.images import FRONT, dmm_image
from tests.fakes.r18dev import DETAIL, other_channel_record, sample_record
from tests.pipeline.stack import Stack
from tests.truth.conftest import file_one


@pytest.mark.parametrize("labelled", [
    pytest.param(False, id="dvd_id-null"),
    pytest.param(True, id="labelled-with-the-code"),
])
def test_another_channels_release_is_not_written(
    emby: Stack, monkeypatch: pytest.MonkeyPatch, labelled: bool
) -> None:
    # the real ABF-030 is Prestige's 118abf030, reachable only as combined=118abf030
    real = sample_record("ABF-030", content_id="118abf030", image_base=emby.image_base(),
                         title_en="The Real ABF-030")
    other = other_channel_record(real, dvd_id="ABF-030" if labelled else None)
    emby.r18dev.add_other_channel(real, other)
    item = file_one(emby, monkeypatch, "ABF-030.mp4")
    names = [emby.emby.get(held["Id"])["Name"] for held in emby.emby.items_by_path().values()]
    assert not [n for n in names if other["title_en"] in n], names
    assert other["title_en"] not in (item.title or "")
    if item.status == "completed":
        assert item.title == "The Real ABF-030"


def test_requests_pass_cloudflare(emby: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    emby.r18dev.cloudflare = True
    emby.movie_on_r18dev("SSIS-001", actresses=(("三上悠亜", "Yua Mikami"),))
    item = file_one(emby, monkeypatch, "SSIS-001.mp4")
    assert item.status == "completed", item.error_message
    assert item.actress == "Yua Mikami"


def test_the_compact_form_is_asked_first(emby: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    emby.movie_on_r18dev("SSIS-001", actresses=(("三上悠亜", "Yua Mikami"),))
    assert file_one(emby, monkeypatch, "SSIS-001.mp4").status == "completed"
    lookups = [r.path for r in emby.r18dev.requests.all(DETAIL + "/dvd_id=")]
    assert lookups[0] == f"{DETAIL}/dvd_id=ssis001/json"


def test_the_primary_image_is_the_full_size_front_cover(
    emby: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    emby.images.real_sizes = True
    emby.movie_on_r18dev("SSIS-001", actresses=(("三上悠亜", "Yua Mikami"),))
    item = file_one(emby, monkeypatch, "SSIS-001.mp4")
    assert item.status == "completed", item.error_message
    poster = Image.open(io.BytesIO(emby.emby.image(item.emby_id or "") or b""))
    width, height = poster.size
    assert height >= 500 and width < height  # the jacket's full height, portrait
    centre = poster.convert("RGB").getpixel((width // 2, height // 2))
    assert all(abs(int(c) - f) <= 24 for c, f in zip(centre, FRONT, strict=True))


@pytest.mark.parametrize("sidecars", [True, False], ids=["with-sidecars", "without-sidecars"])
def test_the_jacket_is_the_backdrop_and_no_thumbnail_is_fetched(
    emby: Stack, monkeypatch: pytest.MonkeyPatch, sidecars: bool
) -> None:
    emby.images.real_sizes = True
    emby.movie_on_r18dev("SSIS-001", actresses=(("三上悠亜", "Yua Mikami"),))
    item = file_one(emby, monkeypatch, "SSIS-001.mp4", WRITE_IMAGES=str(sidecars).lower())
    assert item.status == "completed", item.error_message
    poster = Image.open(io.BytesIO(emby.emby.image(item.emby_id or "") or b""))
    assert poster.size == (377, 538)  # the front, cut from the jacket at its full height
    assert emby.emby.image(item.emby_id or "", "Backdrop") == dmm_image("pl")
    assert not [r for r in emby.images.requests.all() if r.path.endswith("ps.jpg")]
    video = Path(item.library_path or "")
    fanart, cut = video.with_name("SSIS-001-fanart.jpg"), video.with_name("SSIS-001-poster.jpg")
    assert fanart.exists() == cut.exists() == sidecars
    if sidecars:
        assert fanart.read_bytes() == dmm_image("pl")
        assert Image.open(cut).size == (377, 538)
