"""Games app, data layer: the frozen value objects, enums and event names other apps may use.

No Django import here: ``GameRef`` crosses app boundaries (``api`` returns it) and is safe to use
in the pure engine, tasks and WebSocket consumers alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

# Event names published by the games app on the stream ``game:<id>`` (data: ids and numbers).
GAME_CREATED = "game.created"
GAME_UPDATED = "game.updated"
GAME_CONFIG_UPDATED = "game.config_updated"


class GameMode(StrEnum):
    """How participants meet: teams against teams, one player against one, or a lobby."""

    TEAM = "team"
    SOLO = "solo"
    BATTLE_ROYALE = "battle_royale"


class ScoreKind(StrEnum):
    """What a match result counts: maps (or games) won, rounds, goals, or lobby points."""

    MAPS = "maps"
    ROUNDS = "rounds"
    GOALS = "goals"
    BR_POINTS = "br_points"


class DraftSide(StrEnum):
    """The two sides of a draft; ``a`` is the side with the first pick."""

    A = "a"
    B = "b"


class DraftActionType(StrEnum):
    """A draft turn either picks a hero for the side or bans it for both."""

    PICK = "pick"
    BAN = "ban"


@dataclass(frozen=True)
class GameRef:
    """A game as other apps see it: its identity and the rules tournaments are built on.

    ``player_id_kind`` names the validator that checks players' in-game ids; ``has_draft`` is
    true for games whose matches start with a pick/ban draft (see ``api.validate_draft``).
    """

    id: int
    slug: str
    name: str
    mode: GameMode
    team_size: int
    max_substitutes: int
    score_kind: ScoreKind
    default_best_of: int
    player_id_kind: str
    has_draft: bool
    is_active: bool
