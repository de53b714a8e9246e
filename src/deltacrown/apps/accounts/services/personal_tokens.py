"""Accounts app, services layer: personal API tokens (create, revoke, record use)."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction

from deltacrown.apps.accounts import errors, tokens
from deltacrown.apps.accounts.data import TokenScope
from deltacrown.apps.accounts.models import PersonalAccessToken, User
from deltacrown.apps.accounts.services.validation import has_control_chars, raise_if
from deltacrown.kernel import audit, clock
from deltacrown.kernel.errors import field_error

logger = logging.getLogger("deltacrown.accounts")

MAX_ACTIVE_PERSONAL_TOKENS = 50
PERSONAL_TOKEN_MAX_DAYS = 3650
# A personal token's last_used_at is refreshed at most this often, so that a busy bot does not
# turn every request into a database write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _scope_errors(scopes: list[str]) -> list[dict[str, str]]:
    allowed = {s.value for s in TokenScope}
    if not scopes or any(s not in allowed for s in scopes) or len(set(scopes)) != len(scopes):
        return [field_error("scopes", "invalid", 'Use ["read"] or ["read", "write"].')]
    if TokenScope.READ not in scopes:
        return [field_error("scopes", "invalid", '"write" needs "read": use ["read", "write"].')]
    return []


def personal_token_create(
    *, user_id: int, name: str, scopes: list[str], expires_in_days: int | None = None
) -> tuple[PersonalAccessToken, str]:
    """Create a personal API token; returns the row and the full token, shown only now.

    409 ``token_limit_reached`` beyond ``MAX_ACTIVE_PERSONAL_TOKENS`` unrevoked tokens.
    """
    name = name.strip()
    found = _scope_errors(scopes)
    if not 1 <= len(name) <= 100 or has_control_chars(name):
        found.append(field_error("name", "invalid", "Use 1 to 100 printable characters."))
    if expires_in_days is not None and not 1 <= expires_in_days <= PERSONAL_TOKEN_MAX_DAYS:
        found.append(
            field_error(
                "expires_in_days", "out_of_range", f"Use 1 to {PERSONAL_TOKEN_MAX_DAYS} days."
            )
        )
    raise_if(found)
    now = clock.now()
    with transaction.atomic():
        # The user's row lock serialises concurrent creations, so the limit holds.
        user = User.objects.select_for_update().filter(pk=user_id).first()
        if user is None:
            raise errors.UserNotFound("No such user.")
        active = PersonalAccessToken.objects.filter(user=user, revoked_at__isnull=True).count()
        if active >= MAX_ACTIVE_PERSONAL_TOKENS:
            raise errors.TokenLimitReached(
                f"At most {MAX_ACTIVE_PERSONAL_TOKENS} tokens; revoke one first.",
                limit=MAX_ACTIVE_PERSONAL_TOKENS,
            )
        token, prefix, secret_hash = tokens.new_personal_token()
        row = PersonalAccessToken.objects.create(
            user=user,
            name=name,
            prefix=prefix,
            secret_hash=secret_hash,
            scopes=sorted(scopes),
            created_at=now,
            expires_at=now + timedelta(days=expires_in_days) if expires_in_days else None,
        )
        audit.record(
            action="personal_token.created",
            target_type="personal_token",
            target_id=row.pk,
            data={"user_id": user.pk, "scopes": row.scopes, "expires_in_days": expires_in_days},
        )
    logger.info("personal token created", extra={"user_id": user_id, "pat_id": row.pk})
    return row, token


def personal_token_revoke(*, user_id: int | None, token_id: int) -> None:
    """Revoke a personal token; 404 ``token_not_found`` unless it is ``user_id``'s own.

    ``user_id=None`` (administrators) revokes any token. Revoking twice is harmless.
    """
    qs = PersonalAccessToken.objects.filter(pk=token_id)
    if user_id is not None:
        qs = qs.filter(user_id=user_id)
    with transaction.atomic():
        row = qs.select_for_update().first()
        if row is None:
            raise errors.PersonalTokenNotFound("No such token.")
        if row.revoked_at is not None:
            return
        row.revoked_at = clock.now()
        row.save(update_fields=["revoked_at"])
        audit.record(
            action="personal_token.revoked",
            target_type="personal_token",
            target_id=row.pk,
            data={"user_id": row.user_id},
        )
    logger.info("personal token revoked", extra={"user_id": row.user_id, "pat_id": row.pk})


def personal_token_touch(*, token: PersonalAccessToken) -> None:
    """Record that ``token`` was just used, at most once per ``LAST_USED_RESOLUTION``."""
    now = clock.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return
    PersonalAccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now
