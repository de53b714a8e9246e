"""Single elimination: structure, byes, standard seeding, third place and match counts."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from deltacrown.engine import (
    DrawNotAllowed,
    InvalidConfiguration,
    MatchStatus,
    Result,
    report,
    simulate,
    standings,
)
from deltacrown.engine.tests.helpers import better_seed_wins, build, counts, play


def test_sixteen_players_open_with_one_v_sixteen_and_eight_v_nine():
    stage = build(16, format="single_elimination")
    first = [m.participants for m in stage.iter_matches() if m.round == 1]
    assert first[:2] == [("1", "16"), ("8", "9")]
    assert all(stage.matches[m].status is MatchStatus.READY for m in stage.ready)
    assert len(stage.ready) == 8


def test_byes_advance_the_top_seeds_at_once():
    stage = build(6, format="single_elimination")
    byes = [m for m in stage.iter_matches() if m.status is MatchStatus.BYE]
    assert [m.participants for m in byes] == [("1", None), ("2", None)]
    # The bye winners already sit in round 2, waiting for their opponents.
    assert stage.matches["W2.1"].participants == ("1", None)
    assert stage.matches["W2.2"].participants == ("2", None)
    assert set(stage.ready) == {"W1.2", "W1.4"}


def test_when_the_better_seed_always_wins_the_top_seeds_reach_the_last_rounds():
    stage, _ = play(build(32, format="single_elimination"), better_seed_wins)
    final = stage.matches["W5.1"]
    assert set(final.participants) == {"1", "2"}
    assert {p for m in stage.iter_matches() if m.round == 4 for p in m.participants} == {
        "1", "2", "3", "4",
    }  # fmt: skip
    assert standings(stage).rows[0].participant == "1"


def test_winner_goes_to_the_linked_slot_and_the_loser_is_eliminated():
    stage = build(4, format="single_elimination")
    match = stage.matches["W1.1"]
    assert (match.winner_to.match, match.winner_to.slot) == ("W2.1", 0)
    update = report(stage, "W1.1", Result.win("4", scores=(1, 2)))
    assert update.eliminated == ("1",)
    assert update.stage.matches["W2.1"].participants == ("4", None)
    assert [(a.participant, a.match, a.slot) for a in update.advanced] == [("4", "W2.1", 0)]
    assert update.ready == ()
    update = report(update.stage, "W1.2", Result.win("2"))
    assert update.ready == ("W2.1",)
    assert not update.finished
    update = report(update.stage, "W2.1", Result.from_scores(3, 1))
    assert update.finished
    assert update.eliminated == ("2",)


def test_a_draw_is_refused_in_elimination():
    stage = build(4, format="single_elimination")
    with pytest.raises(DrawNotAllowed):
        report(stage, "W1.1", Result.draw())
    with pytest.raises(DrawNotAllowed):
        report(stage, "W1.1", Result.from_scores(1, 1))


def test_third_place_match_is_played_by_the_semi_final_losers():
    stage, _ = play(build(8, format="single_elimination", third_place=True), better_seed_wins)
    third = stage.matches["3P"]
    assert set(third.participants) == {"3", "4"}
    assert third.group == "third_place"
    table = standings(stage)
    assert [(r.rank, r.participant) for r in table.rows[:4]] == [
        (1, "1"), (2, "2"), (3, "3"), (4, "4"),
    ]  # fmt: skip


def test_without_a_third_place_match_the_semi_final_losers_share_third():
    stage, _ = play(build(8, format="single_elimination"), better_seed_wins)
    ranks = [(r.rank, r.participant) for r in standings(stage).rows]
    assert ranks[:4] == [(1, "1"), (2, "2"), (3, "3"), (3, "4")]
    assert [r.rank for r in standings(stage).rows[4:]] == [5, 5, 5, 5]


def test_a_third_place_match_needs_three_participants():
    with pytest.raises(InvalidConfiguration, match="third-place"):
        build(2, format="single_elimination", third_place=True)


def test_two_participants_play_one_final():
    stage, updates = play(build(2, format="single_elimination"), better_seed_wins)
    assert len(updates) == 1
    assert stage.finished


@settings(max_examples=40, deadline=None)
@given(count=counts(2), rng_seed=st.integers(0, 2**16), third=st.booleans())
@example(count=256, rng_seed=1, third=True)
def test_single_elimination_plays_exactly_n_minus_one_matches(count, rng_seed, third):
    stage = build(count, format="single_elimination", third_place=third and count >= 3)
    played = simulate(stage, rng_seed).played
    expected = count - 1 + (1 if third and count >= 4 else 0)
    assert len(played) == expected
    assert len(set(played)) == len(played)
