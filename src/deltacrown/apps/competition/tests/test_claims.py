"""Result claims: what a submitted result may say for a match of a given best-of, and what the
engine is told (no database)."""

from __future__ import annotations

import pytest

from deltacrown import engine
from deltacrown.apps.competition.errors import InvalidResult
from deltacrown.apps.competition.services.claims import normalize, to_engine


def _decode(data: dict, *, best_of: int = 3, participants=(1, 2), lobby: bool = False):
    return to_engine(normalize(data), participants=list(participants), best_of=best_of, lobby=lobby)


def _code(data: dict, **kwargs) -> str:
    with pytest.raises(InvalidResult) as caught:
        _decode(data, **kwargs)
    return caught.value.errors[0]["code"]


def test_a_best_of_three_ends_when_a_side_wins_two_games():
    decoded = _decode({"games": [{"scores": [13, 9]}, {"scores": [7, 13]}, {"scores": [13, 11]}]})
    assert decoded.result == engine.Result.win("1", scores=(2, 1))
    assert [g["winner"] for g in decoded.games] == [0, 1, 0]
    assert _code({"games": [{"scores": [13, 9]}, {"scores": [13, 9]}, {"scores": [1, 13]}]}) == (
        "games_after_decision"
    )
    assert _code({"games": [{"scores": [13, 9]}]}) == "not_decided"
    assert _code({"games": [{"scores": [1, 0]}] * 4}) == "too_many_games"


def test_a_drawn_game_needs_a_winner_to_count_and_the_winner_must_fit_the_scores():
    decoded = _decode({"games": [{"scores": [1, 1], "winner": 1}]}, best_of=1)
    assert decoded.result == engine.Result.win("2", scores=(1, 1))
    assert _code({"games": [{"scores": [2, 1], "winner": 1}]}, best_of=1) == "contradicts_scores"
    assert _decode({"games": [{"scores": [1, 1]}]}, best_of=1).result == engine.Result.draw(
        scores=(1, 1)
    )


def test_match_scores_must_reach_the_majority():
    assert _decode({"scores": [2, 0]}).result == engine.Result.win("1", scores=(2, 0))
    assert _code({"scores": [1, 0]}) == "not_decided"
    assert _code({"scores": [3, 0]}) == "not_decided"
    assert _decode({"scores": [13, 4]}, best_of=1).result == engine.Result.win("1", scores=(13, 4))
    assert _code({"scores": [-1, 2]}, best_of=1) == "invalid_score"


def test_exactly_one_form_and_the_sides_of_the_match():
    assert _code({"scores": [2, 0], "winner_id": 1}) == "one_form"
    assert _code({}) == "one_form"
    assert _code({"winner_id": 9}) == "not_in_match"
    assert _decode({"forfeit_id": 2}).result == engine.Result.forfeit(loser="2")
    assert _decode({"double_forfeit": True}).result == engine.Result.double_forfeit()


def test_lobbies_take_placements_and_kills_of_everyone_in_them():
    decoded = _decode(
        {"placements": [3, 1, 2], "kills": [4, 0, 1]}, participants=(1, 2, 3), lobby=True
    )
    assert decoded.result == engine.LobbyResult(("3", "1", "2"), (4, 0, 1))
    assert _code({"placements": [3, 1]}, participants=(1, 2, 3), lobby=True) == "not_the_lobby"
    assert _code({"placements": [3, 1, 2], "kills": [1]}, participants=(1, 2, 3), lobby=True) == (
        "not_aligned"
    )
    assert _code({"scores": [1, 0]}, participants=(1, 2, 3), lobby=True) == "lobby_result"
    assert _code({"placements": [1, 2]}) == "not_a_lobby"
