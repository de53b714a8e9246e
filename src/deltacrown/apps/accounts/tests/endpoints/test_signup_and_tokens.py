"""Sign-up, password sign-in for tokens, refresh rotation with reuse detection, and revocation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import override_settings

from deltacrown.apps.accounts.models import RefreshToken, TokenFamily, User
from deltacrown.apps.accounts.tests.factories import (
    API,
    PASSWORD,
    UserFactory,
    bearer,
    obtain_tokens,
    post_json,
)
from deltacrown.kernel.models import AuditEntry, Event

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def _problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["code"] == code
    if status == 401:
        assert response["WWW-Authenticate"].startswith("Bearer")
    return body


def _signup(client, **overrides):
    body = {
        "username": "ace",
        "email": "ace@example.com",
        "password": PASSWORD,
        "display_name": "Ace",
        **overrides,
    }
    return post_json(client, "/auth/signup", body)


def test_sign_up_then_sign_in_then_read_my_account(client):
    created = _signup(client)
    assert created.status_code == 201
    account = created.json()
    assert account["username"] == "ace"
    assert account["display_name"] == "Ace"
    assert "password" not in account

    tokens = obtain_tokens(client, User.objects.get(pk=account["id"]))
    assert tokens["token_type"] == "Bearer"
    assert tokens["expires_in"] == 15 * 60

    me = client.get(f"{API}/me", **bearer(tokens["access_token"]))
    assert me.status_code == 200
    body = me.json()
    assert body["id"] == account["id"]
    assert body["email"] == "ace@example.com"
    assert body["is_staff"] is False
    assert body["avatar_url"] is None
    assert body["game_ids"] == {}


def test_sign_up_records_a_registration_event_with_ids_only(client):
    account = _signup(client).json()
    event = Event.objects.get(name="user.registered")
    assert event.stream == f"user:{account['id']}"
    assert event.data == {"user_id": account["id"]}


@override_settings(FEATURE_FLAGS={"SIGNUP_ENABLED": False})
def test_sign_up_is_refused_while_the_flag_is_off(client):
    _problem(_signup(client), 403, "signup_disabled")
    assert not User.objects.exists()


def test_sign_in_accepts_the_email_address_in_any_case(client):
    UserFactory(username="bea", email="bea@example.com")
    response = post_json(
        client, "/auth/token", {"username": "BEA@Example.com", "password": PASSWORD}
    )
    assert response.status_code == 200


def test_sign_up_rejects_a_weak_password_with_field_errors(client):
    body = _problem(_signup(client, password="password"), 422, "validation_failed")
    codes = {e["code"] for e in body["errors"] if e["field"] == "password"}
    assert "password_too_common" in codes
    assert "password_too_short" in codes
    assert not User.objects.exists()


def test_sign_up_rejects_malformed_username_and_email(client):
    body = _problem(_signup(client, username="a b", email="not-an-email"), 422, "validation_failed")
    assert {e["field"] for e in body["errors"]} >= {"username", "email"}


def test_sign_up_with_a_taken_username_in_other_case_is_a_conflict(client):
    UserFactory(username="Ace")
    _problem(_signup(client, username="aCE", email="new@example.com"), 409, "username_taken")


def test_sign_up_with_a_taken_email_in_other_case_is_a_conflict(client):
    UserFactory(email="ace@example.com")
    _problem(_signup(client, username="other", email="ACE@example.COM"), 409, "email_taken")


def test_wrong_password_is_invalid_credentials(client):
    user = UserFactory()
    response = post_json(client, "/auth/token", {"username": user.username, "password": "nope"})
    _problem(response, 401, "invalid_credentials")


def test_unknown_and_disabled_accounts_look_like_a_wrong_password(client):
    disabled = UserFactory(is_active=False)
    for username in ("nobody-here", disabled.username):
        response = post_json(client, "/auth/token", {"username": username, "password": PASSWORD})
        _problem(response, 401, "invalid_credentials")


def test_refresh_rotates_the_pair_and_uses_up_the_old_refresh_token(client):
    user = UserFactory()
    first = obtain_tokens(client, user)
    second = post_json(client, "/auth/refresh", {"refresh_token": first["refresh_token"]})
    assert second.status_code == 200
    pair = second.json()
    assert pair["refresh_token"] != first["refresh_token"]
    assert pair["access_token"] != first["access_token"]
    assert client.get(f"{API}/me", **bearer(pair["access_token"])).status_code == 200
    # Both refresh tokens belong to one sign-in; the first is spent.
    rows = RefreshToken.objects.filter(user=user).order_by("issued_at", "id")
    assert rows.count() == 2
    assert rows[0].used_at is not None
    assert rows[1].used_at is None
    assert len({r.family_id for r in rows}) == 1


def test_reusing_a_refresh_token_revokes_the_whole_sign_in(client):
    user = UserFactory()
    first = obtain_tokens(client, user)
    second = post_json(client, "/auth/refresh", {"refresh_token": first["refresh_token"]}).json()
    # The newest access token works before the reuse...
    assert client.get(f"{API}/me", **bearer(second["access_token"])).status_code == 200

    replay = post_json(client, "/auth/refresh", {"refresh_token": first["refresh_token"]})
    _problem(replay, 401, "refresh_token_reused")

    # ...and nothing issued in that sign-in works afterwards.
    _problem(client.get(f"{API}/me", **bearer(second["access_token"])), 401, "token_revoked")
    _problem(client.get(f"{API}/me", **bearer(first["access_token"])), 401, "token_revoked")
    again = post_json(client, "/auth/refresh", {"refresh_token": second["refresh_token"]})
    _problem(again, 401, "token_revoked")
    family = TokenFamily.objects.get(user=user)
    assert family.revoke_reason == TokenFamily.RevokeReason.REUSE
    assert AuditEntry.objects.filter(action="token_family.reuse_detected").count() == 1


def test_reuse_does_not_end_the_users_other_sign_ins(client):
    user = UserFactory()
    laptop = obtain_tokens(client, user)
    phone = obtain_tokens(client, user)
    post_json(client, "/auth/refresh", {"refresh_token": laptop["refresh_token"]})
    post_json(client, "/auth/refresh", {"refresh_token": laptop["refresh_token"]})
    assert client.get(f"{API}/me", **bearer(phone["access_token"])).status_code == 200


def test_revoke_ends_the_sign_in_and_is_idempotent(client):
    user = UserFactory()
    pair = obtain_tokens(client, user)
    assert client.get(f"{API}/me", **bearer(pair["access_token"])).status_code == 200
    for _ in range(2):
        response = post_json(client, "/auth/revoke", {"refresh_token": pair["refresh_token"]})
        assert response.status_code == 204
    _problem(client.get(f"{API}/me", **bearer(pair["access_token"])), 401, "token_revoked")
    refresh = post_json(client, "/auth/refresh", {"refresh_token": pair["refresh_token"]})
    _problem(refresh, 401, "token_revoked")


def test_revoke_refuses_an_access_token(client):
    pair = obtain_tokens(client, UserFactory())
    response = post_json(client, "/auth/revoke", {"refresh_token": pair["access_token"]})
    _problem(response, 401, "token_wrong_type")


def test_a_disabled_account_can_neither_use_nor_refresh_its_tokens(client):
    user = UserFactory()
    pair = obtain_tokens(client, user)
    User.objects.filter(pk=user.pk).update(is_active=False)
    _problem(client.get(f"{API}/me", **bearer(pair["access_token"])), 401, "account_inactive")
    refresh = post_json(client, "/auth/refresh", {"refresh_token": pair["refresh_token"]})
    _problem(refresh, 401, "account_inactive")


def test_requests_without_credentials_are_not_authenticated(client):
    _problem(client.get(f"{API}/me"), 401, "not_authenticated")
    _problem(
        client.get(f"{API}/me", HTTP_AUTHORIZATION="Basic Zm9vOmJhcg=="), 401, "not_authenticated"
    )


@override_settings(JWT_ACCESS_LIFETIME=timedelta(minutes=5))
def test_token_lifetimes_come_from_settings(client):
    pair = obtain_tokens(client, UserFactory())
    assert pair["expires_in"] == 300
    assert pair["refresh_expires_in"] == 14 * 24 * 3600


def test_argon2_is_the_production_hasher(client, settings):
    with override_settings(PASSWORD_HASHERS=settings.PRODUCTION_PASSWORD_HASHERS):
        response = _signup(client)
        assert response.status_code == 201
        stored = User.objects.get(username="ace").password
        assert stored.startswith("argon2$")
        assert obtain_tokens(client, User.objects.get(username="ace"))["access_token"]


def test_a_refresh_retried_with_an_idempotency_key_is_not_a_reuse(client):
    pair = obtain_tokens(client, UserFactory())
    body = {"refresh_token": pair["refresh_token"]}
    first = post_json(client, "/auth/refresh", body, HTTP_IDEMPOTENCY_KEY="refresh-1")
    retry = post_json(client, "/auth/refresh", body, HTTP_IDEMPOTENCY_KEY="refresh-1")
    assert first.status_code == retry.status_code == 200
    assert retry["Idempotent-Replayed"] == "true"
    assert retry.json() == first.json()
    access = first.json()["access_token"]
    assert client.get(f"{API}/me", **bearer(access)).status_code == 200


def test_reuse_revocation_sticks_when_the_request_carries_an_idempotency_key(client):
    user = UserFactory()
    pair = obtain_tokens(client, user)
    body = {"refresh_token": pair["refresh_token"]}
    post_json(client, "/auth/refresh", body, HTTP_IDEMPOTENCY_KEY="first")
    replay = post_json(client, "/auth/refresh", body, HTTP_IDEMPOTENCY_KEY="second")
    _problem(replay, 401, "refresh_token_reused")
    assert TokenFamily.objects.get(user=user).revoked_at is not None
