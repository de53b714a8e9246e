"""Engine layer: the pure-Python competition engine (formats, seeding, progression, standings).

Nothing here imports Django or the rest of the platform, and everything is deterministic: the
same input and RNG seed give the same output. The platform stores what the engine returns.

    stage = create_stage(StageConfig(format=Format.DOUBLE_ELIMINATION), ["a", "b", "c", "d"])
    update = report(stage, "W1.1", Result.win("a", scores=(2, 0)))
    update.ready, update.eliminated, update.finished    # what changed
    standings(update.stage).rows                        # live standings, with reasons
    stage_from_json(stage_to_json(update.stage)) == update.stage

docs/engine.md describes the formats, seed orderings, tiebreakers and the JSON schema.
"""

from deltacrown.engine.errors import (
    AlreadyWithdrawn,
    CorrectionBlocked,
    DrawNotAllowed,
    EngineError,
    InvalidConfiguration,
    InvalidResult,
    InvalidStageData,
    MatchNotReady,
    ParticipantNotInMatch,
    UnknownMatch,
    UnknownParticipant,
)
from deltacrown.engine.model import (
    Advance,
    Format,
    GrandFinal,
    Link,
    LobbyResult,
    Match,
    MatchStatus,
    MatchTable,
    Outcome,
    ParticipantStatus,
    Result,
    Source,
    SourceKind,
    Stage,
    StageConfig,
    Update,
)
from deltacrown.engine.progression import report, report_many, withdraw
from deltacrown.engine.seeding import (
    BRACKET_ORDERINGS,
    GROUP_ORDERINGS,
    SEEDING_METHODS,
    first_round,
    order_seeds,
    seed_participants,
)
from deltacrown.engine.serialize import (
    stage_from_dict,
    stage_from_json,
    stage_to_dict,
    stage_to_json,
)
from deltacrown.engine.simulate import Simulation, simulate
from deltacrown.engine.stage import create_stage
from deltacrown.engine.standings import Comparison, Standing, Standings, standings

__all__ = [
    "BRACKET_ORDERINGS",
    "GROUP_ORDERINGS",
    "SEEDING_METHODS",
    "Advance",
    "AlreadyWithdrawn",
    "Comparison",
    "CorrectionBlocked",
    "DrawNotAllowed",
    "EngineError",
    "Format",
    "GrandFinal",
    "InvalidConfiguration",
    "InvalidResult",
    "InvalidStageData",
    "Link",
    "LobbyResult",
    "Match",
    "MatchNotReady",
    "MatchStatus",
    "MatchTable",
    "Outcome",
    "ParticipantNotInMatch",
    "ParticipantStatus",
    "Result",
    "Simulation",
    "Source",
    "SourceKind",
    "Stage",
    "StageConfig",
    "Standing",
    "Standings",
    "UnknownMatch",
    "UnknownParticipant",
    "Update",
    "create_stage",
    "first_round",
    "order_seeds",
    "report",
    "report_many",
    "seed_participants",
    "simulate",
    "stage_from_dict",
    "stage_from_json",
    "stage_to_dict",
    "stage_to_json",
    "standings",
    "withdraw",
]
