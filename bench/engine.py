"""Benchmark: build and fully simulate stages with the competition engine.

Run as ``python bench/engine.py`` (``make bench`` runs every bench/*.py). Measures, for each
case, building the stage and then playing every match through the public ``report`` operation
one result at a time (what the platform does), and prints the best of a few repetitions.

Where ``npm`` and ``node`` are available, the same work is timed in the same run with the
JavaScript brackets-manager (in-memory storage), installed into the ignored folder
``bench/.node/``, and the ratio of our time to its time is printed for the formats it supports.
If it cannot be installed or run, the comparison is skipped with the reason.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from deltacrown.engine import Format, StageConfig, create_stage, simulate  # noqa: E402

NODE_DIR = Path(__file__).resolve().parent / ".node"
PACKAGES = ("brackets-manager@1.11.1", "brackets-memory-db@1.0.6")
GOAL = 10.0  # at least this many times faster than brackets-manager for double elimination


@dataclass(frozen=True)
class Case:
    name: str
    config: StageConfig
    participants: int
    peer: dict | None  # the brackets-manager stage for the same work, if it has one


CASES = (
    Case(
        "single elimination",
        StageConfig(format=Format.SINGLE_ELIMINATION),
        1024,
        {"type": "single_elimination", "settings": {}},
    ),
    Case(
        "double elimination",
        StageConfig(format=Format.DOUBLE_ELIMINATION, grand_final="simple"),
        1024,
        {"type": "double_elimination", "settings": {"grandFinal": "simple"}},
    ),
    Case(
        "round robin",
        StageConfig(format=Format.ROUND_ROBIN),
        64,
        {"type": "round_robin", "settings": {"groupCount": 1}},
    ),
    Case("swiss, 10 rounds", StageConfig(format=Format.SWISS, rounds=10), 1024, None),
)

# Times the same work with brackets-manager: create the stage, then repeatedly take the ready
# matches from storage and report a result for each until none is left; best of N runs.
NODE_SCRIPT = r"""
const { BracketsManager } = require('brackets-manager');
const { InMemoryDatabase } = require('brackets-memory-db');
async function run(stage, n) {
  const storage = new InMemoryDatabase();
  const manager = new BracketsManager(storage);
  const names = Array.from({ length: n }, (_, i) => 'p' + (i + 1));
  const start = process.hrtime.bigint();
  await manager.create.stage({ tournamentId: 0, name: 'bench', type: stage.type,
                               seeding: names, settings: stage.settings });
  const built = process.hrtime.bigint();
  let played = 0, state = 12345;
  const coin = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state < 1073741824;
  };
  for (;;) {
    const ready = await storage.select('match', { status: 2 });
    if (!ready || ready.length === 0) break;
    for (const m of ready) {
      const first = coin();
      await manager.update.match({ id: m.id,
        opponent1: { score: first ? 2 : 1, result: first ? 'win' : 'loss' },
        opponent2: { score: first ? 1 : 2, result: first ? 'loss' : 'win' } });
      played++;
    }
  }
  const end = process.hrtime.bigint();
  return { build: Number(built - start) / 1e9, total: Number(end - start) / 1e9, played };
}
(async () => {
  const cases = JSON.parse(process.argv[2]);
  const repeat = Number(process.argv[3]);
  const out = {};
  for (const c of cases) {
    let best = null;
    for (let i = 0; i < repeat; i++) {
      const r = await run(c.stage, c.n);
      if (best === null || r.total < best.total) best = r;
    }
    out[c.name] = best;
  }
  console.log(JSON.stringify(out));
})().catch((e) => { console.error(String(e && e.stack || e)); process.exit(1); });
"""


def measure(case: Case, repeat: int) -> dict[str, float]:
    """Best-of-``repeat`` build and total times (seconds) and the matches played."""
    best: dict[str, float] | None = None
    names = [str(i) for i in range(1, case.participants + 1)]
    for attempt in range(repeat):
        start = time.perf_counter()
        stage = create_stage(case.config, names)
        built = time.perf_counter()
        result = simulate(stage, rng_seed=attempt)
        end = time.perf_counter()
        assert result.stage.finished
        run = {"build": built - start, "total": end - start, "played": len(result.played)}
        if best is None or run["total"] < best["total"]:
            best = run
    assert best is not None
    return best


def peer_times(repeat: int) -> tuple[dict[str, dict[str, float]] | None, str]:
    """brackets-manager's times for the cases it supports, or None and why not."""
    npm, node = shutil.which("npm"), shutil.which("node")
    if npm is None or node is None:
        return None, "npm/node not found on PATH"
    installed = all(
        (NODE_DIR / "node_modules" / name.rsplit("@", 1)[0] / "package.json").exists()
        for name in PACKAGES
    )
    if not installed:
        NODE_DIR.mkdir(parents=True, exist_ok=True)
        try:
            subprocess.run(
                [
                    npm,
                    "install",
                    "--no-audit",
                    "--no-fund",
                    "--silent",
                    "--prefix",
                    str(NODE_DIR),
                    *PACKAGES,
                ],
                check=True,
                capture_output=True,
                timeout=600,
            )
        except (subprocess.SubprocessError, OSError) as exc:
            return None, f"npm install failed ({type(exc).__name__})"
    script = NODE_DIR / "bench.js"
    script.write_text(NODE_SCRIPT)
    cases = [
        {"name": c.name, "n": c.participants, "stage": c.peer} for c in CASES if c.peer is not None
    ]
    try:
        done = subprocess.run(
            [node, str(script), json.dumps(cases), str(repeat)],
            check=True,
            capture_output=True,
            text=True,
            timeout=1800,
            cwd=NODE_DIR,
        )
        return json.loads(done.stdout), ""
    except (subprocess.SubprocessError, OSError, ValueError) as exc:
        return None, f"running brackets-manager failed ({type(exc).__name__})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="repetitions (best is kept)")
    parser.add_argument("--no-peer", action="store_true", help="skip brackets-manager")
    args = parser.parse_args(argv)

    print(
        f"competition engine benchmark: Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, best of {args.repeat}"
    )
    ours = {case.name: measure(case, args.repeat) for case in CASES}
    peer, why = (None, "disabled with --no-peer") if args.no_peer else peer_times(args.repeat)

    header = (
        f"{'case':<20} {'N':>5} {'matches':>8} {'build ms':>9} {'total ms':>9} "
        f"{'us/match':>9} {'b-m ms':>9} {'ours/b-m':>9} {'faster':>7}"
    )
    print(header)
    print("-" * len(header))
    for case in CASES:
        mine = ours[case.name]
        line = (
            f"{case.name:<20} {case.participants:>5} {int(mine['played']):>8} "
            f"{mine['build'] * 1e3:>9.1f} {mine['total'] * 1e3:>9.1f} "
            f"{mine['total'] / mine['played'] * 1e6:>9.1f}"
        )
        theirs = (peer or {}).get(case.name)
        if theirs:
            ratio = mine["total"] / theirs["total"]
            line += f" {theirs['total'] * 1e3:>9.1f} {ratio:>9.3f} {1 / ratio:>6.1f}x"
        else:
            line += f" {'-':>9} {'-':>9} {'-':>7}"
        print(line)
    if peer is None:
        print(f"brackets-manager comparison skipped: {why}")
    else:
        double = peer.get("double elimination")
        if double:
            speedup = double["total"] / ours["double elimination"]["total"]
            verdict = "met" if speedup >= GOAL else "NOT met"
            print(
                f"goal (>= {GOAL:.0f}x brackets-manager, double elimination at 1,024): "
                f"{speedup:.1f}x, {verdict}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
