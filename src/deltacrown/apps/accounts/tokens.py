"""Accounts app, token formats: signing and verifying JWTs, minting and hashing personal tokens.

Pure functions over settings and the clock; no database. The JWT algorithm is pinned to
``settings.JWT_ALGORITHM`` on both sides: a token whose header names any other algorithm
(``none``, HS512, RS256, ...) is rejected before its claims are read, which closes the classic
algorithm-confusion attacks. Every claim the platform relies on is required.

Personal API tokens look like ``dcp_<public id>_<secret>``: the ``dcp_`` prefix lets the
authentication layer route them without trying to parse a JWT (and lets secret scanners spot
leaked ones); the public id finds the row; only a SHA-256 hash of the secret is stored.
"""

from __future__ import annotations

import hashlib
import secrets
import string
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
from django.conf import settings

from deltacrown.apps.accounts import errors
from deltacrown.kernel import clock

ACCESS = "access"
REFRESH = "refresh"
REQUIRED_CLAIMS = ("sub", "typ", "iat", "nbf", "exp", "aud", "iss", "jti", "fam")

PERSONAL_TOKEN_PREFIX = "dcp_"  # noqa: S105 - a public marker, not a secret
_PUBLIC_ID_ALPHABET = string.ascii_lowercase + string.digits
_PUBLIC_ID_LENGTH = 12
_SECRET_BYTES = 32


@dataclass(frozen=True)
class Claims:
    """The verified claims of a platform JWT."""

    user_id: int
    token_type: str
    jti: uuid.UUID
    family: uuid.UUID
    issued_at: datetime
    expires_at: datetime


def encode_jwt(
    *,
    user_id: int,
    token_type: str,
    family: uuid.UUID,
    jti: uuid.UUID,
    now: datetime,
    lifetime: timedelta,
) -> str:
    """Sign a token of ``token_type`` (access or refresh) for ``user_id`` in ``family``."""
    issued = int(now.timestamp())
    payload = {
        "sub": str(user_id),
        "typ": token_type,
        "iat": issued,
        "nbf": issued,
        "exp": issued + int(lifetime.total_seconds()),
        "aud": settings.JWT_AUDIENCE,
        "iss": settings.JWT_ISSUER,
        "jti": jti.hex,
        "fam": family.hex,
    }
    return jwt.encode(payload, settings.JWT_SIGNING_KEY, algorithm=settings.JWT_ALGORITHM)


def _decode(token: str) -> dict:
    try:
        return jwt.decode(
            token,
            settings.JWT_SIGNING_KEY,
            algorithms=[settings.JWT_ALGORITHM],
            audience=settings.JWT_AUDIENCE,
            issuer=settings.JWT_ISSUER,
            # Times are checked in _check_times against the platform clock, so tests can pin it.
            options={
                "require": list(REQUIRED_CLAIMS),
                "verify_exp": False,
                "verify_nbf": False,
                "verify_iat": False,
            },
        )
    except jwt.InvalidAudienceError as exc:
        raise errors.TokenWrongAudience("The token was issued for another audience.") from exc
    except jwt.InvalidIssuerError as exc:
        raise errors.TokenWrongIssuer("The token was issued by another issuer.") from exc
    except jwt.PyJWTError as exc:
        # Bad signature, unexpected algorithm, malformed segments, missing or ill-typed claims.
        raise errors.TokenInvalid("The token is not valid.") from exc


def decode_jwt(token: str, *, expected_type: str, verify_exp: bool = True) -> Claims:
    """Verify ``token`` and return its claims, or raise the precise ``AuthenticationFailed``.

    ``verify_exp=False`` is only for revocation, where an expired token may still name the
    sign-in to end.
    """
    payload = _decode(token)
    _check_times(payload, verify_exp=verify_exp)
    try:
        sub = payload["sub"]
        if not isinstance(sub, str) or not sub.isdigit():
            raise ValueError("sub")
        claims = Claims(
            user_id=int(sub),
            token_type=str(payload["typ"]),
            jti=uuid.UUID(hex=str(payload["jti"])),
            family=uuid.UUID(hex=str(payload["fam"])),
            issued_at=datetime.fromtimestamp(int(payload["iat"]), tz=UTC),
            expires_at=datetime.fromtimestamp(int(payload["exp"]), tz=UTC),
        )
    except (TypeError, ValueError) as exc:
        raise errors.TokenInvalid("The token is not valid.") from exc
    if claims.token_type not in (ACCESS, REFRESH):
        raise errors.TokenInvalid("The token is not valid.")
    if claims.token_type != expected_type:
        raise errors.TokenWrongType(f"An {expected_type} token is required here.")
    return claims


def _check_times(payload: dict, *, verify_exp: bool) -> None:
    times = [payload[claim] for claim in ("iat", "nbf", "exp")]
    if any(isinstance(t, bool) or not isinstance(t, int) for t in times):
        raise errors.TokenInvalid("The token is not valid.")
    issued_at, not_before, expires = times
    now = clock.now().timestamp()
    leeway = settings.JWT_LEEWAY.total_seconds()
    if verify_exp and expires <= now - leeway:
        raise errors.TokenExpired("The token has expired.")
    if not_before > now + leeway or issued_at > now + leeway:
        raise errors.TokenNotYetValid("The token is not valid yet.")


def is_personal_token(token: str) -> bool:
    """Whether a bearer credential is a personal API token rather than a JWT."""
    return token.startswith(PERSONAL_TOKEN_PREFIX)


def new_personal_token() -> tuple[str, str, str]:
    """A fresh personal token as (full token, public prefix, secret hash)."""
    public_id = "".join(secrets.choice(_PUBLIC_ID_ALPHABET) for _ in range(_PUBLIC_ID_LENGTH))
    secret = secrets.token_urlsafe(_SECRET_BYTES)
    prefix = f"{PERSONAL_TOKEN_PREFIX}{public_id}"
    return f"{prefix}_{secret}", prefix, hash_secret(secret)


def split_personal_token(token: str) -> tuple[str, str]:
    """(public prefix, secret) of a personal token; ``TokenInvalid`` if it is malformed."""
    body = token[len(PERSONAL_TOKEN_PREFIX) :]
    public_id, sep, secret = body.partition("_")
    if (
        not sep
        or len(public_id) != _PUBLIC_ID_LENGTH
        or not all(c in _PUBLIC_ID_ALPHABET for c in public_id)
        or not secret
    ):
        raise errors.TokenInvalid("The token is not valid.")
    return f"{PERSONAL_TOKEN_PREFIX}{public_id}", secret


def hash_secret(secret: str) -> str:
    """SHA-256 of a personal token's secret, hex: what the database holds."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def secret_matches(secret: str, stored_hash: str) -> bool:
    """Constant-time comparison, so response timing says nothing about the stored hash."""
    return secrets.compare_digest(hash_secret(secret), stored_hash)
