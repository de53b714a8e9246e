"""Round robin: circle-method schedules, cycles, groups, sides and draws."""

from __future__ import annotations

from collections import Counter
from itertools import combinations

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
from deltacrown.engine.tests.helpers import build, counts, names


@settings(max_examples=20, deadline=None)
@given(count=counts(2), cycles=st.integers(1, 2))
@example(count=256, cycles=2)
def test_every_pair_meets_once_per_cycle_and_nobody_plays_twice_in_a_round(count, cycles):
    stage = build(count, format="round_robin", cycles=cycles)
    matches = list(stage.iter_matches())
    assert len(matches) == cycles * count * (count - 1) // 2
    pairs = Counter(frozenset(m.participants) for m in matches)
    assert set(pairs.values()) == {cycles}
    assert len(pairs) == count * (count - 1) // 2
    by_round: dict[int, list[str]] = {}
    for match in matches:
        by_round.setdefault(match.round, []).extend(match.participants)  # type: ignore[arg-type]
    assert all(len(players) == len(set(players)) for players in by_round.values())
    assert all(m.status is MatchStatus.READY for m in matches)


@settings(max_examples=30, deadline=None)
@given(count=st.integers(2, 64))
def test_sides_are_balanced_within_one_game_per_cycle(count):
    stage = build(count, format="round_robin")
    balance = Counter()
    for match in stage.iter_matches():
        first, second = match.participants
        balance[first] += 1
        balance[second] -= 1
    assert max(abs(balance[p]) for p in names(count)) <= 1


def test_the_second_cycle_swaps_sides():
    stage = build(4, format="round_robin", cycles=2)
    first = [m.participants for m in stage.iter_matches() if m.round <= 3]
    second = [m.participants for m in stage.iter_matches() if m.round > 3]
    assert second == [(b, a) for a, b in first]


def test_groups_are_dealt_snake_wise_and_scheduled_separately():
    stage = build(12, format="round_robin", groups=3)
    assert stage.groups == (("1", "6", "7", "12"), ("2", "5", "8", "11"), ("3", "4", "9", "10"))
    labels = Counter(m.group for m in stage.iter_matches())
    assert labels == {"group-1": 6, "group-2": 6, "group-3": 6}
    assert stage.matches["G2-R1.1"].participants == ("2", "11")


def test_draws_count_for_both_and_can_be_switched_off():
    stage = build(3, format="round_robin")
    match = next(stage.iter_matches())
    update = report(stage, match.id, Result.from_scores(1, 1))
    rows = {r.participant: r for r in standings(update.stage).rows}
    assert rows[match.participants[0]].stats["draws"] == 1
    assert rows[match.participants[0]].stats["points"] == 1
    strict = build(3, format="round_robin", allow_draws=False)
    with pytest.raises(Exception, match="draw"):
        report(strict, match.id, Result.draw())


def test_a_withdrawn_participant_forfeits_every_remaining_game():
    stage = build(4, format="round_robin")
    first = next(m for m in stage.iter_matches() if "1" in m.participants)
    other = first.participants[1] if first.participants[0] == "1" else first.participants[0]
    stage = report(stage, first.id, Result.win(other)).stage
    update = withdraw(stage, "1")
    forfeited = [m for m in update.changed if "1" in m.participants]
    assert len(forfeited) == 2
    assert all(m.result.outcome == "forfeit" and m.result.loser == "1" for m in forfeited)
    assert all(m.result.auto for m in forfeited)
    row = standings(update.stage).row("1")
    assert row.status is ParticipantStatus.WITHDRAWN
    assert row.stats["losses"] == 3


def test_round_robin_group_count_must_leave_two_per_group():
    with pytest.raises(InvalidConfiguration, match="at least 2 participants"):
        build(5, format="round_robin", groups=3)


def test_simulated_round_robin_finishes_with_every_game_played():
    stage = build(9, format="round_robin", groups=2)
    result = simulate(stage, 5)
    assert result.stage.finished
    assert len(result.played) == 4 * 3 // 2 + 5 * 4 // 2
    played_pairs = {frozenset(result.stage.matches[m].participants) for m in result.played}
    for group in stage.groups:
        assert all(frozenset(p) in played_pairs for p in combinations(group, 2))
