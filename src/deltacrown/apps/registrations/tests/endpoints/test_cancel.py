"""Withdrawing and cancelling registrations over HTTP, and the waitlist moving up."""

from __future__ import annotations

from datetime import timedelta

import pytest

from deltacrown.apps.registrations.tests.factories import (
    API,
    START,
    StaffFactory,
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
from deltacrown.kernel import audit, clock

pytestmark = pytest.mark.django_db


def _cancel(user, registration_id, **body):
    return post_json(signed_in(user), f"/registrations/{registration_id}/cancel", body)


def _get(user, registration_id):
    return signed_in(user).get(f"{API}/registrations/{registration_id}")


def test_withdrawing_a_confirmed_registration_promotes_the_head_of_the_waitlist():
    tournament = TournamentFactory(capacity=2)
    players = [UserFactory() for _ in range(4)]
    first, _, head, second_in_line = (registered(p, tournament) for p in players)

    response = _cancel(players[0], first["id"])

    assert response.status_code == 200
    body = response.json()
    assert body["state"] == "cancelled"
    assert body["cancel_reason"] == ""
    assert body["players"][0]["active"] is False
    promoted = _get(players[2], head["id"]).json()
    assert promoted["state"] == "confirmed"
    assert promoted["promoted_at"] is not None
    assert _get(players[3], second_in_line["id"]).json()["waitlist_position"] == 1
    assert events_named(tournament.pk, "registration.promoted") == [
        {
            "tournament_id": tournament.pk,
            "registration_id": head["id"],
            "state": "confirmed",
            "at_close": False,
        }
    ]
    assert events_named(tournament.pk, "registration.cancelled")[0]["by_organizer"] is False


def test_withdrawing_from_the_waitlist_promotes_nobody_and_closes_the_gap():
    tournament = TournamentFactory(capacity=2)
    players = [UserFactory() for _ in range(4)]
    _, _, waiting, behind = (registered(p, tournament) for p in players)

    assert _cancel(players[2], waiting["id"]).status_code == 200

    assert events_named(tournament.pk, "registration.promoted") == []
    assert _get(players[3], behind["id"]).json()["waitlist_position"] == 1


def test_the_registrant_cannot_withdraw_once_the_tournament_has_started():
    tournament = TournamentFactory()
    player = UserFactory()
    registration = registered(player, tournament)

    with clock.frozen(START + timedelta(minutes=1)):
        response = _cancel(player, registration["id"])

    assert response.status_code == 409
    assert response.json()["code"] == "tournament_started"


def test_an_organizer_cancels_any_registration_with_a_reason_even_when_live():
    tournament = TournamentFactory()
    player = UserFactory()
    registration = registered(player, tournament)
    set_status(tournament, TournamentStatus.LIVE)

    with clock.frozen(START + timedelta(hours=1)):
        without_reason = _cancel(tournament.organizer, registration["id"])
        response = _cancel(tournament.organizer, registration["id"], reason="No-show in round 1")

    assert without_reason.status_code == 422
    assert without_reason.json()["errors"][0]["field"] == "reason"
    assert response.status_code == 200
    assert response.json()["cancel_reason"] == "No-show in round 1"
    assert _get(player, registration["id"]).json()["cancel_reason"] == "No-show in round 1"
    entry = audit.entries(action="registration.cancelled").get()
    assert entry.actor_id == tournament.organizer_id
    assert entry.target_id == str(registration["id"])
    assert "No-show" not in str(entry.data)  # reasons are free text: never in the audit data
    assert events_named(tournament.pk, "registration.cancelled")[0]["by_organizer"] is True


def test_strangers_cannot_see_or_cancel_someone_else_s_registration():
    tournament = TournamentFactory()
    registration = registered(UserFactory(), tournament)
    stranger = UserFactory()

    assert _get(stranger, registration["id"]).status_code == 404
    response = _cancel(stranger, registration["id"], reason="mine now")
    assert response.status_code == 404
    assert response.json()["code"] == "registration_not_found"


def test_a_moderator_sees_registrations_but_cannot_cancel_them():
    tournament = TournamentFactory()
    registration = registered(UserFactory(), tournament)
    moderator = StaffFactory(tournament=tournament).user

    assert _get(moderator, registration["id"]).status_code == 200
    response = _cancel(moderator, registration["id"], reason="because")
    assert response.status_code == 403
    assert response.json()["code"] == "role_required"


def test_only_the_captain_withdraws_a_team_its_players_see_it():
    tournament = TournamentFactory(team=True)
    team = TeamFactory()
    registration = registered(team.captain, tournament, team_id=team.pk)
    player = roster(team)[1]

    assert _get(player, registration["id"]).status_code == 200
    refused = _cancel(player, registration["id"])
    assert refused.status_code == 403
    assert refused.json()["code"] == "captain_required"
    assert _cancel(team.captain, registration["id"]).json()["state"] == "cancelled"


def test_cancelling_twice_is_a_conflict():
    tournament = TournamentFactory()
    player = UserFactory()
    registration = registered(player, tournament)
    _cancel(player, registration["id"])

    response = _cancel(player, registration["id"])

    assert response.status_code == 409
    assert response.json()["code"] == "registration_not_active"
    assert response.json()["state"] == "cancelled"


def test_after_the_tournament_is_live_a_cancelled_place_is_not_refilled():
    tournament = TournamentFactory(capacity=2)
    players = [UserFactory() for _ in range(3)]
    first, _, waiting = (registered(p, tournament) for p in players)
    set_status(tournament, TournamentStatus.LIVE)

    with clock.frozen(START + timedelta(hours=1)):
        _cancel(tournament.organizer, first["id"], reason="Disqualified")

    assert _get(players[2], waiting["id"]).json()["state"] == "waitlisted"
