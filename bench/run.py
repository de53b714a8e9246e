"""Run every benchmark in bench/ (each ``bench/<area>.py`` prints its own table).

``make bench`` calls this; ``python bench/run.py engine events`` runs only the named ones.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    names = argv or sorted(p.stem for p in HERE.glob("*.py") if p.stem not in {"run", "__init__"})
    failed = []
    for name in names:
        script = HERE / f"{name}.py"
        print(f"\n=== bench/{name}.py ===", flush=True)
        started = time.perf_counter()
        status = subprocess.call([sys.executable, str(script)], cwd=HERE.parent)
        print(f"--- {name}: exit {status} in {time.perf_counter() - started:.1f} s", flush=True)
        if status:
            failed.append(name)
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
