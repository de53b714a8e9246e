"""Finding tournaments: the list with its filters, search, orderings and pages; upcoming, live
and featured lists; what is never listed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from deltacrown.apps.tournaments.data import TournamentStatus
from deltacrown.apps.tournaments.tests.factories import (
    API,
    BR_GAME,
    SOLO_GAME,
    TournamentFactory,
    UserFactory,
    game_id,
    signed_in,
)
from deltacrown.kernel import clock

pytestmark = pytest.mark.django_db

S = TournamentStatus


def _names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["name"] for item in response.json()["items"]]


def _list(**query) -> list[str]:
    return _names(Client().get(API, query))


def test_the_list_shows_public_published_tournaments_only():
    TournamentFactory(name="Listed")
    TournamentFactory(name="Live one", status=S.LIVE)
    TournamentFactory(name="Draft", status=S.DRAFT)
    TournamentFactory(name="Unlisted", visibility="unlisted")
    TournamentFactory(name="Private", visibility="private", invite_token="t" * 32)
    TournamentFactory(name="Deleted", deleted_at=clock.now())
    assert sorted(_list()) == ["Listed", "Live one"]


def test_mine_lists_everything_i_organize_or_moderate_and_needs_sign_in():
    me = UserFactory()
    TournamentFactory(name="My draft", organizer=me, status=S.DRAFT)
    TournamentFactory(name="My private", organizer=me, visibility="private", invite_token="t" * 32)
    TournamentFactory(name="My deleted", organizer=me, deleted_at=clock.now())
    TournamentFactory(name="Someone else's")
    assert sorted(_names(signed_in(me).get(API, {"mine": "true"}))) == ["My draft", "My private"]
    anonymous = Client().get(API, {"mine": "true"})
    assert anonymous.status_code == 401


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"game": "efootball"}, ["Solo"]),
        ({"status": "registration_open"}, ["Open"]),
        ({"format": "battle_royale"}, ["Royale"]),
        ({"region": "oceania"}, ["Open"]),
        ({"prize_min": 1000}, ["Rich", "Royale"]),
        ({"prize_min": 1000, "prize_max": 5000}, ["Royale"]),
        ({"fee_min": 1, "fee_max": 600}, ["Solo"]),
        ({"free": "true"}, ["Open", "Rich", "Royale"]),
        ({"free": "false"}, ["Solo"]),
        ({"official": "true"}, ["Rich"]),
    ],
)
def test_filters_narrow_the_list(query, expected):
    TournamentFactory(name="Open", status=S.REGISTRATION_OPEN, region="oceania")
    TournamentFactory(name="Rich", prize_pool=100_000, prize_currency="USD", official=True)
    TournamentFactory(
        name="Royale",
        game_id=game_id(BR_GAME),
        format="battle_royale",
        prize_pool=5000,
        prize_currency="USD",
    )
    TournamentFactory(
        name="Solo",
        game_id=game_id(SOLO_GAME),
        participant_kind="solo",
        team_size=1,
        entry_fee_kind="external",
        entry_fee_amount=500,
        entry_fee_currency="EUR",
    )
    assert sorted(_list(**query)) == expected


def test_a_date_range_filters_by_start():
    now = clock.now()
    TournamentFactory(name="Soon", starts_at=now + timedelta(days=2))
    TournamentFactory(name="Later", starts_at=now + timedelta(days=20))
    window = {
        "starts_after": (now + timedelta(days=1)).isoformat(),
        "starts_before": (now + timedelta(days=10)).isoformat(),
    }
    assert _list(**window) == ["Soon"]


def test_search_matches_name_description_and_game_ranking_names_first():
    now = clock.now()
    TournamentFactory(
        name="Autumn Brawl",
        description="Hosted by the Crown league",
        starts_at=now + timedelta(days=2),
    )
    TournamentFactory(
        name="Crown Invitational", description="Top eight teams", starts_at=now + timedelta(days=4)
    )
    TournamentFactory(name="Kickoff", game_id=game_id(SOLO_GAME), description="Weekly")
    TournamentFactory(name="Unrelated", description="Nothing to see")
    assert _list(q="crown") == ["Crown Invitational", "Autumn Brawl"]
    assert _list(q="efoot") == ["Kickoff"]
    assert _list(q="crown top") == ["Crown Invitational"]
    assert _list(q="crown", ordering="starts_at") == ["Autumn Brawl", "Crown Invitational"]
    assert _list(q="!!!") == _list()  # no words: no search


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("starts_at", ["B", "C", "A"]),
        ("-starts_at", ["A", "C", "B"]),
        ("prize", ["C", "A", "B"]),
        ("created", ["C", "B", "A"]),
    ],
)
def test_orderings(ordering, expected):
    now = clock.now()
    TournamentFactory(
        name="A", starts_at=now + timedelta(days=9), prize_pool=50, prize_currency="EUR"
    )
    TournamentFactory(name="B", starts_at=now + timedelta(days=3))
    TournamentFactory(
        name="C", starts_at=now + timedelta(days=5), prize_pool=900, prize_currency="EUR"
    )
    assert _list(ordering=ordering) == expected


def test_an_unknown_ordering_is_refused():
    response = Client().get(API, {"ordering": "name"})
    assert response.status_code == 422


def test_pages_follow_each_other_without_gaps_or_repeats():
    now = clock.now()
    for day in range(7):
        # Pairs share a start time, so the id breaks ties.
        TournamentFactory(name=f"T{day}", starts_at=now + timedelta(days=1 + day // 2))
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        query = {"ordering": "starts_at", "limit": 3, **({"cursor": cursor} if cursor else {})}
        body = Client().get(API, query).json()
        seen += [item["name"] for item in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    assert seen == [f"T{day}" for day in range(7)]


def test_a_foreign_cursor_is_refused():
    response = Client().get(API, {"cursor": "not-a-cursor"})
    assert (response.status_code, response.json()["code"]) == (422, "invalid_cursor")


def test_upcoming_lists_what_has_not_started_soonest_first():
    now = clock.now()
    TournamentFactory(name="Next week", starts_at=now + timedelta(days=7))
    TournamentFactory(
        name="Tomorrow", status=S.REGISTRATION_OPEN, starts_at=now + timedelta(days=1)
    )
    TournamentFactory(name="Checking in", status=S.CHECK_IN, starts_at=now + timedelta(minutes=10))
    TournamentFactory(name="Live", status=S.LIVE, starts_at=now - timedelta(hours=1))
    TournamentFactory(name="Draft", status=S.DRAFT)
    TournamentFactory(name="Cancelled", status=S.CANCELLED)
    assert _names(Client().get(f"{API}/upcoming")) == ["Checking in", "Tomorrow", "Next week"]


def test_live_lists_tournaments_being_played():
    now = clock.now()
    TournamentFactory(name="Earlier", status=S.LIVE, starts_at=now - timedelta(hours=3))
    TournamentFactory(name="Just started", status=S.LIVE, starts_at=now - timedelta(minutes=5))
    TournamentFactory(name="Done", status=S.COMPLETED, starts_at=now - timedelta(days=1))
    TournamentFactory(name="Hidden", status=S.LIVE, visibility="unlisted")
    assert _names(Client().get(f"{API}/live")) == ["Just started", "Earlier"]


def test_featured_lists_what_staff_feature_until_play_ends():
    TournamentFactory(name="Featured", featured=True)
    TournamentFactory(name="Featured live", featured=True, status=S.LIVE)
    TournamentFactory(name="Featured but over", featured=True, status=S.COMPLETED)
    TournamentFactory(name="Featured draft", featured=True, status=S.DRAFT)
    TournamentFactory(name="Plain")
    assert sorted(_names(Client().get(f"{API}/featured"))) == ["Featured", "Featured live"]


def test_the_short_lists_filter_by_game():
    TournamentFactory(name="Valorant night")
    TournamentFactory(name="eFootball night", game_id=game_id(SOLO_GAME))
    assert _names(Client().get(f"{API}/upcoming", {"game": SOLO_GAME})) == ["eFootball night"]
