"""Rosters under real concurrency on PostgreSQL: no race overfills a team or doubles a player."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from deltacrown.apps.teams import selectors, services
from deltacrown.apps.teams.models import Membership
from deltacrown.apps.teams.tests.factories import (
    InvitationFactory,
    TeamFactory,
    UserFactory,
    event_names,
    game_id,
)
from deltacrown.kernel.errors import DomainError

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

THREADS = 6


def _race(attempts: list[Callable[[], object]]) -> list[str]:
    """Run every attempt at the same moment in its own thread; "ok" or the problem code each."""
    barrier = threading.Barrier(len(attempts))

    def run(attempt: Callable[[], object]) -> str:
        barrier.wait()
        try:
            attempt()
            return "ok"
        except DomainError as exc:
            return exc.code
        finally:
            connection.close()  # each thread has its own connection; end it

    with ThreadPoolExecutor(len(attempts)) as pool:
        return sorted(pool.map(run, attempts))


def _accept(invitation) -> Callable[[], object]:
    return lambda: services.invitation_accept(
        actor_id=invitation.user_id, invitation_id=invitation.pk
    )


def test_invitations_accepted_at_once_never_overfill_the_roster():
    assert connection.vendor == "postgresql", "set DATABASE_URL to a PostgreSQL database"
    limit = selectors.roster_limit(game_id())
    # One place left, and more open invitations than places (sent while the limit was higher).
    team = TeamFactory(players=limit - 2)
    invitations = [InvitationFactory(team=team) for _ in range(THREADS)]

    outcomes = _race([_accept(invitation) for invitation in invitations])

    assert outcomes == ["ok"] + ["roster_full"] * (THREADS - 1)
    assert Membership.objects.filter(team=team, left_at__isnull=True).count() == limit
    assert event_names(team.pk).count("team.invite_accepted") == 1


def test_invitations_sent_at_once_never_exceed_the_free_places():
    assert connection.vendor == "postgresql", "set DATABASE_URL to a PostgreSQL database"
    limit = selectors.roster_limit(game_id())
    team = TeamFactory(players=limit - 3)
    players = [UserFactory() for _ in range(THREADS)]

    outcomes = _race(
        [
            lambda player=player: services.invitation_create(
                actor_id=team.captain_id, team_id=team.pk, user_id=player.pk
            )
            for player in players
        ]
    )

    assert outcomes == ["ok"] * 2 + ["roster_full"] * (THREADS - 2)
    assert selectors.roster_usage(team_id=team.pk) == limit


def test_a_player_accepting_two_teams_of_one_game_at_once_joins_only_one():
    assert connection.vendor == "postgresql", "set DATABASE_URL to a PostgreSQL database"
    player = UserFactory()
    invitations = [InvitationFactory(user=player) for _ in range(THREADS)]

    outcomes = _race([_accept(invitation) for invitation in invitations])

    assert outcomes == ["already_in_team_for_game"] * (THREADS - 1) + ["ok"]
    assert Membership.objects.filter(user=player, left_at__isnull=True).count() == 1
