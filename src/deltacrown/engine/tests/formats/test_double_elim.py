"""Double elimination: losers bracket drop-ins, grand final variants and match counts."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from deltacrown.engine import (
    GrandFinal,
    InvalidConfiguration,
    MatchStatus,
    Result,
    SourceKind,
    report,
    simulate,
    standings,
)
from deltacrown.engine.formats.double_elim import default_loser_orderings
from deltacrown.engine.tests.helpers import better_seed_wins, build, counts, names, play


def _through_to_grand_final(count: int, grand_final: str):
    """Play everything but the grand final with the better seed winning."""
    stage = build(count, format="double_elimination", grand_final=grand_final)
    while ready := [m for m in stage.ready if not m.startswith("GF")]:
        stage = report(stage, ready[0], better_seed_wins(stage, stage.matches[ready[0]])).stage
    return stage


def test_winners_losers_drop_into_the_losers_bracket():
    stage = build(8, format="double_elimination")
    link = stage.matches["W1.1"].loser_to
    assert link is not None
    assert link.match.startswith("L1.")
    update = report(stage, "W1.1", Result.win("1"))
    assert update.eliminated == ()
    assert "8" in update.stage.matches[link.match].participants


def test_a_loss_in_the_losers_bracket_eliminates():
    stage = build(4, format="double_elimination")
    stage = report(stage, "W1.1", Result.win("1")).stage
    stage = report(stage, "W1.2", Result.win("2")).stage
    update = report(stage, "L1.1", Result.win("3"))
    assert update.eliminated == ("4",)


def test_simple_grand_final_is_one_match_between_the_two_bracket_winners():
    stage = _through_to_grand_final(8, "simple")
    final = stage.matches["GF1"]
    assert final.participants == ("1", "2")
    update = report(stage, "GF1", Result.win("2"))
    assert update.finished
    assert [r.participant for r in standings(update.stage).rows[:2]] == ["2", "1"]


def test_reset_is_played_only_when_the_losers_finalist_wins_the_first_final():
    stage = _through_to_grand_final(8, "reset")
    won_by_winners_champion = report(stage, "GF1", Result.win("1"))
    assert won_by_winners_champion.finished
    assert won_by_winners_champion.stage.matches["GF2"].status is MatchStatus.VOID
    assert won_by_winners_champion.eliminated == ("2",)

    won_by_losers_champion = report(stage, "GF1", Result.win("2"))
    assert not won_by_losers_champion.finished
    assert won_by_losers_champion.eliminated == ()
    assert won_by_losers_champion.ready == ("GF2",)
    assert won_by_losers_champion.stage.matches["GF2"].participants == ("1", "2")
    last = report(won_by_losers_champion.stage, "GF2", Result.win("2"))
    assert last.finished
    assert last.eliminated == ("1",)
    assert [r.participant for r in standings(last.stage).rows[:2]] == ["2", "1"]


def test_without_a_grand_final_the_bracket_winners_are_first_and_second():
    stage, _ = play(build(8, format="double_elimination", grand_final="none"), better_seed_wins)
    assert not any(m.startswith("GF") for m in stage.matches)
    rows = standings(stage).rows
    assert [(r.rank, r.participant) for r in rows[:3]] == [(1, "1"), (2, "2"), (3, "3")]


def test_double_elimination_needs_three_participants():
    with pytest.raises(InvalidConfiguration, match="at least 3"):
        build(2, format="double_elimination")


def test_loser_orderings_can_be_chosen_per_winners_round():
    stage = build(8, format="double_elimination", loser_orderings=("natural", "natural"))
    # With natural drop-ins, the loser of W2.1 meets the survivor of L1.1 (its own region).
    assert stage.matches["W2.1"].loser_to.match == "L2.1"
    default = build(8, format="double_elimination")
    assert default.matches["W2.1"].loser_to.match == "L2.2"
    with pytest.raises(InvalidConfiguration, match="Unknown loser ordering"):
        build(8, format="double_elimination", loser_orderings=("sideways",))


def _possible_opponents(stage, match_id, cache):
    """Every participant who could possibly reach ``match_id`` (by seeds)."""
    if match_id not in cache:
        found = set()
        for source in stage.matches[match_id].sources:
            if source.kind is SourceKind.SEED:
                found.add(stage.participants[source.number - 1])
            elif source.kind in (SourceKind.WINNER, SourceKind.LOSER):
                found |= _possible_opponents(stage, source.match, cache)
        cache[match_id] = found
    return cache[match_id]


@pytest.mark.parametrize("count", [8, 16, 32, 64, 128, 256, 512, 1024])
def test_dropping_players_cannot_meet_a_former_opponent_before_the_losers_final(count):
    stage = build(count, format="double_elimination")
    cache: dict[str, set[str]] = {}
    last = f"L{2 * (count.bit_length() - 2)}.1"
    for match in stage.iter_matches(group="losers"):
        if match.round % 2 or match.id == last:
            continue
        survivor, dropping = match.sources
        # Everyone the dropping player can have played comes from its winners-bracket match's
        # region; the survivor side must come from elsewhere.
        region = _possible_opponents(stage, dropping.match, cache)
        assert not (_possible_opponents(stage, survivor.match, cache) & region), match.id


def test_default_loser_orderings_are_documented_per_bracket_size():
    assert default_loser_orderings(3) == ("natural", "reverse", "natural")
    assert default_loser_orderings(6) == (
        "natural", "pair_flip", "pair_flip", "reverse_half_shift", "reverse", "natural",
    )  # fmt: skip


@settings(max_examples=30, deadline=None)
@given(
    count=counts(3),
    rng_seed=st.integers(0, 2**16),
    grand_final=st.sampled_from([GrandFinal.SIMPLE, GrandFinal.RESET]),
)
@example(count=256, rng_seed=3, grand_final=GrandFinal.RESET)
def test_double_elimination_plays_2n_minus_2_or_with_a_reset_2n_minus_1(
    count, rng_seed, grand_final
):
    stage = build(count, format="double_elimination", grand_final=grand_final)
    result = simulate(stage, rng_seed)
    reset_played = result.stage.matches.get("GF2") is not None and (
        result.stage.matches["GF2"].status is MatchStatus.COMPLETED
    )
    assert len(result.played) == 2 * count - 2 + (1 if reset_played else 0)
    rows = standings(result.stage).rows
    assert sorted(r.participant for r in rows) == sorted(names(count))
    assert (rows[0].rank, rows[1].rank) == (1, 2)
