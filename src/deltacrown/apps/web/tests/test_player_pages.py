"""Match pages and the signed-in player's pages: scoreboard, feed, my matches, profile, team."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from deltacrown.apps.competition.tests.factories import frozen_play, live_tournament
from deltacrown.apps.teams import api as teams
from deltacrown.apps.teams.tests.factories import TeamFactory
from deltacrown.apps.web import demo
from deltacrown.apps.web.tests.helpers import Cup, signed_in, text_of
from deltacrown.kernel import clock

# Every test starts from the demo, seeded once for the module.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_summary")]


@pytest.fixture
def playing() -> Iterator[clock.FrozenClock]:
    """Time stands still while the factories' tournaments are being played."""
    with frozen_play() as frozen:
        yield frozen


# --- a match ------------------------------------------------------------------------------------


@pytest.mark.usefixtures("playing")
def test_match_page_shows_the_live_score_and_the_feed():
    cup = Cup(4, "single_elimination")
    match = cup.ready()[0]
    cup.start(match)
    cup.score(match, 1, [1, 0])
    cup.score(match, 2, [2, 1])
    html = Client().get(f"/matches/{match['id']}/").content.decode()
    text = text_of(html)
    home, away = (slot["name"] for slot in match["slots"])
    assert f"{home} vs {away}" in text
    assert "Live" in text
    board = re.search(r'<section class="scoreboard".*?</section>', html, re.S).group(0)
    assert '<span data-s="0">2</span>' in board
    assert '<span data-s="1">1</span>' in board
    assert "Live score 2\N{EN DASH}1" in text
    # Newest first.
    assert text.index("Live score 2\N{EN DASH}1") < text.index("Live score 1\N{EN DASH}0")
    assert "Match started" in text
    assert f'data-live-stream="/ws/matches/{match["id"]}/"' in html


@pytest.mark.usefixtures("playing")
def test_match_page_shows_games_the_result_and_the_stream_link():
    cup = Cup(2, "single_elimination")
    match = cup.ready()[0]
    cup.organizer.patch(
        f"/api/v1/matches/{match['id']}",
        {"stream_url": "https://twitch.example/final"},
        content_type="application/json",
    )
    cup.play(match, [3, 1])
    text = text_of(Client().get(f"/matches/{match['id']}/").content.decode())
    assert "Final" in text
    assert "Watch the stream" in text
    winner = match["slots"][0]["name"]
    assert f"Result confirmed 3\N{EN DASH}1: {winner} wins" in text
    html = Client().get(f"/matches/{match['id']}/").content.decode()
    assert 'href="https://twitch.example/final"' in html


def test_matches_of_hidden_tournaments_are_not_found():
    tournament, _ = live_tournament(2, visibility="private")
    with frozen_play():
        generated = signed_in(tournament.organizer).post(
            f"/api/v1/tournaments/{tournament.pk}/stages/generate", {}, "application/json"
        )
    match_id = generated.json()["rounds"][0]["matches"][0]["id"]
    assert Client().get(f"/matches/{match_id}/").status_code == 404
    assert Client().get("/matches/999999/").status_code == 404
    assert signed_in(tournament.organizer).get(f"/matches/{match_id}/").status_code == 200


@pytest.mark.usefixtures("playing")
def test_a_side_sees_the_report_form_and_the_other_side_the_confirm_button():
    cup = Cup(2, "single_elimination")
    match = cup.ready()[0]
    home, away = (slot["participant_id"] for slot in match["slots"])
    page = cup.client_of(home).get(f"/matches/{match['id']}/").content.decode()
    assert f'data-api="/api/v1/matches/{match["id"]}/result"' in page
    assert "Report result" in page
    spectator = Client().get(f"/matches/{match['id']}/").content.decode()
    assert "Report result" not in spectator
    cup.report(match, [2, 0])
    waiting = text_of(cup.client_of(home).get(f"/matches/{match['id']}/").content.decode())
    assert "You reported the result" in waiting
    other = cup.client_of(away).get(f"/matches/{match['id']}/").content.decode()
    assert f'data-api-post="/api/v1/matches/{match["id"]}/confirm"' in other
    assert "Dispute the result" in other


# --- the player's pages -------------------------------------------------------------------------


def test_player_pages_send_visitors_to_sign_in_and_back():
    for path in ("/me/", "/me/matches/"):
        response = Client().get(path)
        assert response.status_code == 302
        assert response["Location"] == f"/signin/?next={path.replace('/', '%2F')}"


def test_sign_in_and_sign_up_forms_call_the_api():
    signin = Client().get("/signin/?next=/me/").content.decode()
    assert 'data-api="/api/v1/auth/login"' in signin
    assert 'data-success="redirect:/me/"' in signin
    assert 'autocomplete="current-password"' in signin
    signup = Client().get("/signup/").content.decode()
    assert 'data-api="/api/v1/auth/signup"' in signup
    assert 'data-then="signin"' in signup


def test_sign_in_never_redirects_to_another_site():
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        page = Client().get("/signin/", {"next": target}).content.decode()
        assert "evil.example" not in page
        assert 'data-success="redirect:/me/matches/"' in page


def test_signed_in_visitors_skip_the_sign_in_page():
    player = get_user_model().objects.get(username="nova")
    assert signed_in(player).get("/signin/").status_code == 302


def test_my_matches_offers_check_in_while_the_tournament_checks_in():
    # The first half of the confirmed players checked in; find one who has not.
    page_of = {
        user.username: signed_in(user).get("/me/matches/").content.decode()
        for user in get_user_model().objects.filter(username__in=[p[0] for p in demo.DEMO_PLAYERS])
    }
    with_button = [name for name, html in page_of.items() if ">Check in</button>" in html]
    checked_in = [name for name, html in page_of.items() if "Checked in</span>" in html]
    assert with_button
    assert checked_in
    html = page_of[with_button[0]]
    registration_id = re.search(r"/api/v1/registrations/(\d+)/check-in", html).group(1)
    client = signed_in(get_user_model().objects.get(username=with_button[0]))
    response = client.post(f"/api/v1/registrations/{registration_id}/check-in")
    assert response.status_code == 200
    assert "Checked in</span>" in client.get("/me/matches/").content.decode()


@pytest.mark.usefixtures("playing")
def test_my_matches_shows_the_next_match_with_its_result_buttons():
    cup = Cup(4, "single_elimination")
    match = cup.ready()[0]
    home, away = (slot["participant_id"] for slot in match["slots"])
    page = cup.client_of(home).get("/me/matches/").content.decode()
    text = text_of(page)
    assert "Next match" in text
    assert f"against {match['slots'][1]['name']}" in text
    assert f'data-api="/api/v1/matches/{match["id"]}/result"' in page
    cup.report(match, [2, 1])
    other = cup.client_of(away).get("/me/matches/").content.decode()
    assert f'data-api-post="/api/v1/matches/{match["id"]}/confirm"' in other
    fragment = cup.client_of(away).get("/me/matches/", HTTP_HX_REQUEST="true").content.decode()
    assert fragment.startswith('<div id="live"')


def test_profile_shows_per_game_ids_and_the_form_to_change_them():
    player = get_user_model().objects.get(username="blitz")
    html = signed_in(player).get("/me/").content.decode()
    assert 'data-api="/api/v1/me"' in html
    assert 'data-method="PATCH"' in html
    assert 'name="game_ids.valorant"' in html
    assert "Northern Lights" in html or "Crimson Tide" in html  # blitz's demo team


def test_profile_lists_invitations_with_their_answer_buttons():
    users = get_user_model().objects
    captain = users.create_user(username="owl", email="owl@example.com", password="Owl-Pass-4242")
    newcomer = users.create_user(
        username="newcomer", email="newcomer@example.com", password="Newcomer-Pass-42"
    )
    founded = signed_in(captain).post(
        "/api/v1/teams", {"game": "valorant", "name": "Night Owls"}, "application/json"
    )
    assert founded.status_code == 201, founded.content
    team_id = founded.json()["id"]
    invited = signed_in(captain).post(
        f"/api/v1/teams/{team_id}/invitations", {"user_id": newcomer.pk}, "application/json"
    )
    assert invited.status_code == 201, invited.content
    invitation_id = invited.json()["id"]
    client = signed_in(newcomer)
    html = client.get("/me/").content.decode()
    assert f'data-api-post="/api/v1/teams/invitations/{invitation_id}/accept"' in html
    assert f'data-api-post="/api/v1/teams/invitations/{invitation_id}/decline"' in html
    assert "You are not on a team yet." in text_of(html)
    accepted = client.post(f"/api/v1/teams/invitations/{invitation_id}/accept")
    assert accepted.status_code == 200, accepted.content
    after = text_of(client.get("/me/").content.decode())
    assert "Night Owls" in after
    assert "Invitations" not in after


def test_team_page_lists_the_roster_by_display_name(demo_summary):
    summary = demo_summary
    team = teams.team_get(summary.team_ids[0])
    html = Client().get(f"/teams/{team.id}/").content.decode()
    text = text_of(html)
    assert team.name in text
    assert "Captain" in text
    assert "@demo.invalid" not in html
    assert Client().get("/teams/999999/").status_code == 404


def test_the_captain_invites_by_username_and_sees_who_has_not_answered():
    team = teams.team_get(TeamFactory(players=1).pk)
    users = get_user_model().objects
    captain = signed_in(users.get(pk=team.captain_id))
    page = captain.get(f"/teams/{team.id}/").content.decode()
    assert f'data-api="/api/v1/teams/{team.id}/invitations" data-method="POST"' in page
    assert 'name="username"' in page

    # What the form sends, then the page again.
    newcomer = users.create_user(username="rookie7", password=None, display_name="Rookie Seven")
    sent = captain.post(
        f"/api/v1/teams/{team.id}/invitations",
        {"username": "rookie7"},
        content_type="application/json",
    )
    assert sent.status_code == 201, sent.content
    page = captain.get(f"/teams/{team.id}/").content.decode()
    assert "Rookie Seven" in text_of(page)
    assert f'data-api-delete="/api/v1/teams/{team.id}/invitations/{sent.json()["id"]}"' in page
    assert "rookie7" not in page  # usernames are never shown

    # Nobody else sees the invitations or the form: not a member, not a visitor.
    member = next(uid for uid in team.member_ids if uid != team.captain_id)
    for other in (signed_in(users.get(pk=member)), Client()):
        html = other.get(f"/teams/{team.id}/").content.decode()
        assert "Rookie Seven" not in html
        assert 'name="username"' not in html
    assert newcomer.pk not in teams.team_get(team.id).member_ids
