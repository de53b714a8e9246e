"""Registering for a tournament over HTTP: the window, who may register whom, the checks on
players and answers, duplicates, and the waitlist once the tournament is full."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from deltacrown.apps.registrations.tests.factories import (
    REGISTRATION_CLOSES,
    REGISTRATION_OPENS,
    SOLO_GAME,
    TEAM_GAME,
    RegistrationFieldFactory,
    TeamFactory,
    TournamentFactory,
    UserFactory,
    event_names,
    events_named,
    leave,
    membership,
    post_json,
    register,
    registered,
    roster,
    set_status,
    signed_in,
)
from deltacrown.apps.tournaments.data import TournamentStatus
from deltacrown.kernel import clock, gates
from deltacrown.kernel.gates import Decision

pytestmark = pytest.mark.django_db


# --- solo -------------------------------------------------------------------------------------


def test_a_player_registers_for_a_free_solo_tournament_and_is_confirmed():
    tournament = TournamentFactory()
    player = UserFactory(game_ids={SOLO_GAME: " 123456789 "})

    body = registered(player, tournament)

    assert body["state"] == "confirmed"
    assert body["kind"] == "solo"
    assert body["user_id"] == player.pk
    assert body["team_id"] is None
    assert body["waitlist_position"] is None
    assert body["checked_in"] is False
    assert body["payment"] is None
    assert body["players"] == [
        {"user_id": player.pk, "game_player_id": "123456789", "active": True}
    ]
    assert events_named(tournament.pk, "registration.created") == [
        {
            "tournament_id": tournament.pk,
            "registration_id": body["id"],
            "state": "confirmed",
            "arrival": 1,
            "team_id": None,
            "user_id": player.pk,
            "registered_by_id": player.pk,
        }
    ]


def test_a_full_tournament_waitlists_registrations_in_arrival_order():
    tournament = TournamentFactory(capacity=2)
    bodies = [registered(UserFactory(), tournament) for _ in range(5)]

    assert [b["state"] for b in bodies] == ["confirmed"] * 2 + ["waitlisted"] * 3
    assert [b["waitlist_position"] for b in bodies] == [None, None, 1, 2, 3]
    assert [b["arrival"] for b in bodies] == [1, 2, 3, 4, 5]


def test_a_team_id_is_refused_in_a_solo_tournament():
    tournament = TournamentFactory()
    team = TeamFactory()

    response = register(team.captain, tournament, team_id=team.pk)

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "team_id"


@pytest.mark.parametrize(
    ("moment", "status"),
    [
        (REGISTRATION_OPENS - timedelta(minutes=1), TournamentStatus.REGISTRATION_OPEN),
        (REGISTRATION_CLOSES, TournamentStatus.REGISTRATION_OPEN),
        (REGISTRATION_CLOSES - timedelta(days=1), TournamentStatus.PUBLISHED),
        (REGISTRATION_CLOSES - timedelta(days=1), TournamentStatus.REGISTRATION_CLOSED),
        (REGISTRATION_CLOSES - timedelta(days=1), TournamentStatus.CANCELLED),
    ],
)
def test_registration_outside_the_window_is_refused(moment, status):
    tournament = set_status(TournamentFactory(), status)

    with clock.frozen(moment):
        response = register(UserFactory(), tournament)

    assert response.status_code == 409
    problem = response.json()
    assert problem["code"] == "registration_not_open"
    assert problem["tournament_status"] == status.value
    assert problem["closes_at"] == REGISTRATION_CLOSES.isoformat()


def test_a_draft_or_unknown_tournament_is_not_found():
    draft = set_status(TournamentFactory(), TournamentStatus.DRAFT)

    assert register(UserFactory(), draft).json()["code"] == "tournament_not_found"
    draft.pk = 999_999
    assert register(UserFactory(), draft).status_code == 404


def test_a_private_tournament_takes_registrations_with_its_invite_token_only():
    tournament = TournamentFactory(visibility="private", invite_token="secret-invite-token")

    assert register(UserFactory(), tournament).status_code == 404
    assert register(UserFactory(), tournament, invite="wrong").status_code == 404
    body = registered(UserFactory(), tournament, invite="secret-invite-token")
    assert body["state"] == "confirmed"


def test_anonymous_visitors_must_sign_in():
    tournament = TournamentFactory()

    response = Client().post(
        f"/api/v1/tournaments/{tournament.pk}/registrations", {}, content_type="application/json"
    )

    assert response.status_code == 401


# --- player ids and answers -------------------------------------------------------------------


def test_a_player_without_an_id_for_the_game_is_told_to_add_one():
    tournament = TournamentFactory()
    player = UserFactory(game_ids={TEAM_GAME: "Only#VAL"})

    response = register(player, tournament)

    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "player_ids_missing"
    assert problem["user_ids"] == [player.pk]
    assert problem["errors"][0]["field"] == f"players.{player.pk}"
    assert problem["errors"][0]["code"] == "missing"


def test_a_player_whose_stored_id_breaks_the_game_format_is_refused():
    tournament = TournamentFactory()
    player = UserFactory(game_ids={SOLO_GAME: "12ab"})

    problem = register(player, tournament).json()

    assert problem["code"] == "player_ids_missing"
    assert problem["errors"][0]["code"] == "invalid_player_id"


def test_answers_to_the_registration_fields_are_validated_and_kept():
    tournament = TournamentFactory()
    RegistrationFieldFactory(tournament=tournament, key="discord", options={"max_length": 20})

    missing = register(UserFactory(), tournament, answers={})
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "answers.discord"

    body = registered(UserFactory(), tournament, answers={"discord": "ace#0001"})
    assert body["answers"] == {"discord": "ace#0001"}


# --- duplicates -------------------------------------------------------------------------------


def test_a_player_cannot_register_twice():
    tournament = TournamentFactory()
    player = UserFactory()
    registered(player, tournament)

    response = register(player, tournament)

    assert response.status_code == 409
    assert response.json()["code"] == "already_registered"
    assert response.json()["user_ids"] == [player.pk]
    assert event_names(tournament.pk).count("registration.created") == 1


def test_two_accounts_cannot_enter_the_same_in_game_id():
    tournament = TournamentFactory()
    registered(UserFactory(game_ids={SOLO_GAME: "555555555"}), tournament)
    second = UserFactory(game_ids={SOLO_GAME: "555555555"})

    response = register(second, tournament)

    assert response.status_code == 409
    assert response.json()["code"] == "player_id_already_registered"
    assert response.json()["user_ids"] == [second.pk]


def test_a_cancelled_registration_frees_the_player_to_register_again():
    tournament = TournamentFactory()
    player = UserFactory()
    first = registered(player, tournament)

    assert post_json(signed_in(player), f"/registrations/{first['id']}/cancel").status_code == 200

    again = registered(player, tournament)
    assert again["state"] == "confirmed"
    assert again["id"] != first["id"]


# --- teams ------------------------------------------------------------------------------------


def test_a_captain_registers_the_team_with_its_whole_roster():
    tournament = TournamentFactory(team=True)
    team = TeamFactory(players=5)  # five plus the captain: one substitute

    body = registered(team.captain, tournament, team_id=team.pk)

    assert body["kind"] == "team"
    assert body["team_id"] == team.pk
    assert body["user_id"] is None
    assert body["registered_by_id"] == team.captain_id
    assert [p["user_id"] for p in body["players"]] == [u.pk for u in roster(team)]


def test_only_the_captain_may_register_a_team():
    tournament = TournamentFactory(team=True)
    team = TeamFactory()
    player = roster(team)[1]

    response = register(player, tournament, team_id=team.pk)

    assert response.status_code == 403
    assert response.json()["code"] == "captain_required"


def test_a_team_tournament_needs_a_team():
    tournament = TournamentFactory(team=True)

    response = register(UserFactory(), tournament)

    assert response.status_code == 422
    assert response.json()["errors"][0] == {
        "field": "team_id",
        "code": "required",
        "message": "Name the team to register.",
    }


@pytest.mark.parametrize("players", [3, 7])
def test_a_roster_smaller_than_the_team_size_or_beyond_the_substitutes_is_refused(players):
    tournament = TournamentFactory(team=True)  # team size 5, two substitutes allowed
    team = TeamFactory(players=players)

    response = register(team.captain, tournament, team_id=team.pk)

    assert response.status_code == 409
    problem = response.json()
    assert problem["code"] == "team_size_invalid"
    assert (problem["size"], problem["min"], problem["max"]) == (players + 1, 5, 7)


def test_a_team_of_another_game_is_refused():
    tournament = TournamentFactory(team=True)
    team = TeamFactory(game_id=tournament.game_id)
    team.game_id = TournamentFactory().game_id  # the solo game
    team.save(update_fields=["game_id"])

    response = register(team.captain, tournament, team_id=team.pk)

    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "wrong_game"


def test_every_team_member_needs_an_id_for_the_game():
    tournament = TournamentFactory(team=True)
    team = TeamFactory()
    newcomer = UserFactory(game_ids={})
    membership(team, newcomer)

    problem = register(team.captain, tournament, team_id=team.pk).json()

    assert problem["code"] == "player_ids_missing"
    assert problem["user_ids"] == [newcomer.pk]


def test_a_player_cannot_be_in_two_teams_of_one_tournament():
    tournament = TournamentFactory(team=True)
    first = TeamFactory()
    registered(first.captain, tournament, team_id=first.pk)
    # The player left the first team after it registered and joined a second one.
    mover = roster(first)[1]
    leave(first, mover)
    second = TeamFactory(players=4)
    membership(second, mover)

    response = register(second.captain, tournament, team_id=second.pk)

    assert response.status_code == 409
    assert response.json()["code"] == "already_registered"
    assert response.json()["user_ids"] == [mover.pk]


def test_a_team_cannot_register_twice():
    tournament = TournamentFactory(team=True)
    team = TeamFactory()
    registered(team.captain, tournament, team_id=team.pk)

    assert register(team.captain, tournament, team_id=team.pk).status_code == 409


# --- gates ------------------------------------------------------------------------------------


def test_a_player_the_registration_gate_refuses_cannot_register():
    tournament = TournamentFactory()
    banned = UserFactory()

    def policy(user_id, action, tournament_id):
        if user_id == banned.pk and action is gates.Action.REGISTRATION_CREATE:
            return Decision(allowed=False, reason_code="banned", sanction_id=7)
        return gates.ALLOW

    previous = gates.register_policy(policy)
    try:
        refused = register(banned, tournament)
        allowed = register(UserFactory(), tournament)
    finally:
        gates.register_policy(previous)

    assert refused.status_code == 403
    assert refused.json()["code"] == "banned"
    assert refused.json()["sanction_id"] == 7
    assert allowed.status_code == 201


def test_a_team_with_a_refused_member_cannot_register():
    tournament = TournamentFactory(team=True)
    team = TeamFactory()
    sanctioned = roster(team)[2]

    def policy(user_id, action, tournament_id):
        if user_id == sanctioned.pk:
            return Decision(allowed=False, reason_code="suspended")
        return gates.ALLOW

    previous = gates.register_policy(policy)
    try:
        response = register(team.captain, tournament, team_id=team.pk)
    finally:
        gates.register_policy(previous)

    assert response.status_code == 403
    assert response.json()["code"] == "suspended"
