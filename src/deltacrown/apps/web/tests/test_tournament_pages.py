"""The public pages of tournaments: the directory, a tournament's tabs, and who may see them."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from deltacrown.apps.competition.tests.factories import frozen_play, live_tournament
from deltacrown.apps.web.tests.helpers import Cup, signed_in, text_of
from deltacrown.kernel import clock

# Every test starts from the demo, seeded once for the module.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_summary")]


@pytest.fixture
def playing() -> Iterator[clock.FrozenClock]:
    """Time stands still while the factories' tournaments are being played."""
    with frozen_play() as frozen:
        yield frozen


# --- the directory ------------------------------------------------------------------------------


def test_home_lists_live_and_upcoming_tournaments_but_never_drafts(demo_summary):
    summary = demo_summary
    page = Client().get("/")
    assert page.status_code == 200
    text = text_of(page.content.decode())
    assert "Live now" in text
    assert "Upcoming" in text
    assert "eFootball Sprint Cup" in text  # live
    assert "eFootball Night Cup" in text  # checking in
    assert "DeltaCrown Valorant Open" in text  # registration open
    assert "Free Fire Squad Showdown" not in text  # a draft: nobody may know it yet
    for slug in summary.tournament_slugs:
        if slug != "free-fire-squad-showdown":
            assert f'href="/tournaments/{slug}/"' in page.content.decode()


def test_home_search_filters_by_words_game_and_status():
    client = Client()
    by_words = text_of(client.get("/", {"q": "valorant"}).content.decode())
    assert "DeltaCrown Valorant Open" in by_words
    assert "eFootball Sprint Cup" not in by_words
    by_game = text_of(client.get("/", {"game": "efootball"}).content.decode())
    assert "eFootball Night Cup" in by_game
    assert "DeltaCrown Valorant Open" not in by_game
    by_status = text_of(client.get("/", {"status": "check_in"}).content.decode())
    assert "Check in tournaments" in by_status
    assert "eFootball Night Cup" in by_status
    assert "eFootball Sprint Cup" not in by_status
    nothing = text_of(client.get("/", {"region": "oceania"}).content.decode())
    assert "eFootball Sprint Cup" not in nothing
    assert "No upcoming tournament matches this search." in nothing


def test_home_search_from_htmx_answers_only_the_results():
    fragment = Client().get("/", {"q": "night"}, HTTP_HX_REQUEST="true").content.decode()
    assert fragment.startswith('<div id="directory"')
    assert "<html" not in fragment
    assert "eFootball Night Cup" in fragment


def test_private_and_unlisted_tournaments_are_not_listed():
    live_tournament(2, visibility="private")
    hidden, _ = live_tournament(2, visibility="unlisted")
    public, _ = live_tournament(2)
    text = text_of(Client().get("/").content.decode())
    assert public.name in text
    assert hidden.name not in text


# --- a tournament -------------------------------------------------------------------------------


def test_tournament_header_shows_game_status_dates_capacity_and_prize():
    page = Client().get("/tournaments/deltacrown-valorant-open/")
    assert page.status_code == 200
    text = text_of(page.content.decode())
    assert "Valorant" in text
    assert "Registration open" in text
    assert "Single elimination" in text
    assert "Teams 2/16" in text
    assert "Prize pool $500" in text
    for tab in ("Overview", "Participants", "Bracket", "Standings", "Matches"):
        assert tab in text


def test_drafts_and_private_tournaments_are_404_unless_the_visitor_may_see_them():
    assert Client().get("/tournaments/free-fire-squad-showdown/").status_code == 404
    cup, _ = live_tournament(2, visibility="private")
    assert Client().get(f"/tournaments/{cup.slug}/bracket/").status_code == 404
    invited = Client().get(f"/tournaments/{cup.slug}/", {"invite": cup.invite_token})
    assert invited.status_code == 200
    # The tabs keep the invitation, so the visitor can move around.
    assert f"?invite={cup.invite_token}" in invited.content.decode()
    assert signed_in(cup.organizer).get(f"/tournaments/{cup.slug}/").status_code == 200


@pytest.mark.usefixtures("playing")
def test_an_invite_link_opens_a_private_tournament_s_matches_too():
    cup = Cup(4, "single_elimination", visibility="private")
    token = cup.tournament.invite_token
    match = cup.ready()[0]
    link = f'href="/matches/{match["id"]}/?invite={token}"'
    for tab in ("bracket", "matches"):
        page = Client().get(f"/tournaments/{cup.slug}/{tab}/", {"invite": token})
        assert page.status_code == 200
        assert link in page.content.decode(), tab
    # The markup cached for everyone keeps plain links.
    organizer_view = cup.organizer.get(f"/tournaments/{cup.slug}/bracket/")
    assert link not in organizer_view.content.decode()

    assert Client().get(f"/matches/{match['id']}/").status_code == 404
    assert Client().get(f"/matches/{match['id']}/", {"invite": "wrong"}).status_code == 404
    shown = Client().get(f"/matches/{match['id']}/", {"invite": token})
    assert shown.status_code == 200
    html = shown.content.decode()
    assert f'href="/tournaments/{cup.slug}/bracket/?invite={token}"' in html
    assert f'hx-get="/matches/{match["id"]}/?invite={token}"' in html
    fragment = Client().get(f"/matches/{match['id']}/", {"invite": token}, HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200


def test_unknown_tab_or_tournament_is_the_not_found_page():
    assert Client().get("/tournaments/efootball-sprint-cup/nonsense/").status_code == 404
    missing = Client().get("/tournaments/no-such-cup/")
    assert missing.status_code == 404
    assert "Not found" in missing.content.decode()


def test_participants_show_public_names_never_emails_or_usernames():
    user = get_user_model().objects.get(username="aurora")
    user.display_name = "Northern Star"
    user.save(update_fields=["display_name"])
    checking_in = Client().get("/tournaments/efootball-night-cup/participants/").content.decode()
    assert "Northern Star" in checking_in
    assert "aurora" not in checking_in.lower()
    for slug in ("efootball-night-cup", "efootball-sprint-cup", "deltacrown-valorant-open"):
        for tab in ("", "participants/", "bracket/", "matches/"):
            page = Client().get(f"/tournaments/{slug}/{tab}")
            assert "@demo.invalid" not in page.content.decode()


def test_participants_before_the_draw_are_the_registrations_with_the_waitlist():
    text = text_of(Client().get("/tournaments/efootball-night-cup/participants/").content.decode())
    assert "Checked in" in text
    assert "Waitlist #1" in text
    assert "Waitlist #8" in text


def test_overview_shows_rules_description_and_schedule():
    text = text_of(Client().get("/tournaments/efootball-sprint-cup/").content.decode())
    assert "About" in text
    assert "Rules" in text
    assert "Schedule" in text
    assert "Double elimination" in text


# --- brackets for every format ------------------------------------------------------------------


def _bracket(slug: str, client: Client | None = None) -> str:
    page = (client or Client()).get(f"/tournaments/{slug}/bracket/")
    assert page.status_code == 200
    return page.content.decode()


@pytest.mark.usefixtures("playing")
def test_single_elimination_is_a_tree_with_lines_and_a_third_place_match():
    cup = Cup(8, "single_elimination", {"third_place": True})
    html = _bracket(cup.slug)
    text = text_of(html)
    assert "Quarter-finals" in text
    assert "Semi-finals" in text
    assert "Final" in text
    assert "Third-place match" in text
    assert html.count('class="bm ') == 8  # 4 + 2 + 1 + third place
    lines = re.search(r'<svg class="bracket-lines"[^>]*><path d="([^"]*)"', html).group(1)
    assert lines.count("M") == 6  # every match but the final feeds the next round


@pytest.mark.usefixtures("playing")
def test_double_elimination_draws_winners_losers_and_the_grand_final():
    cup = Cup(8, "double_elimination", {"grand_final": "reset"})
    text = text_of(_bracket(cup.slug))
    assert "Winners bracket" in text
    assert "Losers bracket" in text
    assert "Grand final" in text
    assert "Grand final reset" in text
    assert "Losers final" in text
    assert "Loser of W1.1" in text  # where the losers' sides come from


@pytest.mark.usefixtures("playing")
def test_results_show_on_the_bracket_with_the_winner_marked():
    cup = Cup(4, "single_elimination")
    match = cup.ready()[0]
    cup.play(match, [3, 1])
    html = _bracket(cup.slug)
    card = re.search(rf'<a class="bm st-completed"[^>]*data-m="{match["id"]}".*?</a>', html)
    assert card is not None
    winner = match["slots"][0]["name"]
    assert f'<span class="bm-row bm-win"><span class="bm-name">{winner}</span>' in card.group(0)
    assert ">3</span>" in card.group(0)
    assert ">1</span>" in card.group(0)


@pytest.mark.usefixtures("playing")
def test_round_robin_is_a_table_and_rounds_of_matches():
    cup = Cup(4, "round_robin")
    text = text_of(_bracket(cup.slug))
    assert "Group A round 1" in text
    assert "Group A round 3" in text
    assert "Pts" in text  # the standings table's points column
    for row in cup.participants:
        assert row["name"] in text


@pytest.mark.usefixtures("playing")
def test_swiss_shows_its_rounds_and_standings():
    cup = Cup(6, "swiss", {"rounds": 3})
    text = text_of(_bracket(cup.slug))
    assert "Swiss rounds" in text
    assert "Round 1" in text
    assert "Bh" in text  # Buchholz, the Swiss tie-break


@pytest.mark.usefixtures("playing")
def test_groups_and_playoffs_show_group_tables_then_the_playoff_tree():
    cup = Cup(8, "groups_playoffs", {"groups": 2, "advance": 2})
    html = _bracket(cup.slug)
    text = text_of(html)
    assert text.index("Group A") < text.index("Playoffs")
    assert "Group B" in text
    assert "Playoffs final" in text
    assert "1st of group 1" in text


@pytest.mark.usefixtures("playing")
def test_battle_royale_shows_lobby_tables():
    cup = Cup(8, "battle_royale", {"lobby_size": 4, "rounds": 2}, game="freefire", team=True)
    text = text_of(_bracket(cup.slug))
    assert "Lobbies" in text
    assert "BR1.1" in text
    assert "BR2.2" in text
    assert "Points" in text
    assert "Seat" in text


@pytest.mark.usefixtures("playing")
def test_a_players_own_path_is_highlighted_for_them_only():
    cup = Cup(4, "single_elimination")
    mine = cup.participants[0]["id"]
    player = signed_in(cup.user_of[mine])
    own = _bracket(cup.slug, player)
    assert f'.bm[data-p~="p{mine}"]' in own  # the rule that marks the player's cards
    assert re.search(rf'class="bm [^"]*"[^>]*data-p="[^"]*\bp{mine}\b', own)  # such a card
    spectator = _bracket(cup.slug)
    assert "data-p~=" not in spectator


@pytest.mark.usefixtures("playing")
def test_names_in_brackets_are_escaped():
    cup = Cup(2, "single_elimination")
    participant = cup.participants[0]
    from django.apps import apps

    apps.get_model("competition", "Participant").objects.filter(pk=participant["id"]).update(
        name="<script>alert(1)</script>"
    )
    html = _bracket(cup.slug)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.usefixtures("playing")
def test_standings_and_matches_tabs_follow_results():
    cup = Cup(4, "round_robin")
    match = cup.ready()[0]
    cup.play(match, [2, 1])
    standings = text_of(Client().get(f"/tournaments/{cup.slug}/standings/").content.decode())
    assert "Standings so far" in standings
    matches = text_of(Client().get(f"/tournaments/{cup.slug}/matches/").content.decode())
    assert "Results" in matches
    assert "Being played" in matches
    assert "2 \N{EN DASH} 1" in matches


@pytest.mark.usefixtures("playing")
def test_a_large_bracket_reads_with_a_constant_number_of_queries(
    django_assert_max_num_queries, settings
):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    small = Cup(4, "double_elimination")
    large = Cup(64, "double_elimination")
    for tab in ("", "participants/", "bracket/", "standings/", "matches/"):
        with django_assert_max_num_queries(14) as small_queries:
            assert Client().get(f"/tournaments/{small.slug}/{tab}").status_code == 200
        with django_assert_max_num_queries(14) as large_queries:
            assert Client().get(f"/tournaments/{large.slug}/{tab}").status_code == 200
        assert len(large_queries.captured_queries) == len(small_queries.captured_queries), tab


@pytest.mark.usefixtures("playing")
def test_a_drawn_bracket_is_reused_until_the_tournament_changes(django_assert_num_queries):
    cup = Cup(8, "double_elimination")

    def drawn() -> str:
        html = _bracket(cup.slug)
        return html[html.index('<div class="stage"') : html.index("</main>")]

    first = drawn()
    with django_assert_num_queries(4):  # tournament, stream head, participants, stages
        assert drawn() == first
    cup.play(cup.ready()[0], [2, 0])
    assert drawn() != first  # a result moved the stream on: drawn again


@pytest.mark.usefixtures("playing")
def test_the_live_region_alone_is_served_to_htmx():
    cup = Cup(4, "single_elimination")
    fragment = Client().get(f"/tournaments/{cup.slug}/bracket/", HTTP_HX_REQUEST="true")
    html = fragment.content.decode()
    assert html.startswith('<div id="live"')
    assert "<html" not in html
    assert f'data-live-stream="/ws/tournaments/{cup.tournament.pk}/"' in html
    assert re.search(r'data-seq="\d+"', html)
