"""Every way a JWT can be unusable gets its own stable 401 code.

Bad tokens are built with PyJWT directly from the claims of a genuine token, so each test
changes exactly one thing.
"""

from __future__ import annotations

import base64
import json
import time
from datetime import timedelta

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings

from deltacrown.apps.accounts import api, errors
from deltacrown.apps.accounts.tests.factories import (
    API,
    UserFactory,
    bearer,
    obtain_tokens,
    post_json,
)
from deltacrown.kernel import clock

pytestmark = pytest.mark.django_db


@pytest.fixture
def genuine(client):
    """A genuine token pair and the access token's claims."""
    user = UserFactory()
    pair = obtain_tokens(client, user)
    claims = jwt.decode(pair["access_token"], options={"verify_signature": False})
    return {"user": user, "pair": pair, "claims": claims}


def _sign(claims: dict, *, key: object = None, algorithm: str = "HS256") -> str:
    return jwt.encode(claims, key or settings.JWT_SIGNING_KEY, algorithm=algorithm)


def _b64(data: dict) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _get_me(client, token: str):
    return client.get(f"{API}/me", **bearer(token))


def _assert_401(response, code: str) -> None:
    assert response.status_code == 401, response.content
    assert response.json()["code"] == code
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_resigned_copy_of_genuine_claims_is_accepted(client, genuine):
    # The control for every test below: only the named change makes them fail.
    assert _get_me(client, _sign(genuine["claims"])).status_code == 200


def test_alg_none_is_rejected(client, genuine):
    token = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(genuine['claims'])}."
    _assert_401(_get_me(client, token), "token_invalid")


def test_another_hmac_algorithm_with_the_right_key_is_rejected(client, genuine):
    token = _sign(genuine["claims"], algorithm="HS512")
    _assert_401(_get_me(client, token), "token_invalid")


def test_rs256_signed_with_someone_elses_key_is_rejected(client, genuine):
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = _sign(genuine["claims"], key=private_key, algorithm="RS256")
    _assert_401(_get_me(client, token), "token_invalid")


def test_hs256_with_another_key_is_rejected(client, genuine):
    token = _sign(genuine["claims"], key="x" * 64)
    _assert_401(_get_me(client, token), "token_invalid")


def test_tampered_signature_is_rejected(client, genuine):
    header, payload, signature = genuine["pair"]["access_token"].split(".")
    middle = len(signature) // 2
    flipped = "A" if signature[middle] != "A" else "B"
    token = f"{header}.{payload}.{signature[:middle]}{flipped}{signature[middle + 1 :]}"
    _assert_401(_get_me(client, token), "token_invalid")


def test_tampered_payload_is_rejected(client, genuine):
    other = UserFactory()
    header, _, signature = genuine["pair"]["access_token"].split(".")
    forged = {**genuine["claims"], "sub": str(other.pk)}
    _assert_401(_get_me(client, f"{header}.{_b64(forged)}.{signature}"), "token_invalid")


@pytest.mark.parametrize("garbage", ["abc", "a.b.c", "", "...."])
def test_malformed_tokens_are_rejected(client, garbage):
    _assert_401(_get_me(client, garbage), "token_invalid")


@pytest.mark.parametrize("claim", ["sub", "typ", "exp", "nbf", "iat", "jti", "fam", "aud", "iss"])
def test_a_missing_required_claim_is_rejected(client, genuine, claim):
    claims = {k: v for k, v in genuine["claims"].items() if k != claim}
    _assert_401(_get_me(client, _sign(claims)), "token_invalid")


def test_expired_beyond_the_leeway_is_rejected(client, genuine):
    now = int(time.time())
    claims = {**genuine["claims"], "iat": now - 1000, "nbf": now - 1000, "exp": now - 61}
    _assert_401(_get_me(client, _sign(claims)), "token_expired")


def test_expired_within_the_leeway_is_accepted(client, genuine):
    now = int(time.time())
    claims = {**genuine["claims"], "iat": now - 1000, "nbf": now - 1000, "exp": now - 30}
    assert _get_me(client, _sign(claims)).status_code == 200


def test_a_genuine_token_expires_with_the_clock(client, genuine):
    token = genuine["pair"]["access_token"]
    with clock.frozen(clock.now() + timedelta(minutes=15, seconds=61)):
        _assert_401(_get_me(client, token), "token_expired")
    with clock.frozen(clock.now() + timedelta(minutes=15, seconds=30)):
        assert _get_me(client, token).status_code == 200


def test_not_before_in_the_future_is_rejected(client, genuine):
    claims = {**genuine["claims"], "nbf": int(time.time()) + 300}
    _assert_401(_get_me(client, _sign(claims)), "token_not_yet_valid")


def test_wrong_audience_is_rejected(client, genuine):
    claims = {**genuine["claims"], "aud": "someone-else"}
    _assert_401(_get_me(client, _sign(claims)), "token_wrong_audience")


def test_wrong_issuer_is_rejected(client, genuine):
    claims = {**genuine["claims"], "iss": "evil"}
    _assert_401(_get_me(client, _sign(claims)), "token_wrong_issuer")


def test_unknown_token_type_is_rejected(client, genuine):
    claims = {**genuine["claims"], "typ": "id"}
    _assert_401(_get_me(client, _sign(claims)), "token_invalid")


def test_a_refresh_token_is_not_an_access_token(client, genuine):
    _assert_401(_get_me(client, genuine["pair"]["refresh_token"]), "token_wrong_type")


def test_an_access_token_is_not_a_refresh_token(client, genuine):
    response = post_json(
        client, "/auth/refresh", {"refresh_token": genuine["pair"]["access_token"]}
    )
    _assert_401(response, "token_wrong_type")


def test_a_refresh_token_with_an_unknown_id_is_rejected(client, genuine):
    refresh_claims = jwt.decode(
        genuine["pair"]["refresh_token"], options={"verify_signature": False}
    )
    forged = _sign({**refresh_claims, "jti": "0" * 32})
    response = post_json(client, "/auth/refresh", {"refresh_token": forged})
    _assert_401(response, "token_invalid")


def test_authenticate_access_token_raises_the_same_typed_errors(genuine):
    ref = api.authenticate_access_token(genuine["pair"]["access_token"])
    assert ref.id == genuine["user"].pk
    with pytest.raises(errors.TokenWrongType) as excinfo:
        api.authenticate_access_token(genuine["pair"]["refresh_token"])
    assert excinfo.value.code == "token_wrong_type"
    with pytest.raises(errors.TokenInvalid):
        api.authenticate_access_token("not-a-token")
