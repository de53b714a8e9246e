"""Pick/ban drafts: the standard sequences and the checker that holds captains to them."""

from __future__ import annotations

import pytest

from deltacrown.apps.games import drafts
from deltacrown.apps.games.drafts import DraftError, check_draft

HEROES = [f"Hero {n}" for n in range(40)]


def _play(sequence, heroes=HEROES):
    """The actions of a draft that follows ``sequence`` turn by turn with distinct heroes."""
    return [
        {"side": turn["side"], "type": turn["type"], "hero": hero}
        for turn, hero in zip(sequence, heroes, strict=False)
    ]


def _error(sequence, actions, **kwargs) -> DraftError:
    with pytest.raises(DraftError) as excinfo:
        check_draft(sequence, actions, **kwargs)
    return excinfo.value


def test_dota2_captains_mode_has_24_turns_of_14_bans_and_10_picks():
    sequence = drafts.DOTA2_CAPTAINS_MODE
    assert len(sequence) == 24
    bans = [t for t in sequence if t["type"] == "ban"]
    assert len(bans) == 14
    assert sum(t["side"] == "a" for t in bans) == sum(t["side"] == "b" for t in bans) == 7
    assert drafts.picks_per_side(sequence) == {"a": 5, "b": 5}
    # 7.3x: the second-pick side bans four heroes before the first pick, the first-pick side three.
    first_phase = sequence[:7]
    assert [t["side"] for t in first_phase].count("b") == 4
    assert sequence[7] == {"side": "a", "type": "pick"}


def test_mlbb_tournament_draft_has_ten_bans_and_five_picks_a_side():
    sequence = drafts.MLBB_TOURNAMENT_DRAFT
    assert len(sequence) == 20
    assert sum(t["type"] == "ban" for t in sequence) == 10
    assert drafts.picks_per_side(sequence) == {"a": 5, "b": 5}


@pytest.mark.parametrize("sequence", [drafts.DOTA2_CAPTAINS_MODE, drafts.MLBB_TOURNAMENT_DRAFT])
def test_a_draft_that_follows_the_sequence_is_valid(sequence):
    check_draft(sequence, _play(sequence))


def test_the_wrong_side_acting_is_reported_at_its_turn():
    sequence = drafts.DOTA2_CAPTAINS_MODE
    actions = _play(sequence)
    actions[2]["side"] = "a"  # turn 3 is side b's ban
    error = _error(sequence, actions)
    assert (error.index, error.code) == (2, "wrong_side")


def test_a_pick_in_a_ban_turn_is_reported():
    sequence = drafts.DOTA2_CAPTAINS_MODE
    actions = _play(sequence)
    actions[0]["type"] = "pick"
    error = _error(sequence, actions)
    assert (error.index, error.code) == (0, "wrong_type")


def test_a_hero_cannot_be_picked_after_being_banned_whatever_its_spelling():
    sequence = drafts.MLBB_TOURNAMENT_DRAFT
    actions = _play(sequence)
    actions[6]["hero"] = "  hero   0 "  # banned at turn 1 as "Hero 0"
    error = _error(sequence, actions)
    assert (error.index, error.code) == (6, "hero_repeated")
    assert "turn 1" in error.message


def test_the_first_bad_action_is_the_one_reported():
    sequence = drafts.DOTA2_CAPTAINS_MODE
    actions = _play(sequence)
    actions[5]["hero"] = actions[1]["hero"]
    actions[9]["side"] = "b"
    assert _error(sequence, actions).index == 5


def test_a_complete_draft_must_fill_every_turn():
    sequence = drafts.DOTA2_CAPTAINS_MODE
    error = _error(sequence, _play(sequence)[:23])
    assert (error.index, error.code) == (23, "draft_incomplete")


def test_a_draft_in_progress_is_valid_when_partial_drafts_are_allowed():
    sequence = drafts.DOTA2_CAPTAINS_MODE
    check_draft(sequence, _play(sequence)[:9], partial=True)
    check_draft(sequence, [], partial=True)


def test_actions_beyond_the_last_turn_are_refused():
    sequence = drafts.MLBB_TOURNAMENT_DRAFT
    actions = [*_play(sequence), {"side": "a", "type": "pick", "hero": "Extra"}]
    error = _error(sequence, actions, partial=True)
    assert (error.index, error.code) == (20, "too_many_actions")


def test_with_a_hero_pool_only_its_heroes_may_be_drafted():
    sequence = drafts.MLBB_TOURNAMENT_DRAFT
    pool = HEROES[:20]
    check_draft(sequence, _play(sequence, pool), heroes=pool)
    actions = _play(sequence, pool)
    actions[3]["hero"] = "Somebody Else"
    error = _error(sequence, actions, heroes=pool)
    assert (error.index, error.code) == (3, "unknown_hero")


@pytest.mark.parametrize(
    ("action", "code"),
    [
        ("ban Axe", "invalid_action"),
        ({"side": "c", "type": "ban", "hero": "Axe"}, "invalid_action"),
        ({"side": "a", "type": "kick", "hero": "Axe"}, "invalid_action"),
        ({"side": "a", "type": "ban"}, "invalid_hero"),
        ({"side": "a", "type": "ban", "hero": "   "}, "invalid_hero"),
        ({"side": "a", "type": "ban", "hero": "x" * 65}, "invalid_hero"),
    ],
)
def test_malformed_actions_are_reported_with_their_index(action, code):
    sequence = drafts.DOTA2_CAPTAINS_MODE
    actions = [_play(sequence)[0], action]
    error = _error(sequence, actions, partial=True)
    assert (error.index, error.code) == (1, code)
