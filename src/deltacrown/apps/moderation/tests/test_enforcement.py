"""Sanctions enforced end to end at every door, through the real HTTP API and WebSocket
application: a banned player's socket is refused with 4011, a suspended player can neither
register, check in, invite nor report results, a muted player watches but cannot speak or
report, a tournament's ban stays in its tournament, revocation and the flags act at once, and
a gate that cannot read the sanctions fails as documented."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import orjson
import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.db import OperationalError
from django.test import Client

from deltacrown.apps.competition.tests.factories import live_tournament
from deltacrown.apps.competition.tests.factories import user as competitor
from deltacrown.apps.moderation import api, selectors
from deltacrown.apps.moderation.data import SanctionKind
from deltacrown.apps.moderation.tests.factories import (
    TournamentFactory,
    UserFactory,
    WebSocket,
    file_report,
    post,
    sanction,
    signed_in,
    staff,
)
from deltacrown.apps.registrations.tests.factories import (
    DURING_CHECK_IN,
    DURING_REGISTRATION,
    TeamFactory,
    register,
    registered,
    set_status,
)
from deltacrown.apps.tournaments.data import TournamentStatus
from deltacrown.kernel import clock

COMPETITOR_PASSWORD = "Competitor-Pass-42"


def _token(player: Any) -> str:
    response = Client().post(
        "/api/v1/auth/token",
        {"username": player.username, "password": COMPETITOR_PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return response.json()["access_token"]


def _watch(tournament: Any, player: Any) -> WebSocket:
    return WebSocket(f"/ws/tournaments/{tournament.pk}/?token={_token(player)}")


async def _admitted(socket: WebSocket) -> dict[str, Any]:
    """Open the socket, expecting to be let in; the snapshot that follows."""
    assert (await socket.open())["type"] == "websocket.accept"
    message = await socket.next_message()
    assert message["type"] == "websocket.send", message
    return orjson.loads(message["text"])


async def _refused(socket: WebSocket) -> dict[str, Any]:
    """Open the socket, expecting to be refused after the handshake; the close frame."""
    assert (await socket.open())["type"] == "websocket.accept"
    closed = await socket.next_message()
    assert closed["type"] == "websocket.close", closed
    return closed


# --- WebSocket ---------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_banned_players_websocket_is_refused_with_4011_and_the_reason():
    tournament, _ = live_tournament(2)
    banned, bystander = competitor(), competitor()
    sanction(banned, SanctionKind.BAN)
    banned_socket, other_socket = _watch(tournament, banned), _watch(tournament, bystander)

    async def scenario() -> None:
        closed = await _refused(banned_socket)
        assert (closed["code"], closed["reason"]) == (4011, "banned")
        assert (await _admitted(other_socket))["type"] == "snapshot"
        await other_socket.leave()

    async_to_sync(scenario)()


@pytest.mark.django_db(transaction=True)
def test_a_muted_player_watches_but_can_neither_speak_nor_report():
    tournament, _ = live_tournament(2)
    muted = competitor()
    given = sanction(muted, SanctionKind.MUTE)
    socket = _watch(tournament, muted)

    async def scenario() -> None:
        assert (await _admitted(socket))["type"] == "snapshot"
        await socket.say('{"type": "chat", "text": "gg ez"}')
        error = orjson.loads((await socket.next_message())["text"])
        assert (error["type"], error["code"]) == ("error", "muted")
        await socket.say('{"type": "ping"}')
        assert orjson.loads((await socket.next_message())["text"]) == {"type": "pong"}
        await socket.say('{"type": "snapshot"}')
        assert orjson.loads((await socket.next_message())["text"])["type"] == "snapshot"
        await socket.leave()

    async_to_sync(scenario)()
    report = file_report(signed_in(muted), target_id=competitor().pk)
    assert (report.status_code, report.json()["code"]) == (403, "muted")
    assert report.json()["sanction_id"] == given.pk


@pytest.mark.django_db(transaction=True)
def test_a_player_banned_while_watching_is_closed_as_soon_as_the_ban_commits(settings):
    settings.REALTIME_HEARTBEAT_INTERVAL = 60  # no heartbeat comes into it
    tournament, _ = live_tournament(2)
    player, muted, bystander = competitor(), competitor(), competitor()
    sockets = {who: _watch(tournament, who) for who in (player, muted, bystander)}

    async def pong(socket: WebSocket) -> None:
        await socket.say('{"type": "ping"}')
        assert orjson.loads((await socket.next_message())["text"]) == {"type": "pong"}

    async def scenario() -> None:
        for socket in sockets.values():
            await _admitted(socket)
        await sync_to_async(sanction)(player, SanctionKind.SUSPEND)
        await sync_to_async(sanction)(muted, SanctionKind.MUTE)  # may still watch
        closed = await sockets[player].next_message(timeout=3)
        assert (closed["type"], closed["code"], closed["reason"]) == (
            "websocket.close",
            4011,
            "suspended",
        )
        await pong(sockets[muted])
        await pong(sockets[bystander])
        await sockets[muted].leave()
        await sockets[bystander].leave()

    async_to_sync(scenario)()


@pytest.mark.django_db(transaction=True)
def test_a_sanction_starting_later_closes_the_connection_at_the_first_heartbeat_after(settings):
    settings.REALTIME_HEARTBEAT_INTERVAL = 0.2
    settings.REALTIME_HEARTBEAT_TIMEOUT = 5
    tournament, _ = live_tournament(2)
    player = competitor()
    socket = _watch(tournament, player)

    async def scenario() -> None:
        await _admitted(socket)
        starts_at = clock.now() + timedelta(seconds=1)
        await sync_to_async(sanction)(player, SanctionKind.BAN, starts_at=starts_at)
        while True:
            message = await socket.next_message(timeout=3)
            if message["type"] == "websocket.close":
                break
            # Not yet: the ban's commit found it still to come; heartbeats keep asking.
            assert orjson.loads(message["text"])["type"] == "ping"
        assert clock.now() >= starts_at
        assert (message["code"], message["reason"]) == (4011, "banned")

    async_to_sync(scenario)()


@pytest.mark.django_db(transaction=True)
def test_a_tournament_ban_keeps_the_player_out_of_that_tournament_only():
    banned_from, elsewhere = live_tournament(2)[0], live_tournament(2)[0]
    player = competitor()
    sanction(player, SanctionKind.BAN, tournament=banned_from)
    refused, admitted = _watch(banned_from, player), _watch(elsewhere, player)

    async def scenario() -> None:
        assert (await _refused(refused))["code"] == 4011
        assert (await _admitted(admitted))["type"] == "snapshot"
        await admitted.leave()

    async_to_sync(scenario)()
    assert api.is_sanctioned(player, tournament=banned_from.pk)
    assert not api.is_sanctioned(player, tournament=elsewhere.pk)
    assert not api.is_sanctioned(player)


@pytest.mark.django_db(transaction=True)
def test_revocation_lets_the_player_back_in_at_once():
    tournament, _ = live_tournament(2)
    player = competitor()
    given = sanction(player, SanctionKind.BAN)
    before = _watch(tournament, player)

    async def refused() -> None:
        assert (await _refused(before))["code"] == 4011

    async_to_sync(refused)()
    revoked = post(
        signed_in(staff()),
        f"/moderation/sanctions/{given.pk}/revoke",
        {"reason": "Appeal accepted"},
    )
    assert revoked.status_code == 200
    after = _watch(tournament, player)

    async def admitted() -> None:
        assert (await _admitted(after))["type"] == "snapshot"
        await after.leave()

    async_to_sync(admitted)()


@pytest.mark.django_db(transaction=True)
def test_with_the_master_flag_off_a_banned_player_is_let_in_everywhere(settings):
    settings.MODERATION_ENFORCEMENT_ENABLED = False
    tournament, _ = live_tournament(2)
    player = competitor()
    sanction(player, SanctionKind.BAN)
    socket = _watch(tournament, player)

    async def scenario() -> None:
        assert (await _admitted(socket))["type"] == "snapshot"
        await socket.say('{"type": "chat", "text": "hello"}')
        error = orjson.loads((await socket.next_message())["text"])
        assert error["code"] == "unknown_message"  # not refused: just not a message it knows
        await socket.leave()

    async_to_sync(scenario)()
    assert file_report(signed_in(player), target_id=competitor().pk).status_code == 201
    registrant = UserFactory()  # with the in-game id the registration needs
    with clock.frozen(DURING_REGISTRATION):
        sanction(registrant, SanctionKind.BAN)
        assert register(registrant, TournamentFactory()).status_code == 201


@pytest.mark.django_db(transaction=True)
def test_live_streams_fail_open_when_the_sanctions_cannot_be_read(monkeypatch):
    tournament, _ = live_tournament(2)
    player = competitor()
    sanction(player, SanctionKind.BAN)

    def down(**kwargs):
        raise OperationalError("the database is unreachable")

    monkeypatch.setattr(selectors, "sanction_windows", down)
    socket = _watch(tournament, player)

    async def scenario() -> None:
        assert (await _admitted(socket))["type"] == "snapshot"
        await socket.leave()

    async_to_sync(scenario)()


# --- HTTP doors ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_suspended_player_can_neither_register_nor_check_in():
    tournament = TournamentFactory()
    player, newcomer = UserFactory(), UserFactory()
    with clock.frozen(DURING_REGISTRATION):
        entry = registered(player, tournament)
        given = sanction(player, SanctionKind.SUSPEND)
        sanction(newcomer, SanctionKind.SUSPEND)
        refused = register(newcomer, tournament)
    set_status(tournament, TournamentStatus.CHECK_IN)
    with clock.frozen(DURING_CHECK_IN):
        check_in = post(signed_in(player), f"/registrations/{entry['id']}/check-in")

    assert (refused.status_code, refused.json()["code"]) == (403, "suspended")
    assert (check_in.status_code, check_in.json()["code"]) == (403, "suspended")
    assert check_in.json()["sanction_id"] == given.pk


@pytest.mark.django_db
def test_a_suspended_captain_cannot_invite_and_a_suspended_player_cannot_report_results():
    team = TeamFactory(players=1)
    sanction(team.captain, SanctionKind.SUSPEND)
    invite = post(
        signed_in(team.captain), f"/teams/{team.pk}/invitations", {"user_id": UserFactory().pk}
    )
    assert (invite.status_code, invite.json()["code"]) == (403, "suspended")

    tournament, players = live_tournament(2)
    stage = post(signed_in(tournament.organizer), f"/tournaments/{tournament.pk}/stages/generate")
    assert stage.status_code == 201, stage.content
    match = stage.json()["rounds"][0]["matches"][0]
    for player in players:
        sanction(player, SanctionKind.SUSPEND, tournament=tournament)
    result = post(signed_in(players[0]), f"/matches/{match['id']}/result", {"scores": [2, 0]})
    assert (result.status_code, result.json()["code"]) == (403, "suspended")


@pytest.mark.django_db
def test_a_tournament_suspension_leaves_registration_elsewhere_open():
    suspended_from, elsewhere = TournamentFactory(), TournamentFactory()
    player = UserFactory()
    with clock.frozen(DURING_REGISTRATION):
        sanction(player, SanctionKind.SUSPEND, tournament=suspended_from)
        here = register(player, suspended_from)
        there = register(player, elsewhere)
    assert (here.status_code, here.json()["code"]) == (403, "suspended")
    assert there.status_code == 201


@pytest.mark.django_db
def test_turning_the_registration_surface_off_lets_the_suspended_player_register(settings):
    settings.MODERATION_ENFORCEMENT_REGISTRATION = False
    player = UserFactory()
    with clock.frozen(DURING_REGISTRATION):
        sanction(player, SanctionKind.SUSPEND)
        assert register(player, TournamentFactory()).status_code == 201


@pytest.mark.django_db
def test_registration_fails_closed_with_503_when_the_sanctions_cannot_be_read(monkeypatch):
    player = UserFactory()

    def down(**kwargs):
        raise OperationalError("the database is unreachable")

    monkeypatch.setattr(selectors, "sanction_windows", down)
    with clock.frozen(DURING_REGISTRATION):
        response = register(player, TournamentFactory())
    assert response.status_code == 503
    assert response.json()["code"] == "moderation_unavailable"
    assert response["Retry-After"] == "5"
