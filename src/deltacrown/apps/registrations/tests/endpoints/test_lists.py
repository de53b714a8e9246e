"""Lists over HTTP: a tournament's registrations for its staff, and a player's own."""

from __future__ import annotations

import pytest

from deltacrown.apps.registrations.tests.factories import (
    API,
    StaffFactory,
    TeamFactory,
    TournamentFactory,
    UserFactory,
    png_bytes,
    post_json,
    registered,
    roster,
    set_status,
    signed_in,
    upload_proof,
)
from deltacrown.apps.tournaments.data import TournamentStatus

pytestmark = pytest.mark.django_db


def _list(user, tournament, query=""):
    return signed_in(user).get(f"{API}/tournaments/{tournament.pk}/registrations{query}")


def test_organizers_page_through_every_registration_in_arrival_order():
    tournament = TournamentFactory(capacity=3)
    ids = [registered(UserFactory(), tournament)["id"] for _ in range(5)]

    first = _list(tournament.organizer, tournament, "?limit=2").json()
    second = _list(tournament.organizer, tournament, f"?limit=2&cursor={first['next_cursor']}")
    third = _list(
        tournament.organizer, tournament, f"?limit=2&cursor={second.json()['next_cursor']}"
    ).json()

    seen = [r["id"] for r in first["items"] + second.json()["items"] + third["items"]]
    assert seen == ids
    assert third["next_cursor"] is None
    assert [r["waitlist_position"] for r in third["items"]] == [2]


def test_organizers_filter_by_state_check_in_payment_and_player():
    tournament = TournamentFactory(capacity=2, fee=500)
    players = [UserFactory() for _ in range(3)]
    registrations = [registered(p, tournament) for p in players]
    upload_proof(signed_in(players[1]), registrations[1]["id"], png_bytes())

    def ids(query):
        return [r["id"] for r in _list(tournament.organizer, tournament, query).json()["items"]]

    assert ids("?state=waitlisted") == [registrations[2]["id"]]
    assert ids("?state=pending_payment") == [r["id"] for r in registrations[:2]]
    assert ids("?payment_state=submitted") == [registrations[1]["id"]]
    assert ids("?checked_in=true") == []
    assert ids(f"?user_id={players[0].pk}") == [registrations[0]["id"]]
    assert _list(tournament.organizer, tournament, "?state=bogus").status_code == 422


def test_moderators_see_the_list_and_strangers_do_not():
    tournament = TournamentFactory()
    registered(UserFactory(), tournament)
    moderator = StaffFactory(tournament=tournament).user
    player = UserFactory()
    registered(player, tournament)

    assert len(_list(moderator, tournament).json()["items"]) == 2
    refused = _list(player, tournament)
    assert refused.status_code == 403
    assert refused.json()["code"] == "role_required"
    assert _list(UserFactory(), tournament).status_code == 403


def test_the_list_of_a_tournament_a_stranger_may_not_see_is_not_found():
    private = TournamentFactory(visibility="private", invite_token="private-invite-token")
    draft = set_status(TournamentFactory(), TournamentStatus.DRAFT)

    assert _list(UserFactory(), private).status_code == 404
    assert _list(UserFactory(), draft).status_code == 404
    assert _list(private.organizer, private).status_code == 200


def test_players_list_their_own_registrations_and_their_teams():
    solo = TournamentFactory()
    teams_cup = TournamentFactory(team=True)
    team = TeamFactory()
    player = roster(team)[1]
    mine = registered(player, solo)
    theirs = registered(team.captain, teams_cup, team_id=team.pk)
    registered(UserFactory(), solo)  # someone else's

    listed = signed_in(player).get(f"{API}/me/registrations").json()["items"]
    assert [r["id"] for r in listed] == [theirs["id"], mine["id"]]

    post_json(signed_in(player), f"/registrations/{mine['id']}/cancel")
    active = signed_in(player).get(f"{API}/me/registrations?state=confirmed").json()["items"]
    assert [r["id"] for r in active] == [theirs["id"]]
    by_tournament = signed_in(team.captain).get(
        f"{API}/me/registrations?tournament_id={teams_cup.pk}"
    )
    assert [r["id"] for r in by_tournament.json()["items"]] == [theirs["id"]]
