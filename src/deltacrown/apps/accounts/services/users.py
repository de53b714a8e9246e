"""Accounts app, services layer: creating accounts and administrators, editing profiles.

Sign-up publishes ``user.registered`` (ids only) on the stream ``user:<id>``.
"""

from __future__ import annotations

import io
import logging
import re
import uuid
import warnings
from typing import IO, Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from PIL import Image, ImageOps, UnidentifiedImageError

from deltacrown.apps.accounts import errors, selectors, throttling
from deltacrown.apps.accounts.data import COUNTRY_CODES, USER_REGISTERED
from deltacrown.apps.accounts.models import TokenFamily, User
from deltacrown.apps.accounts.services.signin import revoke_user_families
from deltacrown.apps.accounts.services.validation import (
    display_name_errors,
    email_errors,
    has_control_chars,
    normalise_email,
    normalise_username,
    password_errors,
    raise_if,
    username_errors,
)
from deltacrown.kernel import audit, events, flags, player_ids
from deltacrown.kernel.errors import field_error

logger = logging.getLogger("deltacrown.accounts")

GAME_IDS_MAX_ENTRIES = 32
GAME_ID_MAX_LENGTH = 64
_GAME_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$")

AVATAR_MAX_BYTES = 2 * 1024 * 1024
AVATAR_MAX_SIDE = 4096  # pixels; larger images are refused before they are decoded
AVATAR_SIZE = (512, 512)
AVATAR_FORMATS = frozenset({"PNG", "JPEG", "WEBP", "GIF"})


def user_create(
    *,
    username: str,
    email: str,
    password: str,
    display_name: str = "",
    is_staff: bool = False,
    is_superuser: bool = False,
    email_required: bool = True,
) -> User:
    """Create an account after validating every field and the password policy.

    422 ``validation_failed`` lists every invalid field; 409 ``username_taken`` or
    ``email_taken`` when another account has the username or email (ignoring case).
    """
    username = normalise_username(username)
    email = normalise_email(email)
    display_name = display_name.strip()
    user = User(
        username=username,
        email=email,
        display_name=display_name,
        is_staff=is_staff,
        is_superuser=is_superuser,
    )
    found = [
        *username_errors(username),
        *email_errors(email, required=email_required),
        *display_name_errors(display_name),
        *password_errors(password, user, field="password"),
    ]
    raise_if(found)
    _raise_if_taken(username=username, email=email)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
            events.publish(f"user:{user.pk}", USER_REGISTERED, {"user_id": user.pk})
    except IntegrityError:
        # A concurrent sign-up won the race for the same username or email.
        _raise_if_taken(username=username, email=email)
        raise
    logger.info("user created", extra={"user_id": user.pk})
    return user


def _raise_if_taken(*, username: str, email: str, exclude_user_id: int | None = None) -> None:
    if selectors.username_taken(username=username, exclude_user_id=exclude_user_id):
        raise errors.UsernameTaken("This username is taken.")
    if selectors.email_taken(email=email, exclude_user_id=exclude_user_id):
        raise errors.EmailTaken("An account with this email address already exists.")


def user_signup(
    *, username: str, email: str, password: str, display_name: str = "", client_ip: str | None
) -> User:
    """Self-service sign-up, limited per client address (429 ``rate_limited``).

    403 ``signup_disabled`` while the SIGNUP_ENABLED flag is off.
    """
    if not flags.is_enabled(flags.SIGNUP_ENABLED):
        raise errors.SignupDisabled("Sign-up is closed; ask an administrator for an account.")
    throttling.consume(throttling.SIGNUP_PER_IP, client_ip)
    return user_create(username=username, email=email, password=password, display_name=display_name)


def admin_ensure(*, username: str, email: str, password: str) -> tuple[User, bool]:
    """Create or update the platform administrator ``username``; returns (user, created).

    Idempotent: running it again with the same values changes nothing (the stored hash is kept
    when the password already matches, so existing sign-ins stay valid). A changed password
    ends the administrator's token sign-ins.
    """
    username = normalise_username(username)
    email = normalise_email(email)
    with transaction.atomic():
        user = User.objects.select_for_update().filter(username__iexact=username).first()
        if user is None:
            user = user_create(
                username=username,
                email=email,
                password=password,
                is_staff=True,
                is_superuser=True,
                email_required=False,
            )
            audit.record(
                action="user.admin_ensured",
                target_type="user",
                target_id=user.pk,
                data={"created": True, "password_changed": True},
            )
            return user, True
        raise_if(
            [
                *email_errors(email, required=False),
                *password_errors(password, user, field="password"),
            ]
        )
        if email and selectors.email_taken(email=email, exclude_user_id=user.pk):
            raise errors.EmailTaken("An account with this email address already exists.")
        user.email = email or user.email
        user.is_staff = user.is_superuser = user.is_active = True
        password_changed = not user.check_password(password)
        if password_changed:
            user.set_password(password)
        user.save()
        if password_changed:
            revoke_user_families(user.pk, TokenFamily.RevokeReason.PASSWORD_CHANGE)
        audit.record(
            action="user.admin_ensured",
            target_type="user",
            target_id=user.pk,
            data={"created": False, "password_changed": password_changed},
        )
    logger.info("administrator updated", extra={"user_id": user.pk})
    return user, False


def profile_update(
    *,
    user_id: int,
    display_name: str | None = None,
    country: str | None = None,
    game_ids: dict[str, str] | None = None,
) -> User:
    """Change the public profile; None leaves a field as it is, ``""`` clears a text field.

    ``country`` is an ISO 3166-1 alpha-2 code in any case (stored upper-case); ``game_ids``
    replaces the whole map of game slug to in-game id (the games app validates the ids
    themselves against each game's rules).
    """
    found: list[dict[str, str]] = []
    updates: dict[str, Any] = {}
    if display_name is not None:
        display_name = display_name.strip()
        found += display_name_errors(display_name)
        updates["display_name"] = display_name
    if country is not None:
        country = country.strip().upper()
        if country and country not in COUNTRY_CODES:
            found.append(
                field_error("country", "invalid", "Use an ISO 3166-1 alpha-2 code, e.g. DE.")
            )
        updates["country"] = country
    if game_ids is not None:
        cleaned, game_errors = _clean_game_ids(game_ids)
        found += game_errors
        updates["game_ids"] = cleaned
    raise_if(found)
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=user_id).first()
        if user is None:
            raise errors.UserNotFound("No such user.")
        for name, value in updates.items():
            setattr(user, name, value)
        if updates:
            user.save(update_fields=list(updates))
    return user


def _clean_game_ids(game_ids: dict[str, Any]) -> tuple[dict[str, str], list[dict[str, str]]]:
    found = []
    cleaned: dict[str, str] = {}
    if len(game_ids) > GAME_IDS_MAX_ENTRIES:
        found.append(field_error("game_ids", "too_many", f"At most {GAME_IDS_MAX_ENTRIES} games."))
    for slug, value in game_ids.items():
        field = f"game_ids.{slug}"
        if not isinstance(slug, str) or not _GAME_SLUG.match(slug):
            found.append(field_error(field, "invalid_slug", "Use a game slug such as valorant."))
            continue
        if not isinstance(value, str):
            found.append(field_error(field, "invalid", "The in-game id must be a string."))
            continue
        value = value.strip()
        if not 1 <= len(value) <= GAME_ID_MAX_LENGTH or has_control_chars(value):
            found.append(
                field_error(
                    field, "invalid", f"Use 1 to {GAME_ID_MAX_LENGTH} printable characters."
                )
            )
            continue
        cleaned[slug] = value
    if not found:
        # Each game's own rules (Riot ID, SteamID64, ...) come from the games app's validator.
        found += player_ids.validate(cleaned)
    return cleaned, found


def avatar_set(*, user_id: int, upload: IO[bytes], size: int | None) -> User:
    """Replace the user's avatar with ``upload`` (PNG, JPEG, WebP or GIF, at most 2 MB).

    The image is decoded and re-encoded (512 px WebP): that strips metadata such as GPS
    positions in EXIF and guarantees that what is served is a plain, bounded image.
    """
    if size is not None and size > AVATAR_MAX_BYTES:
        raise errors.AvatarTooLarge("The avatar may be at most 2 MB.", max_bytes=AVATAR_MAX_BYTES)
    data = upload.read(AVATAR_MAX_BYTES + 1)
    if len(data) > AVATAR_MAX_BYTES:
        raise errors.AvatarTooLarge("The avatar may be at most 2 MB.", max_bytes=AVATAR_MAX_BYTES)
    content = ContentFile(_reencode_avatar(data), name=f"{uuid.uuid4().hex}.webp")
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=user_id).first()
        if user is None:
            raise errors.UserNotFound("No such user.")
        old = user.avatar.name if user.avatar else ""
        user.avatar.save(content.name, content, save=False)
        user.save(update_fields=["avatar"])
        if old:
            storage = user.avatar.storage
            transaction.on_commit(lambda: storage.delete(old))
    return user


def _reencode_avatar(data: bytes) -> bytes:
    invalid = errors.AvatarInvalid(
        "The avatar must be a PNG, JPEG, WebP or GIF image.",
        errors=[field_error("file", "invalid_image", "Upload a PNG, JPEG, WebP or GIF image.")],
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format not in AVATAR_FORMATS:
                    raise invalid
                if max(probe.size) > AVATAR_MAX_SIDE:
                    raise errors.AvatarInvalid(
                        "The avatar is too large in pixels.",
                        errors=[
                            field_error(
                                "file", "too_many_pixels", f"At most {AVATAR_MAX_SIDE} px a side."
                            )
                        ],
                    )
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                image = ImageOps.exif_transpose(image)
                has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
                image = image.convert("RGBA" if has_alpha else "RGB")
                image.thumbnail(AVATAR_SIZE)
                out = io.BytesIO()
                image.save(out, format="WEBP", quality=85, method=4)
                return out.getvalue()
    except errors.AvatarInvalid:
        raise
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
        SyntaxError,
        ValueError,
    ) as exc:
        raise invalid from exc
