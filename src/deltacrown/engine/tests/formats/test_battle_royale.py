"""Battle royale: lobby rotation, placement and kill points, and lobby results."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deltacrown.engine import (
    InvalidResult,
    LobbyResult,
    MatchStatus,
    ParticipantStatus,
    Result,
    report,
    simulate,
    standings,
    withdraw,
)
from deltacrown.engine.tests.helpers import build, names


@settings(max_examples=40, deadline=None)
@given(count=st.integers(2, 256), lobby_size=st.integers(2, 100), rounds=st.integers(1, 6))
def test_every_round_seats_everyone_once_in_lobbies_of_at_most_l(count, lobby_size, rounds):
    stage = build(count, format="battle_royale", lobby_size=lobby_size, rounds=rounds)
    for rnd in range(1, rounds + 1):
        lobbies = [m for m in stage.iter_matches() if m.round == rnd]
        seated = [p for m in lobbies for p in m.participants]
        assert sorted(seated) == sorted(names(count))
        sizes = [len(m.participants) for m in lobbies]
        assert max(sizes) <= lobby_size
        assert max(sizes) - min(sizes) <= 1
        assert len(lobbies) == -(-count // lobby_size)


def test_lobbies_mix_from_round_to_round():
    stage = build(49, format="battle_royale", lobby_size=7, rounds=7)
    together = Counter()
    for match in stage.iter_matches():
        members = sorted(match.participants, key=int)
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                together[(a, b)] += 1
    # Seven lobbies (a prime number): two players share a lobby in at most one round unless
    # they started in the same row of the seating grid.
    assert max(together.values()) <= 7
    assert sum(1 for n in together.values() if n == 1) > len(together) * 0.8


def test_placement_and_kill_points_add_up():
    stage = build(4, format="battle_royale", lobby_size=4, rounds=1)
    update = report(stage, "BR1.1", LobbyResult(("3", "1", "4", "2"), kills=(5, 0, 2, 1)))
    rows = {r.participant: r for r in standings(update.stage).rows}
    assert rows["3"].stats["points"] == 12 + 5
    assert rows["1"].stats["points"] == 9
    assert rows["4"].stats["points"] == 7 + 2
    assert rows["2"].stats["points"] == 5 + 1
    assert [r.participant for r in standings(update.stage).rows] == ["3", "4", "1", "2"]
    assert update.finished


def test_custom_points_tables_are_used():
    stage = build(3, format="battle_royale", rounds=1, placement_points=(3, 1), kill_points=2)
    update = report(stage, "BR1.1", LobbyResult(("2", "3", "1"), kills=(0, 1, 4)))
    rows = {r.participant: r.stats["points"] for r in standings(update.stage).rows}
    assert rows == {"2": 3, "3": 1 + 2, "1": 0 + 8}


def test_a_lobby_result_must_list_the_lobby_exactly():
    stage = build(4, format="battle_royale", lobby_size=4, rounds=1)
    with pytest.raises(InvalidResult, match="exactly once"):
        report(stage, "BR1.1", LobbyResult(("1", "2", "3")))
    with pytest.raises(InvalidResult, match="kill count"):
        report(stage, "BR1.1", LobbyResult(("1", "2", "3", "4"), kills=(1, 2)))
    with pytest.raises(InvalidResult, match="LobbyResult"):
        report(stage, "BR1.1", Result.win("1"))


def test_a_withdrawn_player_leaves_the_lobbies_still_to_play():
    stage = build(6, format="battle_royale", lobby_size=3, rounds=2)
    first = next(m for m in stage.iter_matches() if "1" in m.participants)
    placements = tuple(sorted(first.participants, key=int))
    stage = report(stage, first.id, LobbyResult(placements)).stage
    update = withdraw(stage, "1")
    later = [m for m in update.stage.iter_matches() if m.round == 2]
    assert all("1" not in m.participants for m in later)
    assert update.stage.matches[first.id].status is MatchStatus.COMPLETED
    assert standings(update.stage).row("1").status is ParticipantStatus.WITHDRAWN


def test_ties_on_points_are_split_by_kills_then_round_wins_then_best_placement():
    stage = build(4, format="battle_royale", lobby_size=4, rounds=1, placement_points=(2, 2, 1, 1))
    stage = report(stage, "BR1.1", LobbyResult(("1", "2", "3", "4"))).stage
    table = standings(stage)
    assert [r.participant for r in table.rows] == ["1", "2", "3", "4"]
    assert table.compare("2", "1").criterion == "round_wins"
    assert table.compare("2", "3").criterion == "points"
    assert table.compare("3", "4").criterion == "best_placement"
    assert table.compare("4", "3").values == (3, 4)

    no_kill_points = build(
        2, format="battle_royale", rounds=1, placement_points=(1, 1), kill_points=0
    )
    stage = report(no_kill_points, "BR1.1", LobbyResult(("1", "2"), kills=(0, 3))).stage
    table = standings(stage)
    assert [r.participant for r in table.rows] == ["2", "1"]
    assert table.rows[1].decided_by == "kills"


@settings(max_examples=20, deadline=None)
@given(count=st.integers(2, 200), rng_seed=st.integers(0, 1000))
def test_a_simulated_battle_royale_ranks_everyone(count, rng_seed):
    result = simulate(build(count, format="battle_royale"), rng_seed)
    rows = standings(result.stage).rows
    assert [r.rank for r in rows] == list(range(1, count + 1))
    assert all(result.stage.matches[m].winner is None for m in result.played)
