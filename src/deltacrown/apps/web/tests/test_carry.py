"""Tabs carried forward across live scores: the same markup a full drawing gives, read cheaply,
and a full drawing whenever carrying would not be exact."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from django.apps import apps
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from deltacrown.apps.competition import api as competition
from deltacrown.apps.competition.tests.factories import frozen_play
from deltacrown.apps.web.pages import carry
from deltacrown.apps.web.pages.common import PANEL_CACHE_SECONDS
from deltacrown.apps.web.tests.helpers import Cup
from deltacrown.kernel import clock, events

pytestmark = pytest.mark.django_db

TABS = ("overview", "participants", "bracket", "standings", "matches")


@pytest.fixture(autouse=True)
def playing() -> Iterator[clock.FrozenClock]:
    with frozen_play() as frozen:
        yield frozen


def _fragment(cup: Cup, tab: str) -> str:
    """The tab's live region as htmx fetches it."""
    response = Client().get(f"/tournaments/{cup.slug}/{tab}/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return response.content.decode()


def _drawn_afresh(cup: Cup, tab: str) -> str:
    cache.clear()
    return _fragment(cup, tab)


def _live_match(cup: Cup) -> dict:
    match = cup.ready()[0]
    cup.start(match)
    return match


def _carried_and_afresh(cup: Cup, tab: str, change) -> tuple[str, str, list[dict]]:
    """The tab after ``change`` carried from its drawing before, the queries that took, and
    the tab drawn afresh."""
    _fragment(cup, tab)  # drawn, and remembered
    change()
    with CaptureQueriesContext(connection) as queries:
        carried = _fragment(cup, tab)
    # Read now: the next request empties the connection's log.
    captured = queries.captured_queries
    return carried, _drawn_afresh(cup, tab), captured


@pytest.mark.parametrize("tab", TABS)
def test_live_scores_carry_every_tab_forward_exactly(tab):
    cup = Cup(16, "double_elimination")
    match = _live_match(cup)
    cup.score(match, 1, [1, 0])

    def scores() -> None:
        cup.score(match, 2, [3, 1])
        cup.score(match, 3, [4, 1])

    carried, afresh, _ = _carried_and_afresh(cup, tab, scores)
    assert carried == afresh
    if tab in ("bracket", "matches"):
        assert ">4</span>" in carried


def test_a_large_bracket_carried_forward_reads_only_the_scored_match():
    cup = Cup(128, "double_elimination")
    match = _live_match(cup)
    cup.score(match, 1, [1, 0])
    carried, afresh, queries = _carried_and_afresh(
        cup, "bracket", lambda: cup.score(match, 2, [2, 0])
    )
    assert carried == afresh
    match_reads = [q["sql"] for q in queries if 'FROM "competition_match" ' in q["sql"]]
    assert match_reads, "the scored match is read"
    # The scored match by id and the matches it links to by key: never the stage's 255.
    assert all('"id" IN' in sql or '"key" IN' in sql for sql in match_reads), match_reads


@pytest.mark.parametrize("format", ["swiss", "round_robin"])
def test_match_rows_of_swiss_and_round_robin_carry_forward(format):
    cup = Cup(8, format)
    match = _live_match(cup)
    carried, afresh, _ = _carried_and_afresh(cup, "bracket", lambda: cup.score(match, 1, [7, 5]))
    assert carried == afresh
    assert ">7</span>" in carried


def test_a_result_draws_the_tab_again():
    cup = Cup(8, "single_elimination")
    match = _live_match(cup)
    before = _fragment(cup, "bracket")
    drawn = cache.get(carry.latest_key(cup.tournament.pk, "bracket", cup.stage["id"]))
    assert drawn is not None
    assert drawn.markup in before
    carried, afresh, _ = _carried_and_afresh(cup, "bracket", lambda: cup.play(match, [2, 1]))
    assert carried == afresh
    after = cache.get(carry.latest_key(cup.tournament.pk, "bracket", cup.stage["id"]))
    assert after.drawn_at > drawn.drawn_at  # not carried: drawn again


def _plant(cup: Cup, markup: str, *, drawn_at: float, chain: str | None = None) -> None:
    """Make ``markup`` the bracket's latest drawing, at the stream's head (on ``chain`` if
    given, else on the stream's own)."""
    seq, head_hash = events.stream_head(f"tournament:{cup.tournament.pk}")
    cache.clear()
    cache.set(
        carry.latest_key(cup.tournament.pk, "bracket", cup.stage["id"]),
        carry.Drawn(seq=seq, hash=chain or head_hash, markup=markup, drawn_at=drawn_at),
    )


def test_only_young_markup_of_the_same_chain_is_carried():
    cup = Cup(8, "single_elimination")
    match = _live_match(cup)
    young, old = time.time(), time.time() - PANEL_CACHE_SECONDS - 1

    # The planted markup has no card of the match: carried, it stays as it is.
    _plant(cup, "<p>planted</p>", drawn_at=young)
    cup.score(match, 1, [1, 0])
    assert "planted" in _fragment(cup, "bracket")

    # A cache that outlived its database: the same seq on another chain.
    _plant(cup, "<p>planted</p>", drawn_at=young, chain="0" * 64)
    cup.score(match, 2, [2, 0])
    assert "planted" not in _fragment(cup, "bracket")

    # Drawn longer ago than a tab is kept: names may have changed since.
    _plant(cup, "<p>planted</p>", drawn_at=old)
    cup.score(match, 3, [3, 0])
    assert "planted" not in _fragment(cup, "bracket")


def test_a_lobby_table_is_never_patched():
    cup = Cup(8, "battle_royale", {"lobby_size": 8})
    lobby = cup.ready()[0]
    markup = _fragment(cup, "bracket")
    assert f'data-m="{lobby["id"]}"' in markup
    drawn = cache.get(carry.latest_key(cup.tournament.pk, "bracket", cup.stage["id"]))
    views = competition.match_views(cup.tournament.pk, match_ids=[lobby["id"]])
    assert [view.id for view in views] == [lobby["id"]]
    assert carry.redraw(drawn.markup, views, [lobby["id"]]) is None


def _full_read(stage_id: int):
    """The stage read in full: inside a transaction nothing is kept or reused."""
    with transaction.atomic():
        return competition.stage_view(stage_id)


@pytest.mark.django_db(transaction=True)
def test_a_stage_read_again_reads_only_the_matches_written_since():
    cup = Cup(16, "double_elimination")
    stage_id = cup.stage["id"]
    first = competition.stage_view(stage_id)  # kept for the next read
    assert first == _full_read(stage_id)

    cup.play(cup.ready()[0], [2, 1])  # the winner and the loser move on
    with CaptureQueriesContext(connection) as queries:
        after = competition.stage_view(stage_id)
    assert after == _full_read(stage_id)
    assert after != first
    full_rows = [q["sql"] for q in queries.captured_queries if "sources_json" in q["sql"]]
    assert full_rows, "the written matches are read"
    assert all('"id" IN' in sql for sql in full_rows), full_rows  # never all 30

    # A participant renamed (no match written): everything is read again.
    participant = cup.participants[0]
    participants = apps.get_model("competition", "Participant").objects
    participants.filter(pk=participant["id"]).update(name="Renamed Racer")
    renamed = competition.stage_view(stage_id)
    assert renamed == _full_read(stage_id)
    assert "Renamed Racer" in {s.name for r in renamed.rounds for m in r.matches for s in m.slots}
