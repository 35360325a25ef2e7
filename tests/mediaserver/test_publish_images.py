"""The images the publish stage uploads: the portrait poster as Primary, the landscape jacket as
the one Backdrop (a later run does not pile up backdrops)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from emby_processor.pipeline.outcome import Advance
from tests.fakes.images import dmm_image
from tests.mediaserver.conftest import JPEG, Media, filed, run_publish, sample_metadata

LOCAL = Path("/library/ABP-123/ABP-123.mp4")


def test_the_jacket_becomes_the_backdrop_once(media: Media) -> None:
    jacket = (dmm_image("pl"), "image/jpeg")
    parts = dataclasses.replace(media.parts(cover=(JPEG, "image/jpeg")),
                                read_backdrop=lambda video, movie: jacket)
    outcome, _ = run_publish(filed(sample_metadata(), LOCAL), parts)
    assert isinstance(outcome, Advance) and outcome.stage == "done", outcome
    emby_id = outcome.fields["emby_id"]
    held = media.fake.get(emby_id)
    assert media.fake.image(emby_id, "Primary") == JPEG
    assert media.fake.image(emby_id, "Backdrop") == jacket[0]
    assert len(held["BackdropImageTags"]) == 1
    again, _ = run_publish(filed(sample_metadata(), LOCAL), parts)
    assert isinstance(again, Advance) and again.stage == "done", again
    assert len(media.fake.get(emby_id)["BackdropImageTags"]) == 1


def test_no_backdrop_without_a_jacket(media: Media) -> None:
    parts = dataclasses.replace(media.parts(cover=(JPEG, "image/jpeg")),
                                read_backdrop=lambda video, movie: None)
    outcome, _ = run_publish(filed(sample_metadata(), LOCAL), parts)
    assert isinstance(outcome, Advance) and outcome.stage == "done", outcome
    assert media.fake.image(outcome.fields["emby_id"], "Backdrop") is None
