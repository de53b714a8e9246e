"""Accounts app, selectors layer: reads of users, sign-ins and personal tokens.

Includes the credential checks that authentication runs on every request: they only read (the
one write, a personal token's ``last_used_at``, lives in services).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable

from django.core.cache import cache
from django.db.models import QuerySet

from deltacrown.apps.accounts import errors, tokens
from deltacrown.apps.accounts.data import UserRef
from deltacrown.apps.accounts.models import PersonalAccessToken, TokenFamily, User
from deltacrown.kernel import clock

logger = logging.getLogger("deltacrown.accounts")

# Access tokens are checked against their sign-in on every request. A short cache keeps that to
# one cache read; revocation deletes the entry, so the window only matters if that delete fails.
FAMILY_CACHE_SECONDS = 30
_ACTIVE = "active"
_REVOKED = "revoked"


def family_cache_key(family_id: uuid.UUID) -> str:
    return f"accounts:token-family:{family_id.hex}"


def user_ref(user: User) -> UserRef:
    """The public value object for ``user``."""
    return UserRef(
        id=user.pk,
        username=user.username,
        email=user.email,
        display_name=user.display_name,
        country=user.country,
        is_active=user.is_active,
        is_staff=user.is_staff,
        is_superuser=user.is_superuser,
    )


def user_get(*, user_id: int) -> User:
    """The user with ``user_id``; 404 ``user_not_found`` if there is none."""
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise errors.UserNotFound("No such user.")
    return user


def user_list_by_ids(*, user_ids: Iterable[int]) -> dict[int, User]:
    """The users among ``user_ids`` that exist, by id (unknown ids are simply absent)."""
    ids = {int(i) for i in user_ids}
    return {user.pk: user for user in User.objects.filter(pk__in=ids)}


def user_for_login(*, login: str) -> User | None:
    """The account a sign-in form names: by username, or by email when it looks like one.

    Both comparisons ignore case, matching the case-insensitive unique constraints.
    """
    login = login.strip()
    if not login:
        return None
    user = User.objects.filter(username__iexact=login).first()
    if user is None and "@" in login:
        user = User.objects.filter(email__iexact=login).first()
    return user


def username_taken(*, username: str, exclude_user_id: int | None = None) -> bool:
    qs = User.objects.filter(username__iexact=username)
    if exclude_user_id is not None:
        qs = qs.exclude(pk=exclude_user_id)
    return qs.exists()


def email_taken(*, email: str, exclude_user_id: int | None = None) -> bool:
    if not email:
        return False
    qs = User.objects.filter(email__iexact=email)
    if exclude_user_id is not None:
        qs = qs.exclude(pk=exclude_user_id)
    return qs.exists()


def family_is_active(*, family_id: uuid.UUID) -> bool:
    """Whether the sign-in ``family_id`` still stands (a missing family counts as revoked)."""
    key = family_cache_key(family_id)
    try:
        cached = cache.get(key)
    except Exception:
        # The cache (Redis) is down: the database answers, so signed-in users keep working.
        logger.warning("token family cache unavailable", extra={"operation": "get"})
        cached = None
    if cached is not None:
        return cached == _ACTIVE
    row = TokenFamily.objects.filter(pk=family_id).values("revoked_at").first()
    active = row is not None and row["revoked_at"] is None
    try:
        cache.set(key, _ACTIVE if active else _REVOKED, FAMILY_CACHE_SECONDS)
    except Exception:
        logger.warning("token family cache unavailable", extra={"operation": "set"})
    return active


def user_for_access_token(*, token: str) -> tuple[User, tokens.Claims]:
    """The user a JWT access token speaks for, or the precise 401 why it does not."""
    claims = tokens.decode_jwt(token, expected_type=tokens.ACCESS)
    if not family_is_active(family_id=claims.family):
        raise errors.TokenRevoked("This sign-in has been revoked; sign in again.")
    user = User.objects.filter(pk=claims.user_id).first()
    if user is None:
        raise errors.TokenRevoked("This sign-in has been revoked; sign in again.")
    if not user.is_active:
        raise errors.AccountInactive("This account is disabled.")
    return user, claims


def personal_token_for(*, token: str) -> PersonalAccessToken:
    """The stored personal token matching ``token`` (with its user), or the precise 401."""
    prefix, secret = tokens.split_personal_token(token)
    row = PersonalAccessToken.objects.select_related("user").filter(prefix=prefix).first()
    if row is None or not tokens.secret_matches(secret, row.secret_hash):
        raise errors.TokenInvalid("The token is not valid.")
    if row.revoked_at is not None:
        raise errors.TokenRevoked("This token has been revoked.")
    if row.expires_at is not None and row.expires_at <= clock.now():
        raise errors.TokenExpired("This token has expired.")
    if not row.user.is_active:
        raise errors.AccountInactive("This account is disabled.")
    return row


def personal_token_list(*, user_id: int) -> QuerySet[PersonalAccessToken]:
    """The user's personal tokens that have not been revoked (expired ones included)."""
    return PersonalAccessToken.objects.filter(user_id=user_id, revoked_at__isnull=True)
