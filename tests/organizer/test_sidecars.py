"""The .nfo, poster and fanart beside a filed video."""

from __future__ import annotations

from pathlib import Path

import pytest
from defusedxml import ElementTree

from emby_processor.errors import UpstreamError
from emby_processor.metadata import MovieMetadata
from emby_processor.organizer.artwork import image_size
from emby_processor.organizer.sidecars import NFO_MARKER, with_marker, write_sidecars
from tests.fakes.images import dmm_image

from .conftest import make_metadata, temp_files

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 100
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100


class Images:
    """A stand-in fetcher: URL -> bytes, or an exception to raise; counts calls."""

    def __init__(self, answers: dict[str, bytes | Exception]) -> None:
        self.answers = answers
        self.calls: list[str] = []

    def __call__(self, url: str) -> bytes:
        self.calls.append(url)
        answer = self.answers[url]
        if isinstance(answer, Exception):
            raise answer
        return answer


@pytest.fixture
def video(tmp_path: Path) -> Path:
    path = tmp_path / "ABP-123.mp4"
    path.write_bytes(b"video")
    return path


def write(video: Path, meta: MovieMetadata, fetch: Images, **kw: bool):  # type: ignore[no-untyped-def]
    options = {"write_nfo": True, "write_images": True} | kw
    return write_sidecars(video, meta, fetch_image=fetch, **options)


def good_images() -> Images:
    return Images({"http://img.invalid/poster.jpg": JPEG, "http://img.invalid/cover.jpg": PNG})


def test_writes_nfo_poster_fanart(video: Path, metadata: MovieMetadata) -> None:
    result = write(video, metadata, good_images())
    nfo, poster, fanart = (video.with_name(n) for n in
                           ("ABP-123.nfo", "ABP-123-poster.jpg", "ABP-123-fanart.jpg"))
    assert result.written == [nfo, poster, fanart] and result.warnings == []
    assert poster.read_bytes() == JPEG and fanart.read_bytes() == PNG
    root = ElementTree.fromstring(nfo.read_bytes())
    assert root.tag == "movie"
    assert root.findtext("title") == "ABP-123 見本タイトル"
    assert root.findtext("sorttitle") == "ABP-123"
    assert [a.findtext("name") for a in root.findall("actor")] == ["見本花子", "Second Actress"]
    assert root.find("id") is None
    lines = nfo.read_bytes().splitlines()
    assert lines[0].startswith(b"<?xml") and lines[1] == NFO_MARKER
    assert temp_files(video.parent) == []


def test_poster_falls_back_to_cover(video: Path) -> None:
    meta = make_metadata(poster_url=None)
    fetch = Images({"http://img.invalid/cover.jpg": JPEG})
    result = write(video, meta, fetch, write_nfo=False)
    assert len(result.written) == 2 and result.warnings == []
    assert fetch.calls == ["http://img.invalid/cover.jpg"]  # fetched once, used twice


def test_the_poster_is_the_front_of_the_jacket_and_the_fanart_the_jacket(video: Path) -> None:
    # what r18.dev gives: a 147x200 thumbnail of the front and the full landscape jacket
    thumb, jacket = "http://img.invalid/ps.jpg", "http://img.invalid/pl.jpg"
    meta = make_metadata(poster_url=None, thumb_url=thumb, cover_url=jacket)
    fetch = Images({thumb: dmm_image("ps"), jacket: dmm_image("pl")})
    result = write(video, meta, fetch)
    assert result.warnings == []
    poster = video.with_name("ABP-123-poster.jpg").read_bytes()
    assert image_size(poster) == (377, 538)  # portrait, the jacket's full height
    assert video.with_name("ABP-123-fanart.jpg").read_bytes() == dmm_image("pl")
    assert fetch.calls == [jacket]  # downloaded once; the thumbnail was never needed


def test_multi_part_sidecars_follow_the_part(tmp_path: Path, metadata: MovieMetadata) -> None:
    part = tmp_path / "ABP-123-cd2.mkv"
    part.write_bytes(b"v")
    result = write(part, metadata, good_images())
    assert sorted(p.name for p in result.written) == [
        "ABP-123-cd2-fanart.jpg", "ABP-123-cd2-poster.jpg", "ABP-123-cd2.nfo",
    ]


def test_image_failure_is_a_warning_not_an_error(video: Path, metadata: MovieMetadata) -> None:
    fetch = Images({
        "http://img.invalid/poster.jpg": UpstreamError("image", "HTTP 503"),
        "http://img.invalid/cover.jpg": b"<html>blocked</html>",
    })
    result = write(video, metadata, fetch)
    assert result.written == [video.with_name("ABP-123.nfo")]
    assert len(result.warnings) == 2
    assert "poster" in result.warnings[0] and "503" in result.warnings[0]
    assert "fanart" in result.warnings[1] and "not an image" in result.warnings[1]
    assert not video.with_name("ABP-123-poster.jpg").exists()
    # reprocess: the images come back, the missing ones are written now
    again = write(video, metadata, good_images())
    assert {p.name for p in again.written} == {"ABP-123-poster.jpg", "ABP-123-fanart.jpg"}
    assert again.kept == [video.with_name("ABP-123.nfo")]  # unchanged nfo not rewritten


def test_no_image_url_is_noted(video: Path) -> None:
    result = write(video, make_metadata(poster_url=None, cover_url=None), Images({}))
    assert len(result.warnings) == 2 and "no image URL" in result.warnings[0]


def test_users_nfo_is_never_overwritten(video: Path, metadata: MovieMetadata) -> None:
    nfo = video.with_name("ABP-123.nfo")
    mine = b"<?xml version='1.0'?><movie><title>my own</title></movie>"
    nfo.write_bytes(mine)
    result = write(video, metadata, good_images(), write_images=False)
    assert nfo.read_bytes() == mine
    assert result.kept == [nfo] and "not written by emby-processor" in result.warnings[0]


def test_our_nfo_is_replaced_when_metadata_changes(video: Path, metadata: MovieMetadata) -> None:
    nfo = video.with_name("ABP-123.nfo")
    write(video, metadata, good_images(), write_images=False)
    inode = nfo.stat().st_ino
    result = write(video, make_metadata(title="新しいタイトル"), good_images(), write_images=False)
    assert result.written == [nfo] and b"\xe6\x96\xb0" in nfo.read_bytes()
    assert nfo.stat().st_ino != inode  # replaced by rename, never truncated in place


def test_removing_the_marker_protects_a_hand_edit(video: Path, metadata: MovieMetadata) -> None:
    nfo = video.with_name("ABP-123.nfo")
    write(video, metadata, good_images(), write_images=False)
    edited = nfo.read_bytes().replace(NFO_MARKER + b"\n", b"").replace(b"ABP-123 ", b"Mine ")
    nfo.write_bytes(edited)
    write(video, make_metadata(title="other"), good_images(), write_images=False)
    assert nfo.read_bytes() == edited


def test_existing_images_are_kept(video: Path, metadata: MovieMetadata) -> None:
    poster = video.with_name("ABP-123-poster.jpg")
    poster.write_bytes(b"user poster")
    result = write(video, metadata, good_images(), write_nfo=False)
    assert poster.read_bytes() == b"user poster" and result.kept == [poster]


def test_switches_off(video: Path, metadata: MovieMetadata) -> None:
    fetch = good_images()
    result = write(video, metadata, fetch, write_nfo=False, write_images=False)
    assert result.written == [] and fetch.calls == []
    assert sorted(p.name for p in video.parent.iterdir()) == ["ABP-123.mp4"]


def test_write_failure_is_a_warning(tmp_path: Path, metadata: MovieMetadata) -> None:
    video = tmp_path / "missing-dir" / "ABP-123.mp4"
    result = write(video, metadata, good_images())
    assert result.written == [] and len(result.warnings) == 3


def test_marker_placement() -> None:
    assert with_marker(b"<movie/>") == NFO_MARKER + b"\n<movie/>"
    declared = with_marker(b'<?xml version="1.0"?>\n<movie/>')
    assert declared == b'<?xml version="1.0"?>\n' + NFO_MARKER + b"\n<movie/>"
    assert with_marker(declared) == declared
    ElementTree.fromstring(declared)
