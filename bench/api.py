"""Benchmark: HTTP API throughput and latency on the embedded defaults (one uvicorn worker).

Starts ``deltacrown serve`` on a free loopback port with a throwaway var/ directory, signs up a
user, then drives each scenario from client threads for a fixed number of requests and prints
requests per second and latency percentiles. The ceiling is ``GET /healthz`` (no database, no
auth), measured in the same run: the ratio column shows what authentication, the ORM and the
idempotency middleware cost on top of the bare stack.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx

THREADS = int(os.environ.get("BENCH_THREADS", "8"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "2000"))
ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_ready(base: str, proc: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited early with status {proc.returncode}")
        try:
            if httpx.get(f"{base}/readyz", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit("server did not become ready")


def _drive(name: str, call: Callable[[httpx.Client, int], int]) -> dict[str, float]:
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    counter = iter(range(REQUESTS))
    barrier = threading.Barrier(THREADS)

    def worker() -> None:
        local: list[float] = []
        with httpx.Client(timeout=30.0) as client:
            barrier.wait()
            while True:
                with lock:
                    i = next(counter, None)
                if i is None:
                    break
                started = time.perf_counter()
                status = call(client, i)
                local.append(time.perf_counter() - started)
                if status >= 400:
                    with lock:
                        errors[0] += 1
        with lock:
            latencies.extend(local)

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "name": name,
        "rps": len(latencies) / elapsed,
        "p50": statistics.median(latencies) * 1000,
        "p95": latencies[int(len(latencies) * 0.95) - 1] * 1000,
        "errors": errors[0],
    }


def main() -> int:
    var = tempfile.mkdtemp(prefix="deltacrown-bench-")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DELTACROWN_VAR_DIR": var, "LOG_LEVEL": "WARNING"}
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    subprocess.run([BIN / "deltacrown", "migrate", "-v0"], env=env, check=True, cwd=ROOT)
    proc = subprocess.Popen(
        [BIN / "deltacrown", "serve", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_ready(base, proc)
        password = "bench-passphrase-1"
        httpx.post(
            f"{base}/api/v1/auth/signup",
            json={"username": "bench", "email": "bench@example.com", "password": password},
        ).raise_for_status()
        pair = httpx.post(
            f"{base}/api/v1/auth/token", json={"username": "bench", "password": password}
        ).json()
        auth = {"Authorization": f"Bearer {pair['access_token']}"}
        replay_key = uuid.uuid4().hex
        body = {"display_name": "Bench"}

        scenarios = [
            ("GET /healthz (ceiling)", lambda c, i: c.get(f"{base}/healthz").status_code),
            (
                "GET /api/v1/me (JWT)",
                lambda c, i: c.get(f"{base}/api/v1/me", headers=auth).status_code,
            ),
            (
                "PATCH /api/v1/me (write)",
                lambda c, i: c.patch(f"{base}/api/v1/me", json=body, headers=auth).status_code,
            ),
            (
                "PATCH /api/v1/me (Idempotency-Key replay)",
                lambda c, i: (
                    c.patch(
                        f"{base}/api/v1/me",
                        json=body,
                        headers={**auth, "Idempotency-Key": replay_key},
                    ).status_code
                ),
            ),
        ]
        results = [_drive(name, call) for name, call in scenarios]
    finally:
        proc.terminate()
        proc.wait(timeout=30)

    ceiling = results[0]["rps"]
    print(f"API on the embedded defaults: 1 uvicorn worker, SQLite, {THREADS} client threads,")
    print(f"{REQUESTS} requests per scenario, {os.cpu_count()} CPUs (client and server share them)")
    print(
        f"{'scenario':44} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'errors':>7} {'vs ceiling':>11}"
    )
    for r in results:
        print(
            f"{r['name']:44} {r['rps']:8.0f} {r['p50']:8.1f} {r['p95']:8.1f} "
            f"{r['errors']:7d} {r['rps'] / ceiling:10.2f}x"
        )
    return 1 if any(r["errors"] for r in results) else 0


if __name__ == "__main__":
    raise SystemExit(main())
