"""Progression: what a result changes, corrections, forfeits, withdrawals and invalid operations."""

from __future__ import annotations

import random

import pytest

from deltacrown.engine import (
    AlreadyWithdrawn,
    CorrectionBlocked,
    InvalidResult,
    MatchNotReady,
    MatchStatus,
    Outcome,
    ParticipantNotInMatch,
    ParticipantStatus,
    Result,
    UnknownMatch,
    UnknownParticipant,
    report,
    report_many,
    simulate,
    standings,
    withdraw,
)
from deltacrown.engine.simulate import random_result
from deltacrown.engine.tests.helpers import better_seed_wins, build, play


def test_reporting_returns_a_new_stage_and_leaves_the_old_one_untouched():
    stage = build(4, format="single_elimination")
    update = report(stage, "W1.1", Result.win("1"))
    assert stage.matches["W1.1"].status is MatchStatus.READY
    assert update.stage.matches["W1.1"].status is MatchStatus.COMPLETED
    assert [m.id for m in update.changed] == ["W1.1", "W2.1"]
    with pytest.raises(TypeError):
        update.stage.matches["W1.1"] = update.stage.matches["W1.2"]  # type: ignore[index]


def test_scores_decide_the_winner_and_are_kept_with_the_result():
    stage = build(4, format="single_elimination")
    match = report(stage, "W1.1", Result.from_scores(1, 3)).stage.matches["W1.1"]
    assert (match.winner, match.loser) == ("4", "1")
    assert match.result.scores == (1, 3)
    assert match.result.outcome is Outcome.WIN


def test_a_forfeit_names_the_side_that_forfeits():
    stage = build(4, format="single_elimination")
    match = report(stage, "W1.1", Result.forfeit(loser="1")).stage.matches["W1.1"]
    assert (match.winner, match.result.outcome) == ("4", Outcome.FORFEIT)


def test_a_double_forfeit_knocks_both_out_and_gives_the_next_opponent_a_bye():
    stage = build(4, format="single_elimination")
    update = report(stage, "W1.1", Result.double_forfeit())
    assert sorted(update.eliminated) == ["1", "4"]
    update = report(update.stage, "W1.2", Result.win("2"))
    final = update.stage.matches["W2.1"]
    assert final.status is MatchStatus.BYE
    assert update.finished
    assert standings(update.stage).rows[0].participant == "2"


def test_results_for_matches_that_cannot_be_played_are_refused():
    stage = build(6, format="single_elimination")
    with pytest.raises(MatchNotReady, match="waiting"):
        report(stage, "W2.1", Result.win("1"))
    with pytest.raises(MatchNotReady, match="bye"):
        report(stage, "W1.1", Result.win("1"))
    with pytest.raises(UnknownMatch):
        report(stage, "W9.9", Result.win("1"))


def test_results_naming_someone_else_or_contradicting_scores_are_refused():
    stage = build(4, format="single_elimination")
    with pytest.raises(ParticipantNotInMatch):
        report(stage, "W1.1", Result.win("2"))
    with pytest.raises(InvalidResult, match="lower score"):
        report(stage, "W1.1", Result.win("1", scores=(0, 2)))
    with pytest.raises(InvalidResult, match="one score per side"):
        report(stage, "W1.1", Result.from_scores(1, 2, 3))
    with pytest.raises(InvalidResult, match="zero or more"):
        report(stage, "W1.1", Result.from_scores(-1, 2))
    with pytest.raises(InvalidResult, match="Give the scores"):
        report(stage, "W1.1", Result())
    with pytest.raises(InvalidResult, match="Name the winner"):
        report(stage, "W1.1", Result(Outcome.FORFEIT))


def test_a_correction_refills_the_matches_downstream_that_were_not_played():
    stage = report(build(4, format="single_elimination"), "W1.1", Result.win("1")).stage
    update = report(stage, "W1.1", Result.win("4"))
    assert update.stage.matches["W2.1"].participants == ("4", None)
    assert update.eliminated == ("1",)
    assert update.reinstated == ("4",)


def test_a_correction_whose_winner_already_played_on_is_refused():
    stage = build(4, format="single_elimination")
    for match_id in ("W1.1", "W1.2"):
        stage = report(stage, match_id, better_seed_wins(stage, stage.matches[match_id])).stage
    stage = report(stage, "W2.1", Result.win("1")).stage
    with pytest.raises(CorrectionBlocked, match=r"W2\.1"):
        report(stage, "W1.1", Result.win("4"))
    # A correction that does not change who went on (the score) is fine.
    corrected = report(stage, "W1.1", Result.win("1", scores=(3, 2)))
    assert corrected.stage.matches["W1.1"].result.scores == (3, 2)
    assert corrected.stage.matches["W2.1"].winner == "1"


def test_a_correction_in_the_winners_bracket_is_refused_once_the_loser_played_again():
    stage = build(4, format="double_elimination")
    stage = report(stage, "W1.1", Result.win("1")).stage
    stage = report(stage, "W1.2", Result.win("2")).stage
    stage = report(stage, "L1.1", Result.win("4")).stage
    with pytest.raises(CorrectionBlocked, match=r"L1\.1"):
        report(stage, "W1.1", Result.win("4"))


def test_a_participant_who_withdraws_forfeits_now_and_later_matches_as_they_come():
    stage = build(8, format="double_elimination")
    update = withdraw(stage, "1")
    forfeited = update.stage.matches["W1.1"]
    assert forfeited.result.outcome is Outcome.FORFEIT
    assert forfeited.result.auto
    assert forfeited.winner == "8"
    assert update.ready == ()  # W2.1 waits for W1.2
    # "1" dropped into the losers bracket; when an opponent arrives the match is forfeited.
    stage, _ = play(update.stage, better_seed_wins)
    losers_match = next(m for m in stage.iter_matches(group="losers") if "1" in m.participants)
    assert losers_match.result.auto
    assert losers_match.loser == "1"
    row = standings(stage).row("1")
    assert row.status is ParticipantStatus.WITHDRAWN


def test_a_disqualified_participant_is_ranked_last():
    stage = build(4, format="single_elimination")
    for match_id in ("W1.1", "W1.2"):
        stage = report(stage, match_id, better_seed_wins(stage, stage.matches[match_id])).stage
    stage = report(stage, "W2.1", Result.win("1")).stage
    update = withdraw(stage, "1", disqualified=True)
    table = standings(update.stage)
    assert table.rows[-1].participant == "1"
    assert table.rows[-1].status is ParticipantStatus.DISQUALIFIED
    assert table.rows[0].participant == "2"
    assert table.compare("2", "1").criterion == "disqualified"


def test_withdrawing_twice_or_someone_unknown_is_refused():
    stage = build(4, format="single_elimination")
    stage = withdraw(stage, "3").stage
    with pytest.raises(AlreadyWithdrawn):
        withdraw(stage, "3")
    disqualified = withdraw(stage, "3", disqualified=True).stage
    assert disqualified.withdrawn == {"3": "disqualified"}
    with pytest.raises(UnknownParticipant):
        withdraw(stage, "nobody")


def test_report_many_equals_reporting_one_by_one_and_is_all_or_nothing():
    stage = build(8, format="single_elimination")
    results = [(m, better_seed_wins(stage, stage.matches[m])) for m in stage.ready]
    together = report_many(stage, results)
    one_by_one = stage
    for match_id, result in results:
        one_by_one = report(one_by_one, match_id, result).stage
    assert together.stage == one_by_one
    assert set(together.ready) == {"W2.1", "W2.2"}
    with pytest.raises(ParticipantNotInMatch):
        report_many(stage, [results[0], ("W1.2", Result.win("1"))])


def test_simulate_gives_the_same_stage_as_reporting_its_results_one_by_one():
    stage = build(11, format="double_elimination", grand_final="reset")
    simulated = simulate(stage, 42)
    rng = random.Random(42)
    replay = stage
    wave = list(stage.ready)
    while wave:
        results = [(m, random_result(rng, replay.config, replay.matches[m])) for m in wave]
        next_wave: list[str] = []
        for match_id, result in results:
            update = report(replay, match_id, result)
            replay = update.stage
            next_wave += update.ready
        wave = next_wave
    assert replay == simulated.stage


def test_the_same_input_and_rng_seed_give_the_same_stage():
    first = simulate(build(37, format="swiss"), 5).stage
    second = simulate(build(37, format="swiss"), 5).stage
    assert first == second
    assert standings(first) == standings(second)
