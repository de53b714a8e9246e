"""Serialization: a stage survives JSON and back, and bad data is refused on loading."""

from __future__ import annotations

import json
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deltacrown.engine import (
    InvalidStageData,
    LobbyResult,
    Result,
    report,
    simulate,
    stage_from_dict,
    stage_from_json,
    stage_to_dict,
    stage_to_json,
    withdraw,
)
from deltacrown.engine.tests.helpers import advance, build
from deltacrown.engine.tests.test_standings import FORMATS


@settings(max_examples=50, deadline=None)
@given(
    options=st.sampled_from(FORMATS),
    count=st.integers(4, 40),
    rng_seed=st.integers(0, 2**16),
    steps=st.integers(0, 400),
)
def test_a_stage_round_trips_through_json_at_any_point(options, count, rng_seed, steps):
    stage = build(count, **options)
    rng = random.Random(rng_seed)
    if rng.random() < 0.3:
        stage = withdraw(
            stage, rng.choice(stage.participants), disqualified=rng.random() < 0.5
        ).stage
    stage = advance(stage, rng, steps)  # anywhere from the start to the end
    text = stage_to_json(stage)
    loaded = stage_from_json(text)
    assert loaded == stage
    assert stage_to_json(loaded) == text
    # A reloaded stage plays on exactly as the original would.
    assert simulate(loaded, rng_seed).stage == simulate(stage, rng_seed).stage


def test_the_json_is_plain_data_with_derived_winners_for_readers():
    stage = report(
        build(4, format="single_elimination"), "W1.1", Result.win("1", scores=(2, 0))
    ).stage
    data = json.loads(stage_to_json(stage))
    assert data["schema"] == "deltacrown.stage/1"
    first = data["matches"][0]
    assert first == {
        "id": "W1.1",
        "group": "winners",
        "bracket": "winners",
        "round": 1,
        "number": 1,
        "status": "completed",
        "participants": ["1", "4"],
        "sources": [{"kind": "seed", "number": 1}, {"kind": "seed", "number": 4}],
        "winner_to": {"match": "W2.1", "slot": 0},
        "loser_to": None,
        "result": {
            "type": "match",
            "outcome": "win",
            "winner": "1",
            "loser": "4",
            "scores": [2, 0],
            "auto": False,
        },
        "winner": "1",
        "loser": "4",
    }
    assert data["config"]["format"] == "single_elimination"


def test_lobby_results_round_trip():
    stage = build(3, format="battle_royale", rounds=1)
    stage = report(stage, "BR1.1", LobbyResult(("2", "1", "3"), kills=(1, 0, 4))).stage
    assert stage_from_dict(stage_to_dict(stage)) == stage


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda d: d.update(schema="other/9"), "Unknown stage schema"),
        (lambda d: d["config"].update(colour="red"), "Unknown configuration options"),
        (lambda d: d["config"].update(format="chess"), "Unknown format"),
        (lambda d: d["matches"][0].update(participants=["1", "zed"]), "unknown participant"),
        (lambda d: d["matches"][0].update(winner_to={"match": "W9.9", "slot": 0}), "unknown match"),
        (lambda d: d["matches"][0].update(status="completed"), "completed"),
        (lambda d: d["matches"].append(dict(d["matches"][0])), "same id"),
        (lambda d: d["matches"][0].update(round="one"), "integer"),
        (lambda d: d.update(withdrawn={"1": "asleep"}), "withdrawal status"),
    ],
)
def test_damaged_stage_data_is_refused_with_a_reason(damage, message):
    data = stage_to_dict(build(4, format="single_elimination"))
    damage(data)
    with pytest.raises(InvalidStageData, match=message):
        stage_from_dict(data)


def test_text_that_is_not_json_is_refused():
    with pytest.raises(InvalidStageData, match="Not valid JSON"):
        stage_from_json("{not json")
