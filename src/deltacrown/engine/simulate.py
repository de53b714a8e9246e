"""Engine layer, simulation: play a stage to the end with random results from an RNG seed.

Used by the command line (``--simulate``), the property tests and the benchmark. Matches are
played in the order they become ready (first those ready at the start, in structure order),
through the public ``report_many`` operation, so a simulation exercises what callers use. The
same stage and RNG seed always give the same results.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from deltacrown.engine.formats import rules_for
from deltacrown.engine.model import LobbyResult, Match, Result, Stage, StageConfig
from deltacrown.engine.progression import report_many

DRAW_CHANCE = 0.1


@dataclass(frozen=True, slots=True)
class Simulation:
    """The finished stage and the ids of the matches played, in the order they were played."""

    stage: Stage
    played: tuple[str, ...]


def random_result(rng: random.Random, config: StageConfig, match: Match) -> Result | LobbyResult:
    """A plausible random result for ``match``: scores for a duel (a draw now and then where
    the format allows it), a finishing order and kills for a lobby."""
    if match.group == "lobby":
        placements = list(match.present)
        rng.shuffle(placements)
        return LobbyResult(tuple(placements), tuple(int(rng.random() * 5) for _ in placements))
    # rng.random() rather than randint: the same reproducibility, a fraction of the cost.
    if rules_for(config.format).allows_draw(config, match) and rng.random() < DRAW_CHANCE:
        score = int(rng.random() * 4)
        return Result.from_scores(score, score)
    low = int(rng.random() * 3)
    high = low + 1 + int(rng.random() * 3)
    return Result.from_scores(high, low) if rng.random() < 0.5 else Result.from_scores(low, high)


def simulate(stage: Stage, rng_seed: int) -> Simulation:
    """Play every remaining match of ``stage`` with random results until it is finished.

    Matches are played in waves: every match ready now (in structure order), then every match
    that became ready meanwhile, and so on. A wave is recorded with ``report_many``, which is
    the same as reporting its results one by one in that order, only cheaper.
    """
    rng = random.Random(rng_seed)  # noqa: S311 - reproducible results, not security
    played: list[str] = []
    wave = stage.ready
    while wave:
        results = [(m, random_result(rng, stage.config, stage.matches[m])) for m in wave]
        update = report_many(stage, results)
        stage = update.stage
        played += wave
        wave = update.ready
    return Simulation(stage, tuple(played))
