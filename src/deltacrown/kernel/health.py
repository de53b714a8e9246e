"""Kernel layer: readiness checks behind ``GET /readyz``.

``/healthz`` answers while the process runs; ``/readyz`` answers 200 only when the dependencies
a request needs respond: the database, Redis (when REDIS_URL is set) and the task queue's storage.
A load balancer or orchestrator stops routing to a worker whose readiness fails, without
restarting it. Failures are reported by the exception's class name only: driver messages can
hold hosts, user names or URLs, which belong in neither a public answer nor the logs.
"""

from __future__ import annotations

from collections.abc import Callable

import structlog
from django.conf import settings
from django.db import connections
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_safe

logger = structlog.get_logger("deltacrown.health")

OK = "ok"
Check = Callable[[], None]


def check_database() -> None:
    """Run a trivial query on the default database."""
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_redis() -> None:
    """PING Redis, giving up after READINESS_TIMEOUT seconds."""
    import redis

    timeout = float(getattr(settings, "READINESS_TIMEOUT", 2))
    client = redis.Redis.from_url(
        settings.REDIS_URL, socket_connect_timeout=timeout, socket_timeout=timeout
    )
    try:
        client.ping()
    finally:
        client.close()


def check_tasks() -> None:
    """Read the task queue's length from its storage (SQLite file or Redis list)."""
    from huey.contrib.djhuey import HUEY

    HUEY.storage.queue_size()


def readiness_checks() -> dict[str, Check]:
    """The checks that apply to this configuration, by name."""
    checks: dict[str, Check] = {"database": check_database}
    if getattr(settings, "REDIS_URL", ""):
        checks["redis"] = check_redis
    checks["tasks"] = check_tasks
    return checks


def run_checks() -> dict[str, str]:
    """Run every readiness check: ``{name: "ok" | "error: <exception class>"}``."""
    results: dict[str, str] = {}
    for name, check in readiness_checks().items():
        try:
            check()
        except Exception as exc:  # a readiness probe reports every failure, it never raises
            reason = type(exc).__name__
            logger.warning("readiness_check_failed", check=name, error=reason)
            results[name] = f"error: {reason}"
        else:
            results[name] = OK
    return results


@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    """``GET /readyz``: 200 ``{"status": "ready", "checks": ...}``, else 503 "unavailable"."""
    checks = run_checks()
    ready = all(result == OK for result in checks.values())
    response = JsonResponse(
        {"status": "ready" if ready else "unavailable", "checks": checks},
        status=200 if ready else 503,
    )
    response["Cache-Control"] = "no-store"
    return response
