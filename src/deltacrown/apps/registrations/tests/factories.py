"""Registrations test factories: players with in-game ids, tournaments at any point of their
schedule, teams with rosters, proof files, and helpers that call the API.

Factories write rows directly (no events, no checks) to set up a situation; other apps' rows
are named by ``"app_label.Model"`` so that these tests, like the app, only import other apps'
``api`` and ``data``. The behaviour under test always goes through the HTTP API or the services.
Every tournament shares one schedule around ``START``; tests pin the clock to a moment of it.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import Any

import factory
from django.apps import apps as django_apps
from django.conf import settings
from django.test import Client
from PIL import Image

from deltacrown.apps.games import api as games
from deltacrown.apps.tournaments.data import TournamentStatus
from deltacrown.kernel import clock, events
from deltacrown.kernel.errors import DomainError

API = "/api/v1"
TEAM_GAME = "valorant"
SOLO_GAME = "efootball"

# The schedule of every tournament made here, and the moments tests pin the clock to.
START = datetime(2031, 5, 10, 18, 0, tzinfo=UTC)
REGISTRATION_OPENS = START - timedelta(days=7)
REGISTRATION_CLOSES = START - timedelta(days=1)
CHECK_IN_OPENS = START - timedelta(minutes=30)
DURING_REGISTRATION = START - timedelta(days=3)
DURING_CHECK_IN = START - timedelta(minutes=20)

# The seeded games these tests use. Transactional (race) tests flush every table, seeded games
# included, so ``game_id`` puts a game back when it is gone.
_GAMES = {
    TEAM_GAME: (
        "Valorant",
        {
            "mode": "team",
            "team_size": 5,
            "max_substitutes": 2,
            "score_kind": "maps",
            "default_best_of": 3,
            "player_id_kind": "riot_id",
        },
    ),
    SOLO_GAME: (
        "eFootball",
        {
            "mode": "solo",
            "team_size": 1,
            "max_substitutes": 0,
            "score_kind": "goals",
            "default_best_of": 1,
            "player_id_kind": "konami_id",
        },
    ),
}


def game_id(slug: str) -> int:
    try:
        return games.game_get_by_slug(slug).id
    except DomainError:
        name, config = _GAMES[slug]
    game, _ = django_apps.get_model("games", "Game").objects.get_or_create(
        slug=slug, defaults={"name": name, "config": config}
    )
    return game.pk


class UserFactory(factory.django.DjangoModelFactory):
    """An active player with a valid Valorant and eFootball id on their profile."""

    class Meta:
        model = settings.AUTH_USER_MODEL

    username = factory.Sequence(lambda n: f"entrant{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    display_name = factory.Sequence(lambda n: f"Entrant {n}")
    game_ids = factory.Sequence(
        lambda n: {TEAM_GAME: f"Entrant{n}#REG", SOLO_GAME: f"{300_000_000 + n}"}
    )

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Any:
        return model_class.objects.create_user(*args, password="Entrant-Pass-42", **kwargs)


class TournamentFactory(factory.django.DjangoModelFactory):
    """A public solo eFootball tournament of 4 places, open for registration, free to enter.

    ``team=True`` makes it a 5v5 Valorant tournament; ``fee=500`` an external entry fee.
    """

    class Meta:
        model = "tournaments.Tournament"

    class Params:
        team = False
        fee = 0

    game_id = factory.LazyAttribute(lambda t: game_id(TEAM_GAME if t.team else SOLO_GAME))
    organizer = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Registration Cup {n}")
    slug = factory.Sequence(lambda n: f"registration-cup-{n}")
    status = TournamentStatus.REGISTRATION_OPEN.value
    visibility = "public"
    participant_kind = factory.LazyAttribute(lambda t: "team" if t.team else "solo")
    team_size = factory.LazyAttribute(lambda t: 5 if t.team else 1)
    capacity = 4
    stage_plan = factory.LazyFunction(
        lambda: [{"name": "Playoffs", "format": "single_elimination", "options": {}}]
    )
    format = "single_elimination"
    entry_fee_kind = factory.LazyAttribute(lambda t: "external" if t.fee else "none")
    entry_fee_amount = factory.LazyAttribute(lambda t: t.fee)
    entry_fee_currency = factory.LazyAttribute(lambda t: "EUR" if t.fee else "")
    registration_opens_at = REGISTRATION_OPENS
    registration_closes_at = REGISTRATION_CLOSES
    check_in_opens_before = 30
    check_in_opens_at = CHECK_IN_OPENS
    starts_at = START
    waitlist_promotion_on_close = False
    created_at = factory.LazyFunction(lambda: REGISTRATION_OPENS - timedelta(days=1))
    updated_at = factory.LazyAttribute(lambda t: t.created_at)


class StaffFactory(factory.django.DjangoModelFactory):
    """A moderator (or, with ``role="co_organizer"``, a co-organizer) of a tournament."""

    class Meta:
        model = "tournaments.TournamentStaff"

    tournament = factory.SubFactory(TournamentFactory)
    user = factory.SubFactory(UserFactory)
    role = "moderator"
    added_at = factory.LazyFunction(clock.now)


class RegistrationFieldFactory(factory.django.DjangoModelFactory):
    """A required text question of a tournament's registration form."""

    class Meta:
        model = "tournaments.RegistrationField"

    tournament = factory.SubFactory(TournamentFactory)
    key = factory.Sequence(lambda n: f"question{n}")
    label = "Discord handle"
    kind = "text"
    required = True
    options = factory.LazyFunction(dict)


class TeamFactory(factory.django.DjangoModelFactory):
    """An active Valorant team; ``players=N`` puts N players beside the captain (default 4)."""

    class Meta:
        model = "teams.Team"
        skip_postgeneration_save = True

    game_id = factory.LazyFunction(lambda: game_id(TEAM_GAME))
    name = factory.Sequence(lambda n: f"Entrants {n}")
    captain = factory.SubFactory(UserFactory)
    created_at = factory.LazyFunction(clock.now)
    updated_at = factory.LazyAttribute(lambda team: team.created_at)

    @factory.post_generation
    def players(self: Any, create: bool, extracted: int | None, **kwargs: Any) -> None:
        if not create:
            return
        membership(self, self.captain)
        for _ in range(4 if extracted is None else extracted):
            membership(self, UserFactory())


def membership(team: Any, user: Any) -> Any:
    """Put ``user`` on ``team``'s roster."""
    return django_apps.get_model("teams", "Membership").objects.create(
        team=team, user=user, game_id=team.game_id, joined_at=clock.now()
    )


def leave(team: Any, user: Any) -> None:
    """Take ``user`` off ``team``'s roster."""
    django_apps.get_model("teams", "Membership").objects.filter(
        team=team, user=user, left_at__isnull=True
    ).update(left_at=clock.now(), left_reason="left")


def roster(team: Any) -> list[Any]:
    """The users on ``team``'s roster, captain first."""
    rows = (
        django_apps.get_model("teams", "Membership")
        .objects.filter(team=team, left_at__isnull=True)
        .select_related("user")
        .order_by("joined_at", "id")
    )
    return [row.user for row in rows]


def set_status(tournament: Any, status: TournamentStatus) -> Any:
    """Put ``tournament`` in ``status`` directly (setting up a situation, no event)."""
    tournament.status = status.value
    tournament.save(update_fields=["status"])
    return tournament


# --- files -----------------------------------------------------------------------------------


def png_bytes(size: tuple[int, int] = (8, 8), color: str = "green") -> bytes:
    """A small valid PNG image."""
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()


def jpeg_bytes(size: tuple[int, int] = (8, 8)) -> bytes:
    """A small valid JPEG photo."""
    buffer = io.BytesIO()
    Image.new("RGB", size, "orange").save(buffer, "JPEG")
    return buffer.getvalue()


# --- the API -----------------------------------------------------------------------------------


def signed_in(user: Any) -> Client:
    """A test client with a browser session for ``user``."""
    client = Client()
    client.force_login(user)
    return client


def post_json(client: Client, path: str, body: dict[str, Any] | None = None, **extra: Any) -> Any:
    return client.post(f"{API}{path}", body or {}, content_type="application/json", **extra)


def register(user: Any, tournament: Any, **body: Any) -> Any:
    """``user`` registers (``team_id=`` for a team) through the API; returns the response."""
    path = f"/tournaments/{tournament.pk}/registrations"
    invite = body.pop("invite", None)
    if invite:
        path += f"?invite={invite}"
    return post_json(signed_in(user), path, body)


def registered(user: Any, tournament: Any, **body: Any) -> dict[str, Any]:
    """Register through the API and return the registration; the request must succeed."""
    response = register(user, tournament, **body)
    assert response.status_code == 201, response.content
    return response.json()


def upload_proof(
    client: Client, registration_id: int, content: bytes, name: str = "receipt.png"
) -> Any:
    file = io.BytesIO(content)
    file.name = name
    return client.post(
        f"{API}/registrations/{registration_id}/payment/proof", {"file": file}, format="multipart"
    )


def event_names(tournament_id: int) -> list[str]:
    """The names of the events on the tournament's stream, in order."""
    return [record.name for record in events.events_after(f"tournament:{tournament_id}", 0)]


def events_named(tournament_id: int, name: str) -> list[dict[str, Any]]:
    """The data of the tournament's events called ``name``, in order."""
    return [
        record.data
        for record in events.events_after(f"tournament:{tournament_id}", 0)
        if record.name == name
    ]
