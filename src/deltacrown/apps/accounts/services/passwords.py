"""Accounts app, services layer: changing and resetting passwords.

Both end every token sign-in of the user; the reset mail is sent by a background task so that
the answer to a reset request says nothing about whether the address has an account.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from deltacrown.apps.accounts import errors, selectors, throttling
from deltacrown.apps.accounts.models import TokenFamily, User
from deltacrown.apps.accounts.services.signin import revoke_user_families
from deltacrown.apps.accounts.services.validation import password_errors, raise_if
from deltacrown.kernel import audit
from deltacrown.kernel.errors import field_error

logger = logging.getLogger("deltacrown.accounts")


def password_change(*, user_id: int, current_password: str, new_password: str) -> User:
    """Change the password after confirming the current one; ends every token sign-in.

    Wrong current passwords count against the account's sign-in limit, so a stolen session
    cannot be used to guess the password. Keeping the caller's own browser session valid is
    the HTTP layer's job (it holds the session).
    """
    user = selectors.user_get(user_id=user_id)
    limit = ((throttling.LOGIN_PER_ACCOUNT, throttling.account_key(user.username)),)
    throttling.check(*limit)
    if not user.check_password(current_password):
        throttling.hit(*limit)
        raise errors.PasswordIncorrect(
            "The current password is incorrect.",
            errors=[
                field_error(
                    "current_password", "password_incorrect", "The current password is incorrect."
                )
            ],
        )
    raise_if(password_errors(new_password, user, field="new_password"))
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        revoked = revoke_user_families(user.pk, TokenFamily.RevokeReason.PASSWORD_CHANGE)
        audit.record(
            action="user.password_changed",
            target_type="user",
            target_id=user.pk,
            data={"revoked_sign_ins": revoked},
        )
    logger.info("password changed", extra={"user_id": user.pk, "revoked_sign_ins": revoked})
    return user


def password_reset_request(*, email: str, client_ip: str | None) -> None:
    """Mail a reset link to every active account with this address, if any.

    The caller learns nothing about whether an account exists: the answer and its timing are
    the same either way (the mail is sent by a background task).
    """
    throttling.consume(throttling.PASSWORD_RESET_PER_IP, client_ip)
    email = email.strip()
    if not email:
        return
    user_ids = [
        user.pk
        for user in User.objects.filter(email__iexact=email, is_active=True)
        if user.has_usable_password()
    ]
    # Imported here because tasks import this module to do their work.
    from deltacrown.apps.accounts import tasks

    for user_id in user_ids:
        tasks.send_password_reset_email(user_id)


def password_reset_link(*, user: User) -> tuple[str, str, str]:
    """(uid, token, link) for a password reset of ``user``; the token is single-use."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return uid, token, f"{settings.PUBLIC_URL}/password-reset/{uid}/{token}/"


def password_reset_email_send(*, user_id: int) -> bool:
    """Send the reset mail to ``user_id`` (a task runs this); False if nothing was sent."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email or not user.has_usable_password():
        return False
    uid, token, link = password_reset_link(user=user)
    hours = max(1, settings.PASSWORD_RESET_TIMEOUT // 3600)
    body = (
        "Someone asked to reset the password of your DeltaCrown account.\n\n"
        f"To choose a new password, open this link within {hours} hour(s):\n\n{link}\n\n"
        "Apps can use these values with POST /api/v1/auth/password/reset/confirm:\n"
        f"uid: {uid}\ntoken: {token}\n\n"
        "If you did not ask for this, ignore this mail; your password stays as it is.\n"
    )
    send_mail("Reset your DeltaCrown password", body, None, [user.email])
    logger.info("password reset mail sent", extra={"user_id": user.pk})
    return True


def password_reset_confirm(*, uid: str, token: str, new_password: str) -> User:
    """Set a new password with a reset link's uid and token; ends every token sign-in.

    422 ``reset_token_invalid`` when the link is malformed, expired or already used (the token
    depends on the password hash and last sign-in, so using it, or signing in, spends it).
    """
    invalid = errors.ResetTokenInvalid(
        "This password reset link is invalid or has expired.",
        errors=[field_error("token", "reset_token_invalid", "Request a new reset link.")],
    )
    try:
        user_id = int(urlsafe_base64_decode(uid).decode("ascii"))
    except (ValueError, UnicodeDecodeError, OverflowError) as exc:
        raise invalid from exc
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not default_token_generator.check_token(user, token):
        raise invalid
    raise_if(password_errors(new_password, user, field="new_password"))
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        revoked = revoke_user_families(user.pk, TokenFamily.RevokeReason.PASSWORD_RESET)
        audit.record(
            action="user.password_reset",
            target_type="user",
            target_id=user.pk,
            data={"revoked_sign_ins": revoked},
            actor_id=user.pk,
        )
    logger.info("password reset", extra={"user_id": user.pk, "revoked_sign_ins": revoked})
    return user
