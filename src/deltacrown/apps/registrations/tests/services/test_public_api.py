"""The registrations public interface other apps rely on: participants for the bracket, the
reactions to tournament and team events, and the demo."""

from __future__ import annotations

import pytest

from deltacrown.apps.registrations import api
from deltacrown.apps.registrations.data import (
    ParticipantKind,
    RegistrationState,
)
from deltacrown.apps.registrations.errors import RegistrationNotFound
from deltacrown.apps.registrations.tests.factories import (
    API,
    DURING_CHECK_IN,
    RegistrationFieldFactory,
    TeamFactory,
    TournamentFactory,
    UserFactory,
    events_named,
    post_json,
    registered,
    roster,
    set_status,
    signed_in,
)
from deltacrown.apps.tournaments.data import TournamentStatus
from deltacrown.kernel import clock

pytestmark = pytest.mark.django_db


def test_checked_in_participants_are_listed_in_registration_order_with_their_rosters():
    tournament = TournamentFactory(team=True)
    teams = [TeamFactory() for _ in range(3)]
    registrations = [registered(t.captain, tournament, team_id=t.pk) for t in teams]
    set_status(tournament, TournamentStatus.CHECK_IN)
    with clock.frozen(DURING_CHECK_IN):
        for team, registration in list(zip(teams, registrations, strict=True))[::-1][:2]:
            post_json(signed_in(team.captain), f"/registrations/{registration['id']}/check-in")

    participants = api.checked_in_participants(tournament.pk)

    assert [(p.seed, p.team_id, p.user_id) for p in participants] == [
        (1, teams[1].pk, None),
        (2, teams[2].pk, None),
    ]
    assert participants[0].member_ids == tuple(u.pk for u in roster(teams[1]))


def test_registration_get_describes_a_registration_for_other_apps():
    tournament = TournamentFactory(capacity=2)
    players = [UserFactory() for _ in range(3)]
    ids = [registered(p, tournament)["id"] for p in players]

    waiting = api.registration_get(ids[2])

    assert waiting.kind is ParticipantKind.SOLO
    assert waiting.state is RegistrationState.WAITLISTED
    assert waiting.waitlist_position == 1
    assert waiting.member_ids == (players[2].pk,)
    assert waiting.payment_state is None
    with pytest.raises(RegistrationNotFound):
        api.registration_get(999_999)


def test_is_participant_follows_the_registration():
    tournament = TournamentFactory()
    player = UserFactory()
    registration = registered(player, tournament)

    assert api.is_participant(player.pk, tournament.pk) is True
    post_json(signed_in(player), f"/registrations/{registration['id']}/cancel")
    assert api.is_participant(player.pk, tournament.pk) is False


def test_growing_the_capacity_promotes_the_waitlist(django_capture_on_commit_callbacks):
    tournament = TournamentFactory(capacity=2)
    players = [UserFactory() for _ in range(4)]
    ids = [registered(p, tournament)["id"] for p in players]

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(tournament.organizer).patch(
            f"{API}/tournaments/{tournament.pk}", {"capacity": 3}, content_type="application/json"
        )

    assert response.status_code == 200, response.content
    assert api.registration_get(ids[2]).state is RegistrationState.CONFIRMED
    assert api.registration_get(ids[3]).waitlist_position == 1
    assert [e["registration_id"] for e in events_named(tournament.pk, "registration.promoted")] == [
        ids[2]
    ]


def test_a_disbanded_team_is_withdrawn_and_its_place_given_on(django_capture_on_commit_callbacks):
    tournament = TournamentFactory(team=True, capacity=2)
    teams = [TeamFactory() for _ in range(3)]
    ids = [registered(t.captain, tournament, team_id=t.pk)["id"] for t in teams]

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(teams[0].captain).delete(f"{API}/teams/{teams[0].pk}")

    assert response.status_code == 204, response.content
    gone = api.registration_get(ids[0])
    assert gone.state is RegistrationState.CANCELLED
    assert api.registration_get(ids[2]).state is RegistrationState.CONFIRMED


def test_the_demo_registers_players_once_and_waitlists_beyond_capacity():
    open_cup = TournamentFactory(capacity=2)
    RegistrationFieldFactory(tournament=open_cup, key="discord")
    players = [UserFactory(game_ids={}) for _ in range(3)]
    ids = [p.pk for p in players]

    first = api.seed_demo(tournament_ids=[open_cup.pk], player_ids=ids)
    again = api.seed_demo(tournament_ids=[open_cup.pk], player_ids=ids)

    assert first.created == 3
    assert first.by_state == {"confirmed": 2, "waitlisted": 1}
    assert again.created == 0
    assert again.by_state == first.by_state


def test_the_demo_checks_half_of_a_checking_in_tournament_in():
    tournament = TournamentFactory(team=True)
    teams = [TeamFactory() for _ in range(4)]
    api.seed_demo(
        tournament_ids=[tournament.pk],
        player_ids=[],
        team_ids=[t.pk for t in teams],
    )
    set_status(tournament, TournamentStatus.CHECK_IN)

    with clock.frozen(DURING_CHECK_IN):
        api.seed_demo(tournament_ids=[tournament.pk], player_ids=[], team_ids=[])

    assert [p.team_id for p in api.checked_in_participants(tournament.pk)] == [
        teams[0].pk,
        teams[1].pk,
    ]
