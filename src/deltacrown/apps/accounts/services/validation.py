"""Accounts app, services layer: field rules shared by sign-up, profile and password services.

Each ``*_errors`` function returns problem ``errors`` entries ({field, code, message}) instead of
raising, so a service can report every invalid field of a request at once.
"""

from __future__ import annotations

import re
import unicodedata

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email

from deltacrown.apps.accounts.models import User
from deltacrown.kernel.errors import ValidationFailed, field_error

USERNAME_MIN_LENGTH = 3
USERNAME_MAX_LENGTH = 150
DISPLAY_NAME_MAX_LENGTH = 64
# Django's username rule minus "@": with it, a sign-in name could be a username and an email.
_USERNAME = re.compile(r"^[\w.+-]+\Z")


def has_control_chars(value: str) -> bool:
    return any(unicodedata.category(ch).startswith("C") for ch in value)


def username_errors(username: str) -> list[dict[str, str]]:
    out = []
    if not USERNAME_MIN_LENGTH <= len(username) <= USERNAME_MAX_LENGTH:
        out.append(
            field_error(
                "username",
                "invalid_length",
                f"Use {USERNAME_MIN_LENGTH} to {USERNAME_MAX_LENGTH} characters.",
            )
        )
    if not _USERNAME.match(username):
        out.append(field_error("username", "invalid", "Use letters, digits and . + - _ only."))
    return out


def email_errors(email: str, *, required: bool) -> list[dict[str, str]]:
    if not email:
        return (
            [field_error("email", "required", "An email address is required.")] if required else []
        )
    try:
        validate_email(email)
    except DjangoValidationError:
        return [field_error("email", "invalid", "Enter a valid email address.")]
    return []


def display_name_errors(display_name: str) -> list[dict[str, str]]:
    if len(display_name) > DISPLAY_NAME_MAX_LENGTH:
        return [
            field_error(
                "display_name",
                "too_long",
                f"Use at most {DISPLAY_NAME_MAX_LENGTH} characters.",
            )
        ]
    if has_control_chars(display_name):
        return [field_error("display_name", "invalid", "Control characters are not allowed.")]
    return []


def password_errors(password: str, user: User, *, field: str) -> list[dict[str, str]]:
    try:
        validate_password(password, user)
    except DjangoValidationError as exc:
        return [
            field_error(field, err.code or "invalid", " ".join(err.messages))
            for err in exc.error_list
        ]
    return []


def raise_if(errors_found: list[dict[str, str]]) -> None:
    if errors_found:
        raise ValidationFailed("The request has invalid fields.", errors=errors_found)


def normalise_username(username: str) -> str:
    return User.normalize_username(username.strip())


def normalise_email(email: str) -> str:
    return User.objects.normalize_email(email.strip())
