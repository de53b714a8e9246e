"""Games app, models layer: a game the platform runs tournaments for, with its rules as JSON.

The rules live in ``config``, a document that must satisfy ``config.CONFIG_SCHEMA``; the
services validate it on every write. Games are never deleted (tournaments keep pointing at
them): a retired game is deactivated instead.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from deltacrown.apps.games.data import GameMode, ScoreKind
from deltacrown.kernel import clock

SLUG_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$"


class Game(models.Model):
    """A supported game: its public name, whether it is offered, and its rules (``config``)."""

    slug = models.SlugField(max_length=32, unique=True)
    name = models.CharField(max_length=64)
    is_active = models.BooleanField(default=True)
    config = models.JSONField(default=dict)
    # Bumped on every config change, so clients and caches can tell which rules they hold.
    config_version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=clock.now, editable=False)
    updated_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        ordering = ("name", "id")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(slug__regex=SLUG_PATTERN), name="games_game_slug_format"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    # Read-only views of the config, for the admin list and the HTTP schemas.

    @property
    def mode(self) -> GameMode:
        return GameMode(self.config["mode"])

    @property
    def score_kind(self) -> ScoreKind:
        return ScoreKind(self.config["score_kind"])

    @property
    def team_size(self) -> int:
        return int(self.config["team_size"])

    @property
    def max_substitutes(self) -> int:
        return int(self.config["max_substitutes"])

    @property
    def default_best_of(self) -> int:
        return int(self.config["default_best_of"])

    @property
    def player_id_kind(self) -> str:
        return str(self.config["player_id_kind"])

    @property
    def draft(self) -> dict[str, Any] | None:
        return self.config.get("draft")

    @property
    def has_draft(self) -> bool:
        return bool(self.config.get("draft"))
