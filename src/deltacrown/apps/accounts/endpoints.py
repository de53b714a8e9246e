"""Accounts app, HTTP layer: sign-up, tokens, sessions, passwords, profile, personal tokens.

Mounted at ``/api/v1/``. Each operation parses its input, calls one service or selector and
shapes the answer; the public operations (sign-up, sign-in, refresh, revoke, password reset)
take no authentication, every other one the API-wide default (``auth.API_AUTH``).
"""

from __future__ import annotations

from django.contrib.auth import login, logout, update_session_auth_hash
from django.http import HttpRequest
from django.middleware.csrf import get_token
from ninja import File, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from deltacrown.apps.accounts import auth, errors, selectors, services
from deltacrown.apps.accounts.data import AuthMethod, TokenPair
from deltacrown.apps.accounts.models import User
from deltacrown.apps.accounts.schemas import (
    LoginIn,
    LoginOut,
    MeOut,
    MePatchIn,
    PasswordChangeIn,
    PasswordResetConfirmIn,
    PasswordResetIn,
    PersonalTokenCreatedOut,
    PersonalTokenIn,
    PersonalTokenOut,
    RefreshIn,
    SignupIn,
    TokenIn,
    TokenPairOut,
)
from deltacrown.kernel.pagination import CursorPagination

router = Router(tags=["accounts"])


def _client_ip(request: HttpRequest) -> str | None:
    # Only ever a rate-limit key. Behind a proxy, the ASGI server must set the client address
    # from the proxy's headers (uvicorn --proxy-headers --forwarded-allow-ips).
    return request.META.get("REMOTE_ADDR") or None


def _pair(pair: TokenPair) -> dict:
    return {
        "access_token": pair.access_token,
        "refresh_token": pair.refresh_token,
        "token_type": pair.token_type,
        "expires_in": pair.expires_in,
        "refresh_expires_in": pair.refresh_expires_in,
    }


def _require_login_credentials(request: HttpRequest) -> None:
    if auth.auth_method(request) == AuthMethod.PERSONAL_TOKEN:
        raise errors.TokenManagementRequiresLogin(
            "Personal API tokens cannot manage personal API tokens; sign in instead."
        )


# --- sign-up and tokens ----------------------------------------------------------------------


@router.post("/auth/signup", auth=None, response={201: MeOut}, summary="Create an account")
def signup(request: HttpRequest, payload: SignupIn) -> User:
    """Create an account. 422 lists invalid fields (including the password policy);
    409 ``username_taken`` / ``email_taken``; 429 ``rate_limited`` per client address."""
    return services.user_signup(
        username=payload.username,
        email=payload.email,
        password=payload.password,
        display_name=payload.display_name,
        client_ip=_client_ip(request),
    )


@router.post("/auth/token", auth=None, response=TokenPairOut, summary="Sign in for tokens")
def token_obtain(request: HttpRequest, payload: TokenIn) -> dict:
    """Exchange a username (or email) and password for an access and a refresh token."""
    pair = services.token_obtain(
        login=payload.username, password=payload.password, client_ip=_client_ip(request)
    )
    return _pair(pair)


@router.post("/auth/refresh", auth=None, response=TokenPairOut, summary="Rotate tokens")
def token_refresh(request: HttpRequest, payload: RefreshIn) -> dict:
    """Exchange a refresh token (single use) for a new pair. Reusing one revokes the sign-in."""
    return _pair(services.token_refresh(refresh_token=payload.refresh_token))


@router.post("/auth/revoke", auth=None, response={204: None}, summary="Sign out (tokens)")
def token_revoke(request: HttpRequest, payload: RefreshIn) -> Status:
    """End the sign-in of a refresh token: it and every access token beside it stop working."""
    services.token_revoke(refresh_token=payload.refresh_token)
    return Status(204, None)


# --- browser sessions ------------------------------------------------------------------------


@router.post("/auth/login", auth=None, response=LoginOut, summary="Sign in (session)")
def session_login(request: HttpRequest, payload: LoginIn) -> dict:
    """Start a browser session: sets the session and CSRF cookies.

    Only JSON bodies are accepted: an HTML form on another site cannot send one without the
    browser asking this server first, which stops login CSRF.
    """
    if request.content_type != "application/json":
        raise errors.UnsupportedMediaType("Send the credentials as application/json.")
    user = services.credentials_verify(
        login=payload.username,
        password=payload.password,
        client_ip=_client_ip(request),
        request=request,
    )
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return {"user": user, "csrf_token": get_token(request)}


@router.post(
    "/auth/logout", auth=[auth.session_auth], response={204: None}, summary="Sign out (session)"
)
def session_logout(request: HttpRequest) -> Status:
    """End the browser session (needs the CSRF header like every session write)."""
    logout(request)
    return Status(204, None)


# --- passwords -------------------------------------------------------------------------------


@router.post("/auth/password/change", response={204: None}, summary="Change password")
def password_change(request: HttpRequest, payload: PasswordChangeIn) -> Status:
    """Change the password. Every token sign-in ends; the current browser session stays."""
    user = services.password_change(
        user_id=request.auth.pk,
        current_password=payload.current_password,
        new_password=payload.new_password,
    )
    if auth.auth_method(request) == AuthMethod.SESSION:
        update_session_auth_hash(request, user)
    return Status(204, None)


@router.post("/auth/password/reset", auth=None, response={202: None}, summary="Reset password")
def password_reset(request: HttpRequest, payload: PasswordResetIn) -> Status:
    """Mail a reset link if an account has this address. The answer is always 202."""
    services.password_reset_request(email=payload.email, client_ip=_client_ip(request))
    return Status(202, None)


@router.post(
    "/auth/password/reset/confirm",
    auth=None,
    response={204: None},
    summary="Set a new password from a reset link",
)
def password_reset_confirm(request: HttpRequest, payload: PasswordResetConfirmIn) -> Status:
    """Set a new password with the link's uid and token; 422 ``reset_token_invalid``."""
    services.password_reset_confirm(
        uid=payload.uid, token=payload.token, new_password=payload.new_password
    )
    return Status(204, None)


# --- profile ---------------------------------------------------------------------------------


@router.get("/me", response=MeOut, summary="My account")
def me(request: HttpRequest) -> User:
    return selectors.user_get(user_id=request.auth.pk)


@router.patch("/me", response=MeOut, summary="Update my profile")
def me_update(request: HttpRequest, payload: MePatchIn) -> User:
    """Change display name, country and game ids; absent fields stay, null clears."""
    sent = payload.model_fields_set
    return services.profile_update(
        user_id=request.auth.pk,
        display_name=(payload.display_name or "") if "display_name" in sent else None,
        country=(payload.country or "") if "country" in sent else None,
        game_ids=(payload.game_ids or {}) if "game_ids" in sent else None,
    )


@router.post("/me/avatar", response=MeOut, summary="Upload my avatar")
def me_avatar(request: HttpRequest, file: File[UploadedFile]) -> User:
    """Multipart upload (field ``file``): PNG, JPEG, WebP or GIF up to 2 MB."""
    return services.avatar_set(user_id=request.auth.pk, upload=file, size=file.size)


# --- personal API tokens ---------------------------------------------------------------------


@router.post("/me/tokens", response={201: PersonalTokenCreatedOut}, summary="Create an API token")
def personal_token_create(request: HttpRequest, payload: PersonalTokenIn) -> object:
    """Create a personal API token. The response holds the full token, shown only this once."""
    _require_login_credentials(request)
    row, token = services.personal_token_create(
        user_id=request.auth.pk,
        name=payload.name,
        scopes=[scope.value for scope in payload.scopes],
        expires_in_days=payload.expires_in_days,
    )
    row.token = token  # type: ignore[attr-defined]
    return row


@router.get("/me/tokens", response=list[PersonalTokenOut], summary="List my API tokens")
@paginate(CursorPagination, ordering=("-id",))
def personal_token_list(request: HttpRequest) -> object:
    """My personal API tokens that have not been revoked, newest first (secrets never shown)."""
    _require_login_credentials(request)
    return selectors.personal_token_list(user_id=request.auth.pk)


@router.delete("/me/tokens/{token_id}", response={204: None}, summary="Revoke an API token")
def personal_token_revoke(request: HttpRequest, token_id: int) -> Status:
    """Revoke one of my personal API tokens; 404 ``token_not_found`` for anyone else's."""
    _require_login_credentials(request)
    services.personal_token_revoke(user_id=request.auth.pk, token_id=token_id)
    return Status(204, None)
