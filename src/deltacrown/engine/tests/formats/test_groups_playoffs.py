"""Groups then playoffs: group stage, qualification, cross-group seeding and the bracket."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deltacrown.engine import (
    CorrectionBlocked,
    InvalidConfiguration,
    MatchStatus,
    ParticipantStatus,
    Result,
    report,
    simulate,
    standings,
)
from deltacrown.engine.formats.groups_playoffs import playoff_entries
from deltacrown.engine.tests.helpers import build, names


def _finish_group(stage, label):
    """Play a group with the better seed winning every game."""
    for match in list(stage.iter_matches(group=label)):
        current = stage.matches[match.id]
        if current.status is MatchStatus.READY:
            winner = min(current.participants, key=int)
            stage = report(stage, match.id, Result.win(winner)).stage
    return stage


def test_playoffs_cross_the_groups_a1_v_b2_and_b1_v_a2():
    stage = build(8, format="groups_playoffs", groups=2, advance=2)
    first = [m for m in stage.iter_matches(group="playoffs") if m.round == 1]
    sources = [[(s.group, s.number) for s in m.sources] for m in first]
    assert sources == [
        [("group-1", 1), ("group-2", 2)],
        [("group-2", 1), ("group-1", 2)],
    ]


def test_four_groups_pair_each_winner_with_another_groups_runner_up():
    entries = playoff_entries(4, 2)
    # Seeds 1..8 in a standard bracket meet as 1v8, 4v5, 2v7, 3v6.
    pairs = [(entries[a - 1], entries[b - 1]) for a, b in ((1, 8), (4, 5), (2, 7), (3, 6))]
    for winner, runner_up in pairs:
        assert (winner.number, runner_up.number) == (1, 2)
        assert winner.group != runner_up.group


def test_a_finished_group_fills_its_playoff_slots_and_eliminates_the_rest():
    stage = build(8, format="groups_playoffs", groups=2, advance=2)
    before_last = stage
    for match in list(stage.iter_matches(group="group-1"))[:-1]:
        before_last = report(
            before_last, match.id, Result.win(min(match.participants, key=int))
        ).stage
    last = list(stage.iter_matches(group="group-1"))[-1]
    update = report(before_last, last.id, Result.win(min(last.participants, key=int)))
    # group-1 is 1, 4, 5, 8 (snake): 1 and 4 qualify, 5 and 8 are out.
    assert sorted(update.eliminated) == ["5", "8"]
    playoffs = update.stage.matches
    assert playoffs["P-W1.1"].participants == ("1", None)
    assert playoffs["P-W1.2"].participants == (None, "4")
    assert playoffs["P-W1.1"].status is MatchStatus.WAITING  # group-2 is still playing
    stage = _finish_group(update.stage, "group-2")
    assert stage.matches["P-W1.1"].participants == ("1", "3")
    assert stage.matches["P-W1.1"].status is MatchStatus.READY


def test_a_group_result_cannot_be_corrected_once_its_qualifiers_have_played():
    stage = _finish_group(build(8, format="groups_playoffs", groups=2, advance=2), "group-1")
    stage = _finish_group(stage, "group-2")
    stage = report(stage, "P-W1.1", Result.win("1")).stage
    decisive = next(
        m for m in stage.iter_matches(group="group-1") if set(m.participants) == {"1", "4"}
    )
    # Turning 1 v 4 around changes group-1's order (4 first), so P-W1.1 would change.
    with pytest.raises(CorrectionBlocked, match=r"P-W1\.1"):
        report(stage, decisive.id, Result.win("4"))


def test_a_group_correction_before_the_playoffs_start_reseeds_them():
    stage = _finish_group(build(8, format="groups_playoffs", groups=2, advance=1), "group-1")
    assert stage.matches["P-W1.1"].participants[0] == "1"
    decisive = next(
        m for m in stage.iter_matches(group="group-1") if set(m.participants) == {"1", "4"}
    )
    stage = report(stage, decisive.id, Result.win("4")).stage
    # 4 now wins group-1 (three wins against two for 1), so 4 takes the group winner's slot.
    assert stage.matches["P-W1.1"].participants[0] == "4"


def test_swiss_groups_feed_a_double_elimination_playoff():
    stage = build(
        16,
        format="groups_playoffs",
        groups=2,
        advance=4,
        group_format="swiss",
        playoff_format="double_elimination",
    )
    result = simulate(stage, 9)
    assert result.stage.finished
    playoff_games = [m for m in result.played if m.startswith("P-")]
    assert len(playoff_games) in (2 * 8 - 2, 2 * 8 - 1)
    rows = standings(result.stage).rows
    assert [r.participant for r in rows if r.status is ParticipantStatus.FINISHED] == [
        rows[0].participant
    ]
    assert all(r.stats["group_rank"] > 4 for r in rows[8:])


def test_more_qualifiers_than_a_group_holds_are_refused():
    with pytest.raises(InvalidConfiguration, match="per group can advance"):
        build(8, format="groups_playoffs", groups=2, advance=5)


@settings(max_examples=25, deadline=None)
@given(
    groups=st.integers(1, 6),
    per_group=st.integers(2, 6),
    advance=st.integers(1, 3),
    group_format=st.sampled_from(["round_robin", "swiss"]),
    rng_seed=st.integers(0, 1000),
)
def test_groups_then_playoffs_always_finishes_with_everyone_ranked(
    groups, per_group, advance, group_format, rng_seed
):
    count = groups * per_group
    advance = min(advance, per_group)
    if groups * advance < 2:
        advance = 2
    stage = build(
        count, format="groups_playoffs", groups=groups, advance=advance, group_format=group_format
    )
    result = simulate(stage, rng_seed)
    assert result.stage.finished
    rows = standings(result.stage).rows
    assert sorted(r.participant for r in rows) == sorted(names(count))
    qualified = {p for m in result.stage.iter_matches(group="playoffs") for p in m.present}
    assert len(qualified) == groups * advance
