"""Accounts app, HTTP schemas: request and response bodies of the accounts endpoints.

Schemas check shape and bounds; the services own the rules (password policy, uniqueness,
country codes, game-id format), so other callers of the services get the same checks.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from ninja import Field, Schema

from deltacrown.apps.accounts.data import TokenScope
from deltacrown.apps.accounts.models import PersonalAccessToken, User

# Bounds that stop oversized input before it reaches hashing or validation.
_PASSWORD = {"min_length": 1, "max_length": 4096}
_LOGIN = {"min_length": 1, "max_length": 254}


class SignupIn(Schema):
    username: str = Field(..., min_length=1, max_length=150, examples=["ace"])
    email: str = Field(..., min_length=3, max_length=254, examples=["ace@example.com"])
    password: str = Field(..., **_PASSWORD)
    display_name: str = Field("", max_length=64, examples=["Ace"])


class TokenIn(Schema):
    username: str = Field(..., description="Username or email address", **_LOGIN)
    password: str = Field(..., **_PASSWORD)


class LoginIn(TokenIn):
    pass


class RefreshIn(Schema):
    refresh_token: str = Field(..., min_length=1, max_length=4096)


class TokenPairOut(Schema):
    access_token: str
    refresh_token: str
    token_type: str = Field(..., examples=["Bearer"])
    expires_in: int = Field(..., description="Seconds until the access token expires")
    refresh_expires_in: int = Field(..., description="Seconds until the refresh token expires")


class PasswordChangeIn(Schema):
    current_password: str = Field(..., **_PASSWORD)
    new_password: str = Field(..., **_PASSWORD)


class PasswordResetIn(Schema):
    email: str = Field(..., min_length=1, max_length=254)


class PasswordResetConfirmIn(Schema):
    uid: str = Field(..., min_length=1, max_length=64)
    token: str = Field(..., min_length=1, max_length=128)
    new_password: str = Field(..., **_PASSWORD)


class MeOut(Schema):
    id: int
    username: str
    email: str
    display_name: str
    country: str
    avatar_url: str | None
    game_ids: dict[str, str]
    date_joined: datetime
    is_staff: bool

    @staticmethod
    def resolve_avatar_url(obj: User) -> str | None:
        if not obj.avatar:
            return None
        return f"{settings.PUBLIC_URL}{obj.avatar.url}"


class LoginOut(Schema):
    user: MeOut
    csrf_token: str = Field(..., description="Send as X-CSRFToken on POST/PUT/PATCH/DELETE")


class MePatchIn(Schema):
    display_name: str | None = Field(None, max_length=64)
    country: str | None = Field(
        None, max_length=2, description="ISO 3166-1 alpha-2 code; empty or null clears it"
    )
    game_ids: dict[str, str] | None = Field(
        None, description="Game slug → in-game id; replaces the whole map"
    )


class PersonalTokenIn(Schema):
    name: str = Field(..., min_length=1, max_length=100, examples=["score bot"])
    scopes: list[TokenScope] = Field(..., min_length=1, max_length=2, examples=[["read"]])
    expires_in_days: int | None = Field(None, ge=1, le=3650)


class PersonalTokenOut(Schema):
    id: int
    name: str
    prefix: str = Field(..., description="Public start of the token, to recognise it")
    scopes: list[TokenScope]
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None

    @staticmethod
    def resolve_scopes(obj: PersonalAccessToken) -> list[str]:
        return list(obj.scopes)


class PersonalTokenCreatedOut(PersonalTokenOut):
    token: str = Field(..., description="The full token. It is shown only this once.")
