"""Games app, pure rules: the JSON Schema of a game's config, deep merge, and validation.

A game's rules (mode, team size, substitutes, score kind, default best-of, player-id validator,
draft, battle-royale scoring) live in one JSON document. ``CONFIG_SCHEMA`` (JSON Schema draft
2020-12) states its shape and the rules between keys that a schema can express; ``config_errors``
adds the few that it cannot (a draft must give each side ``team_size`` picks, placement points
may not rise with a worse placement). The API serves the schema so clients can validate too.
No Django import.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Mapping
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError as SchemaError

from deltacrown.apps.games import drafts, validators
from deltacrown.apps.games.data import DraftActionType, DraftSide, GameMode, ScoreKind
from deltacrown.kernel.errors import field_error

SCHEMA_ID = "https://deltacrown.dev/schemas/game-config.json"
BEST_OF_CHOICES = (1, 3, 5, 7, 9)
# "Must be absent": a key another key rules out. Not the ``false`` schema, whose errors lose
# their location in the config (jsonschema reports them at the root).
_ABSENT: dict[str, Any] = {"not": {}}

CONFIG_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": SCHEMA_ID,
    "title": "Game configuration",
    "description": "The rules a game's tournaments and matches are built on.",
    "type": "object",
    "additionalProperties": False,
    "required": [
        "mode",
        "team_size",
        "max_substitutes",
        "score_kind",
        "default_best_of",
        "player_id_kind",
    ],
    "properties": {
        "mode": {
            "description": "team: teams face each other; solo: one player against one; "
            "battle_royale: many teams share a lobby and score placement and kill points.",
            "enum": [mode.value for mode in GameMode],
        },
        "team_size": {
            "description": "Players on the field per side (1 in solo games).",
            "type": "integer",
            "minimum": 1,
            "maximum": 10,
        },
        "max_substitutes": {
            "description": "Substitutes a roster may hold beyond team_size.",
            "type": "integer",
            "minimum": 0,
            "maximum": 5,
        },
        "score_kind": {
            "description": "What a result counts: maps (games) won, rounds, goals, or "
            "battle-royale points.",
            "enum": [kind.value for kind in ScoreKind],
        },
        "default_best_of": {
            "description": "Default match length (best of N) when a tournament does not set one.",
            "enum": list(BEST_OF_CHOICES),
        },
        "player_id_kind": {
            "description": "The validator players' in-game ids are checked with.",
            "enum": sorted(validators.FORMATS),
        },
        "draft": {"$ref": "#/$defs/draft"},
        "battle_royale": {"$ref": "#/$defs/battle_royale"},
    },
    "allOf": [
        {
            "if": {"properties": {"mode": {"const": GameMode.SOLO.value}}, "required": ["mode"]},
            "then": {"properties": {"team_size": {"const": 1}, "max_substitutes": {"const": 0}}},
        },
        {
            "if": {"properties": {"mode": {"const": GameMode.TEAM.value}}, "required": ["mode"]},
            "then": {"properties": {"team_size": {"minimum": 2}}},
        },
        {
            "if": {
                "properties": {"mode": {"const": GameMode.BATTLE_ROYALE.value}},
                "required": ["mode"],
            },
            "then": {
                "required": ["battle_royale"],
                "properties": {
                    "score_kind": {"const": ScoreKind.BR_POINTS.value},
                    "draft": _ABSENT,
                },
            },
            "else": {
                "properties": {
                    "score_kind": {"not": {"const": ScoreKind.BR_POINTS.value}},
                    "battle_royale": _ABSENT,
                }
            },
        },
    ],
    "$defs": {
        "draft": {
            "description": "A pick/ban draft before each game; side a has the first pick.",
            "type": "object",
            "additionalProperties": False,
            "required": ["name", "sequence"],
            "properties": {
                "name": {"type": "string", "minLength": 1, "maxLength": 64},
                "sequence": {
                    "type": "array",
                    "minItems": 2,
                    "maxItems": drafts.MAX_ACTIONS,
                    "items": {"$ref": "#/$defs/draft_turn"},
                },
                "heroes": {
                    "description": "When present, only these heroes may be picked or banned.",
                    "type": "array",
                    "maxItems": 1000,
                    "uniqueItems": True,
                    "items": {
                        "type": "string",
                        "minLength": 1,
                        "maxLength": drafts.HERO_MAX_LENGTH,
                    },
                },
            },
        },
        "draft_turn": {
            "type": "object",
            "additionalProperties": False,
            "required": ["side", "type"],
            "properties": {
                "side": {"enum": [side.value for side in DraftSide]},
                "type": {"enum": [kind.value for kind in DraftActionType]},
            },
        },
        "battle_royale": {
            "description": "Scoring of a lobby: points by placement (1st, 2nd, ...; later "
            "placements score 0) plus points per kill.",
            "type": "object",
            "additionalProperties": False,
            "required": ["placement_points", "points_per_kill"],
            "properties": {
                "placement_points": {
                    "type": "array",
                    "minItems": 1,
                    "maxItems": 100,
                    "items": {"type": "integer", "minimum": 0, "maximum": 1000},
                },
                "points_per_kill": {"type": "integer", "minimum": 0, "maximum": 100},
                "lobby_size": {
                    "description": "Teams in one lobby.",
                    "type": "integer",
                    "minimum": 2,
                    "maximum": 100,
                },
            },
        },
    },
}

_VALIDATOR = Draft202012Validator(CONFIG_SCHEMA)


def deep_merge(base: Mapping[str, Any], patch: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` with ``patch`` merged in, as a new dict (neither argument is changed).

    Objects merge key by key, recursively; lists and scalars replace what was there; a null
    removes the key (at any depth, also inside an object that ``base`` did not have).
    """
    merged = copy.deepcopy(dict(base))
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, Mapping):
            current = merged.get(key)
            merged[key] = deep_merge(current if isinstance(current, Mapping) else {}, value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _field(path: Any, *extra: Any) -> str:
    return ".".join(["config", *(str(part) for part in (*path, *extra))])


def _schema_error_entries(error: SchemaError) -> list[dict[str, str]]:
    path = list(error.absolute_path)
    if error.validator == "required":
        missing = [name for name in error.validator_value if name not in error.instance]
        return [
            field_error(_field(path, name), "required", f"'{name}' is required.")
            for name in missing
        ]
    if error.validator == "additionalProperties":
        allowed = set(error.schema.get("properties", {}))
        return [
            field_error(_field(path, name), "unknown_key", f"'{name}' is not a config key.")
            for name in sorted(set(error.instance) - allowed)
        ]
    if error.validator == "not":
        return [
            field_error(_field(path), "not_allowed", "This is not allowed with the game's mode.")
        ]
    # jsonschema quotes the offending value; keep a huge one from flooding the answer.
    message = error.message if len(error.message) <= 200 else error.message[:197] + "..."
    return [field_error(_field(path), str(error.validator), message)]


def _semantic_errors(config: Mapping[str, Any]) -> list[dict[str, str]]:
    found = []
    draft = config.get("draft")
    if isinstance(draft, Mapping):
        picks = drafts.picks_per_side(draft["sequence"])
        team_size = config["team_size"]
        if any(count != team_size for count in picks.values()):
            found.append(
                field_error(
                    "config.draft.sequence",
                    "picks_mismatch",
                    f"Each side must pick team_size ({team_size}) heroes; "
                    f"the sequence gives a {picks['a']} and b {picks['b']}.",
                )
            )
        keys = [drafts.hero_key(hero) for hero in draft.get("heroes", [])]
        if len(keys) != len(set(keys)):
            found.append(
                field_error(
                    "config.draft.heroes",
                    "duplicate_hero",
                    "A hero is listed twice (heroes are compared without case).",
                )
            )
    battle_royale = config.get("battle_royale")
    if isinstance(battle_royale, Mapping):
        points = battle_royale["placement_points"]
        if any(later > earlier for earlier, later in itertools.pairwise(points)):
            found.append(
                field_error(
                    "config.battle_royale.placement_points",
                    "not_descending",
                    "A worse placement may not score more points than a better one.",
                )
            )
    return found


def config_errors(config: Any) -> list[dict[str, str]]:
    """Field errors of ``config`` against the schema and the cross-key rules; empty if valid.

    Each error's ``field`` is a dotted path into the config (``config.draft.sequence.3.side``).
    """
    found: list[dict[str, str]] = []
    for error in sorted(_VALIDATOR.iter_errors(config), key=lambda e: list(map(str, e.path))):
        for entry in _schema_error_entries(error):
            if entry not in found:
                found.append(entry)
    if not found:
        # The cross-key rules assume the shape the schema guarantees.
        found = _semantic_errors(config)
    return found
