"""HTTP: invitations, roster changes and captaincy under /api/v1/teams."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from deltacrown.apps.teams import api, selectors
from deltacrown.apps.teams.tests.factories import (
    API,
    InvitationFactory,
    TeamFactory,
    UserFactory,
    post_json,
    signed_in,
    user,
)
from deltacrown.kernel import clock

pytestmark = pytest.mark.django_db


def test_invite_list_and_accept_through_the_api():
    team = TeamFactory(name="Recruiters")
    player = UserFactory(display_name="Newcomer")
    sent = post_json(signed_in(team.captain), f"/{team.pk}/invitations", {"user_id": player.pk})
    assert sent.status_code == 201
    invitation = sent.json()
    assert invitation["status"] == "pending"
    assert invitation["team"] == {
        "id": team.pk,
        "name": "Recruiters",
        "tag": "",
        "game_id": team.game_id,
    }

    invitee = signed_in(player)
    mine = invitee.get(f"{API}/invitations").json()
    assert [i["id"] for i in mine["items"]] == [invitation["id"]]

    accepted = post_json(invitee, f"/invitations/{invitation['id']}/accept")
    assert accepted.status_code == 200
    assert accepted.json()["status"] == "accepted"
    roster = Client().get(f"{API}/{team.pk}").json()["members"]
    assert [(m["display_name"], m["role"]) for m in roster][1] == ("Newcomer", "player")
    assert invitee.get(f"{API}/invitations").json()["items"] == []
    assert [i["id"] for i in invitee.get(f"{API}/invitations?status=all").json()["items"]] == [
        invitation["id"]
    ]


def test_a_captain_invites_by_username_and_must_name_exactly_one_player():
    team = TeamFactory()
    player = UserFactory(username="NightOwl")
    captain = signed_in(team.captain)

    sent = post_json(captain, f"/{team.pk}/invitations", {"username": "nightowl"})
    assert sent.status_code == 201, sent.content
    assert sent.json()["user_id"] == player.pk

    unknown = post_json(captain, f"/{team.pk}/invitations", {"username": "nobody-here"})
    assert (unknown.status_code, unknown.json()["code"]) == (404, "user_not_found")
    for body in ({}, {"user_id": player.pk, "username": "NightOwl"}, {"username": "  "}):
        refused = post_json(captain, f"/{team.pk}/invitations", body)
        assert refused.status_code == 422, body
        assert [e["code"] for e in refused.json()["errors"]] == ["one_invitee"]


def test_decline_through_the_api():
    invitation = InvitationFactory()
    response = post_json(signed_in(invitation.user), f"/invitations/{invitation.pk}/decline")
    assert response.status_code == 200
    assert response.json()["status"] == "declined"


def test_other_peoples_invitations_are_not_found():
    invitation = InvitationFactory()
    stranger = signed_in(UserFactory())
    for action in ("accept", "decline"):
        response = post_json(stranger, f"/invitations/{invitation.pk}/{action}")
        assert response.status_code == 404
        assert response.json()["code"] == "invitation_not_found"
    assert stranger.get(f"{API}/invitations?status=all").json()["items"] == []


def test_only_the_captain_sees_and_revokes_the_teams_invitations():
    invitation = InvitationFactory()
    team = invitation.team
    stranger = signed_in(UserFactory())
    assert stranger.get(f"{API}/{team.pk}/invitations").status_code == 403
    assert stranger.delete(f"{API}/{team.pk}/invitations/{invitation.pk}").status_code == 403
    assert Client().get(f"{API}/{team.pk}/invitations").status_code == 401

    captain = signed_in(team.captain)
    listed = captain.get(f"{API}/{team.pk}/invitations").json()["items"]
    assert [(i["id"], i["user_id"]) for i in listed] == [(invitation.pk, invitation.user_id)]
    assert captain.delete(f"{API}/{team.pk}/invitations/{invitation.pk}").status_code == 204
    assert captain.get(f"{API}/{team.pk}/invitations").json()["items"] == []
    revoked = captain.get(f"{API}/{team.pk}/invitations?status=revoked").json()["items"]
    assert [i["status"] for i in revoked] == ["revoked"]


def test_invitations_past_their_deadline_show_as_expired_and_answer_gone():
    with clock.frozen(datetime(2031, 1, 1, tzinfo=UTC)) as frozen:
        invitation = InvitationFactory()
        frozen.advance(timedelta(days=7, seconds=1))
        invitee = signed_in(invitation.user)
        listed = invitee.get(f"{API}/invitations?status=expired").json()["items"]
        assert [(i["id"], i["status"]) for i in listed] == [(invitation.pk, "expired")]
        response = post_json(invitee, f"/invitations/{invitation.pk}/accept")
    assert response.status_code == 410
    assert response.json()["code"] == "invitation_expired"


def test_a_full_roster_refuses_more_invitations():
    team = TeamFactory(players=selectors.roster_limit(TeamFactory.build().game_id) - 1)
    response = post_json(
        signed_in(team.captain), f"/{team.pk}/invitations", {"user_id": UserFactory().pk}
    )
    assert response.status_code == 409
    assert response.json()["code"] == "roster_full"
    assert response.json()["limit"] == selectors.roster_limit(team.game_id)


def test_members_leave_and_captains_remove_and_hand_over():
    team = TeamFactory(players=3)
    _, leaver, removed, successor = selectors.member_ids(team=team)

    assert post_json(signed_in(user(leaver)), f"/{team.pk}/leave").status_code == 204
    captain = signed_in(team.captain)
    assert captain.delete(f"{API}/{team.pk}/members/{removed}").status_code == 204
    handed = post_json(captain, f"/{team.pk}/captain", {"user_id": successor})
    assert handed.status_code == 200
    assert handed.json()["captain_id"] == successor
    assert [m["user_id"] for m in handed.json()["members"]] == [successor, team.captain_id]


def test_strangers_cannot_touch_the_roster():
    team = TeamFactory(players=1)
    member = selectors.member_ids(team=team)[1]
    stranger = signed_in(UserFactory())
    assert stranger.delete(f"{API}/{team.pk}/members/{member}").status_code == 403
    assert post_json(stranger, f"/{team.pk}/leave").json()["code"] == "role_required"
    assert post_json(stranger, f"/{team.pk}/captain", {"user_id": member}).status_code == 403
    assert post_json(stranger, f"/{team.pk}/invitations", {"user_id": member}).status_code == 403
    assert selectors.member_ids(team=team) == (team.captain_id, member)


def test_a_captain_leaving_teammates_is_told_to_transfer_first():
    team = TeamFactory(players=1)
    response = post_json(signed_in(team.captain), f"/{team.pk}/leave")
    assert response.status_code == 409
    assert response.json()["code"] == "captain_must_transfer"


def test_a_locked_roster_answers_with_the_reason():
    team = TeamFactory(players=1)
    member = selectors.member_ids(team=team)[1]
    unregister = api.register_roster_lock_check(
        lambda team_id: "tournament 42 is live" if team_id == team.pk else None
    )
    try:
        response = signed_in(team.captain).delete(f"{API}/{team.pk}/members/{member}")
    finally:
        unregister()
    assert response.status_code == 409
    body = response.json()
    assert (body["code"], body["reason"]) == ("roster_locked", "tournament 42 is live")
