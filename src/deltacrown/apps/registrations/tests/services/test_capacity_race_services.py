"""Capacity under real concurrency: hundreds of players register for one tournament at the same
moment over HTTP against a live server on PostgreSQL, and the places go to exactly the first
ones the ledger lock let through, with everyone else waitlisted in that same order."""

from __future__ import annotations

import secrets
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from django.conf import settings
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import connection
from django.test import Client
from django.test.testcases import LiveServerThread

from deltacrown.apps.registrations.models import Entry, Registration
from deltacrown.apps.registrations.tests.factories import (
    TournamentFactory,
    UserFactory,
    events_named,
)

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

ATTEMPTS = 500
CAPACITY = 64
THREADS = 40


@pytest.fixture(autouse=True)
def _on_postgresql():
    assert connection.vendor == "postgresql", "set DATABASE_URL to a PostgreSQL database"


class _RoomyServer(ThreadedWSGIServer):
    # Every racing client connects at the same instant: the default listen backlog (10) would
    # reset the connections beyond it before the server accepts them.
    request_queue_size = 256


class _RoomyServerThread(LiveServerThread):
    server_class = _RoomyServer


@pytest.fixture
def server_url(transactional_db) -> Any:
    """The address of a live server (a thread per request, like several workers) on this DB."""
    thread = _RoomyServerThread("localhost", static_handler=lambda handler: handler)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    yield f"http://localhost:{thread.port}"
    thread.terminate()


def _session(user: Any) -> dict[str, str]:
    """Cookies and headers of a signed-in browser session for ``user`` (CSRF included)."""
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    csrf = secrets.token_hex(16)  # 32 characters: a valid unmasked CSRF secret
    return {
        "cookie": f"{settings.SESSION_COOKIE_NAME}={session}; {settings.CSRF_COOKIE_NAME}={csrf}",
        "x-csrftoken": csrf,
    }


def _register_all(url: str, sessions: list[dict[str, str]]) -> list[httpx.Response]:
    """POST one registration per session from THREADS threads, released at the same instant."""
    barrier = threading.Barrier(THREADS)
    local = threading.local()
    clients: list[httpx.Client] = []

    def post(headers: dict[str, str]) -> httpx.Response:
        if not hasattr(local, "client"):
            local.client = httpx.Client(timeout=60)
            clients.append(local.client)
            barrier.wait()
        return local.client.post(url, json={}, headers=headers)

    try:
        with ThreadPoolExecutor(max_workers=THREADS) as pool:
            return list(pool.map(post, sessions))
    finally:
        for client in clients:
            client.close()


def test_five_hundred_simultaneous_registrations_fill_sixty_four_places_in_lock_order(
    server_url,
):
    tournament = TournamentFactory(capacity=CAPACITY)
    players = [UserFactory() for _ in range(ATTEMPTS)]
    url = f"{server_url}/api/v1/tournaments/{tournament.pk}/registrations"

    responses = _register_all(url, [_session(p) for p in players])

    assert [r.status_code for r in responses] == [201] * ATTEMPTS
    rows = list(Registration.objects.filter(tournament=tournament).order_by("arrival"))
    assert [r.arrival for r in rows] == list(range(1, ATTEMPTS + 1))
    assert [r.state for r in rows] == ["confirmed"] * CAPACITY + ["waitlisted"] * (
        ATTEMPTS - CAPACITY
    )
    assert sorted(r.user_id for r in rows) == sorted(p.pk for p in players)
    # What each player was told matches what was stored, and the waitlist is gapless.
    by_id = {r.pk: r for r in rows}
    for response in responses:
        body = response.json()
        row = by_id[body["id"]]
        assert (body["state"], body["arrival"]) == (row.state, row.arrival)
        expected = row.arrival - CAPACITY if row.state == "waitlisted" else None
        assert body["waitlist_position"] == expected
    assert Entry.objects.filter(tournament=tournament, released_at__isnull=True).count() == ATTEMPTS
    created = events_named(tournament.pk, "registration.created")
    assert [e["arrival"] for e in created] == list(range(1, ATTEMPTS + 1))


def test_one_player_registering_many_times_at_once_gets_one_registration(server_url):
    tournament = TournamentFactory(capacity=CAPACITY)
    player = UserFactory()
    url = f"{server_url}/api/v1/tournaments/{tournament.pk}/registrations"

    responses = _register_all(url, [_session(player) for _ in range(THREADS)])

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * (THREADS - 1)
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"already_registered"}
    assert Registration.objects.filter(tournament=tournament).count() == 1
    assert Registration.objects.get(tournament=tournament).arrival == 1
