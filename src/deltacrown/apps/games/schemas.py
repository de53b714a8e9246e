"""Games app, HTTP schemas: request and response bodies of the games endpoints.

Schemas check shape and bounds; the rules (config schema, draft order) belong to the games
app's pure modules, so in-process callers get the same checks.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Schema

from deltacrown.apps.games import drafts, validators
from deltacrown.apps.games.data import DraftActionType, DraftSide, GameMode, ScoreKind
from deltacrown.apps.games.models import Game


class PlayerIdFormatOut(Schema):
    kind: str = Field(..., examples=["riot_id"])
    label: str = Field(..., examples=["Riot ID"])
    example: str = Field(..., examples=["Ace#EUW"])
    description: str = Field(..., examples=["name#TAG"])


class GameOut(Schema):
    id: int
    slug: str = Field(..., examples=["valorant"])
    name: str = Field(..., examples=["Valorant"])
    mode: GameMode
    team_size: int
    max_substitutes: int
    score_kind: ScoreKind
    default_best_of: int
    player_id_kind: str
    player_id_format: PlayerIdFormatOut
    has_draft: bool
    is_active: bool
    config: dict[str, Any] = Field(..., description="The full rules; see GET /games/config-schema")
    config_version: int = Field(..., description="Increases with every config change")
    updated_at: datetime

    @staticmethod
    def resolve_player_id_format(obj: Game) -> dict[str, str]:
        entry = validators.FORMATS[obj.player_id_kind]
        return {
            "kind": entry.kind,
            "label": entry.label,
            "example": entry.example,
            "description": entry.description,
        }


class DraftActionIn(Schema):
    side: DraftSide = Field(..., description="a: the side with the first pick; b: the other")
    type: DraftActionType
    hero: str = Field(..., min_length=1, max_length=drafts.HERO_MAX_LENGTH, examples=["Axe"])


class DraftValidateIn(Schema):
    actions: list[DraftActionIn] = Field(..., max_length=drafts.MAX_ACTIONS)
    partial: bool = Field(
        False, description="Accept a draft still in progress (a prefix of the sequence)"
    )


class DraftValidOut(Schema):
    valid: bool = Field(..., examples=[True])
