"""Django admin for accounts: users with profiles; credentials viewable and revocable only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from deltacrown.apps.accounts import services
from deltacrown.apps.accounts.models import PersonalAccessToken, TokenFamily, User
from deltacrown.apps.accounts.tests.factories import PASSWORD, UserFactory, bearer

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client):
    client.force_login(User.objects.create_superuser("root", "root@example.com", PASSWORD))
    return client


def test_user_list_searches_and_filters(superuser_client):
    UserFactory(username="findme", display_name="Needle", country="SE")
    UserFactory(username="other", country="DE")
    url = reverse("admin:accounts_user_changelist")
    found = superuser_client.get(url, {"q": "Needle"})
    assert found.status_code == 200
    assert b"findme" in found.content
    assert b"other" not in found.content
    assert b"findme" in superuser_client.get(url, {"country": "SE"}).content


def test_user_change_page_shows_the_profile(superuser_client):
    user = UserFactory(display_name="Needle", game_ids={"valorant": "Needle#EUW"})
    page = superuser_client.get(reverse("admin:accounts_user_change", args=[user.pk]))
    assert page.status_code == 200
    for field in (b"display_name", b"country", b"avatar", b"game_ids"):
        assert field in page.content


def test_admin_can_add_a_user(superuser_client):
    response = superuser_client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "added",
            "email": "added@example.com",
            "display_name": "Added",
            "usable_password": "true",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 302
    assert User.objects.get(username="added").check_password(PASSWORD)


def test_personal_tokens_are_read_only_and_revocable(superuser_client):
    owner = UserFactory()
    row, token = services.personal_token_create(user_id=owner.pk, name="bot", scopes=["read"])
    page = superuser_client.get(reverse("admin:accounts_personalaccesstoken_change", args=[row.pk]))
    assert page.status_code == 200
    assert row.secret_hash.encode() in page.content
    assert token.encode() not in page.content
    assert b'name="name"' not in page.content  # no editable inputs
    assert (
        superuser_client.get(reverse("admin:accounts_personalaccesstoken_add")).status_code == 403
    )

    response = superuser_client.post(
        reverse("admin:accounts_personalaccesstoken_changelist"),
        {"action": "revoke", "_selected_action": [row.pk]},
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.revoked_at is not None
    superuser_client.logout()
    assert superuser_client.get("/api/v1/me", **bearer(token)).json()["code"] == "token_revoked"


def test_sign_ins_are_revocable_and_refresh_tokens_read_only(superuser_client):
    owner = UserFactory()
    pair = services.token_obtain(login=owner.username, password=PASSWORD, client_ip=None)
    family = TokenFamily.objects.get(user=owner)
    refresh_list = superuser_client.get(reverse("admin:accounts_refreshtoken_changelist"))
    assert refresh_list.status_code == 200
    assert superuser_client.get(reverse("admin:accounts_refreshtoken_add")).status_code == 403

    response = superuser_client.post(
        reverse("admin:accounts_tokenfamily_changelist"),
        {"action": "revoke", "_selected_action": [str(family.pk)]},
    )
    assert response.status_code == 302
    family.refresh_from_db()
    assert family.revoke_reason == TokenFamily.RevokeReason.ADMIN
    superuser_client.logout()
    assert (
        superuser_client.get("/api/v1/me", **bearer(pair.access_token)).json()["code"]
        == "token_revoked"
    )


def test_credentials_cannot_be_deleted_in_the_admin(superuser_client):
    owner = UserFactory()
    row, _ = services.personal_token_create(user_id=owner.pk, name="bot", scopes=["read"])
    url = reverse("admin:accounts_personalaccesstoken_delete", args=[row.pk])
    assert superuser_client.post(url, {"post": "yes"}).status_code == 403
    assert PersonalAccessToken.objects.filter(pk=row.pk).exists()
