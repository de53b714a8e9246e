"""Benchmark: the public pages under a real HTTP load on the embedded defaults.

Starts ``deltacrown serve`` (one uvicorn worker, SQLite) in a throwaway var/ directory with the
demo and a 256-entrant double-elimination cup being played: the winners' first round over,
part of the second and of the losers' first round decided, one match live with a score. Then it
loads each page from client threads and prints, per page, the throughput, the latency the
clients saw and the time the server spent (its access log's ``duration_ms`` for each request,
matched by request id), the page's size and the JavaScript it loads.

The tabs of a tournament are cached under its event-stream head, so a loaded page is mostly
served from the cache. The last rows measure the first view after every change, one client: of
the bracket and of the standings after a live score (the tab's markup carried forward, the
scored match's card drawn again), and of the bracket after a result (an organizer's override of
a ready match: the bracket moves on and is drawn in full).

Goals (docs/web.md): server time p95 under 50 ms for every page of the 256-entrant cup, and at
most 150 KB of JavaScript per page. ``GET /healthz`` is the ceiling, measured in the same run.

    .venv/bin/python bench/web.py              # or: make bench, python bench/run.py web
"""

from __future__ import annotations

import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

#: Client threads of the loaded run (the first run of each page has one client: render time).
THREADS = int(os.environ.get("BENCH_THREADS", "4"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "200"))
COLD_REQUESTS = int(os.environ.get("BENCH_COLD_REQUESTS", "30"))
#: The rows that measure the first view after a change (nothing cached for the new head).
FIRST_VIEWS = ("coldbracket", "coldstandings", "resultbracket")
ENTRANTS = 256
GOAL_P95_MS = 50.0
JS_BUDGET = 150 * 1024
ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PLAYER_PASSWORD = "Competitor-Pass-42"  # the competition factories' password


# --- the cup (runs in a process of its own, with the platform's settings) ----------------------


def prepare() -> None:
    """Create the 256-entrant cup, play part of it through the API, print what was made."""
    import django

    django.setup()
    from django.test import Client

    from deltacrown.apps.competition.tests.factories import frozen_play, live_tournament

    plan = [
        {"name": "Playoffs", "format": "double_elimination", "options": {"grand_final": "reset"}}
    ]
    with frozen_play():
        tournament, players = live_tournament(ENTRANTS, stage_plan=plan)
        organizer = Client()
        organizer.force_login(tournament.organizer)
        base = f"/api/v1/tournaments/{tournament.pk}"
        generated = organizer.post(f"{base}/stages/generate", {}, content_type="application/json")
        assert generated.status_code == 201, generated.content
        rows = organizer.get(f"{base}/participants").json()
        rows.sort(key=lambda row: row["registration_id"])
        user_of = {row["id"]: players[i] for i, row in enumerate(rows)}
        clients: dict[int, Client] = {}

        def client(participant_id: int) -> Client:
            if participant_id not in clients:
                clients[participant_id] = Client()
                clients[participant_id].force_login(user_of[participant_id])
            return clients[participant_id]

        def ready() -> list[dict[str, Any]]:
            found, cursor = [], ""
            while True:
                page = organizer.get(f"{base}/matches?status=ready&limit=100{cursor}").json()
                found += page["items"]
                if not page["next_cursor"]:
                    return found
                cursor = f"&cursor={page['next_cursor']}"

        def play(match: dict[str, Any]) -> None:
            home, away = (slot["participant_id"] for slot in match["slots"])
            path = f"/api/v1/matches/{match['id']}"
            reported = client(home).post(
                f"{path}/result", {"scores": [2, 1]}, content_type="application/json"
            )
            assert reported.status_code == 200, reported.content
            assert client(away).post(f"{path}/confirm").status_code == 200

        for match in ready():  # the winners' first round
            play(match)
        for match in ready()[:64]:  # half of what is ready next, in both brackets
            play(match)
        live = ready()[0]
        assert organizer.post(f"/api/v1/matches/{live['id']}/start").status_code == 200
        scored = organizer.post(
            f"/api/v1/matches/{live['id']}/score",
            {"seq": 1, "scores": [1, 0]},
            content_type="application/json",
        )
        assert scored.status_code == 200, scored.content
    print(
        "CUP "
        + json.dumps(
            {
                "slug": tournament.slug,
                "tournament_id": tournament.pk,
                "live_match": live["id"],
                "player": user_of[live["slots"][0]["participant_id"]].username,
                "organizer": tournament.organizer.username,
            }
        )
    )


# --- driving the server -------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _environment(var: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DELTACROWN_VAR_DIR": var,
        "DJANGO_SETTINGS_MODULE": "deltacrown.config.settings",
        "DEMO_LIVE": "0",  # only the benchmark changes the cup
        "LOG_FORMAT": "json",
        "LOGIN_RATE_PER_IP": "1000/minute",
    }
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    return env


def _wait_ready(base: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
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


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * share) - 1)] if ordered else float("nan")


def _drive(
    tag: str,
    url: str,
    *,
    threads: int,
    cookies: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """REQUESTS GETs of ``url`` from ``threads`` threads; client latencies, size and errors."""
    latencies: list[float] = []
    sizes: list[int] = []
    errors = [0]
    lock = threading.Lock()
    counter = iter(range(REQUESTS))
    barrier = threading.Barrier(threads)

    def worker() -> None:
        local: list[float] = []
        with httpx.Client(timeout=30.0, cookies=cookies) as client:
            barrier.wait()
            while True:
                with lock:
                    i = next(counter, None)
                if i is None:
                    break
                request_headers = {**(headers or {}), "X-Request-ID": f"bench-{tag}-{i:06d}"}
                started = time.perf_counter()
                response = client.get(url, headers=request_headers)
                local.append(time.perf_counter() - started)
                with lock:
                    sizes.append(len(response.content))
                    if response.status_code != 200:
                        errors[0] += 1
        with lock:
            latencies.extend(local)

    workers = [threading.Thread(target=worker) for _ in range(threads)]
    started = time.perf_counter()
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    elapsed = time.perf_counter() - started
    return {
        "rps": len(latencies) / elapsed,
        "p50": statistics.median(latencies) * 1000,
        "p95": _percentile(latencies, 0.95) * 1000,
        "bytes": max(sizes) if sizes else 0,
        "errors": errors[0],
    }


def _cold(tag: str, url: str, change: Callable[[int], None]) -> dict[str, Any]:
    """The first view after each change: ``change(i)``, then one timed GET, COLD_REQUESTS times."""
    latencies: list[float] = []
    errors = 0
    with httpx.Client(timeout=30.0) as client:
        for i in range(COLD_REQUESTS):
            change(i)
            started = time.perf_counter()
            response = client.get(url, headers={"X-Request-ID": f"bench-{tag}-{i:06d}"})
            latencies.append(time.perf_counter() - started)
            errors += response.status_code != 200
    return {
        "rps": float("nan"),
        "p50": statistics.median(latencies) * 1000,
        "p95": _percentile(latencies, 0.95) * 1000,
        "bytes": len(response.content),
        "errors": errors,
    }


def _javascript(base: str, path: str, cache: dict[str, int]) -> int:
    """Bytes of JavaScript a page loads (every external script it names)."""
    html = httpx.get(f"{base}{path}").text
    total = 0
    for src in re.findall(r'<script[^>]+src="([^"]+)"', html):
        if src not in cache:
            cache[src] = len(httpx.get(f"{base}{src}").content)
        total += cache[src]
    # Inline scripts count too.
    total += sum(len(s) for s in re.findall(r"<script>(.*?)</script>", html, flags=re.S))
    return total


def _server_times(log: Path) -> dict[str, list[float]]:
    """``duration_ms`` of every benchmark request in the server's access log, by scenario."""
    found: dict[str, list[float]] = {}
    for line in log.read_text(errors="replace").splitlines():
        if '"bench-' not in line:
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        request_id = str(entry.get("request_id", ""))
        if entry.get("event") == "request" and request_id.startswith("bench-"):
            tag = request_id.split("-")[1]
            found.setdefault(tag, []).append(float(entry["duration_ms"]))
    return found


def main() -> int:
    var = tempfile.mkdtemp(prefix="deltacrown-bench-web-")
    env = _environment(var)
    deltacrown = str(BIN / "deltacrown")
    print(f"Preparing: migrate, demo, a {ENTRANTS}-entrant double elimination played in part...")
    subprocess.run([deltacrown, "migrate", "-v0"], env=env, check=True, cwd=ROOT)
    subprocess.run([deltacrown, "demo"], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    prepared = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--prepare"],
        env={**env, "LOG_LEVEL": "WARNING"},
        check=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    cup = json.loads(next(x for x in prepared.stdout.splitlines() if x.startswith("CUP "))[4:])

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = Path(var) / "serve.log"
    log = log_path.open("wb")
    proc = subprocess.Popen(
        [deltacrown, "serve", "--port", str(port)],
        env={**env, "LOG_LEVEL": "INFO"},
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    slug = cup["slug"]
    pages = {
        "ceiling": ("GET /healthz (ceiling)", "/healthz"),
        "home": ("home", "/"),
        "overview": ("tournament: overview", f"/tournaments/{slug}/"),
        "participants": ("tournament: participants", f"/tournaments/{slug}/participants/"),
        "bracket": ("tournament: bracket", f"/tournaments/{slug}/bracket/"),
        "standings": ("tournament: standings", f"/tournaments/{slug}/standings/"),
        "matches": ("tournament: matches", f"/tournaments/{slug}/matches/"),
        "match": ("match", f"/matches/{cup['live_match']}/"),
    }
    results: dict[str, dict[str, Any]] = {}
    loaded: dict[str, dict[str, Any]] = {}
    javascript: dict[str, int] = {}
    try:
        _wait_ready(base, proc)
        session = httpx.post(
            f"{base}/api/v1/auth/login",
            json={"username": cup["player"], "password": PLAYER_PASSWORD},
        )
        session.raise_for_status()
        token = httpx.post(
            f"{base}/api/v1/auth/token",
            json={"username": cup["organizer"], "password": PLAYER_PASSWORD},
        ).json()["access_token"]
        bracket_url = f"{base}{pages['bracket'][1]}"
        variants: dict[str, tuple[str, dict[str, Any]]] = {
            **{tag: (f"{base}{path}", {}) for tag, (_, path) in pages.items()},
            "mine": (bracket_url, {"cookies": dict(session.cookies)}),
            "fragment": (bracket_url, {"headers": {"HX-Request": "true"}}),
        }
        for tag, (url, options) in variants.items():
            httpx.get(url, **options)  # warm up: the first render fills the cache
            # One client: the time a page takes to render. Then THREADS: the page under load
            # (one worker serves them all, so each also waits for the others).
            results[tag] = _drive(tag, url, threads=1, **options)
            loaded[tag] = _drive(f"{tag}x", url, threads=THREADS, **options)
        seq = [1]

        def change(_: int) -> None:
            seq[0] += 1
            httpx.post(
                f"{base}/api/v1/matches/{cup['live_match']}/score",
                json={"seq": seq[0], "scores": [seq[0], 0]},
                headers={"Authorization": f"Bearer {token}"},
            ).raise_for_status()

        results["coldbracket"] = _cold("coldbracket", f"{base}{pages['bracket'][1]}", change)
        results["coldstandings"] = _cold("coldstandings", f"{base}{pages['standings'][1]}", change)
        # A result moves the bracket on (winner and loser advance): the tab is drawn in full.
        ready = httpx.get(
            f"{base}/api/v1/tournaments/{cup['tournament_id']}/matches",
            params={"status": "ready", "limit": 100},
        ).json()["items"]
        if len(ready) < COLD_REQUESTS:
            raise SystemExit(f"only {len(ready)} ready matches for {COLD_REQUESTS} results")

        def result(i: int) -> None:
            httpx.post(
                f"{base}/api/v1/matches/{ready[i]['id']}/override",
                json={"scores": [2, 1]},
                headers={"Authorization": f"Bearer {token}"},
            ).raise_for_status()

        results["resultbracket"] = _cold("resultbracket", f"{base}{pages['bracket'][1]}", result)
        js_cache: dict[str, int] = {}
        for tag, (_, path) in pages.items():
            if tag != "ceiling":
                javascript[tag] = _javascript(base, path, js_cache)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()

    server = _server_times(log_path)
    names = {tag: name for tag, (name, _) in pages.items()}
    names["mine"] = "tournament: bracket, signed-in player"
    names["fragment"] = "tournament: bracket, htmx live region"
    names["coldbracket"] = "bracket, first view after a live score"
    names["coldstandings"] = "standings, first view after a live score"
    names["resultbracket"] = "bracket, first view after a result"
    print()
    print(
        f"Pages on the embedded defaults: 1 uvicorn worker, SQLite, {os.cpu_count()} CPUs shared "
        f"by client and server; {REQUESTS} requests per page with 1 client (render time), then "
        f"with {THREADS} clients (under load); {COLD_REQUESTS} first views after a change."
    )
    print(f"Tournament: {ENTRANTS}-entrant double elimination, 511 matches, being played.")
    loaded_head = f"---------- {THREADS} clients ----------"
    print(f"{'':42} {'------------ 1 client ------------':>32} {loaded_head:>31}")
    print(
        f"{'page':42} {'client p95':>10} {'server p50':>10} {'server p95':>10} "
        f"{'req/s':>7} {'client p95':>11} {'server p95':>11} {'KB':>5} {'JS KB':>6} {'err':>4}"
    )
    worst = worst_first = 0.0
    for tag, r in results.items():
        times = server.get(tag, [])
        server_p95 = _percentile(times, 0.95)
        if tag in FIRST_VIEWS:
            worst_first = max(worst_first, server_p95)
        elif tag != "ceiling":
            worst = max(worst, server_p95)
        under = loaded.get(tag)
        median = statistics.median(times) if times else float("nan")
        columns = f"{names[tag]:42} {r['p95']:8.1f}ms {median:8.1f}ms {server_p95:8.1f}ms "
        if under:
            under_server = _percentile(server.get(f"{tag}x", []), 0.95)
            columns += f"{under['rps']:7.0f} {under['p95']:9.1f}ms {under_server:9.1f}ms "
        else:
            columns += f"{'':7} {'':11} {'':11} "
        js = javascript.get(tag)
        errors = r["errors"] + (under["errors"] if under else 0)
        print(
            columns + f"{r['bytes'] / 1024:5.0f} "
            f"{(js / 1024) if js is not None else float('nan'):6.1f} {errors:4d}"
        )
    print(f"ceiling: GET /healthz, {loaded['ceiling']['rps']:.0f} req/s with {THREADS} clients")
    heaviest = max(javascript.values())
    print(
        f"goal: pages render in under {GOAL_P95_MS:.0f} ms p95 (server time, 1 client): "
        f"{'met' if worst < GOAL_P95_MS else 'MISSED'} (worst {worst:.1f} ms)"
    )
    print(
        f"goal: first views after a change, also under {GOAL_P95_MS:.0f} ms p95: "
        f"{'met' if worst_first < GOAL_P95_MS else 'MISSED'} (worst {worst_first:.1f} ms)"
    )
    print(
        f"goal: at most {JS_BUDGET // 1024} KB of JavaScript per page: "
        f"{'met' if heaviest <= JS_BUDGET else 'MISSED'} (largest {heaviest / 1024:.1f} KB)"
    )
    failed = any(r["errors"] for r in (*results.values(), *loaded.values()))
    missed = max(worst, worst_first) >= GOAL_P95_MS or heaviest > JS_BUDGET
    return 1 if failed or missed else 0


if __name__ == "__main__":
    if sys.argv[1:] == ["--prepare"]:
        prepare()
        raise SystemExit(0)
    raise SystemExit(main())
