"""The command line: `deltacrown bracket` / `python -m deltacrown.engine`, text and JSON."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from deltacrown.engine.cli import main

GROUPS = {"winners", "losers", "grand_final", "third_place", "swiss", "playoffs", "lobby"}


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys, *args: str) -> dict:
    code, out, err = run(capsys, *args, "--json")
    assert code == 0, err
    return json.loads(out)


@pytest.mark.parametrize(
    "args",
    [
        ["--format", "single_elimination", "--participants", "13", "--third-place"],
        ["--format", "double_elimination", "--participants", "10", "--grand-final", "reset"],
        ["--format", "round_robin", "--participants", "7"],
        ["--format", "round_robin", "--participants", "12", "--groups", "3"],
        ["--format", "swiss", "--participants", "9", "--rounds", "3"],
        ["--format", "groups_playoffs", "--participants", "12", "--groups", "3"],
        ["--format", "battle_royale", "--participants", "20", "--lobby-size", "6"],
    ],
)
def test_every_format_prints_the_documented_json_object(capsys, args):
    count = int(args[args.index("--participants") + 1])
    for simulated in (False, True):
        data = run_json(capsys, *args, *(["--simulate"] if simulated else []))
        assert set(data) == {"format", "participants", "matches", "standings"}
        assert data["format"] == args[1]
        assert sorted(data["participants"]) == list(range(1, count + 1))
        assert data["matches"]
        for match in data["matches"]:
            assert set(match) == {"id", "group", "round", "participants", "winner", "bye"}
            assert match["group"] in GROUPS or match["group"].startswith("group-")
            assert all(isinstance(p, int) and 1 <= p <= count for p in match["participants"])
            if match["bye"]:
                assert len(match["participants"]) == 1
            if simulated and match["group"] != "lobby" and match["winner"] is not None:
                assert match["winner"] in match["participants"]
        ranks = [row["rank"] for row in data["standings"]]
        assert sorted(row["participant"] for row in data["standings"]) == list(range(1, count + 1))
        assert ranks == sorted(ranks)
        assert ranks[0] == 1


def test_simulated_single_elimination_lists_the_n_minus_one_matches_played(capsys):
    data = run_json(capsys, "--format", "single_elimination", "--participants", "6", "--simulate")
    assert len(data["matches"]) == 5
    assert not any(m["bye"] for m in data["matches"])
    assert all(m["winner"] in m["participants"] for m in data["matches"])
    assert data["matches"][-1]["id"] == "W3.1"
    champion = data["matches"][-1]["winner"]
    assert data["standings"][0] == {"rank": 1, "participant": champion}


def test_without_simulate_byes_list_their_one_participant(capsys):
    data = run_json(capsys, "--format", "single_elimination", "--participants", "6")
    byes = [m for m in data["matches"] if m["bye"]]
    assert [(m["id"], m["participants"], m["winner"]) for m in byes] == [
        ("W1.1", [1], 1),
        ("W1.3", [2], 2),
    ]


def test_battle_royale_lobbies_have_no_winner(capsys):
    data = run_json(capsys, "--format", "battle_royale", "--participants", "9", "--simulate")
    assert {m["group"] for m in data["matches"]} == {"lobby"}
    assert all(m["winner"] is None for m in data["matches"])


def test_the_same_options_and_rng_seed_print_the_same_output(capsys):
    args = ["--format", "swiss", "--participants", "21", "--simulate", "--rng-seed", "9"]
    first = run_json(capsys, *args)
    assert run_json(capsys, *args) == first
    assert run_json(capsys, *args[:-1], "10") != first


def test_random_seeding_follows_the_rng_seed(capsys):
    args = ["--format", "single_elimination", "--participants", "16", "--seeding", "random"]
    first = run_json(capsys, *args, "--rng-seed", "1")["participants"]
    assert first != list(range(1, 17))
    assert run_json(capsys, *args, "--rng-seed", "1")["participants"] == first


def test_rating_and_manual_seeding_take_their_lists(capsys):
    rated = run_json(
        capsys, "--format", "swiss", "--participants", "3", "--seeding", "rating",
        "--ratings", "1200,1800,1500",
    )  # fmt: skip
    assert rated["participants"] == [2, 3, 1]
    manual = run_json(
        capsys, "--format", "swiss", "--participants", "3", "--seeding", "manual",
        "--order", "3,1,2",
    )  # fmt: skip
    assert manual["participants"] == [3, 1, 2]


def test_without_json_the_bracket_is_printed_as_text(capsys):
    code, out, _ = run(capsys, "--format", "double_elimination", "--participants", "4")
    assert code == 0
    assert "Double elimination: 4 participants" in out
    assert "W1.1       ready      1 v 4" in out
    assert "L1.1       waiting    loser W1.1 v loser W1.2" in out
    assert "Standings (live)" in out


def test_invalid_options_exit_with_2_and_a_message(capsys):
    code, _, err = run(capsys, "--format", "double_elimination", "--participants", "2")
    assert code == 2
    assert "at least 3 participants" in err
    code, _, err = run(capsys, "--format", "knockout", "--participants", "8")
    assert code == 2
    assert "invalid choice" in err


def test_the_platform_command_delegates_bracket_to_the_engine():
    # Run as a separate process: the platform's command line is Django's too, and the engine
    # (tests included) must not import Django.
    done = subprocess.run(
        [sys.executable, "-m", "deltacrown", "bracket", "--format", "swiss",
         "--participants", "4", "--json"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )  # fmt: skip
    assert json.loads(done.stdout)["format"] == "swiss"


def test_python_dash_m_runs_the_engine_command_line():
    done = subprocess.run(
        [sys.executable, "-m", "deltacrown.engine", "--format", "round_robin",
         "--participants", "3", "--json", "--simulate"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )  # fmt: skip
    data = json.loads(done.stdout)
    assert len(data["matches"]) == 3
