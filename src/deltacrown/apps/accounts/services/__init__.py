"""Accounts app, services layer: every write to users, sign-ins and personal tokens.

Split by concept (users and profiles, sign-in and token families, passwords, personal tokens);
this package re-exports the services so callers write ``services.token_refresh(...)``.
Logs carry user ids only: never usernames, emails or client addresses.
"""

from __future__ import annotations

from deltacrown.apps.accounts.services.passwords import (
    password_change,
    password_reset_confirm,
    password_reset_email_send,
    password_reset_link,
    password_reset_request,
)
from deltacrown.apps.accounts.services.personal_tokens import (
    personal_token_create,
    personal_token_revoke,
    personal_token_touch,
)
from deltacrown.apps.accounts.services.signin import (
    credentials_verify,
    family_revoke,
    token_obtain,
    token_refresh,
    token_revoke,
    tokens_purge,
)
from deltacrown.apps.accounts.services.users import (
    admin_ensure,
    avatar_set,
    profile_update,
    user_create,
    user_signup,
)

__all__ = [
    "admin_ensure",
    "avatar_set",
    "credentials_verify",
    "family_revoke",
    "password_change",
    "password_reset_confirm",
    "password_reset_email_send",
    "password_reset_link",
    "password_reset_request",
    "personal_token_create",
    "personal_token_revoke",
    "personal_token_touch",
    "profile_update",
    "token_obtain",
    "token_refresh",
    "token_revoke",
    "tokens_purge",
    "user_create",
    "user_signup",
]
