"""Swiss system: pairing by score groups, no rematches, byes, sides, rounds and withdrawals."""

from __future__ import annotations

import math
from collections import Counter

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from deltacrown.engine import (
    InvalidConfiguration,
    MatchStatus,
    ParticipantStatus,
    Result,
    report,
    simulate,
    standings,
    withdraw,
)
from deltacrown.engine.formats.swiss import max_rounds
from deltacrown.engine.tests.helpers import build, counts, names


def _round(stage, rnd):
    return [m for m in stage.iter_matches() if m.round == rnd]


def test_round_one_pairs_the_top_half_against_the_bottom_half():
    stage = build(8, format="swiss")
    assert [set(m.participants) for m in _round(stage, 1)] == [
        {"1", "5"}, {"2", "6"}, {"3", "7"}, {"4", "8"},
    ]  # fmt: skip
    assert len(stage.ready) == 4


def test_an_odd_field_gives_the_bye_to_the_lowest_ranked_and_it_counts_as_a_win():
    stage = build(5, format="swiss")
    bye = _round(stage, 1)[-1]
    assert bye.status is MatchStatus.BYE
    assert bye.participants == ("5",)
    assert standings(stage).row("5").stats["points"] == 3


def test_the_next_round_is_paired_within_score_groups_once_the_round_is_decided():
    stage = build(8, format="swiss")
    for match in _round(stage, 1)[:-1]:
        stage = report(stage, match.id, Result.win(min(match.participants, key=int))).stage
    assert not _round(stage, 2)
    last = _round(stage, 1)[-1]
    update = report(stage, last.id, Result.win(min(last.participants, key=int)))
    second = _round(update.stage, 2)
    assert set(update.ready) == {m.id for m in second}
    # Winners (1-4) meet winners, losers (5-8) meet losers, top half v bottom half.
    assert [set(m.participants) for m in second] == [
        {"1", "3"}, {"2", "4"}, {"5", "7"}, {"6", "8"},
    ]  # fmt: skip


def test_sides_go_to_whoever_played_less_on_side_one():
    stage = build(6, format="swiss", rounds=3)
    seen = Counter()
    stage = simulate(stage, 11).stage
    for match in stage.iter_matches():
        first, second = match.participants
        seen[first] += 1
        seen[second] -= 1
    assert all(abs(v) <= 1 for v in seen.values())


def test_default_rounds_are_the_ceiling_of_log2_n():
    for count in (2, 5, 8, 9, 33):
        played = simulate(build(count, format="swiss"), 1).stage
        assert max(m.round for m in played.iter_matches()) == max(1, math.ceil(math.log2(count)))


def test_too_many_rounds_are_refused():
    with pytest.raises(InvalidConfiguration, match="1 to 3 rounds"):
        build(6, format="swiss", rounds=4)


def test_a_withdrawn_player_forfeits_and_is_no_longer_paired():
    stage = build(6, format="swiss")
    update = withdraw(stage, "1")
    forfeited = update.stage.matches["S1.1"]
    assert (forfeited.result.outcome, forfeited.result.winner) == ("forfeit", "4")
    final = simulate(update.stage, 2).stage
    later = [m for m in final.iter_matches() if m.round > 1]
    assert all("1" not in m.participants for m in later)
    assert standings(final).row("1").status is ParticipantStatus.WITHDRAWN


@settings(max_examples=40, deadline=None)
@given(count=counts(2), rng_seed=st.integers(0, 2**16), extra=st.booleans())
@example(count=256, rng_seed=0, extra=False)
@example(count=64, rng_seed=0, extra=True)
def test_swiss_never_repeats_a_pairing_and_gives_at_most_one_bye(count, rng_seed, extra):
    # The most rounds allowed, on fields small enough to keep the suite fast.
    rounds = max_rounds(count) if extra and count <= 64 else None
    stage = build(count, format="swiss", rounds=rounds)
    result = simulate(stage, rng_seed)
    final = result.stage
    assert final.finished
    pairs = [frozenset(final.matches[m].participants) for m in result.played]
    assert len(pairs) == len(set(pairs))
    byes = [m.participants[0] for m in final.iter_matches() if m.status is MatchStatus.BYE]
    assert len(byes) == len(set(byes))
    for rnd in {m.round for m in final.iter_matches()}:
        players = [p for m in final.iter_matches() if m.round == rnd for p in m.participants]
        assert sorted(players) == sorted(names(count))  # everyone exactly once per round
    rows = standings(final).rows
    assert [r.rank for r in rows] == list(range(1, count + 1))
