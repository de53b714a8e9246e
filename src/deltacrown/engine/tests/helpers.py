"""Shared test helpers for the engine: participant names and ways of playing a stage."""

from __future__ import annotations

import random
from collections.abc import Callable

from hypothesis import strategies as st

from deltacrown.engine import (
    LobbyResult,
    Match,
    Result,
    Stage,
    StageConfig,
    Update,
    create_stage,
    report,
)
from deltacrown.engine.simulate import random_result


def counts(low: int, high: int = 256) -> st.SearchStrategy[int]:
    """Participant counts from ``low`` to ``high``, half of them small (<= 40) to keep the
    suite fast while still reaching the large brackets."""
    return st.one_of(st.integers(low, min(high, 40)), st.integers(low, high))


def names(count: int) -> list[str]:
    """Participants "1".."count" (seed i is participant str(i) with natural seeding)."""
    return [str(i) for i in range(1, count + 1)]


def build(count: int, **options: object) -> Stage:
    """A stage of ``count`` participants, naturally seeded."""
    return create_stage(StageConfig(**options), names(count))  # type: ignore[arg-type]


def better_seed_wins(stage: Stage, match: Match) -> Result:
    """The participant with the better (lower) seed wins 2-0 (1-0 in the other order)."""
    a, b = match.participants
    assert a is not None
    assert b is not None
    winner = a if stage.seed_of(a) < stage.seed_of(b) else b
    return Result.win(winner, scores=(2, 0) if winner == a else (0, 2))


def play(
    stage: Stage,
    decide: Callable[[Stage, Match], Result | LobbyResult],
    *,
    limit: int = 100_000,
) -> tuple[Stage, list[Update]]:
    """Report the first ready match with ``decide`` until none is ready; all the updates."""
    updates: list[Update] = []
    for _ in range(limit):
        ready = stage.ready
        if not ready:
            return stage, updates
        update = report(stage, ready[0], decide(stage, stage.matches[ready[0]]))
        updates.append(update)
        stage = update.stage
    raise AssertionError("the stage did not finish")


def advance(stage: Stage, rng: random.Random, steps: int) -> Stage:
    """Play up to ``steps`` randomly chosen ready matches with random results."""
    for _ in range(steps):
        if not stage.ready:
            break
        match_id = rng.choice(stage.ready)
        match = stage.matches[match_id]
        stage = report(stage, match_id, random_result(rng, stage.config, match)).stage
    return stage
