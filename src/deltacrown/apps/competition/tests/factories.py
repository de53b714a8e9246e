"""Competition test factories: live tournaments with checked-in participants, and helpers that
play matches through the services.

Factories write other apps' rows directly (no events, no checks) to set up a situation — a
tournament that is live with N checked-in players or teams, check-in closed — naming models by
``"app_label.Model"`` so these tests, like the app, import only other apps' ``api`` and
``data``. The behaviour under test always goes through the services or the HTTP API.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from django.apps import apps as django_apps
from django.conf import settings

from deltacrown.apps.games import api as games
from deltacrown.kernel import clock, events

START = datetime(2031, 6, 1, 18, 0, tzinfo=UTC)
DURING_PLAY = START + timedelta(minutes=5)

_counter = {"n": 0}


def _next() -> int:
    _counter["n"] += 1
    return _counter["n"]


def user(**extra: Any) -> Any:
    """An active player with ids for the games these tests use."""
    n = _next()
    model = django_apps.get_model(settings.AUTH_USER_MODEL)
    return model.objects.create_user(
        username=f"competitor{n}",
        email=f"competitor{n}@example.com",
        password="Competitor-Pass-42",
        display_name=extra.pop("display_name", f"Competitor {n}"),
        **extra,
    )


def live_tournament(
    count: int,
    *,
    game: str = "efootball",
    stage_plan: list[dict[str, Any]] | None = None,
    team: bool = False,
    visibility: str = "public",
    organizer: Any = None,
) -> tuple[Any, list[Any]]:
    """A live tournament with ``count`` checked-in entrants (check-in closed).

    Returns ``(tournament, entrants)``: entrants are users (solo) or ``(team, captain)`` pairs
    (team tournaments, rosters of the game's team size), in registration order.
    """
    game_ref = games.game_get_by_slug(game)
    organizer = organizer or user()
    plan = stage_plan or [{"name": "Playoffs", "format": "single_elimination", "options": {}}]
    n = _next()
    team_size = game_ref.team_size if team else 1
    tournament = django_apps.get_model("tournaments", "Tournament").objects.create(
        game_id=game_ref.id,
        organizer=organizer,
        name=f"Competition Cup {n}",
        slug=f"competition-cup-{n}",
        status="live",
        visibility=visibility,
        invite_token=secrets.token_urlsafe(16) if visibility == "private" else "",
        participant_kind="team" if team else "solo",
        team_size=team_size,
        capacity=max(count, 2),
        stage_plan=plan,
        format=plan[0]["format"],
        entry_fee_kind="none",
        entry_fee_amount=0,
        entry_fee_currency="",
        registration_opens_at=START - timedelta(days=7),
        registration_closes_at=START - timedelta(days=1),
        check_in_opens_before=30,
        check_in_opens_at=START - timedelta(minutes=30),
        starts_at=START,
        waitlist_promotion_on_close=False,
        created_at=START - timedelta(days=8),
        updated_at=START - timedelta(days=8),
        live_at=START,
    )
    registration_model = django_apps.get_model("registrations", "Registration")
    entry_model = django_apps.get_model("registrations", "Entry")
    entrants: list[Any] = []
    for index in range(count):
        if team:
            members = [user() for _ in range(team_size)]
            team_row = django_apps.get_model("teams", "Team").objects.create(
                name=f"Team {n}-{index + 1}",
                tag=f"T{index + 1}",
                game_id=game_ref.id,
                captain=members[0],
                created_at=START - timedelta(days=30),
                updated_at=START - timedelta(days=30),
            )
            for member in members:
                django_apps.get_model("teams", "Membership").objects.create(
                    team=team_row,
                    user=member,
                    game_id=game_ref.id,
                    joined_at=START - timedelta(days=30),
                )
            owner, who = members[0], (team_row, members[0])
        else:
            members = [user()]
            team_row, owner, who = None, members[0], members[0]
        registration = registration_model.objects.create(
            tournament=tournament,
            kind="team" if team else "solo",
            user=None if team else owner,
            team=team_row,
            registered_by=owner,
            state="confirmed",
            arrival=index + 1,
            created_at=START - timedelta(days=2),
            updated_at=START - timedelta(days=2),
            confirmed_at=START - timedelta(days=2),
            checked_in_at=START - timedelta(minutes=10),
        )
        for member in members:
            entry_model.objects.create(
                registration=registration,
                tournament=tournament,
                user=member,
                game_player_id=f"id-{member.pk}",
            )
        entrants.append(who)
    django_apps.get_model("registrations", "TournamentLedger").objects.create(
        tournament=tournament, arrivals=count, check_in_closed_at=START
    )
    return tournament, entrants


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


def frozen_play() -> Any:
    """Pin the clock to a moment while the tournament is being played."""
    return clock.frozen(DURING_PLAY)
