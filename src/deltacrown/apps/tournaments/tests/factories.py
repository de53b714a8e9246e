"""Tournaments test factories: users, valid configurations and tournaments in any state.

``TournamentFactory`` writes rows directly (no events, no checks) to set up a situation, for
example many tournaments for discovery tests; ``create_tournament`` goes through the services
like an organizer would. The behaviour under test always goes through services or the HTTP API.
"""

from __future__ import annotations

import copy
from datetime import datetime, timedelta
from typing import Any

import factory
from django.conf import settings
from django.test import Client

from deltacrown.apps.games import api as games
from deltacrown.apps.tournaments import services
from deltacrown.apps.tournaments.configuration import deep_merge
from deltacrown.apps.tournaments.data import TournamentStatus
from deltacrown.apps.tournaments.models import Tournament
from deltacrown.kernel import clock

API = "/api/v1/tournaments"
TEAM_GAME = "valorant"
SOLO_GAME = "efootball"
BR_GAME = "freefire"

# Forward through the lifecycle from draft to each state.
PATH: dict[TournamentStatus, tuple[TournamentStatus, ...]] = {}
_order = [
    TournamentStatus.DRAFT,
    TournamentStatus.PUBLISHED,
    TournamentStatus.REGISTRATION_OPEN,
    TournamentStatus.REGISTRATION_CLOSED,
    TournamentStatus.CHECK_IN,
    TournamentStatus.LIVE,
    TournamentStatus.COMPLETED,
]
for _i, _status in enumerate(_order):
    PATH[_status] = tuple(_order[1 : _i + 1])
PATH[TournamentStatus.CANCELLED] = (TournamentStatus.CANCELLED,)


def game_id(slug: str = TEAM_GAME) -> int:
    return games.game_get_by_slug(slug).id


class UserFactory(factory.django.DjangoModelFactory):
    """An active player; ``is_staff=True`` makes a platform administrator."""

    class Meta:
        model = settings.AUTH_USER_MODEL

    username = factory.Sequence(lambda n: f"organizer{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    display_name = factory.Sequence(lambda n: f"Organizer {n}")

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Any:
        return model_class.objects.create_user(*args, password="Organizer-Pass-42", **kwargs)


def schedule(start: datetime | None = None, **overrides: Any) -> dict[str, Any]:
    """A consistent schedule starting a week after ``start`` (default: now)."""
    start = start or clock.now()
    return {
        "registration_opens_at": start + timedelta(days=1),
        "registration_closes_at": start + timedelta(days=6),
        "check_in_opens_before": 30,
        "starts_at": start + timedelta(days=7),
        **overrides,
    }


def config(**overrides: Any) -> dict[str, Any]:
    """A valid 16-team Valorant configuration; ``overrides`` are deep-merged into it."""
    base = {
        "game": TEAM_GAME,
        "name": "Spring Cup",
        "description": "A friendly cup.",
        "rules": "Be nice.",
        "region": "europe",
        "capacity": 16,
        "participant_kind": "team",
        "stage_plan": [{"format": "single_elimination", "options": {}}],
        "schedule": schedule(),
    }
    return deep_merge(copy.deepcopy(base), overrides)


def create_tournament(
    organizer: Any,
    status: TournamentStatus = TournamentStatus.DRAFT,
    **overrides: Any,
) -> Tournament:
    """A tournament created and moved to ``status`` through the services."""
    tournament = services.tournament_create(actor=organizer, config=config(**overrides))
    for step in PATH[status]:
        tournament = services.tournament_transition(
            actor=organizer, tournament_id=tournament.pk, to=step
        )
    return tournament


class TournamentFactory(factory.django.DjangoModelFactory):
    """A valid tournament row written directly (public, published, in a week)."""

    class Meta:
        model = Tournament

    game_id = factory.LazyFunction(game_id)
    organizer = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Factory Cup {n}")
    slug = factory.Sequence(lambda n: f"factory-cup-{n}")
    status = TournamentStatus.PUBLISHED
    visibility = "public"
    participant_kind = "team"
    team_size = 5
    capacity = 16
    stage_plan = factory.LazyFunction(
        lambda: [{"name": "Stage 1", "format": "single_elimination", "options": {}}]
    )
    format = "single_elimination"
    starts_at = factory.LazyFunction(lambda: clock.now() + timedelta(days=7))
    registration_opens_at = factory.LazyAttribute(lambda t: t.starts_at - timedelta(days=6))
    registration_closes_at = factory.LazyAttribute(lambda t: t.starts_at - timedelta(days=1))
    check_in_opens_at = factory.LazyAttribute(lambda t: t.starts_at - timedelta(minutes=30))
    created_at = factory.LazyFunction(clock.now)
    updated_at = factory.LazyFunction(clock.now)


def signed_in(user: Any) -> Client:
    """A test client with a browser session for ``user``."""
    client = Client()
    client.force_login(user)
    return client
