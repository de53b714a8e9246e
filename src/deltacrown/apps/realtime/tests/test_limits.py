"""Realtime limits through the real ASGI application: connections per user, per address and per
room, the incoming message rate, slots given back on every way a connection ends, the leases
that let a crashed worker's slots lapse, and the fail-open policy when the storage is down."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import threading
from datetime import UTC, datetime, timedelta

import orjson
import pytest
from asgiref.sync import async_to_sync
from django.test import Client
from prometheus_client import REGISTRY

from deltacrown.apps.competition.tests.factories import live_tournament
from deltacrown.apps.realtime import limits
from deltacrown.apps.realtime.tests.communicator import WebsocketCommunicator
from deltacrown.config.asgi import application
from deltacrown.kernel import clock

PASSWORD = "Competitor-Pass-42"


def _metric(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


ADDRESS = "198.51.100.7"


@pytest.fixture(autouse=True)
def _fresh_counters():
    limits.reset()
    yield
    limits.reset()


def _token(account) -> str:
    response = Client().post(
        "/api/v1/auth/token",
        {"username": account.username, "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return response.json()["access_token"]


async def _open(path: str, *, address: str = ADDRESS) -> tuple[WebsocketCommunicator, object]:
    """Connect from ``address``; (communicator, True) when admitted, else (…, close code)."""
    communicator = WebsocketCommunicator(
        application, path, headers=[(b"origin", b"http://localhost")]
    )
    # The application starts on the first message, so the scope can still gain the peer.
    communicator.scope["client"] = (address, 50_000)
    await communicator.connect()
    first = await communicator.receive_output(timeout=3)
    if first["type"] == "websocket.close":
        return communicator, first["code"]
    assert orjson.loads(first["text"])["type"] == "snapshot", first
    return communicator, True


async def _json(communicator: WebsocketCommunicator) -> dict:
    return orjson.loads(await communicator.receive_from(timeout=3))


# --- connections --------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_users_fourth_connection_is_refused_until_one_of_the_three_closes():
    tournament, players = live_tournament(2)
    player = players[0]
    path = f"/ws/tournaments/{tournament.pk}/?token={_token(player)}"

    async def scenario() -> None:
        # From three different addresses: it is the account that is limited.
        opened = []
        for n in range(3):
            communicator, admitted = await _open(path, address=f"203.0.113.{n + 1}")
            assert admitted is True
            opened.append(communicator)
        # Refused again and again, without any refusal keeping a slot.
        for _ in range(5):
            extra, code = await _open(path, address="203.0.113.9")
            assert code == 4008
            await extra.disconnect()
        assert await limits.count("user", user_id=player.pk) == 3
        await opened.pop().disconnect()
        again, admitted = await _open(path, address="203.0.113.9")
        assert admitted is True
        opened.append(again)
        refused, code = await _open(path)
        assert code == 4008
        await refused.disconnect()
        # A spectator of the same tournament is not affected by the player's limit.
        spectator, admitted = await _open(f"/ws/tournaments/{tournament.pk}/")
        assert admitted is True
        opened.append(spectator)
        for communicator in opened:
            await communicator.disconnect()
        assert await limits.count("user", user_id=player.pk) == 0
        assert await limits.count("room", stream=f"tournament:{tournament.pk}") == 0

    async_to_sync(scenario)()


@pytest.mark.django_db(transaction=True)
def test_connections_per_address_are_limited_and_other_addresses_still_connect(settings):
    settings.REALTIME_CONNECTIONS_PER_IP = 2
    tournament, _ = live_tournament(2)
    path = f"/ws/tournaments/{tournament.pk}/"

    async def scenario() -> None:
        first, _ = await _open(path)
        second, _ = await _open(path)
        third, code = await _open(path)
        assert code == 4008
        await third.disconnect()
        elsewhere, admitted = await _open(path, address="192.0.2.44")
        assert admitted is True
        await first.disconnect()
        replacement, admitted = await _open(path)
        assert admitted is True
        for communicator in (second, elsewhere, replacement):
            await communicator.disconnect()

    async_to_sync(scenario)()


@pytest.mark.django_db(transaction=True)
def test_a_full_room_refuses_with_4010_and_admits_again_when_someone_leaves(settings):
    settings.REALTIME_ROOM_MAX = 2
    tournament, _ = live_tournament(2)
    other, _ = live_tournament(2)
    path = f"/ws/tournaments/{tournament.pk}/"
    refused_before = _metric("deltacrown_realtime_rate_limited_total", reason="room_full")

    async def scenario() -> None:
        members = [(await _open(path, address=f"192.0.2.{n}"))[0] for n in (1, 2)]
        late, code = await _open(path, address="192.0.2.3")
        assert code == 4010
        await late.disconnect()
        # The limit is per room: another tournament's stream has room.
        elsewhere, admitted = await _open(f"/ws/tournaments/{other.pk}/", address="192.0.2.3")
        assert admitted is True
        await members.pop().disconnect()
        late, admitted = await _open(path, address="192.0.2.3")
        assert admitted is True
        for communicator in (*members, late, elsewhere):
            await communicator.disconnect()
        assert await limits.count("room", stream=f"tournament:{tournament.pk}") == 0

    async_to_sync(scenario)()
    refused = _metric("deltacrown_realtime_rate_limited_total", reason="room_full")
    assert refused == refused_before + 1


@pytest.mark.django_db(transaction=True)
def test_slots_come_back_when_the_server_closes_or_drops_a_connection(settings):
    settings.REALTIME_ROOM_MAX = 1
    tournament, _ = live_tournament(2)
    path = f"/ws/tournaments/{tournament.pk}/"
    stream = f"tournament:{tournament.pk}"

    async def scenario() -> None:
        # Closed by the server (a message too big), then the socket goes away.
        communicator, _ = await _open(path)
        await communicator.send_to(text_data="x" * 20_000)
        closing = await communicator.receive_output(timeout=3)
        assert closing["code"] == 4009
        await communicator.disconnect()
        assert await limits.count("room", stream=stream) == 0
        # Torn down without any close (a worker shutting down cancels its connections).
        communicator, admitted = await _open(path)
        assert admitted is True
        communicator.future.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await communicator.future
        assert await limits.count("room", stream=stream) == 0
        last, admitted = await _open(path)
        assert admitted is True
        await last.disconnect()

    async_to_sync(scenario)()


# --- messages -----------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_flooding_client_gets_rate_limited_errors_then_is_closed_with_4008():
    tournament, _ = live_tournament(2)

    async def scenario() -> None:
        communicator, _ = await _open(f"/ws/tournaments/{tournament.pk}/")
        # The burst of 20: unknown messages count like any other.
        for _ in range(10):
            await communicator.send_to(text_data='{"type": "report_result"}')
            assert (await _json(communicator))["code"] == "unknown_message"
        for _ in range(10):
            await communicator.send_to(text_data='{"type": "ping"}')
            assert await _json(communicator) == {"type": "pong"}
        for _ in range(2):
            await communicator.send_to(text_data='{"type": "ping"}')
            error = await _json(communicator)
            assert (error["type"], error["code"]) == ("error", "rate_limited")
            assert 1 <= error["retry_after"] <= 2
        await communicator.send_to(text_data='{"type": "ping"}')
        closing = await communicator.receive_output(timeout=3)
        assert (closing["type"], closing["code"]) == ("websocket.close", 4008)
        await communicator.disconnect()

    async_to_sync(scenario)()


def test_the_message_window_gives_the_burst_at_once_and_the_rate_over_time(settings):
    settings.REALTIME_MESSAGE_RATE = "10/second"
    settings.REALTIME_MESSAGE_BURST = 20
    window = limits.message_window()
    assert (window.amount, window.get_expiry()) == (20, 2)
    settings.REALTIME_MESSAGE_RATE = "30/minute"
    settings.REALTIME_MESSAGE_BURST = 5
    window = limits.message_window()
    assert (window.amount, window.get_expiry()) == (5, 10)


# --- leases ---------------------------------------------------------------------------------------


def test_a_crashed_workers_slots_lapse_while_a_live_connections_are_renewed(settings):
    settings.REALTIME_CONNECTIONS_PER_USER = 1
    start = datetime(2030, 1, 1, tzinfo=UTC)
    epoch = timedelta(seconds=limits.EPOCH_SECONDS)

    async def acquire(user_id: int) -> limits.ConnectionSlots:
        return await limits.acquire(user_id=user_id, client_ip=None, stream="tournament:1")

    async def refused(user_id: int) -> bool:
        try:
            slots = await acquire(user_id)
        except limits.TooManyConnections:
            return True
        await slots.release()
        return False

    async def scenario() -> None:
        with clock.frozen(start) as frozen:
            # User 1's worker dies: its slot is never released nor renewed.
            await acquire(1)
            # User 2's connection lives on and renews every epoch.
            alive = await acquire(2)
            for _ in range(3):
                frozen.advance(epoch)
                assert await refused(2)
                await alive.renew()
            frozen.advance(epoch)
            assert await refused(2)
            await alive.release()
            assert not await refused(2)
        with clock.frozen(start + epoch):
            assert await refused(1)
        with clock.frozen(start + 2 * epoch):
            assert not await refused(1)

    async_to_sync(scenario)()


# --- storage outage -------------------------------------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.django_db(transaction=True)
def test_spectators_are_admitted_when_the_limits_storage_is_down(settings, caplog):
    tournament, _ = live_tournament(2)
    settings.RATELIMIT_STORAGE_URI = f"redis://127.0.0.1:{_closed_port()}/0"
    failed_open_before = _metric("deltacrown_realtime_limits_failed_open_total")

    async def scenario() -> None:
        communicator, admitted = await _open(f"/ws/tournaments/{tournament.pk}/")
        assert admitted is True
        await communicator.send_to(text_data='{"type": "ping"}')
        assert await _json(communicator) == {"type": "pong"}
        await communicator.disconnect()

    with caplog.at_level(logging.WARNING, logger="deltacrown.realtime"):
        async_to_sync(scenario)()
    assert _metric("deltacrown_realtime_limits_failed_open_total") == failed_open_before + 1
    warnings = [r for r in caplog.records if "limits unavailable" in r.getMessage()]
    assert warnings
    assert warnings[0].stream == f"tournament:{tournament.pk}"
    assert all(ADDRESS not in str(r.__dict__) for r in caplog.records)


# --- at scale -------------------------------------------------------------------------------------


@pytest.mark.services
def test_workers_sharing_redis_never_admit_more_than_the_limit_at_once(settings):
    redis_url = os.environ["REDIS_URL"]
    settings.RATELIMIT_STORAGE_URI = redis_url if "://" in redis_url else f"redis://{redis_url}"
    settings.REALTIME_CONNECTIONS_PER_USER = 3
    limits.reset()
    start = threading.Barrier(12)
    outcomes: list[str] = []

    def worker() -> None:
        async def attempt() -> str:
            start.wait()
            try:
                await limits.acquire(user_id=7, client_ip=None, stream="tournament:7")
            except limits.TooManyConnections:
                return "refused"
            return "admitted"

        outcomes.append(asyncio.run(attempt()))

    threads = [threading.Thread(target=worker) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes).count("admitted") == 3
    assert async_to_sync(limits.count)("user", user_id=7) == 3
    limits.reset()
