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
