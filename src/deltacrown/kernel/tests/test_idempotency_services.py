"""Idempotency under real concurrency: threads race one key against a live server on PostgreSQL."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import httpx
import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connection
from django.utils import timezone

from deltacrown.kernel.idempotency import request_fingerprint
from deltacrown.kernel.models import IdempotencyRecord

pytestmark = [
    pytest.mark.services,
    pytest.mark.urls("deltacrown.kernel.tests.idempotency_urls"),
    pytest.mark.django_db(transaction=True),
]

THREADS = 10
BODY = {"note": "race"}


@pytest.fixture(autouse=True)
def _on_postgresql():
    assert connection.vendor == "postgresql", "set DATABASE_URL to a PostgreSQL database"


def _race(url: str, key: str) -> list[httpx.Response]:
    """POST the same key and body from THREADS threads released at the same instant."""
    barrier = threading.Barrier(THREADS)

    def post(_: int) -> httpx.Response:
        with httpx.Client(timeout=30) as client:
            barrier.wait()
            return client.post(url, json=BODY, headers={"Idempotency-Key": key})

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        return list(pool.map(post, range(THREADS)))


def _tickets() -> int:
    return Group.objects.filter(name__startswith="ticket-").count()


def _assert_ran_once(responses: list[httpx.Response]) -> httpx.Response:
    """Exactly one response executed; the rest replayed it or were told to retry."""
    executed = [
        r for r in responses if r.status_code == 201 and "Idempotent-Replayed" not in r.headers
    ]
    assert len(executed) == 1, [r.status_code for r in responses]
    original = executed[0]
    for response in responses:
        if response.status_code == 201:
            assert response.content == original.content
        else:
            assert response.status_code == 409
            assert response.json()["code"] == "idempotency_in_flight"
            assert response.headers["Retry-After"] == "1"
    assert _tickets() == 1
    return original


def test_racing_repeats_of_one_key_run_once(live_server):
    url = f"{live_server.url}/api/test/slow-tickets"

    original = _assert_ran_once(_race(url, "race-key"))

    later = httpx.post(url, json=BODY, headers={"Idempotency-Key": "race-key"}, timeout=30)
    assert later.status_code == 201
    assert later.headers["Idempotent-Replayed"] == "true"
    assert later.content == original.content


def test_racing_takeovers_of_a_dead_request_run_once(live_server):
    url = f"{live_server.url}/api/test/slow-tickets"
    long_ago = timezone.now() - settings.IDEMPOTENCY_STALE_AFTER - timedelta(seconds=1)
    IdempotencyRecord.objects.create(
        scope="anonymous",
        method="POST",
        path="/api/test/slow-tickets",
        key="dead-key",
        fingerprint=request_fingerprint(
            httpx.Request("POST", url, json=BODY).content, "application/json"
        ),
        created_at=long_ago,
        expires_at=long_ago + settings.IDEMPOTENCY_TTL,
    )

    _assert_ran_once(_race(url, "dead-key"))

    record = IdempotencyRecord.objects.get(key="dead-key")
    assert record.completed_at is not None
    assert record.status_code == 201


def test_a_request_taken_over_by_another_worker_commits_nothing(live_server):
    response = httpx.post(
        f"{live_server.url}/api/test/overtaken-elsewhere",
        json=BODY,
        headers={"Idempotency-Key": "overtaken-key"},
        timeout=30,
    )

    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_in_flight"
    assert _tickets() == 0
    # The claim now belongs to the worker that took it over: neither completed nor released.
    record = IdempotencyRecord.objects.get(key="overtaken-key")
    assert record.completed_at is None
