"""Accounts app, public interface: what other apps may import from accounts.

Other apps (and the configuration layer) import only this module and ``data``. Functions take
and return ids and ``data`` objects, never model instances. ``API_AUTH`` is the default
authentication of the whole HTTP API (see ``config/api.py``).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.http import HttpRequest

from deltacrown.apps.accounts import auth, selectors, services, throttling
from deltacrown.apps.accounts.auth import API_AUTH, OPTIONAL_AUTH, auth_method
from deltacrown.apps.accounts.data import UserRef

__all__ = [
    "API_AUTH",
    "OPTIONAL_AUTH",
    "admin_ensure",
    "auth_method",
    "authenticate_access_token",
    "authenticate_session",
    "caller_key",
    "game_ids_of",
    "profile_update",
    "rate_limits_reset",
    "user_create",
    "user_find",
    "user_get",
    "user_refs",
]


def authenticate_access_token(token: str) -> UserRef:
    """The user a JWT access token speaks for (for the WebSocket handshake).

    Raises the same typed 401 errors as the HTTP API: ``token_invalid``, ``token_expired``,
    ``token_not_yet_valid``, ``token_wrong_audience``, ``token_wrong_issuer``,
    ``token_wrong_type``, ``token_revoked``, ``account_inactive``.
    """
    user, _ = selectors.user_for_access_token(token=token)
    return selectors.user_ref(user)


def authenticate_session(session_key: str) -> UserRef | None:
    """The active user signed in under the session cookie ``session_key`` (the pages'
    WebSocket handshake), or None: unknown or expired session, password changed since, or
    an inactive account. The caller checks the handshake's Origin (cross-site pages must not
    ride on a visitor's cookie)."""
    return auth.user_for_session(session_key)


def caller_key(request: HttpRequest) -> str | None:
    """A stable key for whoever the request's credentials identify, such as ``"user:42"``.

    Resolved from the credentials themselves (bearer token, then session), so it works before
    authentication has run; the same user gets the same key whichever credential they use.
    Returns None, never raises, when the request is anonymous or its credentials are unusable.
    """
    user = auth.resolve_caller(request)
    return f"user:{user.pk}" if user is not None else None


def user_get(user_id: int) -> UserRef:
    """The user with ``user_id``; raises ``UserNotFound`` (404 ``user_not_found``)."""
    return selectors.user_ref(selectors.user_get(user_id=user_id))


def user_refs(user_ids: Iterable[int]) -> dict[int, UserRef]:
    """The existing users among ``user_ids``, by id, in one query (unknown ids are absent)."""
    return {
        pk: selectors.user_ref(user)
        for pk, user in selectors.user_list_by_ids(user_ids=user_ids).items()
    }


def game_ids_of(user_ids: Iterable[int]) -> dict[int, dict[str, str]]:
    """The per-game player ids (``{game slug: id}``) on the profiles of ``user_ids``, by user id,
    in one query; unknown users are absent, users without ids map to an empty dict."""
    return {
        pk: dict(user.game_ids or {})
        for pk, user in selectors.user_list_by_ids(user_ids=user_ids).items()
    }


def user_find(username: str) -> UserRef | None:
    """The account named ``username`` (case-insensitive), or None."""
    user = selectors.user_for_login(login=username)
    if user is None or user.username.lower() != username.strip().lower():
        return None
    return selectors.user_ref(user)


def profile_update(
    *,
    user_id: int,
    display_name: str | None = None,
    country: str | None = None,
    game_ids: dict[str, str] | None = None,
) -> UserRef:
    """Change a user's public profile (None leaves a field as it is); 422 on invalid values."""
    user = services.profile_update(
        user_id=user_id, display_name=display_name, country=country, game_ids=game_ids
    )
    return selectors.user_ref(user)


def user_create(*, username: str, email: str, password: str, display_name: str = "") -> UserRef:
    """Create a player account with the same rules as self-service sign-up (no rate limit).

    Raises ``ValidationFailed`` (422, field errors, password policy included),
    ``UsernameTaken`` or ``EmailTaken`` (409).
    """
    user = services.user_create(
        username=username, email=email, password=password, display_name=display_name
    )
    return selectors.user_ref(user)


def admin_ensure(username: str, email: str, password: str) -> UserRef:
    """Create or update the platform administrator ``username`` (idempotent).

    The account ends up active, staff and superuser with this email and password; running it
    again with the same values changes nothing. Used by ``deltacrown createadmin`` and the demo.
    """
    user, _ = services.admin_ensure(username=username, email=email, password=password)
    return selectors.user_ref(user)


def rate_limits_reset() -> None:
    """Clear every sign-in, sign-up and reset counter (test fixtures; operators after a flood)."""
    throttling.reset()
