"""Game configs: the JSON Schema, deep merge, and the field errors a bad config gets."""

from __future__ import annotations

import copy

import pytest
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from deltacrown.apps.games import drafts
from deltacrown.apps.games.config import CONFIG_SCHEMA, config_errors, deep_merge
from deltacrown.apps.games.tests.factories import team_config

BR = {
    "mode": "battle_royale",
    "team_size": 4,
    "max_substitutes": 2,
    "score_kind": "br_points",
    "default_best_of": 1,
    "player_id_kind": "pubgm_id",
    "battle_royale": {"placement_points": [12, 9, 7, 5, 4, 3, 2, 1], "points_per_kill": 1},
}
DOTA = team_config(
    player_id_kind="steam_account_id",
    draft={"name": "Captains Mode", "sequence": list(drafts.DOTA2_CAPTAINS_MODE)},
)


def _fields(config) -> dict[str, str]:
    return {error["field"]: error["code"] for error in config_errors(config)}


def test_the_schema_is_a_valid_draft_2020_12_schema():
    Draft202012Validator.check_schema(CONFIG_SCHEMA)
    assert CONFIG_SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"


@pytest.mark.parametrize(
    "config",
    [team_config(), BR, DOTA, team_config(mode="solo", team_size=1, max_substitutes=0)],
)
def test_valid_configs_have_no_errors(config):
    assert config_errors(config) == []


@pytest.mark.parametrize(
    ("config", "field", "code"),
    [
        ({**team_config(), "team_size": 11}, "config.team_size", "maximum"),
        ({**team_config(), "team_size": "5"}, "config.team_size", "type"),
        ({**team_config(), "default_best_of": 2}, "config.default_best_of", "enum"),
        ({**team_config(), "player_id_kind": "email"}, "config.player_id_kind", "enum"),
        ({**team_config(), "colour": "red"}, "config.colour", "unknown_key"),
        ({k: v for k, v in team_config().items() if k != "mode"}, "config.mode", "required"),
        (team_config(mode="solo"), "config.team_size", "const"),
        (team_config(team_size=1), "config.team_size", "minimum"),
        (team_config(score_kind="br_points"), "config.score_kind", "not_allowed"),
        (
            {**team_config(), "battle_royale": BR["battle_royale"]},
            "config.battle_royale",
            "not_allowed",
        ),
        ({**BR, "draft": DOTA["draft"]}, "config.draft", "not_allowed"),
        ({k: v for k, v in BR.items() if k != "battle_royale"}, "config.battle_royale", "required"),
        (
            {**BR, "battle_royale": {"placement_points": [12, -1], "points_per_kill": 1}},
            "config.battle_royale.placement_points.1",
            "minimum",
        ),
        (
            {**DOTA, "draft": {"name": "CM", "sequence": [{"side": "c", "type": "ban"}] * 2}},
            "config.draft.sequence.0.side",
            "enum",
        ),
    ],
)
def test_schema_errors_point_into_the_config(config, field, code):
    assert _fields(config).get(field) == code


def test_a_draft_must_give_each_side_team_size_picks():
    short = {**DOTA, "draft": {**DOTA["draft"], "sequence": list(drafts.DOTA2_CAPTAINS_MODE[:-1])}}
    assert _fields(short) == {"config.draft.sequence": "picks_mismatch"}


def test_hero_names_may_not_repeat_in_the_pool_ignoring_case():
    pooled = {**DOTA, "draft": {**DOTA["draft"], "heroes": ["Axe", "axe"]}}
    assert _fields(pooled) == {"config.draft.heroes": "duplicate_hero"}


def test_placement_points_may_not_rise_with_a_worse_placement():
    rising = {**BR, "battle_royale": {"placement_points": [12, 9, 10], "points_per_kill": 1}}
    assert _fields(rising) == {"config.battle_royale.placement_points": "not_descending"}


def test_a_config_that_is_not_an_object_is_refused():
    assert _fields(["mode", "team"]) == {"config": "type"}


# --- deep merge ------------------------------------------------------------------------------


def test_objects_merge_recursively_and_lists_replace():
    base = {"a": 1, "draft": {"name": "CM", "sequence": [1, 2, 3], "heroes": ["Axe"]}}
    merged = deep_merge(base, {"draft": {"sequence": [9]}, "b": 2})
    assert merged == {"a": 1, "b": 2, "draft": {"name": "CM", "sequence": [9], "heroes": ["Axe"]}}


def test_null_removes_a_key_at_any_depth():
    base = {"a": 1, "draft": {"name": "CM", "heroes": ["Axe"]}}
    assert deep_merge(base, {"a": None, "draft": {"heroes": None}}) == {"draft": {"name": "CM"}}
    assert deep_merge(base, {"missing": None}) == base


def test_a_new_object_drops_its_nulls():
    assert deep_merge({}, {"x": {"keep": 1, "drop": None}}) == {"x": {"keep": 1}}


def test_an_object_replaces_a_scalar_and_a_scalar_replaces_an_object():
    assert deep_merge({"x": 1, "y": {"z": 1}}, {"x": {"z": 2}, "y": 3}) == {"x": {"z": 2}, "y": 3}


json_scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=5)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=10,
)
json_objects = st.dictionaries(st.text(max_size=3), json_values, max_size=4)


@given(base=json_objects, patch=json_objects)
def test_merge_follows_the_patch_and_keeps_what_it_does_not_mention(base, patch):
    before = (copy.deepcopy(base), copy.deepcopy(patch))
    merged = deep_merge(base, patch)
    assert (base, patch) == before  # neither argument is changed
    for key, value in base.items():
        if key not in patch:
            assert merged[key] == value
    for key, value in patch.items():
        if value is None:
            assert key not in merged
        elif not isinstance(value, dict):
            assert merged[key] == value


@given(base=json_objects)
def test_an_empty_patch_changes_nothing(base):
    assert deep_merge(base, {}) == base
