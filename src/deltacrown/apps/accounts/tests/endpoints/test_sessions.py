"""Browser sessions: sign-in sets the cookies, writes need the CSRF header, sign-out ends it."""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.test import Client

from deltacrown.apps.accounts.tests.factories import API, PASSWORD, UserFactory, post_json

pytestmark = pytest.mark.django_db


def _login(client: Client, user, password: str = PASSWORD):
    return post_json(client, "/auth/login", {"username": user.username, "password": password})


def test_login_sets_session_and_csrf_cookies_and_returns_the_account():
    client = Client(enforce_csrf_checks=True)
    user = UserFactory()
    response = _login(client, user)
    assert response.status_code == 200
    body = response.json()
    assert body["user"]["id"] == user.pk
    assert response.cookies[settings.SESSION_COOKIE_NAME].value
    assert response.cookies[settings.SESSION_COOKIE_NAME]["httponly"]
    assert response.cookies[settings.CSRF_COOKIE_NAME].value
    assert body["csrf_token"]
    me = client.get(f"{API}/me")
    assert me.status_code == 200
    assert me.json()["id"] == user.pk


def test_session_write_without_csrf_token_is_refused():
    client = Client(enforce_csrf_checks=True)
    user = UserFactory(display_name="Before")
    _login(client, user)
    response = client.patch(f"{API}/me", {"display_name": "After"}, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"
    user.refresh_from_db()
    assert user.display_name == "Before"


def test_session_write_with_a_wrong_csrf_token_is_refused():
    client = Client(enforce_csrf_checks=True)
    _login(client, UserFactory())
    response = client.patch(
        f"{API}/me",
        {"display_name": "After"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN="x" * 32,
    )
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"


def test_session_write_with_the_csrf_token_succeeds():
    client = Client(enforce_csrf_checks=True)
    login = _login(client, UserFactory())
    response = client.patch(
        f"{API}/me",
        {"display_name": "After"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=login.json()["csrf_token"],
    )
    assert response.status_code == 200
    assert response.json()["display_name"] == "After"


def test_anonymous_write_is_unauthenticated_not_a_csrf_failure():
    client = Client(enforce_csrf_checks=True)
    response = client.patch(f"{API}/me", {"display_name": "x"}, content_type="application/json")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_bearer_tokens_need_no_csrf_token():
    client = Client(enforce_csrf_checks=True)
    user = UserFactory()
    pair = post_json(
        client, "/auth/token", {"username": user.username, "password": PASSWORD}
    ).json()
    response = client.patch(
        f"{API}/me",
        {"display_name": "Token"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {pair['access_token']}",
    )
    assert response.status_code == 200


def test_logout_ends_the_session():
    client = Client(enforce_csrf_checks=True)
    login = _login(client, UserFactory())
    csrf = {"HTTP_X_CSRFTOKEN": login.json()["csrf_token"]}
    refused = client.post(f"{API}/auth/logout")
    assert refused.status_code == 403
    assert client.post(f"{API}/auth/logout", **csrf).status_code == 204
    after = client.get(f"{API}/me")
    assert after.status_code == 401
    assert after.json()["code"] == "not_authenticated"


def test_login_with_a_wrong_password_sets_no_session(client):
    response = _login(client, UserFactory(), password="wrong")
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    assert client.get(f"{API}/me").status_code == 401


def test_login_refuses_a_json_body_sent_as_a_plain_text_form(client):
    # <form enctype="text/plain"> on another site can forge a JSON-looking body, but not the
    # application/json content type without the browser asking this server first.
    user = UserFactory()
    body = json.dumps({"username": user.username, "password": PASSWORD, "x": "="})
    response = client.post(f"{API}/auth/login", body, content_type="text/plain")
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"
    assert client.get(f"{API}/me").status_code == 401
