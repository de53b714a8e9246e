"""The accounts public interface other apps rely on: caller keys, user lookups, creation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from deltacrown.apps.accounts import api, services
from deltacrown.apps.accounts.errors import UsernameTaken, UserNotFound
from deltacrown.apps.accounts.models import TokenFamily
from deltacrown.apps.accounts.tests.factories import PASSWORD, UserFactory
from deltacrown.kernel import clock, idempotency

pytestmark = pytest.mark.django_db


def _request(authorization: str | None = None, user=None):
    headers = {"HTTP_AUTHORIZATION": authorization} if authorization else {}
    request = RequestFactory().post("/api/v1/anything", **headers)
    request.session = {}
    request.user = user or AnonymousUser()
    return request


def test_caller_key_is_the_same_for_every_credential_of_a_user():
    user = UserFactory()
    pair = services.token_obtain(login=user.username, password=PASSWORD, client_ip=None)
    _, personal = services.personal_token_create(user_id=user.pk, name="bot", scopes=["read"])
    expected = f"user:{user.pk}"
    assert api.caller_key(_request(f"Bearer {pair.access_token}")) == expected
    assert api.caller_key(_request(f"Bearer {personal}")) == expected
    assert api.caller_key(_request(user=user)) == expected


@pytest.mark.parametrize(
    "authorization", [None, "Bearer nonsense", "Bearer dcp_nonsense", "Basic Zm9vOmJhcg=="]
)
def test_caller_key_is_none_for_anonymous_or_unusable_credentials(authorization):
    assert api.caller_key(_request(authorization)) is None


def test_caller_key_is_none_for_a_revoked_sign_in():
    user = UserFactory()
    pair = services.token_obtain(login=user.username, password=PASSWORD, client_ip=None)
    services.token_revoke(refresh_token=pair.refresh_token)
    assert api.caller_key(_request(f"Bearer {pair.access_token}")) is None


def test_a_bad_bearer_token_hides_a_valid_session():
    # Matches API_AUTH, where a presented token that fails ends authentication.
    user = UserFactory()
    assert api.caller_key(_request("Bearer nonsense", user=user)) is None


def test_the_caller_resolver_is_registered_with_the_idempotency_middleware():
    assert idempotency._caller_resolver is api.caller_key


def test_user_get_and_user_refs_return_value_objects():
    a, b = UserFactory(display_name=""), UserFactory(display_name="Bee")
    ref = api.user_get(a.pk)
    assert (ref.id, ref.username, ref.public_name) == (a.pk, a.username, f"player-{a.pk}")
    refs = api.user_refs([a.pk, b.pk, 999_999])
    assert set(refs) == {a.pk, b.pk}
    assert refs[b.pk].public_name == "Bee"
    with pytest.raises(UserNotFound):
        api.user_get(999_999)


def test_user_create_applies_the_sign_up_rules():
    ref = api.user_create(username="demo1", email="demo1@example.com", password=PASSWORD)
    assert ref.username == "demo1"
    assert not ref.is_staff
    with pytest.raises(UsernameTaken):
        api.user_create(username="DEMO1", email="other@example.com", password=PASSWORD)


def test_purge_deletes_only_long_expired_sign_ins():
    user = UserFactory()
    services.token_obtain(login=user.username, password=PASSWORD, client_ip=None)
    assert services.tokens_purge() == 0
    later = clock.now() + timedelta(days=14 + 8)
    assert services.tokens_purge(now=later) == 2  # the refresh token, then its family
    assert not TokenFamily.objects.exists()
