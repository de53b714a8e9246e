"""Accounts app, errors: the typed failures of sign-up, sign-in, tokens and profiles.

Every class has a stable ``code`` (listed in docs/auth.md and docs/errors.md). Authentication
failures are 401 with a ``WWW-Authenticate: Bearer`` challenge (RFC 6750), so a client can tell
"fetch a new token" (``token_expired``) from "sign in again" (``token_revoked``) by code alone.
"""

from __future__ import annotations

from typing import Any

from deltacrown.kernel.errors import (
    Conflict,
    DomainError,
    NotAuthenticated,
    NotFound,
    PayloadTooLarge,
    PermissionDenied,
    ValidationFailed,
)


class AuthenticationFailed(NotAuthenticated):
    """Credentials were presented but cannot be accepted."""

    code = "not_authenticated"
    title = "Authentication failed"
    # RFC 6750 error attribute: invalid_token for unusable tokens, absent for the rest.
    bearer_error: str | None = "invalid_token"

    def __init__(self, detail: str | None = None, **kwargs: Any) -> None:
        challenge = 'Bearer realm="deltacrown"'
        if self.bearer_error:
            challenge += f', error="{self.bearer_error}"'
        headers = {"WWW-Authenticate": challenge, **kwargs.pop("headers", {})}
        super().__init__(detail, headers=headers, **kwargs)


class TokenInvalid(AuthenticationFailed):
    """The token is malformed, forged, tampered with or signed with another algorithm or key."""

    code = "token_invalid"


class TokenExpired(AuthenticationFailed):
    """The token's lifetime (plus the allowed clock leeway) has passed."""

    code = "token_expired"


class TokenNotYetValid(AuthenticationFailed):
    """The token's ``nbf`` or ``iat`` lies in the future (beyond the clock leeway)."""

    code = "token_not_yet_valid"


class TokenWrongAudience(AuthenticationFailed):
    """The token was issued for another audience."""

    code = "token_wrong_audience"


class TokenWrongIssuer(AuthenticationFailed):
    """The token was issued by another issuer."""

    code = "token_wrong_issuer"


class TokenWrongType(AuthenticationFailed):
    """A refresh token was used as an access token, or the other way round."""

    code = "token_wrong_type"


class TokenRevoked(AuthenticationFailed):
    """The token, or the sign-in it belongs to, has been revoked."""

    code = "token_revoked"


class RefreshTokenReused(AuthenticationFailed):
    """A refresh token was presented a second time: the whole sign-in has been revoked."""

    code = "refresh_token_reused"


class AccountInactive(AuthenticationFailed):
    """The token is valid but its account has been disabled."""

    code = "account_inactive"
    bearer_error = "invalid_token"


class InvalidCredentials(AuthenticationFailed):
    """The username (or email) and password do not match an active account."""

    code = "invalid_credentials"
    title = "Invalid credentials"
    bearer_error = None


class UnsupportedMediaType(DomainError):
    """The request body is not in the media type this operation accepts."""

    code = "unsupported_media_type"
    http_status = 415
    title = "Unsupported media type"


class CsrfFailed(PermissionDenied):
    """A session-authenticated unsafe request lacks a valid CSRF token or trusted origin."""

    code = "csrf_failed"


class TokenScopeInsufficient(PermissionDenied):
    """The personal API token lacks the scope this request needs (``write`` for changes)."""

    code = "token_scope_insufficient"


class TokenManagementRequiresLogin(PermissionDenied):
    """Personal API tokens cannot create, list or revoke personal API tokens."""

    code = "token_management_requires_login"


class TokenLimitReached(Conflict):
    """The account already holds the maximum number of active personal API tokens."""

    code = "token_limit_reached"


class PersonalTokenNotFound(NotFound):
    """No such personal API token among the caller's own."""

    code = "token_not_found"


class UserNotFound(NotFound):
    """No user with this id."""

    code = "user_not_found"


class SignupDisabled(PermissionDenied):
    """Self-service sign-up is switched off on this platform (feature flag SIGNUP_ENABLED)."""

    code = "signup_disabled"


class UsernameTaken(Conflict):
    """Another account already uses this username (compared case-insensitively)."""

    code = "username_taken"


class EmailTaken(Conflict):
    """Another account already uses this email address (compared case-insensitively)."""

    code = "email_taken"


class PasswordIncorrect(ValidationFailed):
    """The current password given to confirm a change is wrong."""

    code = "password_incorrect"


class ResetTokenInvalid(ValidationFailed):
    """The password-reset link is malformed, already used, superseded or expired."""

    code = "reset_token_invalid"


class AvatarInvalid(ValidationFailed):
    """The uploaded avatar is not an image in an accepted format and size."""

    code = "avatar_invalid"


class AvatarTooLarge(PayloadTooLarge):
    """The uploaded avatar is larger than the accepted maximum."""

    code = "avatar_too_large"
