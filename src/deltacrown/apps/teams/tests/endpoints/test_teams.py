"""HTTP: listing, viewing, creating, updating and disbanding teams under /api/v1/teams."""

from __future__ import annotations

import pytest
from django.test import Client

from deltacrown.apps.teams import selectors
from deltacrown.apps.teams.tests.factories import (
    API,
    TeamFactory,
    UserFactory,
    game_id,
    patch_json,
    post_json,
    signed_in,
)

pytestmark = pytest.mark.django_db


def test_anyone_lists_active_teams_page_by_page():
    teams = [TeamFactory(name=f"Listed {i}") for i in range(3)]
    gone = TeamFactory(name="Listed but gone")
    gone.disbanded_at = gone.created_at
    gone.save()

    first = Client().get(f"{API}?limit=2")
    assert first.status_code == 200
    body = first.json()
    assert [t["id"] for t in body["items"]] == [teams[2].pk, teams[1].pk]
    assert body["items"][0] == {
        "id": teams[2].pk,
        "name": "Listed 2",
        "tag": "",
        "game_id": teams[2].game_id,
        "captain_id": teams[2].captain_id,
        "member_count": 1,
        "created_at": body["items"][0]["created_at"],
    }
    rest = Client().get(f"{API}?limit=2&cursor={body['next_cursor']}").json()
    assert [t["id"] for t in rest["items"]] == [teams[0].pk]
    assert rest["next_cursor"] is None


def test_list_filters_by_game_slug_and_name():
    valorant = TeamFactory(name="Sentinels of Light")
    cs2 = TeamFactory(name="Sentinels of Dust", game_id=game_id("cs2"))
    TeamFactory(name="Other")
    client = Client()
    assert [t["id"] for t in client.get(f"{API}?game=cs2").json()["items"]] == [cs2.pk]
    found = client.get(f"{API}?q=sentinels").json()["items"]
    assert {t["id"] for t in found} == {valorant.pk, cs2.pk}
    assert [t["id"] for t in client.get(f"{API}?game=valorant&q=LIGHT").json()["items"]] == [
        valorant.pk
    ]
    unknown = client.get(f"{API}?game=chess")
    assert unknown.status_code == 404
    assert unknown.json()["code"] == "game_not_found"


def test_team_page_shows_the_roster_by_display_name_only():
    captain = UserFactory(username="secret-login", email="hidden@example.com", display_name="Ace")
    team = TeamFactory(name="Visible", tag="VIS", captain=captain, players=1)
    response = Client().get(f"{API}/{team.pk}")
    assert response.status_code == 200
    body = response.json()
    member = selectors.member_ids(team=team)[1]
    assert body["name"] == "Visible"
    assert body["game"] == {"id": team.game_id, "slug": "valorant", "name": "Valorant"}
    assert body["roster_limit"] == selectors.roster_limit(team.game_id)
    assert body["is_active"] is True
    assert [(m["user_id"], m["role"]) for m in body["members"]] == [
        (captain.pk, "captain"),
        (member, "player"),
    ]
    assert body["members"][0]["display_name"] == "Ace"
    assert b"secret-login" not in response.content
    assert b"hidden@example.com" not in response.content


def test_unknown_team_is_a_problem_not_found():
    response = Client().get(f"{API}/987654")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "team_not_found"


def test_a_signed_in_player_creates_a_team_and_captains_it():
    founder = UserFactory(display_name="Founder")
    response = post_json(signed_in(founder), "", {"game": "valorant", "name": "Dawn", "tag": "DWN"})
    assert response.status_code == 201
    body = response.json()
    assert (body["name"], body["tag"], body["captain_id"]) == ("Dawn", "DWN", founder.pk)
    assert body["members"] == [
        {
            "user_id": founder.pk,
            "display_name": "Founder",
            "role": "captain",
            "joined_at": body["members"][0]["joined_at"],
        }
    ]
    assert Client().get(f"{API}/{body['id']}").json()["name"] == "Dawn"


def test_creating_needs_an_account_and_a_free_name():
    anonymous = post_json(Client(), "", {"game": "valorant", "name": "Nobody"})
    assert anonymous.status_code == 401
    TeamFactory(name="Taken Name")
    taken = post_json(signed_in(UserFactory()), "", {"game": "valorant", "name": "taken name"})
    assert taken.status_code == 409
    assert taken.json()["code"] == "team_name_taken"
    solo = post_json(signed_in(UserFactory()), "", {"game": "efootball", "name": "Just Me"})
    assert solo.status_code == 422
    assert solo.json()["code"] == "game_without_teams"


def test_a_replayed_create_with_an_idempotency_key_makes_one_team():
    client = signed_in(UserFactory())
    body = {"game": "valorant", "name": "Once Only"}
    first = post_json(client, "", body, HTTP_IDEMPOTENCY_KEY="create-once")
    again = post_json(client, "", body, HTTP_IDEMPOTENCY_KEY="create-once")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert selectors.team_list(q="Once Only").count() == 1


def test_captain_patches_name_and_clears_the_tag():
    team = TeamFactory(name="Before", tag="BF")
    response = patch_json(signed_in(team.captain), f"/{team.pk}", {"name": "After", "tag": None})
    assert response.status_code == 200
    assert (response.json()["name"], response.json()["tag"]) == ("After", "")
    only_tag = patch_json(signed_in(team.captain), f"/{team.pk}", {"tag": "AF"})
    assert (only_tag.json()["name"], only_tag.json()["tag"]) == ("After", "AF")


def test_strangers_may_see_but_not_change_or_disband_a_team():
    team = TeamFactory(name="Guarded")
    stranger = signed_in(UserFactory())
    patched = patch_json(stranger, f"/{team.pk}", {"name": "Mine Now"})
    assert patched.status_code == 403
    assert patched.json()["code"] == "role_required"
    deleted = stranger.delete(f"{API}/{team.pk}")
    assert deleted.status_code == 403
    team.refresh_from_db()
    assert (team.name, team.is_active) == ("Guarded", True)


def test_disbanding_keeps_the_team_page_and_drops_it_from_the_list():
    team = TeamFactory(players=1)
    response = signed_in(team.captain).delete(f"{API}/{team.pk}")
    assert response.status_code == 204
    page = Client().get(f"{API}/{team.pk}").json()
    assert page["is_active"] is False
    assert page["disbanded_at"] is not None
    assert len(page["members"]) == 2
    assert team.pk not in [t["id"] for t in Client().get(API).json()["items"]]
    again = signed_in(team.captain).delete(f"{API}/{team.pk}")
    assert again.status_code == 409
    assert again.json()["code"] == "team_disbanded"
