"""Moderation app, services layer: helpers shared by the sanction and report services."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, TypeVar

from deltacrown.kernel import permissions
from deltacrown.kernel.errors import ValidationFailed, field_error

E = TypeVar("E", bound=StrEnum)

IDEMPOTENCY_KEY_MAX = 255


def actor_id(actor: Any) -> int:
    """The acting user's id (401 for anonymous callers)."""
    permissions.require_authenticated(actor)
    if actor.id is None:
        raise ValueError("an authenticated actor without an id")
    return int(actor.id)


def choice(enum: type[E], value: Any, field: str) -> E:
    """``value`` as a member of ``enum``; 422 ``invalid_choice`` on ``field`` otherwise."""
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(member.value for member in enum)
        raise ValidationFailed(
            errors=[field_error(field, "invalid_choice", f"One of: {allowed}.")]
        ) from None


def text(value: str | None, field: str, limit: int, *, required: bool) -> str:
    """``value`` stripped; 422 ``required`` when empty and required, ``too_long`` beyond
    ``limit`` characters."""
    cleaned = (value or "").strip()
    if required and not cleaned:
        raise ValidationFailed(errors=[field_error(field, "required", "This cannot be empty.")])
    if len(cleaned) > limit:
        raise ValidationFailed(
            errors=[field_error(field, "too_long", f"At most {limit} characters.")]
        )
    return cleaned


def aware(moment: datetime | None) -> datetime | None:
    """``moment`` with UTC assumed when it carries no time zone."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


def idempotency_key(value: str | None) -> str | None:
    """A service-level idempotency key, checked like the HTTP header (1-255 printable ASCII)."""
    if value is None:
        return None
    if not 1 <= len(value) <= IDEMPOTENCY_KEY_MAX or not all(" " <= ch <= "~" for ch in value):
        raise ValidationFailed(
            errors=[
                field_error("idempotency_key", "invalid", "1 to 255 printable ASCII characters.")
            ]
        )
    return value


def key_reused() -> ValidationFailed:
    """The error for an idempotency key already used for a different request."""
    return ValidationFailed(
        "This idempotency key was already used for a different request.",
        code="idempotency_key_reused",
    )
