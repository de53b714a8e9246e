"""Public reads with OPTIONAL_AUTH: anonymous allowed, callers recognised, bad tokens refused."""

from __future__ import annotations

import pytest

from deltacrown.apps.accounts import services
from deltacrown.apps.accounts.tests.factories import PASSWORD, UserFactory, bearer

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.urls("deltacrown.apps.accounts.tests.endpoints.auth_urls"),
]


def test_anonymous_visitors_get_through_as_anonymous(client):
    response = client.get("/api/maybe")
    assert response.status_code == 200
    assert response.json() == {"user_id": None}


def test_signed_in_callers_are_recognised(client):
    user = UserFactory()
    pair = services.token_obtain(login=user.username, password=PASSWORD, client_ip=None)
    auth = bearer(pair.access_token)
    assert client.get("/api/maybe", **auth).json() == {"user_id": user.pk}
    client.force_login(user)
    assert client.get("/api/maybe").json() == {"user_id": user.pk}


def test_an_unusable_token_is_refused_not_treated_as_anonymous(client):
    response = client.get("/api/maybe", HTTP_AUTHORIZATION="Bearer not-a-jwt")
    assert response.status_code == 401
    assert response.json()["code"] == "token_invalid"
