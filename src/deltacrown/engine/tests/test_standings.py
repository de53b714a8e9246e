"""Standings: tiebreakers per format, explanations, live standings and the total order."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deltacrown.engine import (
    InvalidConfiguration,
    ParticipantStatus,
    Result,
    Stage,
    report,
    standings,
)
from deltacrown.engine.tests.helpers import advance, build


def _play(stage: Stage, winner: str, loser: str, scores: tuple[int, int] = (1, 0)) -> Stage:
    """Report the match between winner and loser: winner scores scores[0]."""
    match = next(m for m in stage.iter_matches() if set(m.participants) == {winner, loser})
    ordered = scores if match.participants[0] == winner else (scores[1], scores[0])
    return report(stage, match.id, Result.win(winner, scores=ordered)).stage


def test_round_robin_ties_are_split_by_head_to_head():
    stage = build(4, format="round_robin")
    for winner, loser in [("1", "2"), ("2", "3"), ("3", "4"), ("4", "1"), ("1", "3"), ("2", "4")]:
        stage = _play(stage, winner, loser)
    table = standings(stage)
    assert [(r.rank, r.participant) for r in table.rows] == [(1, "1"), (2, "2"), (3, "3"), (4, "4")]
    assert table.row("2").decided_by == "head_to_head"
    assert table.row("3").decided_by == "points"
    assert table.row("4").decided_by == "head_to_head"
    assert table.final


def test_round_robin_circular_ties_fall_to_score_difference_then_score_for():
    stage = build(4, format="round_robin")
    for winner, loser, scores in [
        ("1", "2", (2, 1)),
        ("2", "3", (3, 0)),
        ("3", "1", (1, 0)),
        ("1", "4", (1, 0)),
        ("2", "4", (1, 0)),
        ("3", "4", (5, 0)),
    ]:
        stage = _play(stage, winner, loser, scores)
    table = standings(stage)
    assert [r.participant for r in table.rows] == ["3", "2", "1", "4"]
    comparison = table.compare("2", "3")
    assert (comparison.ahead, comparison.criterion, comparison.values) == ("3", "score_for", (6, 5))
    assert table.compare("1", "2").criterion == "score_difference"
    assert table.row("3").stats["score_difference"] == 3


def test_round_robin_participants_level_on_everything_are_split_by_seed():
    stage = build(2, format="round_robin")
    stage = report(stage, "R1.1", Result.draw(scores=(2, 2))).stage
    table = standings(stage)
    assert [r.participant for r in table.rows] == ["1", "2"]
    assert table.rows[1].decided_by == "seed"


def test_swiss_ties_are_split_by_buchholz_and_sonneborn_berger():
    stage = build(4, format="swiss")
    stage = _play(stage, "1", "3")
    stage = _play(stage, "4", "2")
    stage = _play(stage, "1", "4")
    draw = next(m for m in stage.iter_matches() if set(m.participants) == {"2", "3"})
    stage = report(stage, draw.id, Result.draw()).stage
    table = standings(stage)
    assert [r.participant for r in table.rows] == ["1", "4", "3", "2"]
    stats = {r.participant: r.stats for r in table.rows}
    assert {p: s["buchholz"] for p, s in stats.items()} == {"1": 4, "4": 7, "3": 7, "2": 4}
    assert {p: s["sonneborn_berger"] for p, s in stats.items()} == {
        "1": 4, "4": 1, "3": 0.5, "2": 0.5,
    }  # fmt: skip
    assert table.compare("2", "3").criterion == "buchholz"


def test_live_elimination_standings_rank_those_still_in_above_those_out():
    stage = build(4, format="single_elimination")
    stage = report(stage, "W1.1", Result.win("1")).stage
    table = standings(stage)
    assert not table.final
    assert table.row("4").status is ParticipantStatus.ELIMINATED
    assert table.row("2").status is ParticipantStatus.COMPETING
    assert table.compare("2", "4").criterion == "still_in"
    assert table.row("4").rank == 4


def test_group_tables_are_available_for_stages_with_groups():
    stage = build(8, format="round_robin", groups=2)
    group = standings(stage, group="group-2")
    assert sorted(r.participant for r in group.rows) == sorted(stage.groups[1])
    with pytest.raises(InvalidConfiguration):
        standings(stage, group="group-3")
    with pytest.raises(InvalidConfiguration):
        standings(build(4, format="single_elimination"), group="group-1")


FORMATS = [
    {"format": "single_elimination", "third_place": True},
    {"format": "double_elimination", "grand_final": "reset"},
    {"format": "round_robin"},
    {"format": "round_robin", "groups": 2},
    {"format": "swiss"},
    {"format": "groups_playoffs", "groups": 2},
    {"format": "battle_royale", "lobby_size": 4},
]


@settings(max_examples=60, deadline=None)
@given(
    options=st.sampled_from(FORMATS),
    count=st.integers(4, 48),
    rng_seed=st.integers(0, 2**16),
    steps=st.integers(0, 400),
)
def test_standings_are_a_total_order_of_all_participants_live_and_final(
    options, count, rng_seed, steps
):
    stage = build(count, **options)
    rng = random.Random(rng_seed)
    stage = advance(stage, rng, steps)  # anywhere from the start to the end
    table = standings(stage)
    participants = [r.participant for r in table.rows]
    assert sorted(participants) == sorted(stage.participants)
    assert table.final == stage.finished
    for position, row in enumerate(table.rows):
        # Standard competition ranking: 1 + how many are strictly ahead.
        ahead = sum(1 for other in table.rows if other.keys != row.keys and other.rank < row.rank)
        assert row.rank == ahead + 1
        if position:
            previous = table.rows[position - 1]
            assert previous.rank <= row.rank
            comparison = table.compare(previous.participant, row.participant)
            if previous.rank == row.rank:
                assert comparison.tied
                assert row.decided_by is None
            else:
                assert comparison.ahead == previous.participant
                assert comparison.criterion == row.decided_by
