"""Games test factories: games with valid configs, and users who call the API."""

from __future__ import annotations

from typing import Any

import factory
from django.contrib.auth import get_user_model
from django.test import Client

from deltacrown.apps.games.models import Game

API = "/api/v1"


def team_config(**overrides: Any) -> dict[str, Any]:
    """A valid config of a 5v5 game without a draft; keyword arguments replace keys."""
    return {
        "mode": "team",
        "team_size": 5,
        "max_substitutes": 2,
        "score_kind": "maps",
        "default_best_of": 3,
        "player_id_kind": "generic_name",
        **overrides,
    }


class GameFactory(factory.django.DjangoModelFactory):
    """A game with a valid team config (reuses the row when the slug exists already)."""

    class Meta:
        model = Game
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"test-game-{n}")
    name = factory.Sequence(lambda n: f"Test Game {n}")
    config = factory.LazyFunction(team_config)


class UserFactory(factory.django.DjangoModelFactory):
    """An active player; ``is_staff=True`` makes a platform administrator."""

    class Meta:
        model = get_user_model()

    username = factory.Sequence(lambda n: f"games-player{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    is_staff = False

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Any:
        return model_class.objects.create_user(*args, password="games-test-password-1", **kwargs)


def signed_in(client: Client, user: Any) -> Client:
    """``client`` with a browser session for ``user``."""
    client.force_login(user)
    return client


def patch_json(client: Client, path: str, body: Any, **extra: Any) -> Any:
    return client.patch(f"{API}{path}", body, content_type="application/json", **extra)


def post_json(client: Client, path: str, body: Any, **extra: Any) -> Any:
    return client.post(f"{API}{path}", body, content_type="application/json", **extra)
