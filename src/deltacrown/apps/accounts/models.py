"""Accounts app, models layer: the user (with profile fields) and credentials for the API.

The custom user model exists from the first migration so that later apps can point at it.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower

country_code = RegexValidator(r"^[A-Z]{2}$", "Use an ISO 3166-1 alpha-2 country code, e.g. DE.")


class User(AbstractUser):
    """A person on the platform: a player, an organizer, a moderator or staff.

    The display name is public by the user's choice; the username and email never appear on
    public pages, in logs or in events.
    """

    email = models.EmailField("email address", blank=True, default="")
    display_name = models.CharField(max_length=64, blank=True, default="")
    country = models.CharField(max_length=2, blank=True, default="", validators=[country_code])
    avatar = models.ImageField(upload_to="avatars/%Y/%m/", blank=True, default="")
    # Per-game player ids, keyed by game slug ({"valorant": "Name#TAG"}); the games app validates
    # each value against the game's own validator.
    game_ids = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="accounts_user_email_ci_unique",
                condition=~models.Q(email=""),
            ),
            models.UniqueConstraint(Lower("username"), name="accounts_user_username_ci_unique"),
        ]

    @property
    def public_name(self) -> str:
        return self.display_name or f"player-{self.pk}"


class TokenFamily(models.Model):
    """One sign-in's chain of rotated refresh tokens and the access tokens issued beside them.

    Revoking the family (sign-out, password change, detected reuse) invalidates every refresh
    token in it and, through the ``fam`` claim, every access token issued from it.
    """

    class RevokeReason(models.TextChoices):
        SIGN_OUT = "sign_out", "Signed out"
        REUSE = "reuse", "Refresh token reused"
        PASSWORD_CHANGE = "password_change", "Password changed"
        PASSWORD_RESET = "password_reset", "Password reset"
        ADMIN = "admin", "Revoked by an administrator"
        ACCOUNT_DISABLED = "account_disabled", "Account disabled"

    id = models.UUIDField(primary_key=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="token_families")
    created_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoke_reason = models.CharField(
        max_length=32, choices=RevokeReason.choices, blank=True, default=""
    )

    class Meta:
        verbose_name_plural = "token families"
        indexes = [models.Index(fields=["user", "revoked_at"], name="accounts_family_user_idx")]

    def __str__(self) -> str:
        return f"family {self.pk}"


class RefreshToken(models.Model):
    """One issued refresh token, known by its ``jti``; it may be exchanged exactly once."""

    jti = models.UUIDField(unique=True)
    family = models.ForeignKey(TokenFamily, on_delete=models.CASCADE, related_name="tokens")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="refresh_tokens")
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"refresh {self.jti}"


class PersonalAccessToken(models.Model):
    """A named, scoped, revocable API token for a bot or integration, acting as its owner.

    Only a SHA-256 hash of the secret is stored; the public ``prefix`` finds the row and is
    what the owner sees in listings, so the full token is shown exactly once, at creation.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="personal_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=32, unique=True)
    secret_hash = models.CharField(max_length=64)
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "revoked_at", "id"], name="accounts_pat_user_idx")]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"
