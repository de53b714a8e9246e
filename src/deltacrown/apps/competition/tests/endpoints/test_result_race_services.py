"""Results under real concurrency: many confirmations or overrides of one match fired at the same
instant over HTTP against a live server on PostgreSQL complete the match exactly once, and the
bracket's stored engine state and its rows agree afterwards."""

from __future__ import annotations

import itertools
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

from deltacrown.apps.competition.data import ReportStatus
from deltacrown.apps.competition.models import ResultReport, Stage
from deltacrown.apps.competition.tests.endpoints.helpers import (
    generate,
    get,
    matches_of,
    ok,
    participants_by_user,
    post,
    sides,
    signed_in,
)
from deltacrown.apps.competition.tests.factories import events_named, live_tournament

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

THREADS = 20


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


def _fire(url: str, headers: dict[str, str], body: dict[str, Any] | None) -> list[httpx.Response]:
    """POST ``body`` to ``url`` from THREADS threads, each with its own connection, released
    at the same instant."""
    barrier = threading.Barrier(THREADS)

    def send(_: int) -> httpx.Response:
        with httpx.Client(timeout=60) as client:
            # Connect first so the barrier releases requests, not handshakes.
            client.get(url.rsplit("/", 1)[0], headers=headers)
            barrier.wait()
            return client.post(url, json=body or {}, headers=headers)

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        return list(pool.map(send, range(THREADS)))


def _completions(tournament_id: int, match_id: int) -> list[dict[str, Any]]:
    return [
        event
        for event in events_named(tournament_id, "match.completed")
        if event["match_id"] == match_id
    ]


def _assert_engine_agrees_with_rows(stage_id: int) -> None:
    """Every match the API shows (from the rows) has the same sides and winner in the stage's
    stored engine state."""
    bracket = ok(get(Client(), f"/stages/{stage_id}"))
    stored = {m["id"]: m for m in Stage.objects.get(pk=stage_id).engine["matches"]}
    for key, match in matches_of(bracket).items():
        engine_match = stored[key]
        sides_in_rows = [
            None if slot["participant_id"] is None else str(slot["participant_id"])
            for slot in match["slots"]
        ]
        assert list(engine_match["participants"]) == sides_in_rows, key
        winner = None if match["winner_id"] is None else str(match["winner_id"])
        assert engine_match["winner"] == winner, key


def test_twenty_simultaneous_confirmations_complete_the_match_once(server_url):
    tournament, players = live_tournament(4)
    bracket = generate(tournament)
    stage_id = bracket["id"]
    by_participant = participants_by_user(tournament, players)
    match = matches_of(bracket)["W1.1"]
    home, away = sides(match, by_participant)
    reported = ok(post(signed_in(home), f"/matches/{match['id']}/result", {"scores": [3, 1]}))
    assert reported["status"] == "pending_result"

    responses = _fire(
        f"{server_url}/api/v1/matches/{match['id']}/confirm", _session(away), body=None
    )

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] + [409] * (THREADS - 1), [r.text for r in responses]
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"no_pending_result"}
    (winning,) = [r.json() for r in responses if r.status_code == 200]
    winner = match["slots"][0]["participant_id"]
    assert (winning["status"], winning["winner_id"]) == ("completed", winner)
    (completed,) = _completions(tournament.pk, match["id"])
    assert (completed["winner_id"], completed["correction"]) == (winner, False)
    reports = ResultReport.objects.filter(match_id=match["id"])
    assert [r.status for r in reports] == [ReportStatus.CONFIRMED]
    final = ok(get(Client(), f"/matches/{match['winner_to']['match_id']}"))
    assert [s["participant_id"] for s in final["slots"]].count(winner) == 1
    _assert_engine_agrees_with_rows(stage_id)


def test_twenty_simultaneous_identical_overrides_complete_the_match_once(server_url):
    tournament, _ = live_tournament(4)
    bracket = generate(tournament)
    stage_id = bracket["id"]
    match = matches_of(bracket)["W1.2"]
    assert match["status"] == "ready"
    winner = match["slots"][1]["participant_id"]

    responses = _fire(
        f"{server_url}/api/v1/matches/{match['id']}/override",
        _session(tournament.organizer),
        body={"scores": [0, 2]},
    )

    assert [r.status_code for r in responses] == [200] * THREADS, [r.text for r in responses]
    assert {(r.json()["status"], r.json()["winner_id"]) for r in responses} == {
        ("completed", winner)
    }
    # One first completion; repeating the stored result changes nothing, so it publishes no
    # further completion, and certainly no second first one.
    completions = _completions(tournament.pk, match["id"])
    assert [c["correction"] for c in completions] == [False]
    assert {(c["winner_id"], tuple(c["scores"])) for c in completions} == {(winner, (0, 2))}
    reports = ResultReport.objects.filter(match_id=match["id"])
    assert sorted(r.status for r in reports) == [ReportStatus.CONFIRMED] * THREADS
    final = ok(get(Client(), f"/matches/{match['winner_to']['match_id']}"))
    slot = match["winner_to"]["slot"]
    assert final["slots"][slot]["participant_id"] == winner
    assert [s["participant_id"] for s in final["slots"]].count(winner) == 1
    assert final["status"] == "scheduled"  # the other semi-final is still to be played
    _assert_engine_agrees_with_rows(stage_id)


def test_twenty_simultaneous_conflicting_overrides_leave_one_consistent_result(server_url):
    tournament, _ = live_tournament(4)
    bracket = generate(tournament)
    stage_id = bracket["id"]
    match = matches_of(bracket)["W1.1"]
    organizer = _session(tournament.organizer)
    url = f"{server_url}/api/v1/matches/{match['id']}/override"
    barrier = threading.Barrier(THREADS)

    def send(index: int) -> httpx.Response:
        # Half the staff say slot 0 won, half say slot 1 did.
        body = {"scores": [2, 0]} if index % 2 else {"scores": [0, 2]}
        with httpx.Client(timeout=60) as client:
            client.get(url.rsplit("/", 1)[0], headers=organizer)
            barrier.wait()
            return client.post(url, json=body, headers=organizer)

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        responses = list(pool.map(send, range(THREADS)))

    # The next match is not played yet, so every override is accepted as a correction.
    assert [r.status_code for r in responses] == [200] * THREADS, [r.text for r in responses]
    completions = _completions(tournament.pk, match["id"])
    assert [c["correction"] for c in completions] == [False] + [True] * (len(completions) - 1)
    # Each published completion changed the winner: no event repeats the one before it.
    winners = [c["winner_id"] for c in completions]
    assert all(a != b for a, b in itertools.pairwise(winners))
    decided = ok(get(Client(), f"/matches/{match['id']}"))
    assert (decided["status"], decided["winner_id"]) == ("completed", winners[-1])
    final = ok(get(Client(), f"/matches/{match['winner_to']['match_id']}"))
    slot = match["winner_to"]["slot"]
    assert final["slots"][slot]["participant_id"] == winners[-1]
    assert decided["loser_id"] not in [s["participant_id"] for s in final["slots"]]
    _assert_engine_agrees_with_rows(stage_id)
