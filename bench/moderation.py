"""Benchmark: the moderation gate with 100,000 sanctions in PostgreSQL.

Run as ``python bench/moderation.py`` (``python bench/run.py moderation``; ``make bench`` runs
every bench/*.py). Uses ``DATABASE_URL`` when it names a PostgreSQL database, otherwise starts a
private, throwaway PostgreSQL (and Redis, for the at-scale row) the way
``scripts/with_services.py`` does. Seeds 100,000 sanctions over 40,000 of 100,000 users
(bans, suspensions and mutes; global and tournament-scoped; active, expired and revoked), then
measures the gate as the lower apps call it (``kernel.gates.check``):

- **hit**: every user of a warm set checked again and again, answered from the in-process
  cache (the embedded setup's ``moderation`` cache). Goal: p95 ≤ 0.2 ms.
- **miss**: each check preceded by an invalidation, so it reads PostgreSQL and fills the
  cache. Goal: p95 ≤ 5 ms.
- **mix**: a realistic stream from a cold cache: users by a Zipf-like popularity, actions
  weighted like live traffic (mostly WebSocket messages and connects), tournament or none,
  and a sanction created or revoked through the services every 2,000 checks. Prints the
  hit ratio it reaches.
- **hit (Redis)**: the hit case with the cache in Redis, as at scale (when Redis is there).

Prints a table with p50/p95/p99 and the goals; exits 1 when a goal is missed.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from bisect import bisect
from datetime import timedelta
from itertools import accumulate
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "scripts"))

SANCTIONS = 100_000
USERS = 100_000
SANCTIONED_USERS = 40_000
HIT_GOAL_MS = 0.2
MISS_GOAL_MS = 5.0
WRITE_EVERY = 2_000

#: Live traffic is mostly WebSocket: a message or a (re)connect for every write-side action.
ACTION_WEIGHTS = {
    "ws.message": 55,
    "ws.connect": 20,
    "registration.create": 8,
    "checkin": 6,
    "result.report": 6,
    "team.invite": 3,
    "purchase": 2,
}


def _percentiles(samples: list[float]) -> tuple[float, float, float]:
    """p50, p95, p99 in milliseconds."""
    ordered = sorted(samples)
    at = lambda q: ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000  # noqa: E731
    return statistics.median(ordered) * 1000, at(0.95), at(0.99)


def _start_services() -> Any:
    """A private PostgreSQL and Redis (the same helper ``make test-services`` uses)."""
    import with_services

    pg_bindir, redis_server = with_services.ensure_binaries()
    services = with_services.Services(pg_bindir, redis_server, timeout=60)
    services.start()
    return services


def _setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.pop("REDIS_URL", None)  # the in-process cache is what "in process" measures
    os.environ.setdefault("DELTACROWN_VAR_DIR", tempfile.mkdtemp(prefix="deltacrown-bench-"))
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["DJANGO_SETTINGS_MODULE"] = "deltacrown.config.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _seed(rng: random.Random) -> tuple[list[int], list[int], list[int]]:
    """Users, the tournaments to scope sanctions to, and the sanctioned users' ids."""
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from deltacrown.apps.moderation.models import Sanction
    from deltacrown.apps.tournaments import api as tournaments
    from deltacrown.kernel import clock

    user_model = get_user_model()
    tournament_ids = list(tournaments.seed_demo().ids)
    admin_id = user_model.objects.get(is_staff=True).pk
    existing = Sanction.objects.count()
    if existing >= SANCTIONS:
        users = list(
            user_model.objects.filter(username__startswith="bench").values_list("pk", flat=True)
        )
        sanctioned = sorted(set(Sanction.objects.values_list("user_id", flat=True)))
        return users, tournament_ids, sanctioned

    started = time.perf_counter()
    with transaction.atomic():
        user_model.objects.bulk_create(
            [
                user_model(username=f"bench{i}", email=f"bench{i}@bench.invalid", password="!")
                for i in range(USERS)
            ],
            batch_size=5_000,
        )
    users = list(
        user_model.objects.filter(username__startswith="bench").values_list("pk", flat=True)
    )
    sanctioned = rng.sample(users, SANCTIONED_USERS)
    now = clock.now()
    rows = []
    for n in range(SANCTIONS):
        user_id = sanctioned[n % SANCTIONED_USERS]
        kind = rng.choices(["ban", "suspend", "mute"], weights=[2, 3, 5])[0]
        scoped = rng.random() < 0.4
        state = rng.choices(["active", "expired", "revoked", "scheduled"], weights=[6, 2, 1, 1])[0]
        starts = now - timedelta(days=rng.randint(1, 60))
        ends: Any = now + timedelta(days=rng.randint(1, 30)) if rng.random() < 0.7 else None
        if state == "expired":
            ends = starts + timedelta(hours=rng.randint(1, 12))
        elif state == "scheduled":
            starts = now + timedelta(days=rng.randint(1, 10))
            ends = starts + timedelta(days=3)
        revoked = state == "revoked"
        rows.append(
            Sanction(
                user_id=user_id,
                kind=kind,
                tournament_id=rng.choice(tournament_ids) if scoped else None,
                starts_at=starts,
                ends_at=ends,
                reason_code="cheating",
                created_by_id=admin_id,
                created_at=starts,
                revoked_at=now - timedelta(hours=1) if revoked else None,
                revoked_by_id=admin_id if revoked else None,
                revoke_reason="bench" if revoked else "",
            )
        )
    with transaction.atomic():
        Sanction.objects.bulk_create(rows, batch_size=5_000)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    took = time.perf_counter() - started
    print(f"seeded {USERS:,} users and {SANCTIONS:,} sanctions in {took:.1f} s")
    return users, tournament_ids, sanctioned


def _counts() -> dict[str, float]:
    from prometheus_client import REGISTRY

    return {
        result: REGISTRY.get_sample_value(
            "deltacrown_moderation_cache_requests_total", {"result": result}
        )
        or 0.0
        for result in ("hit", "miss", "bypass", "error")
    }


def _check_loop(checks: list[tuple[int, str, int | None]]) -> list[float]:
    from deltacrown.kernel import gates

    timings = []
    perf = time.perf_counter
    check = gates.check
    for user_id, action, tournament_id in checks:
        started = perf()
        check(user_id, action, tournament_id=tournament_id)
        timings.append(perf() - started)
    return timings


def measure_hits(
    rng: random.Random, users: list[int], tournaments: list[int], n: int
) -> list[float]:
    """Checks of a warm set of users, every answer already cached."""
    from deltacrown.apps.moderation import sanction_cache

    sanction_cache.clear()
    warm = rng.sample(users, 2_000)
    actions = list(ACTION_WEIGHTS)
    checks = [
        (rng.choice(warm), rng.choice(actions), rng.choice([None, *tournaments])) for _ in range(n)
    ]
    _check_loop([(u, "ws.connect", None) for u in warm])  # fill the cache
    return _check_loop(checks)


def measure_misses(rng: random.Random, sanctioned: list[int], n: int) -> list[float]:
    """Checks that each follow an invalidation: the token, PostgreSQL, the cache write."""
    from deltacrown.apps.moderation import sanction_cache
    from deltacrown.kernel import gates

    timings = []
    for user_id in rng.sample(sanctioned, n):
        sanction_cache.invalidate(user_id)
        started = time.perf_counter()
        gates.check(user_id, "ws.connect")
        timings.append(time.perf_counter() - started)
    return timings


def measure_mix(
    rng: random.Random, users: list[int], tournaments: list[int], n: int
) -> tuple[list[float], float, float, int]:
    """A realistic stream from a cold cache, with writes: (timings, hit ratio over the whole
    run, hit ratio over its second half once the cache has warmed up, writes)."""
    from django.contrib.auth import get_user_model

    from deltacrown.apps.moderation import api, sanction_cache
    from deltacrown.apps.moderation.models import Sanction

    sanction_cache.clear()
    ranked = users[:]
    rng.shuffle(ranked)
    # Zipf-like popularity: the k-th most active user is seen ~1/k^1.1 as often.
    cumulative = list(accumulate(1 / (k**1.1) for k in range(1, len(ranked) + 1)))
    total = cumulative[-1]
    actions, weights = zip(*ACTION_WEIGHTS.items(), strict=True)
    admin = get_user_model().objects.filter(is_staff=True).first()
    from deltacrown.kernel import gates

    before = _counts()
    halfway = before
    timings: list[float] = []
    writes = 0
    for i in range(n):
        if i == n // 2:
            halfway = _counts()
        user_id = ranked[bisect(cumulative, rng.random() * total)]
        action = rng.choices(actions, weights=weights)[0]
        tournament_id = rng.choice(tournaments) if rng.random() < 0.7 else None
        if i and i % WRITE_EVERY == 0:
            target = ranked[bisect(cumulative, rng.random() * total)]
            open_one = Sanction.objects.filter(user_id=target, revoked_at__isnull=True).first()
            if open_one is not None and rng.random() < 0.5:
                api.sanction_revoke(actor=admin, sanction_id=open_one.pk, reason="bench")
            else:
                api.sanction_create(actor=admin, user_id=target, kind="mute", reason_code="spam")
            writes += 1
        started = time.perf_counter()
        gates.check(user_id, action, tournament_id=tournament_id)
        timings.append(time.perf_counter() - started)
    after = _counts()
    return timings, _ratio(before, after), _ratio(halfway, after), writes


def _ratio(before: dict[str, float], after: dict[str, float]) -> float:
    hits = after["hit"] - before["hit"]
    misses = after["miss"] - before["miss"]
    return hits / max(1.0, hits + misses)


def measure_redis_hits(
    rng: random.Random, users: list[int], tournaments: list[int], n: int, redis_url: str
) -> list[float]:
    """The hit case with the cache in Redis (a worker at scale)."""
    from django.core.cache.backends.redis import RedisCache

    from deltacrown.apps.moderation import sanction_cache

    redis = RedisCache(redis_url, {"KEY_PREFIX": "dcm-bench"})
    original = sanction_cache._cache
    sanction_cache._cache = lambda: redis  # type: ignore[assignment]
    try:
        sanction_cache._memo.clear()
        return measure_hits(rng, users, tournaments, n)
    finally:
        sanction_cache._cache = original  # type: ignore[assignment]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checks", type=int, default=100_000, help="checks in the hit case")
    parser.add_argument("--mix", type=int, default=200_000, help="checks in the realistic mix")
    parser.add_argument("--misses", type=int, default=2_000, help="checks in the miss case")
    parser.add_argument("--seed", type=int, default=2031)
    args = parser.parse_args(argv)

    services = None
    database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        services = _start_services()
        database_url, redis_url = services.database_url, services.redis_url
    try:
        _setup_django(database_url)
        rng = random.Random(args.seed)
        users, tournaments, sanctioned = _seed(rng)
        rows = []
        hits = measure_hits(rng, users, tournaments, args.checks)
        rows.append(("hit, in process", len(hits), _percentiles(hits), HIT_GOAL_MS))
        misses = measure_misses(rng, sanctioned, args.misses)
        rows.append(("miss, PostgreSQL", len(misses), _percentiles(misses), MISS_GOAL_MS))
        mix, ratio, warm_ratio, writes = measure_mix(rng, users, tournaments, args.mix)
        rows.append(("realistic mix", len(mix), _percentiles(mix), None))
        if redis_url:
            redis_hits = measure_redis_hits(rng, users, tournaments, args.checks // 4, redis_url)
            rows.append(("hit, Redis (at scale)", len(redis_hits), _percentiles(redis_hits), None))
    finally:
        if services is not None:
            services.stop()

    print(
        f"moderation gate: {SANCTIONS:,} sanctions over {SANCTIONED_USERS:,} of {USERS:,} users, "
        f"PostgreSQL, Python {platform.python_version()}, {os.cpu_count()} CPUs"
    )
    header = (
        f"{'case':24} {'checks':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
        f"{'goal p95':>9} {'ok':>4}"
    )
    print(header)
    print("-" * len(header))
    failed = False
    for name, count, (p50, p95, p99), goal in rows:
        ok = "" if goal is None else ("yes" if p95 <= goal else "NO")
        failed |= ok == "NO"
        goal_text = "" if goal is None else f"≤ {goal:g}"
        print(f"{name:24} {count:8d} {p50:8.3f} {p95:8.3f} {p99:8.3f} {goal_text:>9} {ok:>4}")
    print(
        f"hit ratio under the mix: {ratio:.1%} from a cold cache, {warm_ratio:.1%} over its "
        f"second half ({writes} sanctions created or revoked, one every {WRITE_EVERY:,} checks)"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
