"""Engine layer, stage creation: from a configuration and participants to a playable stage.

Seeds the participants, lets the format build its matches, then settles what is already known
(first-round participants, byes advancing), so the returned stage lists the playable matches.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from deltacrown.engine.errors import InvalidConfiguration
from deltacrown.engine.formats import rules_for
from deltacrown.engine.model import SourceKind, Stage, StageConfig
from deltacrown.engine.progression import Work
from deltacrown.engine.seeding import seed_participants

ENTRY_SOURCES = frozenset({SourceKind.SEED, SourceKind.BYE, SourceKind.QUALIFIER})


def create_stage(
    config: StageConfig,
    participants: Sequence[str],
    *,
    seeding: str = "natural",
    rng_seed: int | None = None,
    ratings: Mapping[str, float] | None = None,
    order: Sequence[str] | None = None,
) -> Stage:
    """Build a stage for ``participants`` (strings, unique) seeded by ``seeding``.

    ``seeding`` is ``natural`` (as given), ``random`` (needs ``rng_seed``), ``manual`` (needs
    ``order``) or ``rating`` (needs ``ratings``); the method and RNG seed are recorded in
    ``Stage.seeding``. Raises ``InvalidConfiguration`` if the stage cannot be played.
    """
    for participant in participants:
        if not isinstance(participant, str) or not participant:
            raise InvalidConfiguration("Participants are identified by non-empty strings.")
    seeded = tuple(
        seed_participants(participants, seeding, rng_seed=rng_seed, ratings=ratings, order=order)
    )
    rules = rules_for(config.format)
    rules.validate(config, len(seeded))
    matches, groups = rules.build(config, seeded)
    record: dict[str, Any] = {"method": seeding}
    if seeding == "random":
        record["rng_seed"] = rng_seed
    draft = Stage(
        config=config,
        participants=seeded,
        matches={match.id: match for match in matches},
        groups=groups,
        seeding=record,
    )
    work = Work(draft)
    # Only slots fed by seeds, byes or groups can be known now; filling them cascades to
    # whatever they decide (byes advancing).
    work.refresh_all(
        match.id
        for match in matches
        if any(source.kind in ENTRY_SOURCES for source in match.sources)
    )
    return work.commit().stage
