"""Accounts app, services layer: password sign-in and the life of token families.

Sign-in is modelled as token *families*: signing in starts a family, each refresh exchanges the
family's current refresh token (single use) for a new pair, and revoking the family (sign-out,
password change or reset, detected reuse) ends every token issued in it at once.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.models import update_last_login
from django.core.cache import cache
from django.db import transaction

from deltacrown.apps.accounts import errors, selectors, throttling, tokens
from deltacrown.apps.accounts.data import TokenPair
from deltacrown.apps.accounts.models import RefreshToken, TokenFamily, User
from deltacrown.kernel import audit, clock

logger = logging.getLogger("deltacrown.accounts")

# Keeps completed families (and their refresh-token rows) for a while after their last token
# expired, so support can still see how a sign-in ended.
PURGE_AFTER = timedelta(days=7)


def credentials_verify(
    *, login: str, password: str, client_ip: str | None, request: Any = None
) -> User:
    """The active account that ``login`` (username or email) and ``password`` identify.

    Limited per account and per client address: while either limit is exhausted the password
    is not even checked (429 ``rate_limited`` with ``Retry-After``); each failure counts
    against both. A wrong password, an unknown login and a disabled account all give the same
    401 ``invalid_credentials``.
    """
    user = selectors.user_for_login(login=login)
    account = throttling.account_key(user.username if user else login)
    limits = ((throttling.LOGIN_PER_ACCOUNT, account), (throttling.LOGIN_PER_IP, client_ip))
    throttling.check(*limits)
    # With an unknown login the backend still hashes the password, so timing tells nothing.
    username = user.get_username() if user else login.strip()
    authenticated = authenticate(request, username=username, password=password)
    if authenticated is None:
        throttling.hit(*limits)
        logger.info("sign-in failed", extra={"user_id": user.pk if user else None})
        raise errors.InvalidCredentials("The username or password is incorrect.")
    return authenticated


def token_obtain(*, login: str, password: str, client_ip: str | None) -> TokenPair:
    """Sign in with a password and start a new token family."""
    user = credentials_verify(login=login, password=password, client_ip=client_ip)
    now = clock.now()
    with transaction.atomic():
        family = TokenFamily.objects.create(id=uuid.uuid4(), user=user, created_at=now)
        pair = _issue_pair(user=user, family=family, now=now)
    update_last_login(None, user)
    logger.info("token sign-in", extra={"user_id": user.pk})
    return pair


def _issue_pair(*, user: User, family: TokenFamily, now: datetime) -> TokenPair:
    access_lifetime: timedelta = settings.JWT_ACCESS_LIFETIME
    refresh_lifetime: timedelta = settings.JWT_REFRESH_LIFETIME
    refresh_jti = uuid.uuid4()
    # The row's expiry mirrors the token's exp claim, which is whole seconds.
    issued = now.replace(microsecond=0)
    RefreshToken.objects.create(
        jti=refresh_jti,
        family=family,
        user=user,
        issued_at=issued,
        expires_at=issued + refresh_lifetime,
    )
    return TokenPair(
        access_token=tokens.encode_jwt(
            user_id=user.pk,
            token_type=tokens.ACCESS,
            family=family.pk,
            jti=uuid.uuid4(),
            now=issued,
            lifetime=access_lifetime,
        ),
        refresh_token=tokens.encode_jwt(
            user_id=user.pk,
            token_type=tokens.REFRESH,
            family=family.pk,
            jti=refresh_jti,
            now=issued,
            lifetime=refresh_lifetime,
        ),
        expires_in=int(access_lifetime.total_seconds()),
        refresh_expires_in=int(refresh_lifetime.total_seconds()),
    )


def token_refresh(*, refresh_token: str) -> TokenPair:
    """Exchange a refresh token for a new pair; the presented token is used up.

    Presenting a refresh token that was already exchanged means it leaked (or a client kept a
    stale copy): the whole family is revoked, for the thief and the owner alike, and the
    answer is 401 ``refresh_token_reused``. Retrying a refresh safely is what
    ``Idempotency-Key`` is for.
    """
    claims = tokens.decode_jwt(refresh_token, expected_type=tokens.REFRESH)
    now = clock.now()
    reused_family: TokenFamily | None = None
    with transaction.atomic():
        row = (
            RefreshToken.objects.select_for_update()
            .select_related("family", "user")
            .filter(jti=claims.jti)
            .first()
        )
        if row is None or row.family_id != claims.family or row.user_id != claims.user_id:
            raise errors.TokenInvalid("The token is not valid.")
        family = row.family
        if family.revoked_at is not None:
            raise errors.TokenRevoked("This sign-in has been revoked; sign in again.")
        if row.used_at is not None:
            _revoke_family(family, TokenFamily.RevokeReason.REUSE, now)
            audit.record(
                action="token_family.reuse_detected",
                target_type="token_family",
                target_id=family.pk.hex,
                data={"user_id": family.user_id},
            )
            reused_family = family
        else:
            if row.expires_at + settings.JWT_LEEWAY <= now:
                raise errors.TokenExpired("The token has expired.")
            if not row.user.is_active:
                raise errors.AccountInactive("This account is disabled.")
            row.used_at = now
            row.save(update_fields=["used_at"])
            pair = _issue_pair(user=row.user, family=family, now=now)
    if reused_family is not None:
        # Raised after the block so that the revocation commits.
        logger.warning(
            "refresh token reused; sign-in revoked",
            extra={"user_id": reused_family.user_id, "family": reused_family.pk.hex},
        )
        raise errors.RefreshTokenReused(
            "This refresh token was already used; the sign-in has been revoked for safety."
        )
    return pair


def token_revoke(*, refresh_token: str) -> None:
    """End the sign-in a refresh token belongs to (sign-out). Revoking twice is harmless.

    An expired but genuine refresh token is accepted: ending a sign-in must always be possible.
    """
    claims = tokens.decode_jwt(refresh_token, expected_type=tokens.REFRESH, verify_exp=False)
    with transaction.atomic():
        family = (
            TokenFamily.objects.select_for_update()
            .filter(pk=claims.family, user_id=claims.user_id)
            .first()
        )
        if family is not None and family.revoked_at is None:
            _revoke_family(family, TokenFamily.RevokeReason.SIGN_OUT, clock.now())
            logger.info("sign-in revoked", extra={"user_id": family.user_id})


def family_revoke(*, family_id: uuid.UUID, reason: str = TokenFamily.RevokeReason.ADMIN) -> None:
    """Revoke one sign-in by its id (administrators, incident response)."""
    with transaction.atomic():
        family = TokenFamily.objects.select_for_update().filter(pk=family_id).first()
        if family is not None and family.revoked_at is None:
            _revoke_family(family, reason, clock.now())
            audit.record(
                action="token_family.revoked",
                target_type="token_family",
                target_id=family.pk.hex,
                data={"user_id": family.user_id, "reason": str(reason)},
            )


def _revoke_family(family: TokenFamily, reason: str, now: datetime) -> None:
    family.revoked_at = now
    family.revoke_reason = reason
    family.save(update_fields=["revoked_at", "revoke_reason"])
    _forget_family_state([family.pk])


def revoke_user_families(user_id: int, reason: str) -> int:
    """Revoke every standing sign-in of ``user_id``; returns how many were revoked."""
    ids = list(
        TokenFamily.objects.filter(user_id=user_id, revoked_at__isnull=True).values_list(
            "pk", flat=True
        )
    )
    if ids:
        TokenFamily.objects.filter(pk__in=ids).update(revoked_at=clock.now(), revoke_reason=reason)
        _forget_family_state(ids)
    return len(ids)


def _forget_family_state(family_ids: list[uuid.UUID]) -> None:
    # Deleted now so this process sees the revocation at once, and again after commit so no
    # concurrent request can leave a stale "active" entry behind.
    keys = [selectors.family_cache_key(fid) for fid in family_ids]

    def forget() -> None:
        try:
            cache.delete_many(keys)
        except Exception:
            # The cache (Redis) is down: the revocation is committed in the database; a cached
            # "active" entry, if Redis kept one, expires within FAMILY_CACHE_SECONDS.
            logger.warning("token family cache unavailable", extra={"operation": "delete"})

    forget()
    transaction.on_commit(forget)


def tokens_purge(*, now: datetime | None = None) -> int:
    """Delete refresh tokens, and then families, whose last token expired long ago."""
    cutoff = (now or clock.now()) - PURGE_AFTER
    deleted, _ = RefreshToken.objects.filter(expires_at__lt=cutoff).delete()
    families, _ = TokenFamily.objects.filter(created_at__lt=cutoff, tokens__isnull=True).delete()
    return deleted + families
