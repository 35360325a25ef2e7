"""Which user reads items back: one who sees every movie, administrators first."""

from __future__ import annotations

from typing import Any

from emby_processor.mediaserver.users import Reader, choose_reader, limits, nobody_sees


def user(name: str, *, admin: bool = True, **policy: Any) -> dict[str, Any]:
    return {"Name": name, "Id": f"id-{name}",
            "Policy": {"IsAdministrator": admin, "EnableAllFolders": True, **policy}}


def test_the_reader_sees_everything_and_administrators_come_first() -> None:
    users = [user("family", MaxParentalRating=16), user("kids", EnableAllFolders=False),
             user("viewer", admin=False), user("gone", IsDisabled=True), user("admin")]
    assert choose_reader(users) == Reader("id-admin", "admin")
    assert choose_reader(users[:3]) == Reader("id-viewer", "viewer")  # reading needs no admin
    assert choose_reader([user("tagged", AllowedTags=["ok"])]) is None
    assert choose_reader([user("adult", MaxParentalRating=18)]) == Reader("id-adult", "adult")


def test_nobody_fits_is_said_with_each_users_limits() -> None:
    users = [user("family", MaxParentalRating=16), user("kids", BlockedMediaFolders=["x"])]
    assert limits(users[0]) == ["a parental limit of 16"]
    sentence = nobody_sees(users)
    assert "family: a parental limit of 16" in sentence
    assert "kids: limited to some libraries" in sentence and "EMBY_USER_ID" in sentence
