"""Rate limits on sign-in (per account and per address), sign-up and password reset."""

from __future__ import annotations

import pytest
from django.test import override_settings

from deltacrown.apps.accounts import throttling
from deltacrown.apps.accounts.tests.factories import PASSWORD, UserFactory, post_json

pytestmark = pytest.mark.django_db


def _token(client, username: str, password: str, ip: str = "10.0.0.1"):
    return post_json(
        client, "/auth/token", {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def _login(client, username: str, password: str, ip: str = "10.0.0.1"):
    return post_json(
        client, "/auth/login", {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def _assert_limited(response) -> None:
    assert response.status_code == 429, response.content
    assert response.json()["code"] == "rate_limited"
    retry_after = int(response["Retry-After"])
    assert 1 <= retry_after <= 60
    assert response.json()["retry_after"] == retry_after


@override_settings(LOGIN_RATE_PER_ACCOUNT="3/minute", LOGIN_RATE_PER_IP="100/minute")
def test_failed_sign_ins_lock_the_account_even_from_other_addresses(client):
    user = UserFactory(username="target")
    for i in range(3):
        assert _token(client, "target", "wrong", ip=f"10.0.1.{i}").status_code == 401
    # The right password does not help while the account is locked, from any address...
    _assert_limited(_token(client, "target", PASSWORD, ip="10.0.2.1"))
    # ...whatever the spelling of the username, and on the session sign-in too.
    _assert_limited(_login(client, "TARGET", PASSWORD, ip="10.0.2.2"))
    _assert_limited(_token(client, user.email, PASSWORD, ip="10.0.2.3"))
    # Other accounts are unaffected.
    other = UserFactory()
    assert _token(client, other.username, PASSWORD, ip="10.0.2.1").status_code == 200


@override_settings(LOGIN_RATE_PER_ACCOUNT="100/minute", LOGIN_RATE_PER_IP="4/minute")
def test_failed_sign_ins_from_one_address_lock_that_address(client):
    user = UserFactory()
    for i in range(2):
        assert _token(client, f"guess{i}", "wrong").status_code == 401
        assert _login(client, f"guess{i}", "wrong").status_code == 401
    _assert_limited(_token(client, user.username, PASSWORD))
    _assert_limited(_login(client, user.username, PASSWORD))
    assert _token(client, user.username, PASSWORD, ip="10.9.9.9").status_code == 200


@override_settings(LOGIN_RATE_PER_ACCOUNT="2/minute", LOGIN_RATE_PER_IP="2/minute")
def test_successful_sign_ins_do_not_count(client):
    user = UserFactory()
    for _ in range(5):
        assert _token(client, user.username, PASSWORD).status_code == 200


@override_settings(LOGIN_RATE_PER_ACCOUNT="1/minute", RATELIMIT_STORAGE_URI="memory://")
def test_the_limiter_never_stores_the_raw_username(client):
    UserFactory(username="secretname")
    throttling.reset()
    _token(client, "secretname", "wrong")
    storage, _ = throttling._limiter()
    keys = list(getattr(storage, "events", {}))
    assert keys, "the failure was counted"
    assert not any("secretname" in key for key in keys)


@override_settings(SIGNUP_RATE_PER_IP="2/hour")
def test_sign_ups_are_limited_per_address(client):
    def signup(n: int, ip: str = "10.0.0.5"):
        body = {"username": f"new{n}", "email": f"new{n}@example.com", "password": PASSWORD}
        return post_json(client, "/auth/signup", body, REMOTE_ADDR=ip)

    assert signup(1).status_code == 201
    assert signup(2).status_code == 201
    response = signup(3)
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"
    assert int(response["Retry-After"]) > 60
    assert signup(4, ip="10.0.0.6").status_code == 201


@override_settings(PASSWORD_RESET_RATE_PER_IP="2/hour")
def test_password_reset_requests_are_limited_per_address(client):
    for _ in range(2):
        response = post_json(client, "/auth/password/reset", {"email": "a@example.com"})
        assert response.status_code == 202
    response = post_json(client, "/auth/password/reset", {"email": "a@example.com"})
    assert response.status_code == 429
    assert response["Retry-After"]


@override_settings(LOGIN_RATE_PER_ACCOUNT="1/minute")
def test_reset_clears_the_counters(client):
    user = UserFactory()
    _token(client, user.username, "wrong")
    _assert_limited(_token(client, user.username, PASSWORD))
    throttling.reset()
    assert _token(client, user.username, PASSWORD).status_code == 200
