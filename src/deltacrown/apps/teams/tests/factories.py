"""Teams test factories: players, teams with rosters, invitations, and small helpers.

Factories write rows directly (no events, no checks) to set up a situation; the behaviour
under test always goes through the services or the HTTP API.
"""

from __future__ import annotations

from typing import Any

import factory
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

from deltacrown.apps.games import api as games
from deltacrown.apps.teams.data import INVITATION_LIFETIME
from deltacrown.apps.teams.models import Invitation, Membership, Team
from deltacrown.kernel import clock, events

API = "/api/v1/teams"
TEAM_GAME = "valorant"


def game_id(slug: str = TEAM_GAME) -> int:
    return games.game_get_by_slug(slug).id


class UserFactory(factory.django.DjangoModelFactory):
    """An active player with a public display name."""

    class Meta:
        model = settings.AUTH_USER_MODEL

    username = factory.Sequence(lambda n: f"teamplayer{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    display_name = factory.Sequence(lambda n: f"Teammate {n}")

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Any:
        return model_class.objects.create_user(*args, password="Team-Player-Pass-42", **kwargs)


class TeamFactory(factory.django.DjangoModelFactory):
    """An active team whose captain is on the roster; ``players=N`` adds N more members."""

    class Meta:
        model = Team
        skip_postgeneration_save = True

    game_id = factory.LazyFunction(game_id)
    name = factory.Sequence(lambda n: f"Squad {n}")
    captain = factory.SubFactory(UserFactory)
    created_at = factory.LazyFunction(clock.now)
    updated_at = factory.LazyAttribute(lambda team: team.created_at)

    @factory.post_generation
    def players(self: Team, create: bool, extracted: int | None, **kwargs: Any) -> None:
        if not create:
            return
        MembershipFactory(team=self, user=self.captain)
        for _ in range(extracted or 0):
            MembershipFactory(team=self)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    team = factory.SubFactory(TeamFactory)
    user = factory.SubFactory(UserFactory)
    game_id = factory.LazyAttribute(lambda m: m.team.game_id)
    joined_at = factory.LazyFunction(clock.now)


class InvitationFactory(factory.django.DjangoModelFactory):
    """A pending invitation, sent now by the team's captain."""

    class Meta:
        model = Invitation

    team = factory.SubFactory(TeamFactory)
    user = factory.SubFactory(UserFactory)
    invited_by = factory.LazyAttribute(lambda i: i.team.captain)
    created_at = factory.LazyFunction(clock.now)
    expires_at = factory.LazyAttribute(lambda i: i.created_at + INVITATION_LIFETIME)


def user(user_id: int) -> Any:
    """The stored user with ``user_id``."""
    return get_user_model().objects.get(pk=user_id)


def event_names(team_id: int) -> list[str]:
    """The names of the events on the team's stream, in order."""
    return [record.name for record in events.events_after(f"team:{team_id}", 0)]


def last_event(team_id: int) -> events.EventRecord:
    return events.events_after(f"team:{team_id}", 0)[-1]


def signed_in(user: Any) -> Client:
    """A test client with a browser session for ``user``."""
    client = Client()
    client.force_login(user)
    return client


def post_json(client: Client, path: str, body: dict[str, Any] | None = None, **extra: Any) -> Any:
    return client.post(f"{API}{path}", body or {}, content_type="application/json", **extra)


def patch_json(client: Client, path: str, body: dict[str, Any], **extra: Any) -> Any:
    return client.patch(f"{API}{path}", body, content_type="application/json", **extra)
