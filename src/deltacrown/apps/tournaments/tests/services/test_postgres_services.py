"""Tournaments on real PostgreSQL: racing lifecycle transitions, and full-text search."""

from __future__ import annotations

import contextlib
import itertools
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client

from deltacrown.apps.tournaments import selectors, services
from deltacrown.apps.tournaments.data import TRANSITIONS, TournamentStatus, tournament_stream
from deltacrown.apps.tournaments.errors import InvalidTransition
from deltacrown.apps.tournaments.models import Tournament
from deltacrown.apps.tournaments.tests.factories import (
    API,
    TournamentFactory,
    UserFactory,
    create_tournament,
    game_id,
)
from deltacrown.kernel import clock, events

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

S = TournamentStatus
START = datetime(2031, 9, 1, 18, tzinfo=UTC)
THREADS = 6


def _require_postgres() -> None:
    assert connection.vendor == "postgresql", "set DATABASE_URL to a PostgreSQL database"


def _published(organizer, count: int) -> list[Tournament]:
    with clock.frozen(START - timedelta(days=10)):
        return [
            create_tournament(
                organizer,
                S.PUBLISHED,
                name=f"Race {i}",
                schedule={
                    "registration_opens_at": START - timedelta(days=6),
                    "registration_closes_at": START - timedelta(days=1),
                    "starts_at": START,
                },
            )
            for i in range(count)
        ]


def _in_threads(work, count: int = THREADS) -> list:
    barrier = threading.Barrier(count)

    def run(index: int):
        barrier.wait()
        try:
            return work(index)
        finally:
            connection.close()  # each thread has its own connection; end it

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(run, range(count)))


def test_racing_scheduler_runs_move_each_tournament_once_per_step():
    _require_postgres()
    tournaments = _published(UserFactory(), 5)
    with clock.frozen(START + timedelta(minutes=1)):
        moved = _in_threads(lambda _: services.tournaments_advance_scheduled())
    assert sum(moved) == 5 * 4
    for tournament in tournaments:
        assert Tournament.objects.get(pk=tournament.pk).status == S.LIVE
        names = [e.name for e in events.events_after(tournament_stream(tournament.pk), 0)]
        assert names == [
            "tournament.created",
            "tournament.published",
            "tournament.registration_open",
            "tournament.registration_closed",
            "tournament.check_in",
            "tournament.live",
        ]


def test_an_organizer_racing_the_clock_leaves_one_consistent_history():
    _require_postgres()
    organizer = UserFactory()
    tournaments = _published(organizer, 4)

    def act(index: int) -> None:
        if index % 2:
            services.tournaments_advance_scheduled()
            return
        for tournament in tournaments:
            # Another organizer thread may have cancelled it first.
            with contextlib.suppress(InvalidTransition):
                services.tournament_transition(
                    actor=organizer, tournament_id=tournament.pk, to=S.CANCELLED
                )

    with clock.frozen(START - timedelta(days=3)):
        _in_threads(act, 4)
    for tournament in tournaments:
        assert Tournament.objects.get(pk=tournament.pk).status == S.CANCELLED
        history = events.events_after(tournament_stream(tournament.pk), 0)
        steps = [(e.data["from"], e.data["to"]) for e in history if "to" in e.data]
        assert steps[-1][1] == "cancelled"
        assert steps.count(("published", "registration_open")) <= 1
        for (current, target), (following, _) in itertools.pairwise(steps):
            assert target == following  # each step starts where the previous one ended
            assert S(target) in TRANSITIONS[S(current)]


# --- full-text search --------------------------------------------------------------------------


def _search(q: str, **query) -> list[str]:
    response = Client().get(API, {"q": q, **query})
    assert response.status_code == 200, response.content
    return [item["name"] for item in response.json()["items"]]


def test_full_text_search_matches_prefixes_and_ranks_names_above_descriptions():
    _require_postgres()
    TournamentFactory(name="Crown Invitational", description="Eight invited teams")
    TournamentFactory(name="Autumn Brawl", description="Part of the crown series")
    TournamentFactory(name="Crowned Heads", description="Royalty only")
    TournamentFactory(name="Unrelated", description="Nothing here")
    TournamentFactory(name="Draft crown", status=S.DRAFT)
    assert _search("crown")[-1] == "Autumn Brawl"  # a description match ranks last
    assert set(_search("crown")) == {"Crown Invitational", "Autumn Brawl", "Crowned Heads"}
    assert _search("invit") == ["Crown Invitational"]
    assert _search("crown series") == ["Autumn Brawl"]
    assert _search("royalty crown") == ["Crowned Heads"]
    assert _search("nothing-matches-this") == []


def test_full_text_search_also_matches_the_game_name():
    _require_postgres()
    TournamentFactory(name="Friday Night", game_id=game_id("cs2"))
    TournamentFactory(name="Saturday Night", game_id=game_id("valorant"))
    assert _search("counter") == ["Friday Night"]
    assert _search("counter night") == ["Friday Night"]
    assert sorted(_search("night")) == ["Friday Night", "Saturday Night"]


def test_relevance_pages_are_stable():
    _require_postgres()
    for i in range(7):
        TournamentFactory(name=f"League match {i}", description="league " * (i % 3))
    seen: list[str] = []
    cursor = None
    while True:
        body = (
            Client()
            .get(API, {"q": "league", "limit": 2, **({"cursor": cursor} if cursor else {})})
            .json()
        )
        seen += [item["name"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(f"League match {i}" for i in range(7))
    assert len(seen) == 7


@pytest.mark.parametrize("term", ["indexed", "counter"])  # "counter" also names a game
def test_search_uses_the_gin_index(term):
    _require_postgres()
    TournamentFactory(name="Indexed Cup")
    # The search condition alone: with sequential scans off, only an index whose expression is
    # exactly the searched document can answer it (OR-ed with the game_id index for games).
    queryset = selectors._search(Tournament.objects.all(), [term])
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        try:
            sql, params = queryset.query.sql_with_params()
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        finally:
            cursor.execute("RESET enable_seqscan")
    assert "tournaments_search_gin" in plan
    assert "Seq Scan" not in plan
