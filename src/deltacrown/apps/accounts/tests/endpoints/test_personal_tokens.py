"""Personal API tokens: shown once, hashed at rest, scoped, revocable, and cheap to use."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest

from deltacrown.apps.accounts import services
from deltacrown.apps.accounts.models import PersonalAccessToken, User
from deltacrown.apps.accounts.tests.factories import API, UserFactory, bearer, obtain_tokens
from deltacrown.kernel import clock

pytestmark = pytest.mark.django_db


def _create(client, access_token: str, **body):
    payload = {"name": "score bot", "scopes": ["read"], **body}
    return client.post(
        f"{API}/me/tokens", payload, content_type="application/json", **bearer(access_token)
    )


@pytest.fixture
def owner(client):
    user = UserFactory()
    return {"user": user, "access": obtain_tokens(client, user)["access_token"]}


def test_token_is_shown_once_and_only_its_hash_is_stored(client, owner):
    response = _create(client, owner["access"], scopes=["read", "write"], expires_in_days=30)
    assert response.status_code == 201
    created = response.json()
    token = created["token"]
    assert token.startswith(created["prefix"] + "_")
    assert created["prefix"].startswith("dcp_")
    assert created["scopes"] == ["read", "write"]
    assert created["expires_at"] is not None

    row = PersonalAccessToken.objects.get(pk=created["id"])
    secret = token[len(row.prefix) + 1 :]
    assert row.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    stored = [str(getattr(row, f.attname)) for f in PersonalAccessToken._meta.concrete_fields]
    assert not any(secret in value for value in stored)

    listed = client.get(f"{API}/me/tokens", **bearer(owner["access"])).json()["items"]
    assert [t["id"] for t in listed] == [created["id"]]
    assert "token" not in listed[0]
    assert "secret_hash" not in listed[0]


def test_a_personal_token_authenticates_as_its_owner(client, owner):
    token = _create(client, owner["access"]).json()["token"]
    me = client.get(f"{API}/me", **bearer(token))
    assert me.status_code == 200
    assert me.json()["id"] == owner["user"].pk


@pytest.mark.urls("deltacrown.apps.accounts.tests.endpoints.auth_urls")
def test_read_scope_allows_safe_methods_only(client):
    _, token = services.personal_token_create(
        user_id=UserFactory().pk, name="reader", scopes=["read"]
    )
    for method in ("get", "head", "options"):
        response = getattr(client, method)("/api/echo", **bearer(token))
        assert response.status_code == 200, method
    for method in ("post", "put", "patch", "delete"):
        response = getattr(client, method)("/api/echo", **bearer(token))
        assert response.status_code == 403, method
        assert response.json()["code"] == "token_scope_insufficient"


@pytest.mark.urls("deltacrown.apps.accounts.tests.endpoints.auth_urls")
def test_write_scope_allows_every_method(client):
    user = UserFactory()
    _, token = services.personal_token_create(
        user_id=user.pk, name="writer", scopes=["read", "write"]
    )
    for method in ("get", "post", "put", "patch", "delete"):
        response = getattr(client, method)("/api/echo", **bearer(token))
        assert response.status_code == 200, method
        assert response.json() == {"user_id": user.pk, "method": "personal_token"}


def test_read_scope_cannot_change_the_profile(client, owner):
    token = _create(client, owner["access"], scopes=["read"]).json()["token"]
    response = client.patch(
        f"{API}/me", {"display_name": "Bot Owner"}, content_type="application/json", **bearer(token)
    )
    assert response.status_code == 403
    assert response.json()["code"] == "token_scope_insufficient"
    assert User.objects.get(pk=owner["user"].pk).display_name != "Bot Owner"


def test_write_scope_can_change_the_profile(client, owner):
    token = _create(client, owner["access"], scopes=["read", "write"]).json()["token"]
    response = client.patch(
        f"{API}/me", {"display_name": "Bot Owner"}, content_type="application/json", **bearer(token)
    )
    assert response.status_code == 200
    assert response.json()["display_name"] == "Bot Owner"


@pytest.mark.parametrize("scopes", [["write"], ["admin"], [], ["read", "read"]])
def test_scopes_must_be_read_or_read_write(client, owner, scopes):
    response = _create(client, owner["access"], scopes=scopes)
    assert response.status_code == 422
    assert any(e["field"].startswith("scopes") for e in response.json()["errors"])


def test_personal_tokens_cannot_manage_personal_tokens(client, owner):
    token = _create(client, owner["access"], scopes=["read", "write"]).json()["token"]
    listing = client.get(f"{API}/me/tokens", **bearer(token))
    creation = _create(client, token)
    row = PersonalAccessToken.objects.get(user=owner["user"])
    deletion = client.delete(f"{API}/me/tokens/{row.pk}", **bearer(token))
    for response in (listing, creation, deletion):
        assert response.status_code == 403
        assert response.json()["code"] == "token_management_requires_login"
    assert PersonalAccessToken.objects.filter(user=owner["user"]).count() == 1


def test_revoked_token_stops_working(client, owner):
    created = _create(client, owner["access"]).json()
    response = client.delete(f"{API}/me/tokens/{created['id']}", **bearer(owner["access"]))
    assert response.status_code == 204
    again = client.delete(f"{API}/me/tokens/{created['id']}", **bearer(owner["access"]))
    assert again.status_code == 204
    rejected = client.get(f"{API}/me", **bearer(created["token"]))
    assert rejected.status_code == 401
    assert rejected.json()["code"] == "token_revoked"
    assert client.get(f"{API}/me/tokens", **bearer(owner["access"])).json()["items"] == []


def test_someone_elses_token_cannot_be_revoked(client, owner):
    stranger = UserFactory()
    theirs = _create(client, obtain_tokens(client, stranger)["access_token"]).json()
    response = client.delete(f"{API}/me/tokens/{theirs['id']}", **bearer(owner["access"]))
    assert response.status_code == 404
    assert response.json()["code"] == "token_not_found"
    assert client.get(f"{API}/me", **bearer(theirs["token"])).status_code == 200


def test_expired_token_is_rejected(client, owner):
    created = _create(client, owner["access"], expires_in_days=1).json()
    with clock.frozen(clock.now() + timedelta(days=1, seconds=1)):
        rejected = client.get(f"{API}/me", **bearer(created["token"]))
    assert rejected.status_code == 401
    assert rejected.json()["code"] == "token_expired"


def test_wrong_secret_and_malformed_tokens_are_invalid(client, owner):
    token = _create(client, owner["access"]).json()["token"]
    for bad in (token[:-4] + "AAAA", "dcp_short", "dcp_" + "a" * 12 + "_"):
        rejected = client.get(f"{API}/me", **bearer(bad))
        assert rejected.status_code == 401
        assert rejected.json()["code"] == "token_invalid"


def test_token_of_a_disabled_account_is_rejected(client, owner):
    token = _create(client, owner["access"]).json()["token"]
    User.objects.filter(pk=owner["user"].pk).update(is_active=False)
    rejected = client.get(f"{API}/me", **bearer(token))
    assert rejected.status_code == 401
    assert rejected.json()["code"] == "account_inactive"


def test_last_used_is_recorded_at_most_once_a_minute(client, owner):
    created = _create(client, owner["access"]).json()
    assert created["last_used_at"] is None
    row = PersonalAccessToken.objects.get(pk=created["id"])

    start = clock.now()
    with clock.frozen(start):
        client.get(f"{API}/me", **bearer(created["token"]))
    row.refresh_from_db()
    assert row.last_used_at == start

    with clock.frozen(start + timedelta(seconds=59)):
        client.get(f"{API}/me", **bearer(created["token"]))
    row.refresh_from_db()
    assert row.last_used_at == start

    with clock.frozen(start + timedelta(seconds=61)):
        client.get(f"{API}/me", **bearer(created["token"]))
    row.refresh_from_db()
    assert row.last_used_at == start + timedelta(seconds=61)


def test_token_list_is_cursor_paginated_newest_first(client, owner):
    ids = [_create(client, owner["access"], name=f"bot {i}").json()["id"] for i in range(3)]
    first = client.get(f"{API}/me/tokens?limit=2", **bearer(owner["access"])).json()
    assert [t["id"] for t in first["items"]] == ids[::-1][:2]
    assert first["next_cursor"]
    second = client.get(
        f"{API}/me/tokens?limit=2&cursor={first['next_cursor']}", **bearer(owner["access"])
    ).json()
    assert [t["id"] for t in second["items"]] == [ids[0]]
    assert second["next_cursor"] is None
