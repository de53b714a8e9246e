"""Games app, pure rules: pick/ban drafts of MOBA games and how a draft is checked.

A draft is a fixed sequence of turns, each a pick or a ban by side ``a`` (the side with the first
pick) or side ``b``. A game's config carries its sequence (and optionally its hero pool); the
checker compares what the captains did against it. No Django import: the rules are usable
anywhere, including by match consumers that replay a live draft.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from deltacrown.apps.games.data import DraftActionType, DraftSide

HERO_MAX_LENGTH = 64
MAX_ACTIONS = 64


def _turns(spec: str) -> tuple[dict[str, str], ...]:
    """Turns from a compact spec: ``"a:ban b:pick"`` → ({side: a, type: ban}, ...)."""
    turns = []
    for token in spec.split():
        side, kind = token.split(":")
        turns.append({"side": DraftSide(side).value, "type": DraftActionType(kind).value})
    return tuple(turns)


# Dota 2 Captains Mode as played since the 7.3x patches (14 bans, 10 picks): side a is the team
# with first pick. Ban 1 aabbabb, pick 1 ab, ban 2 aab, pick 2 baabba, ban 3 abab, pick 3 ab.
DOTA2_CAPTAINS_MODE = _turns(
    "a:ban a:ban b:ban b:ban a:ban b:ban b:ban "
    "a:pick b:pick "
    "a:ban a:ban b:ban "
    "b:pick a:pick a:pick b:pick b:pick a:pick "
    "a:ban b:ban a:ban b:ban "
    "a:pick b:pick"
)

# Mobile Legends tournament draft with ten bans (the order of MPL and of the in-game custom
# draft; ranked bans are simultaneous and cannot be checked turn by turn). Side a is blue.
# Ban 1 ababab, pick 1 abbaab, ban 2 baba, pick 2 baab.
MLBB_TOURNAMENT_DRAFT = _turns(
    "a:ban b:ban a:ban b:ban a:ban b:ban "
    "a:pick b:pick b:pick a:pick a:pick b:pick "
    "b:ban a:ban b:ban a:ban "
    "b:pick a:pick a:pick b:pick"
)


class DraftError(ValueError):
    """The first action (by index) that breaks the draft rules, and why."""

    def __init__(self, index: int, code: str, message: str) -> None:
        self.index = index
        self.code = code
        self.message = message
        super().__init__(f"action {index}: {message}")


def hero_key(hero: str) -> str:
    """The form heroes are compared in: case and repeated spaces do not make another hero."""
    return " ".join(unicodedata.normalize("NFC", hero).casefold().split())


def _check_shape(index: int, action: object) -> tuple[str, str, str]:
    invalid = DraftError(
        index,
        "invalid_action",
        'Each action is {"side": "a"|"b", "type": "pick"|"ban", "hero": "<name>"}.',
    )
    if not isinstance(action, Mapping):
        raise invalid
    side, kind, hero = action.get("side"), action.get("type"), action.get("hero")
    if side not in {s.value for s in DraftSide} or kind not in {t.value for t in DraftActionType}:
        raise invalid
    if not isinstance(hero, str) or not hero.strip() or len(hero) > HERO_MAX_LENGTH:
        raise DraftError(
            index, "invalid_hero", f"Name the hero in 1 to {HERO_MAX_LENGTH} characters."
        )
    return str(side), str(kind), hero


def check_draft(
    sequence: Sequence[Mapping[str, Any]],
    actions: Sequence[Any],
    *,
    partial: bool = False,
    heroes: Iterable[str] | None = None,
) -> None:
    """Raise ``DraftError`` for the first action that breaks ``sequence``; return if none does.

    Every action must be the turn the sequence expects at its position (same side, same
    type), and no hero may be picked or banned twice. A complete draft (the default) must have
    exactly as many actions as the sequence has turns; with ``partial`` a draft in progress
    (a prefix of the sequence) is accepted. When ``heroes`` is given, only those heroes exist.
    """
    pool = {hero_key(hero) for hero in heroes} if heroes is not None else None
    seen: dict[str, int] = {}
    total = len(sequence)
    for index, action in enumerate(actions):
        if index >= total:
            raise DraftError(index, "too_many_actions", f"The draft has only {total} turns.")
        side, kind, hero = _check_shape(index, action)
        turn = sequence[index]
        if side != turn["side"]:
            raise DraftError(
                index, "wrong_side", f"Turn {index + 1} belongs to side {turn['side']}."
            )
        if kind != turn["type"]:
            raise DraftError(index, "wrong_type", f"Turn {index + 1} is a {turn['type']}.")
        key = hero_key(hero)
        if pool is not None and key not in pool:
            raise DraftError(index, "unknown_hero", "This hero is not in the game's hero pool.")
        if key in seen:
            raise DraftError(
                index,
                "hero_repeated",
                f"This hero was already picked or banned at turn {seen[key] + 1}.",
            )
        seen[key] = index
    if not partial and len(actions) < total:
        raise DraftError(
            len(actions),
            "draft_incomplete",
            f"The draft has {total} turns; only {len(actions)} were given.",
        )


def picks_per_side(sequence: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """How many heroes each side picks in ``sequence``."""
    counts = {side.value: 0 for side in DraftSide}
    for turn in sequence:
        if turn.get("type") == DraftActionType.PICK and turn.get("side") in counts:
            counts[turn["side"]] += 1
    return counts
