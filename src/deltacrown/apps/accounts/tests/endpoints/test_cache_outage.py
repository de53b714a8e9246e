"""Signed-in callers keep working when the cache (Redis at scale) is down: the sign-in check
falls back to the database, and a revocation still takes effect."""

from __future__ import annotations

import pytest
from django.test import Client

from deltacrown.apps.accounts import selectors
from deltacrown.apps.accounts.services import signin
from deltacrown.apps.accounts.tests.factories import UserFactory, bearer, obtain_tokens, post_json

pytestmark = pytest.mark.django_db


class _DownCache:
    def _fail(self, *args, **kwargs):
        raise ConnectionError("cache unreachable")

    get = set = delete_many = _fail


def test_bearer_requests_and_revocation_work_while_the_cache_is_down(monkeypatch):
    client = Client()
    user = UserFactory()
    tokens = obtain_tokens(client, user)
    monkeypatch.setattr(selectors, "cache", _DownCache())
    monkeypatch.setattr(signin, "cache", _DownCache())

    response = client.get("/api/v1/me", **bearer(tokens["access_token"]))
    assert response.status_code == 200
    assert response.json()["id"] == user.pk

    revoked = post_json(client, "/auth/revoke", {"refresh_token": tokens["refresh_token"]})
    assert revoked.status_code == 204, revoked.content
    after = client.get("/api/v1/me", **bearer(tokens["access_token"]))
    assert after.status_code == 401
    assert after.json()["code"] == "token_revoked"
