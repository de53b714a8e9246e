"""Engine layer, command line: build, simulate and print a stage without a database.

``deltacrown bracket [options]`` and ``python -m deltacrown.engine [options]`` both land in
``main``. Participants are numbered 1..N in entry order (with natural seeding the number is the
seed). Without ``--json`` the stage is printed as readable text; with ``--json`` as one object
(schema in docs/engine.md). Exit status: 0 on success, 2 for invalid options.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from deltacrown.engine.errors import EngineError
from deltacrown.engine.model import Format, GrandFinal, Match, MatchStatus, Stage, StageConfig
from deltacrown.engine.render import render_stage
from deltacrown.engine.seeding import BRACKET_ORDERINGS, GROUP_ORDERINGS, SEEDING_METHODS
from deltacrown.engine.simulate import simulate
from deltacrown.engine.stage import create_stage
from deltacrown.engine.standings import Standings, standings

MAX_PARTICIPANTS = 65536


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="deltacrown bracket",
        description="Build (and optionally simulate) a competition stage with the engine.",
    )
    parser.add_argument("--format", required=True, choices=[f.value for f in Format])
    parser.add_argument("--participants", required=True, type=int, metavar="N")
    parser.add_argument("--grand-final", default="simple", choices=[g.value for g in GrandFinal])
    parser.add_argument("--third-place", action="store_true", help="play a third-place match")
    parser.add_argument("--rounds", type=int, metavar="R", help="Swiss or battle-royale rounds")
    parser.add_argument("--groups", type=int, metavar="G", help="number of groups")
    parser.add_argument("--advance", type=int, default=2, metavar="K", help="top K per group")
    parser.add_argument(
        "--group-format",
        default="round_robin",
        choices=[Format.ROUND_ROBIN.value, Format.SWISS.value],
    )
    parser.add_argument(
        "--playoff-format",
        default="single_elimination",
        choices=[Format.SINGLE_ELIMINATION.value, Format.DOUBLE_ELIMINATION.value],
    )
    parser.add_argument("--cycles", type=int, default=1, help="round-robin cycles")
    parser.add_argument("--no-draws", action="store_true", help="forbid draws")
    parser.add_argument("--lobby-size", type=int, default=8, metavar="L")
    parser.add_argument("--seeding", default="natural", choices=SEEDING_METHODS)
    parser.add_argument(
        "--order", help="manual seeding: participant numbers in seed order, comma-separated"
    )
    parser.add_argument(
        "--ratings", help="rating seeding: one rating per participant 1..N, comma-separated"
    )
    parser.add_argument("--seed-ordering", default="standard", choices=BRACKET_ORDERINGS)
    parser.add_argument("--group-ordering", default="snake", choices=GROUP_ORDERINGS)
    parser.add_argument(
        "--rng-seed", type=int, default=0, metavar="S", help="for random seeding and --simulate"
    )
    parser.add_argument(
        "--simulate", action="store_true", help="play every match with random results"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    return parser


def _numbers(text: str | None, what: str, convert: type) -> list[Any]:
    if text is None:
        raise EngineError(f"{what} is required for this seeding.")
    try:
        return [convert(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise EngineError(f"{what} must be comma-separated numbers.") from None


def build(args: argparse.Namespace) -> Stage:
    """The stage the options describe."""
    count = args.participants
    if not 2 <= count <= MAX_PARTICIPANTS:
        raise EngineError(f"--participants must be between 2 and {MAX_PARTICIPANTS}.")
    fmt = Format(args.format)
    groups = args.groups
    if groups is None:
        groups = 2 if fmt is Format.GROUPS_PLAYOFFS else 1
    config = StageConfig(
        format=fmt,
        seed_ordering=args.seed_ordering,
        third_place=args.third_place,
        grand_final=args.grand_final,
        cycles=args.cycles,
        groups=groups,
        group_ordering=args.group_ordering,
        rounds=args.rounds,
        allow_draws=not args.no_draws,
        group_format=args.group_format,
        advance=args.advance,
        playoff_format=args.playoff_format,
        lobby_size=args.lobby_size,
    )
    participants = [str(i) for i in range(1, count + 1)]
    order = ratings = None
    if args.seeding == "manual":
        order = [str(n) for n in _numbers(args.order, "--order", int)]
    if args.seeding == "rating":
        values = _numbers(args.ratings, "--ratings", float)
        if len(values) != count:
            raise EngineError("--ratings needs one rating per participant.")
        ratings = dict(zip(participants, values, strict=True))
    return create_stage(
        config,
        participants,
        seeding=args.seeding,
        rng_seed=args.rng_seed,
        ratings=ratings,
        order=order,
    )


def _match_json(match: Match) -> dict[str, Any]:
    winner = None if match.group == "lobby" else match.winner
    return {
        "id": match.id,
        "group": match.group,
        "round": match.round,
        "participants": [int(p) for p in match.present],
        "winner": None if winner is None else int(winner),
        "bye": match.status is MatchStatus.BYE,
    }


def to_json(stage: Stage, table: Standings, played: tuple[str, ...] | None) -> dict[str, Any]:
    """The command line's JSON object (documented in docs/engine.md)."""
    if played is None:
        # Void matches (nobody on either side) have nothing to show.
        shown = [m for m in stage.matches.values() if m.status is not MatchStatus.VOID]
    else:
        shown = [stage.matches[match_id] for match_id in played]
    return {
        "format": stage.format.value,
        "participants": [int(p) for p in stage.participants],
        "matches": [_match_json(m) for m in shown],
        "standings": [{"rank": r.rank, "participant": int(r.participant)} for r in table.rows],
    }


def main(argv: list[str]) -> int:
    """Run the command line with ``argv`` (without the program name); returns the exit code."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # argparse exits on --help and on usage errors
        return int(exc.code or 0)
    try:
        stage = build(args)
        played = None
        if args.simulate:
            simulation = simulate(stage, args.rng_seed)
            stage, played = simulation.stage, simulation.played
        table = standings(stage)
    except EngineError as exc:
        sys.stderr.write(f"error: {exc.detail}\n")
        return 2
    if args.json:
        sys.stdout.write(json.dumps(to_json(stage, table, played)) + "\n")
    else:
        sys.stdout.write(render_stage(stage, table))
    return 0
