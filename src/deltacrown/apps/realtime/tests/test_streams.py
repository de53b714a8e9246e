"""WebSocket streams through the real ASGI application (Channels' communicator): who may
connect, the snapshot, live events after commit, resume, and the client messages."""

from __future__ import annotations

from datetime import timedelta

import orjson
import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.db import transaction
from django.test import Client

from deltacrown.apps.competition.tests.factories import live_tournament, user
from deltacrown.apps.realtime.tests.communicator import WebsocketCommunicator
from deltacrown.config.asgi import application
from deltacrown.kernel import clock, events

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "Competitor-Pass-42"


def _token(account) -> str:
    response = Client().post(
        "/api/v1/auth/token",
        {"username": account.username, "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return response.json()["access_token"]


def _publish(stream: str, name: str, **data: int) -> int:
    with transaction.atomic():
        return events.publish(stream, name, data).seq


async def _connect(path: str, **kwargs) -> tuple[WebsocketCommunicator, bool]:
    communicator = WebsocketCommunicator(
        application, path, headers=[(b"origin", b"http://localhost")], **kwargs
    )
    connected, _ = await communicator.connect()
    return communicator, connected


async def _json(communicator: WebsocketCommunicator) -> dict:
    return orjson.loads(await communicator.receive_from(timeout=3))


async def _closed_with(communicator: WebsocketCommunicator) -> int:
    message = await communicator.receive_output(timeout=3)
    assert message["type"] == "websocket.close", message
    return message["code"]


def test_a_spectator_gets_a_snapshot_then_every_committed_event_in_order():
    tournament, _ = live_tournament(4)
    stream = f"tournament:{tournament.pk}"
    head = _publish(stream, "tournament.note", count=1)

    async def scenario() -> None:
        communicator, connected = await _connect(f"/ws/tournaments/{tournament.pk}/")
        assert connected
        snapshot = await _json(communicator)
        assert snapshot["type"] == "snapshot"
        assert snapshot["seq"] == head
        assert snapshot["tournament"]["status"] == "live"
        for count in (2, 3):
            await sync_to_async(_publish)(stream, "tournament.note", count=count)
        first, second = await _json(communicator), await _json(communicator)
        assert (first["type"], first["seq"], first["data"]["count"]) == ("event", head + 1, 2)
        assert (second["seq"], second["event"]) == (head + 2, "tournament.note")
        assert len(first["hash"]) == 64
        await communicator.disconnect()

    async_to_sync(scenario)()


def test_a_reconnecting_client_gets_exactly_what_it_missed():
    tournament, _ = live_tournament(4)
    stream = f"tournament:{tournament.pk}"
    seqs = [_publish(stream, "tournament.note", count=n) for n in range(5)]

    async def scenario() -> None:
        path = f"/ws/tournaments/{tournament.pk}/?last_seq={seqs[1]}"
        communicator, connected = await _connect(path)
        assert connected
        replayed = [await _json(communicator) for _ in range(3)]
        assert [m["seq"] for m in replayed] == seqs[2:]
        live = await sync_to_async(_publish)(stream, "tournament.note", count=9)
        assert (await _json(communicator))["seq"] == live
        # A resume message replays again from where the client says it stands.
        await communicator.send_to(
            text_data=orjson.dumps({"type": "resume", "last_seq": live - 1}).decode()
        )
        assert (await _json(communicator))["seq"] == live
        await communicator.disconnect()

    async_to_sync(scenario)()


def test_private_tournaments_need_a_participant_or_staff_and_tokens_must_be_valid():
    tournament, players = live_tournament(2, visibility="private")
    player_token = _token(players[0])
    stranger_token = _token(user())
    with clock.frozen(clock.now() - timedelta(days=1)):
        expired = _token(players[0])

    async def scenario() -> None:
        path = f"/ws/tournaments/{tournament.pk}/"
        anonymous, _ = await _connect(path)
        assert await _closed_with(anonymous) == 4001
        stranger, _ = await _connect(f"{path}?token={stranger_token}")
        assert await _closed_with(stranger) == 4003
        old, _ = await _connect(f"{path}?token={expired}")
        assert await _closed_with(old) == 4002
        # The token may come as the second subprotocol entry; the server selects the first.
        player, connected = await _connect(path, subprotocols=["deltacrown.v1", player_token])
        assert connected
        assert (await _json(player))["type"] == "snapshot"
        await player.disconnect()

    async_to_sync(scenario)()


def test_client_messages_ping_snapshot_and_anything_else():
    tournament, _ = live_tournament(2)

    async def scenario() -> None:
        communicator, _ = await _connect(f"/ws/tournaments/{tournament.pk}/")
        assert (await _json(communicator))["type"] == "snapshot"
        await communicator.send_to(text_data='{"type": "ping"}')
        assert (await _json(communicator)) == {"type": "pong"}
        await communicator.send_to(text_data='{"type": "snapshot"}')
        assert (await _json(communicator))["type"] == "snapshot"
        await communicator.send_to(text_data='{"type": "report_result"}')
        error = await _json(communicator)
        assert (error["type"], error["code"]) == ("error", "unknown_message")
        await communicator.send_to(text_data="x" * 20_000)
        assert await _closed_with(communicator) == 4009

    async_to_sync(scenario)()


def test_a_match_stream_carries_that_match_and_unknown_matches_are_refused():
    tournament, _ = live_tournament(4)
    organizer = Client()
    organizer.force_login(tournament.organizer)
    api = f"/api/v1/tournaments/{tournament.pk}"
    assert organizer.post(f"{api}/stages/generate", {}, "application/json").status_code == 201
    match_id = organizer.get(f"{api}/matches?status=ready").json()["items"][0]["id"]

    def start() -> int:
        return organizer.post(f"/api/v1/matches/{match_id}/start").status_code

    async def scenario() -> None:
        communicator, connected = await _connect(f"/ws/matches/{match_id}/")
        assert connected
        snapshot = await _json(communicator)
        assert snapshot["match"]["id"] == match_id
        assert snapshot["match"]["status"] == "ready"
        assert await sync_to_async(start)() == 200
        event = await _json(communicator)
        assert (event["stream"], event["event"]) == (f"match:{match_id}", "match.started")
        await communicator.disconnect()
        missing, _ = await _connect("/ws/matches/999999/")
        assert await _closed_with(missing) == 4001

    async_to_sync(scenario)()


def test_connections_use_no_channel_layer():
    from channels.layers import get_channel_layer

    from deltacrown.apps.realtime.consumers import StreamConsumer

    # Events reach sockets through the hub; a per-connection channel would cost a Redis
    # subscription per member at scale.
    assert get_channel_layer(StreamConsumer.channel_layer_alias) is None


def test_connections_deliveries_and_refusals_show_in_the_metrics():
    from deltacrown.apps.realtime.tests.test_metrics import _scrape, _value

    tournament, _ = live_tournament(2)
    private, _ = live_tournament(2, visibility="private")
    stream = f"tournament:{tournament.pk}"
    before = _scrape()

    async def scenario() -> None:
        communicator, _ = await _connect(f"/ws/tournaments/{tournament.pk}/")
        assert (await _json(communicator))["type"] == "snapshot"
        await sync_to_async(_publish)(stream, "tournament.note", count=1)
        assert (await _json(communicator))["type"] == "event"
        await communicator.send_to(text_data='{"type": "ping"}')
        assert (await _json(communicator))["type"] == "pong"
        refused, _ = await _connect(f"/ws/tournaments/{private.pk}/")
        assert await _closed_with(refused) == 4001
        await communicator.disconnect()

    async_to_sync(scenario)()
    after = _scrape()

    def grew(name: str, **labels: str) -> float:
        return _value(after, name, **labels) - _value(before, name, **labels)

    assert grew("deltacrown_realtime_messages_out_total", endpoint="tournament") >= 1
    assert grew("deltacrown_realtime_messages_in_total", endpoint="tournament") == 1
    assert grew("deltacrown_realtime_auth_failures_total", reason="missing") == 1
    assert grew("deltacrown_realtime_closes_total", endpoint="tournament", code="4001") == 1
    assert grew("deltacrown_realtime_closes_total", endpoint="tournament", code="1000") == 1
    assert grew("deltacrown_realtime_connections", endpoint="tournament") == 0
    assert grew("deltacrown_realtime_delivery_latency_seconds_count") >= 1


def test_the_server_pings_and_closes_a_silent_client(settings):
    settings.REALTIME_HEARTBEAT_INTERVAL = 0.2
    settings.REALTIME_HEARTBEAT_TIMEOUT = 0.5
    tournament, _ = live_tournament(2)

    async def scenario() -> None:
        communicator, _ = await _connect(f"/ws/tournaments/{tournament.pk}/")
        assert (await _json(communicator))["type"] == "snapshot"
        assert (await _json(communicator)) == {"type": "ping"}
        # Answering keeps it open past the timeout...
        await communicator.send_to(text_data='{"type": "pong"}')
        assert (await _json(communicator)) == {"type": "ping"}
        await communicator.send_to(text_data='{"type": "pong"}')
        # ...then silence: pings keep coming until the timeout closes it with 4004.
        while True:
            message = await communicator.receive_output(timeout=3)
            if message["type"] == "websocket.close":
                assert message["code"] == 4004
                break
            assert orjson.loads(message["text"]) == {"type": "ping"}

    async_to_sync(scenario)()


def test_the_pages_follow_private_streams_with_the_visitors_session():
    tournament, players = live_tournament(2, visibility="private")
    browser = Client()
    assert browser.login(username=players[0].username, password=PASSWORD)
    session = browser.cookies["sessionid"].value
    stranger = Client()
    assert stranger.login(username=user().username, password=PASSWORD)
    strangers_session = stranger.cookies["sessionid"].value

    def cookie(value: str) -> list[tuple[bytes, bytes]]:
        return [(b"cookie", f"theme=dark; sessionid={value}".encode())]

    async def connect(headers: list[tuple[bytes, bytes]]) -> WebsocketCommunicator:
        communicator = WebsocketCommunicator(
            application,
            f"/ws/tournaments/{tournament.pk}/",
            headers=[(b"origin", b"http://localhost"), *headers],
        )
        await communicator.connect()
        return communicator

    async def scenario() -> None:
        player = await connect(cookie(session))
        assert (await _json(player))["type"] == "snapshot"
        await player.disconnect()
        # Signed in, but neither a participant nor staff of the private tournament.
        assert await _closed_with(await connect(cookie(strangers_session))) == 4003
        # A made-up session is nobody.
        assert await _closed_with(await connect(cookie("x" * 32))) == 4001
        # Another site's page cannot ride on the visitor's cookie: its Origin is refused.
        foreign = WebsocketCommunicator(
            application,
            f"/ws/tournaments/{tournament.pk}/",
            headers=[(b"origin", b"https://evil.example"), *cookie(session)],
        )
        connected, _ = await foreign.connect()
        assert not connected

    async_to_sync(scenario)()
    # Signing out ends the session: the cookie no longer opens the stream.
    browser.logout()

    async def after_logout() -> None:
        assert await _closed_with(await connect(cookie(session))) == 4001

    async_to_sync(after_logout)()
