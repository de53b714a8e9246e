"""Competition app, services layer: what a result claim says, checked against the match.

A claim is what a side submits, an organizer overrides with, or a dispute is resolved by. It
takes one of these forms (normalized and stored as ``ResultReport.payload``):

- ``{"kind": "games", "games": [{"scores": [13, 9]}, {"scores": [1, 1], "winner": 0}]}``:
  game by game (maps, rounds, goals); ``winner`` (a 0-based slot) settles a drawn game
  (overtime, penalties). The match ends as soon as a side has won the majority of its best-of.
- ``{"kind": "scores", "scores": [2, 1]}``: the match score only (games won; in a best-of-one,
  the game's score).
- ``{"kind": "winner", "winner_id": <participant>}``: who won, no score.
- ``{"kind": "forfeit", "loser_id": <participant>}`` and ``{"kind": "double_forfeit"}``.
- ``{"kind": "lobby", "placements": [<participant>, ...], "kills": [...]}``: a battle-royale
  lobby's finishing order (1st first) and kills; the engine turns them into points.

``to_engine`` turns a claim into the engine's ``Result``/``LobbyResult`` and the games to store.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from deltacrown import engine
from deltacrown.apps.competition import errors
from deltacrown.apps.competition.data import SCORE_MAX
from deltacrown.kernel.errors import field_error

CLAIM_KINDS = ("games", "scores", "winner", "forfeit", "double_forfeit", "lobby")


@dataclass
class Decoded:
    """A claim in the engine's terms, plus the per-game rows to keep."""

    result: engine.Result | engine.LobbyResult
    games: list[dict[str, Any]] = field(default_factory=list)


def _fail(field_name: str, code: str, message: str) -> errors.InvalidResult:
    return errors.InvalidResult(message, errors=[field_error(field_name, code, message)])


def _score(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= SCORE_MAX:
        raise _fail(where, "invalid_score", f"A score is a whole number from 0 to {SCORE_MAX}.")
    return value


def normalize(data: dict[str, Any]) -> dict[str, Any]:
    """The claim of a request body: exactly one of ``games``, ``scores``, ``winner_id``,
    ``forfeit_id`` (the side that forfeits), ``double_forfeit`` or ``placements``."""
    given = [
        name
        for name in ("games", "scores", "winner_id", "forfeit_id", "double_forfeit", "placements")
        if data.get(name) not in (None, False)
    ]
    if len(given) != 1:
        raise _fail(
            "result",
            "one_form",
            "Give exactly one of games, scores, winner_id, forfeit_id, double_forfeit or "
            "placements.",
        )
    form = given[0]
    if form == "games":
        return {"kind": "games", "games": [dict(g) for g in data["games"]]}
    if form == "scores":
        return {"kind": "scores", "scores": list(data["scores"])}
    if form == "winner_id":
        return {"kind": "winner", "winner_id": data["winner_id"]}
    if form == "forfeit_id":
        return {"kind": "forfeit", "loser_id": data["forfeit_id"]}
    if form == "double_forfeit":
        return {"kind": "double_forfeit"}
    return {
        "kind": "lobby",
        "placements": list(data["placements"]),
        "kills": list(data.get("kills") or []),
    }


def to_engine(
    claim: dict[str, Any],
    *,
    participants: list[int | None],
    best_of: int,
    lobby: bool,
) -> Decoded:
    """The engine result of ``claim`` for a match with these slots and best-of; 422
    ``invalid_result`` naming the field when the claim does not fit the match."""
    kind = claim.get("kind")
    if lobby and kind != "lobby":
        raise _fail("placements", "lobby_result", "A lobby's result is its placements.")
    if not lobby and kind == "lobby":
        raise _fail("placements", "not_a_lobby", "Placements are for battle-royale lobbies.")
    names = [None if p is None else str(p) for p in participants]
    present = [p for p in participants if p is not None]
    if kind == "lobby":
        return _lobby(claim, present)
    if kind == "double_forfeit":
        return Decoded(engine.Result.double_forfeit())
    if len(participants) != 2:
        raise _fail("result", "not_two_sided", "This match is not played between two sides.")
    if kind == "winner":
        winner = claim.get("winner_id")
        if winner not in present:
            raise _fail("winner_id", "not_in_match", "The winner must be a side of this match.")
        return Decoded(engine.Result.win(str(winner)))
    if kind == "forfeit":
        loser = claim.get("loser_id")
        if loser not in present:
            raise _fail("forfeit_id", "not_in_match", "The side that forfeits must be in it.")
        return Decoded(engine.Result.forfeit(loser=str(loser)))
    if kind == "scores":
        scores = claim.get("scores") or []
        if len(scores) != 2:
            raise _fail("scores", "two_scores", "Give one score per side.")
        a, b = (_score(s, f"scores.{i}") for i, s in enumerate(scores))
        if best_of > 1:
            need = best_of // 2 + 1
            decided = max(a, b) == need and min(a, b) < need
            drawn_out = a == b and a + b == best_of
            if not (decided or drawn_out):
                raise _fail(
                    "scores",
                    "not_decided",
                    f"In a best of {best_of} a side wins {need} games (or the games are shared).",
                )
        return Decoded(_two_sided(names, a, b, None), [{"scores": [a, b]}] if best_of == 1 else [])
    if kind == "games":
        return _games(claim.get("games") or [], names, best_of)
    raise _fail("result", "unknown_kind", "Unknown result form.")


def _two_sided(names: list[str | None], a: int, b: int, winner_slot: int | None) -> engine.Result:
    if winner_slot is not None:
        return engine.Result.win(str(names[winner_slot]), scores=(a, b))
    if a == b:
        return engine.Result.draw(scores=(a, b))
    return engine.Result.win(str(names[0] if a > b else names[1]), scores=(a, b))


def _games(games: list[dict[str, Any]], names: list[str | None], best_of: int) -> Decoded:
    if not games:
        raise _fail("games", "required", "List the games played.")
    if len(games) > best_of:
        raise _fail("games", "too_many_games", f"This match is a best of {best_of}.")
    need = best_of // 2 + 1
    wins = [0, 0]
    rows: list[dict[str, Any]] = []
    decided_at: int | None = None
    for index, game in enumerate(games):
        where = f"games.{index}"
        if decided_at is not None:
            raise _fail(
                where,
                "games_after_decision",
                f"The match was decided after game {decided_at + 1}.",
            )
        scores = game.get("scores") or []
        if len(scores) != 2:
            raise _fail(f"{where}.scores", "two_scores", "Give one score per side.")
        a, b = (_score(s, f"{where}.scores.{i}") for i, s in enumerate(scores))
        winner = game.get("winner")
        if winner is not None:
            if winner not in (0, 1) or isinstance(winner, bool):
                raise _fail(f"{where}.winner", "invalid_slot", "The winner is slot 0 or 1.")
            if a != b and (a > b) != (winner == 0):
                raise _fail(
                    f"{where}.winner", "contradicts_scores", "The higher score won the game."
                )
        elif a != b:
            winner = 0 if a > b else 1
        if winner is not None:
            wins[winner] += 1
        rows.append({"scores": [a, b], "winner": winner})
        if max(wins) >= need:
            decided_at = index
    if best_of == 1:
        game = rows[0]
        a, b = game["scores"]
        return Decoded(_two_sided(names, a, b, game["winner"]), rows)
    if decided_at is None and len(games) < best_of:
        raise _fail(
            "games",
            "not_decided",
            f"No side has won {need} games of this best of {best_of}; report the rest.",
        )
    slot = None if wins[0] == wins[1] else (0 if wins[0] > wins[1] else 1)
    return Decoded(_two_sided(names, wins[0], wins[1], slot), rows)


def _lobby(claim: dict[str, Any], present: list[int]) -> Decoded:
    placements = claim.get("placements") or []
    if sorted(placements) != sorted(present) or len(set(placements)) != len(placements):
        raise _fail(
            "placements",
            "not_the_lobby",
            "List every participant of the lobby once, first place first.",
        )
    kills = claim.get("kills") or []
    if kills and len(kills) != len(placements):
        raise _fail("kills", "not_aligned", "Give one kill count per placement (or none).")
    checked = [_score(k, f"kills.{i}") for i, k in enumerate(kills)]
    result = engine.LobbyResult(tuple(str(p) for p in placements), tuple(checked))
    return Decoded(result, [{"placements": list(placements), "kills": checked}])
