"""The caller's own account: reading it, editing the profile and uploading an avatar."""

from __future__ import annotations

import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from deltacrown.apps.accounts.models import User
from deltacrown.apps.accounts.tests.factories import API, UserFactory, bearer, obtain_tokens

pytestmark = pytest.mark.django_db


@pytest.fixture
def me(client):
    user = UserFactory(display_name="Ace", country="DE")
    return {"user": user, "auth": bearer(obtain_tokens(client, user)["access_token"])}


def _patch(client, me, body):
    return client.patch(f"{API}/me", body, content_type="application/json", **me["auth"])


def test_me_shows_the_whole_own_account(client, me):
    body = client.get(f"{API}/me", **me["auth"]).json()
    user = me["user"]
    assert body == {
        "id": user.pk,
        "username": user.username,
        "email": user.email,
        "display_name": "Ace",
        "country": "DE",
        "avatar_url": None,
        "game_ids": {},
        "date_joined": body["date_joined"],
        "is_staff": False,
    }
    assert body["date_joined"].startswith(str(user.date_joined.year))


def test_patch_changes_only_the_fields_sent(client, me):
    response = _patch(client, me, {"country": "fr"})
    assert response.status_code == 200
    assert response.json()["country"] == "FR"
    assert response.json()["display_name"] == "Ace"


def test_patch_with_null_clears_a_field(client, me):
    body = _patch(client, me, {"country": None, "display_name": None}).json()
    assert body["country"] == ""
    assert body["display_name"] == ""


def test_patch_replaces_game_ids(client, me):
    _patch(client, me, {"game_ids": {"valorant": "Ace#EUW", "cs2": "76561198000000000"}})
    body = _patch(client, me, {"game_ids": {"valorant": " Ace#NA1 "}}).json()
    assert body["game_ids"] == {"valorant": "Ace#NA1"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"country": "XX"}, "country"),
        ({"country": "D1"}, "country"),
        ({"display_name": "x" * 65}, "display_name"),
        ({"display_name": "bell\x07"}, "display_name"),
        ({"game_ids": {"Not A Slug": "x"}}, "game_ids.Not A Slug"),
        ({"game_ids": {"valorant": ""}}, "game_ids.valorant"),
        ({"game_ids": {"valorant": "x" * 65}}, "game_ids.valorant"),
        ({"game_ids": {f"game-{i}": "x" for i in range(33)}}, "game_ids"),
    ],
)
def test_patch_rejects_invalid_values_and_changes_nothing(client, me, body, field):
    response = _patch(client, me, body)
    assert response.status_code == 422
    assert field in {e["field"] for e in response.json()["errors"]}
    user = User.objects.get(pk=me["user"].pk)
    assert (user.display_name, user.country, user.game_ids) == ("Ace", "DE", {})


def _image(fmt: str, size=(800, 600), **save) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format=fmt, **save)
    return out.getvalue()


def _upload(client, me, content: bytes, name: str = "avatar.png", content_type="image/png"):
    upload = SimpleUploadedFile(name, content, content_type=content_type)
    return client.post(f"{API}/me/avatar", {"file": upload}, **me["auth"])


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_avatar_upload_is_reencoded_small_and_without_metadata(client, me, media):
    exif = Image.Exif()
    exif[0x010F] = "Camera maker"  # EXIF "Make"; real photos carry GPS positions the same way
    response = _upload(client, me, _image("JPEG", exif=exif.tobytes()), "me.jpg", "image/jpeg")
    assert response.status_code == 200
    url = response.json()["avatar_url"]
    assert url.endswith(".webp")
    stored = User.objects.get(pk=me["user"].pk).avatar
    with Image.open(stored.path) as image:
        assert image.format == "WEBP"
        assert max(image.size) == 512
        assert not image.getexif()
    assert client.get(f"{API}/me", **me["auth"]).json()["avatar_url"] == url


def test_a_new_avatar_replaces_the_old_file(client, me, media, django_capture_on_commit_callbacks):
    _upload(client, me, _image("PNG"))
    first = User.objects.get(pk=me["user"].pk).avatar.path
    with django_capture_on_commit_callbacks(execute=True):
        assert _upload(client, me, _image("PNG", size=(64, 64))).status_code == 200
    second = User.objects.get(pk=me["user"].pk).avatar.path
    assert second != first
    assert not os.path.exists(first)


def test_avatar_must_be_an_image(client, me, media):
    response = _upload(client, me, b"%PDF-1.4 not an image", "cv.png")
    assert response.status_code == 422
    assert response.json()["code"] == "avatar_invalid"
    assert not User.objects.get(pk=me["user"].pk).avatar


def test_avatar_in_an_unaccepted_format_is_refused(client, me, media):
    response = _upload(client, me, _image("BMP", size=(32, 32)), "a.bmp", "image/bmp")
    assert response.status_code == 422
    assert response.json()["code"] == "avatar_invalid"


def test_avatar_over_two_megabytes_is_refused(client, me, media):
    big = _image("PNG", size=(16, 16)) + b"\0" * (2 * 1024 * 1024)
    response = _upload(client, me, big)
    assert response.status_code == 413
    assert response.json()["code"] == "avatar_too_large"
    assert not User.objects.get(pk=me["user"].pk).avatar


def test_avatar_with_huge_dimensions_is_refused_before_decoding(client, me, media):
    response = _upload(client, me, _image("PNG", size=(5000, 10), optimize=True))
    assert response.status_code == 422
    assert response.json()["code"] == "avatar_invalid"


def test_game_ids_are_checked_by_the_registered_game_rules(client, me):
    from deltacrown.kernel import player_ids
    from deltacrown.kernel.errors import field_error

    def riot_ids_need_a_tag(ids):
        return [
            field_error(f"game_ids.{slug}", "invalid_player_id", "Use name#TAG.")
            for slug, value in ids.items()
            if slug == "valorant" and "#" not in value
        ]

    previous = player_ids.register_validator(riot_ids_need_a_tag)
    try:
        refused = _patch(client, me, {"game_ids": {"valorant": "NoTag"}})
        assert refused.status_code == 422
        assert refused.json()["errors"][0]["field"] == "game_ids.valorant"
        assert refused.json()["errors"][0]["code"] == "invalid_player_id"
        accepted = _patch(client, me, {"game_ids": {"valorant": "Ace#EUW"}})
        assert accepted.json()["game_ids"] == {"valorant": "Ace#EUW"}
    finally:
        player_ids.register_validator(previous)
