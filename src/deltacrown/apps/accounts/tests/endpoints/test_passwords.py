"""Changing and resetting passwords: every token sign-in ends, the current session stays."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from deltacrown.apps.accounts.models import User
from deltacrown.apps.accounts.tests.factories import (
    API,
    PASSWORD,
    UserFactory,
    bearer,
    obtain_tokens,
    post_json,
)
from deltacrown.kernel.models import AuditEntry

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Another-Long-Passphrase-7"


def _change(client, current: str, new: str, **extra):
    return post_json(
        client,
        "/auth/password/change",
        {"current_password": current, "new_password": new},
        **extra,
    )


def test_password_change_ends_token_sign_ins(client):
    user = UserFactory()
    pair = obtain_tokens(client, user)
    other_device = obtain_tokens(client, user)
    response = _change(client, PASSWORD, NEW_PASSWORD, **bearer(pair["access_token"]))
    assert response.status_code == 204

    for tokens in (pair, other_device):
        me = client.get(f"{API}/me", **bearer(tokens["access_token"]))
        assert me.json()["code"] == "token_revoked"
        refresh = post_json(client, "/auth/refresh", {"refresh_token": tokens["refresh_token"]})
        assert refresh.json()["code"] == "token_revoked"
    old = post_json(client, "/auth/token", {"username": user.username, "password": PASSWORD})
    assert old.status_code == 401
    assert obtain_tokens(client, user, NEW_PASSWORD)["access_token"]
    assert AuditEntry.objects.filter(action="user.password_changed", actor_id=user.pk).exists()


def test_password_change_keeps_the_current_session_and_ends_others():
    user = UserFactory()
    browser, other_browser = Client(enforce_csrf_checks=True), Client()
    login = post_json(browser, "/auth/login", {"username": user.username, "password": PASSWORD})
    post_json(other_browser, "/auth/login", {"username": user.username, "password": PASSWORD})
    csrf = {"HTTP_X_CSRFTOKEN": login.json()["csrf_token"]}

    assert _change(browser, PASSWORD, NEW_PASSWORD, **csrf).status_code == 204
    assert browser.get(f"{API}/me").status_code == 200
    assert other_browser.get(f"{API}/me").status_code == 401


def test_password_change_needs_the_current_password(client):
    user = UserFactory()
    access = obtain_tokens(client, user)["access_token"]
    response = _change(client, "not-it", NEW_PASSWORD, **bearer(access))
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "password_incorrect"
    assert body["errors"][0]["field"] == "current_password"
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_password_change_applies_the_password_policy(client):
    user = UserFactory()
    access = obtain_tokens(client, user)["access_token"]
    response = _change(client, PASSWORD, "12345", **bearer(access))
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"new_password"}


def test_password_change_needs_authentication(client):
    response = _change(client, PASSWORD, NEW_PASSWORD)
    assert response.status_code == 401


def _reset_values(message) -> tuple[str, str]:
    uid = re.search(r"^uid: (\S+)$", message.body, re.M).group(1)
    token = re.search(r"^token: (\S+)$", message.body, re.M).group(1)
    return uid, token


def test_password_reset_mails_a_single_use_link(client):
    user = UserFactory(email="reset.me@example.com")
    pair = obtain_tokens(client, user)
    response = post_json(client, "/auth/password/reset", {"email": "Reset.Me@EXAMPLE.com"})
    assert response.status_code == 202
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["reset.me@example.com"]
    uid, token = _reset_values(message)
    assert f"/password-reset/{uid}/{token}/" in message.body

    confirm = {"uid": uid, "token": token, "new_password": NEW_PASSWORD}
    assert post_json(client, "/auth/password/reset/confirm", confirm).status_code == 204
    assert obtain_tokens(client, User.objects.get(pk=user.pk), NEW_PASSWORD)
    # The old sign-in ended, and the link is spent.
    assert client.get(f"{API}/me", **bearer(pair["access_token"])).status_code == 401
    again = post_json(
        client, "/auth/password/reset/confirm", {**confirm, "new_password": "Yet-Another-One-99"}
    )
    assert again.status_code == 422
    assert again.json()["code"] == "reset_token_invalid"


def test_password_reset_does_not_reveal_whether_an_account_exists(client):
    UserFactory(email="known@example.com")
    unknown = post_json(client, "/auth/password/reset", {"email": "unknown@example.com"})
    known = post_json(client, "/auth/password/reset", {"email": "known@example.com"})
    assert unknown.status_code == known.status_code == 202
    assert unknown.content == known.content
    assert [m.to for m in mail.outbox] == [["known@example.com"]]


def test_password_reset_sends_nothing_to_a_disabled_account(client):
    UserFactory(email="gone@example.com", is_active=False)
    assert (
        post_json(client, "/auth/password/reset", {"email": "gone@example.com"}).status_code == 202
    )
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("uid", "token"), [("garbage", "1-2"), ("MQ", "bad-token"), ("!!", "x"), ("OTk5OTk", "a-b")]
)
def test_password_reset_confirm_rejects_bad_links(client, uid, token):
    UserFactory()
    response = post_json(
        client,
        "/auth/password/reset/confirm",
        {"uid": uid, "token": token, "new_password": NEW_PASSWORD},
    )
    assert response.status_code == 422
    assert response.json()["code"] == "reset_token_invalid"


def test_password_reset_confirm_applies_the_password_policy(client):
    user = UserFactory(email="policy@example.com")
    post_json(client, "/auth/password/reset", {"email": "policy@example.com"})
    uid, token = _reset_values(mail.outbox[0])
    response = post_json(
        client, "/auth/password/reset/confirm", {"uid": uid, "token": token, "new_password": "abc"}
    )
    assert response.status_code == 422
    assert response.json()["code"] == "validation_failed"
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
