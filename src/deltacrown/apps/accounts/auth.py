"""Accounts app, HTTP authentication: the Ninja auth objects every API operation uses.

``API_AUTH`` tries, in order: a JWT access token (``Authorization: Bearer <jwt>``), a personal
API token (``Authorization: Bearer dcp_...``, told apart by its prefix) and the Django session
cookie. Ninja calls each in turn until one returns a user; an exception raised by one ends the
chain and is rendered by the API's error handlers. So a *presented but unusable* credential
fails with its own 401 code (``token_expired``, ``token_revoked``, ...) instead of falling
through to "not authenticated", while a request with no credentials at all gets 401
``not_authenticated``.

Tokens are not ambient credentials, so only the session path enforces CSRF, and only once a
session user is known (an anonymous POST is a 401, not a CSRF failure).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from deltacrown.apps.accounts import errors, selectors, services, tokens
from deltacrown.apps.accounts.data import AuthMethod, TokenScope, UserRef
from deltacrown.apps.accounts.models import User
from deltacrown.kernel import context
from deltacrown.kernel.errors import DomainError

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def _authenticated(
    request: HttpRequest,
    user: User,
    method: AuthMethod,
    scopes: frozenset[str] | None = None,
) -> User:
    """Attach the caller to the request (and to the log context) and return it for Ninja."""
    request.user = user
    request.auth_method = method  # type: ignore[attr-defined]
    request.token_scopes = scopes  # type: ignore[attr-defined]
    context.set_user_id(user.pk)
    return user


class AccessTokenAuth(HttpBearer):
    """``Authorization: Bearer <JWT access token>`` from ``POST /auth/token``."""

    openapi_bearerFormat = "JWT"  # noqa: N815 - Ninja maps openapi_* to OpenAPI keys
    openapi_description = "Short-lived access token from POST /api/v1/auth/token."

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        if tokens.is_personal_token(token):
            return None
        user, _ = selectors.user_for_access_token(token=token)
        return _authenticated(request, user, AuthMethod.ACCESS_TOKEN)


class PersonalTokenAuth(HttpBearer):
    """``Authorization: Bearer dcp_...``: a personal API token for bots and integrations."""

    openapi_bearerFormat = "dcp_<id>_<secret>"  # noqa: N815 - the OpenAPI key
    openapi_description = (
        "Personal API token from POST /api/v1/me/tokens. Scope read: GET/HEAD/OPTIONS only; "
        "scope write: every method."
    )

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        if not tokens.is_personal_token(token):
            return None
        row = selectors.personal_token_for(token=token)
        scopes = frozenset(row.scopes)
        if request.method not in SAFE_METHODS and TokenScope.WRITE not in scopes:
            raise errors.TokenScopeInsufficient(
                "This token is read-only; changes need a token with the write scope.",
                required_scope=TokenScope.WRITE.value,
            )
        services.personal_token_touch(token=row)
        return _authenticated(request, row.user, AuthMethod.PERSONAL_TOKEN, scopes)


class SessionCookieAuth(APIKeyCookie):
    """The Django session cookie from ``POST /auth/login``, with CSRF on unsafe methods."""

    param_name = settings.SESSION_COOKIE_NAME
    openapi_description = (
        "Session cookie from POST /api/v1/auth/login. POST, PUT, PATCH and DELETE also need "
        "the X-CSRFToken header (the value of the csrftoken cookie)."
    )

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def _get_key(self, request: HttpRequest) -> str | None:
        # Ninja's base class checks CSRF before knowing whether there is a session at all; the
        # check is deferred to authenticate() so that anonymous requests get a plain 401.
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        if not key:
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if (
            request.method not in SAFE_METHODS
            and not getattr(request, "_ninja_csrf_exempt", False)
            and check_csrf(request) is not None
        ):
            raise errors.CsrfFailed(
                "CSRF verification failed: send the csrftoken cookie's value in X-CSRFToken."
            )
        return _authenticated(request, user, AuthMethod.SESSION)


access_token_auth = AccessTokenAuth()
personal_token_auth = PersonalTokenAuth()
session_auth = SessionCookieAuth()

API_AUTH: list[Any] = [access_token_auth, personal_token_auth, session_auth]


def anonymous(request: HttpRequest) -> AnonymousUser:
    """The last resort of ``OPTIONAL_AUTH``: no credentials at all means an anonymous visitor."""
    request.auth_method = None  # type: ignore[attr-defined]
    return AnonymousUser()  # truthy, so Ninja stops here and runs the operation


# For public reads that still recognise a signed-in caller (drafts they own, private objects
# they may see). Presented but unusable credentials still fail with their own 401.
OPTIONAL_AUTH: list[Any] = [*API_AUTH, anonymous]


def auth_method(request: HttpRequest) -> AuthMethod | None:
    """How the current request was authenticated (None before or without authentication)."""
    return getattr(request, "auth_method", None)


def resolve_caller(request: HttpRequest) -> User | None:
    """The user the request's credentials identify, by the same rules as ``API_AUTH``.

    Never raises and writes nothing: for callers that run before authentication (the
    idempotency middleware) and must treat unusable credentials as anonymous.
    """
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    try:
        if scheme.lower() == "bearer":
            if tokens.is_personal_token(token):
                return selectors.personal_token_for(token=token).user
            user, _ = selectors.user_for_access_token(token=token)
            return user
    except DomainError:
        return None
    if not hasattr(request, "session"):
        return None
    user = getattr(request, "user", None)
    if user is None:
        user = get_user(request)
    return user if user.is_authenticated else None


def user_for_session(session_key: str) -> UserRef | None:
    """The active user signed in under ``session_key``, by Django's own rules (the session's
    auth hash must still match the password), or None."""
    from importlib import import_module
    from types import SimpleNamespace

    if not session_key or len(session_key) > 64:
        return None
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    user = get_user(SimpleNamespace(session=store))  # type: ignore[arg-type]
    if not user.is_authenticated or not user.is_active:
        return None
    return selectors.user_ref(user)
