"""Platform administrators: ``api.admin_ensure`` and ``deltacrown createadmin`` are idempotent."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from deltacrown.apps.accounts import api
from deltacrown.apps.accounts.errors import EmailTaken
from deltacrown.apps.accounts.models import User
from deltacrown.apps.accounts.tests.factories import UserFactory, bearer, obtain_tokens
from deltacrown.kernel.errors import ValidationFailed
from deltacrown.kernel.models import AuditEntry

pytestmark = pytest.mark.django_db

ADMIN_PASSWORD = "Admin-Passphrase-2024!"


def test_admin_ensure_creates_a_superuser_once():
    first = api.admin_ensure("root", "root@example.com", ADMIN_PASSWORD)
    stored_hash = User.objects.get(pk=first.id).password
    second = api.admin_ensure("root", "root@example.com", ADMIN_PASSWORD)
    assert second == first
    assert first.is_staff
    assert first.is_superuser
    assert first.is_active
    assert User.objects.filter(username__iexact="root").count() == 1
    # Nothing changed the second time: not even a rehash that would end sessions.
    assert User.objects.get(pk=first.id).password == stored_hash
    assert AuditEntry.objects.filter(action="user.admin_ensured").count() == 2


def test_admin_ensure_promotes_and_updates_an_existing_account(client):
    user = UserFactory(username="Boss", is_active=False)
    ref = api.admin_ensure("boss", "boss@example.com", ADMIN_PASSWORD)
    assert ref.id == user.pk
    assert (ref.is_staff, ref.is_superuser, ref.is_active) == (True, True, True)
    assert ref.email == "boss@example.com"
    user.refresh_from_db()
    assert user.check_password(ADMIN_PASSWORD)


def test_a_new_admin_password_ends_the_admins_token_sign_ins(client):
    ref = api.admin_ensure("root", "root@example.com", ADMIN_PASSWORD)
    access = obtain_tokens(client, User.objects.get(pk=ref.id), ADMIN_PASSWORD)["access_token"]
    api.admin_ensure("root", "root@example.com", "A-Different-Passphrase-9")
    assert client.get("/api/v1/me", **bearer(access)).json()["code"] == "token_revoked"


def test_admin_ensure_applies_the_password_policy():
    with pytest.raises(ValidationFailed) as excinfo:
        api.admin_ensure("root", "root@example.com", "short")
    assert {e["field"] for e in excinfo.value.errors} == {"password"}
    assert not User.objects.exists()


def test_admin_ensure_refuses_another_accounts_email():
    UserFactory(email="taken@example.com")
    UserFactory(username="root")
    with pytest.raises(EmailTaken):
        api.admin_ensure("root", "TAKEN@example.com", ADMIN_PASSWORD)


def test_createadmin_command_is_idempotent():
    out = io.StringIO()
    call_command(
        "createadmin",
        username="ops",
        email="ops@example.com",
        password=ADMIN_PASSWORD,
        stdout=out,
    )
    call_command(
        "createadmin",
        username="ops",
        email="ops@example.com",
        password=ADMIN_PASSWORD,
        stdout=out,
    )
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("Created administrator account")
    assert lines[1].startswith("Updated administrator account")
    assert "ops@example.com" not in out.getvalue()
    admin = User.objects.get(username="ops")
    assert admin.is_superuser
    assert admin.check_password(ADMIN_PASSWORD)


def test_createadmin_reads_the_password_from_the_environment(monkeypatch):
    monkeypatch.setenv("DELTACROWN_ADMIN_PASSWORD", ADMIN_PASSWORD)
    call_command("createadmin", username="ops", stdout=io.StringIO())
    assert User.objects.get(username="ops").check_password(ADMIN_PASSWORD)


def test_createadmin_without_a_password_and_without_a_terminal_fails(monkeypatch):
    monkeypatch.delenv("DELTACROWN_ADMIN_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    with pytest.raises(CommandError, match="No password given"):
        call_command("createadmin", username="ops")
    assert not User.objects.exists()


def test_createadmin_prompts_on_a_terminal(monkeypatch):
    monkeypatch.delenv("DELTACROWN_ADMIN_PASSWORD", raising=False)
    tty = io.StringIO("")
    tty.isatty = lambda: True  # type: ignore[method-assign]
    monkeypatch.setattr("sys.stdin", tty)
    answers = iter([ADMIN_PASSWORD, ADMIN_PASSWORD])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    call_command("createadmin", username="ops", stdout=io.StringIO())
    assert User.objects.get(username="ops").check_password(ADMIN_PASSWORD)


def test_createadmin_reports_a_weak_password():
    with pytest.raises(CommandError, match="password"):
        call_command("createadmin", username="ops", password="123")
