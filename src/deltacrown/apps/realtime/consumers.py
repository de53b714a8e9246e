"""Realtime app, WebSocket layer: ``/ws/tournaments/<id>/`` and ``/ws/matches/<id>/``.

A connection follows one stream of the event log. On connect the server authenticates the
caller (an access token in the ``token`` query parameter, or as the second subprotocol entry
next to ``deltacrown.v1``; else the session cookie of the platform's pages; spectators may
come without either), checks that they may see the
tournament, and then either replays what they missed (``?last_seq=n``) or sends a snapshot of
the current state; from then on every committed event of the stream arrives once and in
order (``hub``). Clients send ``ping``, ``pong``, ``resume`` and ``snapshot``; writes go
through the REST API. The consumer never writes the database.

Refusals are sent after accepting the handshake so the client sees the close code (a refused
handshake would only show an HTTP 403): 4001 authentication required, 4002 token expired, 4003
forbidden, 4004 heartbeat timeout, 4008 too many connections or messages, 4009 message too big,
4010 room full, 4011 sanctioned, 4012 slow consumer. Connection slots and message budgets come
from ``limits``; slots are given back however a connection ends (``__call__``'s ``finally``).
"""

from __future__ import annotations

import asyncio
import logging
import time
from http.cookies import CookieError, SimpleCookie
from typing import Any
from urllib.parse import parse_qs

import orjson
from asgiref.sync import sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from deltacrown.apps.accounts import api as accounts
from deltacrown.apps.realtime import limits, metrics, snapshots
from deltacrown.apps.realtime.data import SUBPROTOCOL, ClientMessage, CloseCode, ServerMessage
from deltacrown.apps.realtime.hub import Outbox, event_message, hub
from deltacrown.apps.tournaments import api as tournaments
from deltacrown.kernel import events, gates
from deltacrown.kernel.errors import DomainError, NotFound

logger = logging.getLogger("deltacrown.realtime")
#: Seconds a server-initiated close may wait for the client to take the close frame.
CLOSE_TIMEOUT = 5.0


def _error(code: str, detail: str) -> str:
    return orjson.dumps(
        {"type": ServerMessage.ERROR.value, "code": code, "detail": detail}
    ).decode()


class StreamConsumer(AsyncWebsocketConsumer):
    """One client following one tournament's or match's stream."""

    kind = ""  # "tournament" or "match", set by the subclasses
    # No channel layer: events come from the hub, so a connection needs no per-member channel
    # (with Redis, a channel layer would open a subscription per connection).
    channel_layer_alias = "realtime-no-layer"
    slots: limits.ConnectionSlots | None = None
    budget: limits.MessageBudget | None = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self._abandoned: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        async def receive_or_abandon() -> dict[str, Any]:
            # A connection given up on (``_close_or_abandon``) ends as if the client had gone.
            incoming = asyncio.ensure_future(receive())
            try:
                await asyncio.wait({incoming, self._abandoned}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                if not incoming.done():
                    incoming.cancel()
            if incoming.done() and not incoming.cancelled():
                return incoming.result()
            return {"type": "websocket.disconnect", "code": self.close_code or 1006}

        try:
            await super().__call__(scope, receive_or_abandon, send)
        finally:
            # Whatever ended the connection (a close, a refusal, an exception, the server
            # cancelling it), its slots go back.
            await self._release_limits()

    joined = False
    close_code: int | None = None
    user: Any = None
    # The moderation gate's reason code (banned, suspended) sent with a 4011 close.
    sanction_reason: str | None = None

    async def close(self, code: int | bool | None = None, reason: str | None = None) -> None:
        """Close the socket, remembering the code for the metrics."""
        if self.close_code is None and isinstance(code, int) and not isinstance(code, bool):
            self.close_code = code
        await super().close(code, reason)

    async def _close_or_abandon(self, code: int, reason: str | None = None) -> None:
        """Close with ``code`` (slow consumer, heartbeat timeout, sanctioned). A client that
        reads nothing cannot even be sent the close frame: after ``CLOSE_TIMEOUT`` seconds the
        connection is abandoned instead: everything it holds (room, queue, slots) is released at
        once and the server drops the socket once its buffers are flushed or the peer is gone."""
        try:
            async with asyncio.timeout(CLOSE_TIMEOUT):
                await self.close(code, reason)
        except TimeoutError:
            if self.close_code is None:
                self.close_code = code
            logger.info("stalled connection abandoned", extra={"close_code": code})
            if not self._abandoned.done():
                self._abandoned.set_result(None)

    async def _refuse(self, code: int, reason: str | None = None) -> None:
        """Close a connection that was not admitted."""
        metrics.connection_closed(self.kind, code, joined=False)  # type: ignore[arg-type]
        await self.close(code, reason)

    async def connect(self) -> None:
        self.stream = ""
        self.outbox: Outbox | None = None
        self.heartbeat: asyncio.Task[None] | None = None
        self.standing: str | None = None
        self.rechecks: set[asyncio.Task[None]] = set()
        self.last_seen = time.monotonic()
        offered = list(self.scope.get("subprotocols") or [])
        await self.accept(subprotocol=SUBPROTOCOL if SUBPROTOCOL in offered else None)
        query = parse_qs(self.scope.get("query_string", b"").decode())
        token = (query.get("token") or [None])[0]
        if token is None and SUBPROTOCOL in offered:
            token = next((p for p in offered if p != SUBPROTOCOL), None)
        user = None
        if not token:
            # The platform's own pages: the visitor's session cookie (the Origin validator in
            # front of every WebSocket route keeps other sites from riding on it).
            session_key = _cookie(self.scope, settings.SESSION_COOKIE_NAME)
            if session_key:
                user = await sync_to_async(accounts.authenticate_session)(session_key)
        if token:
            try:
                user = await sync_to_async(accounts.authenticate_access_token)(token)
            except DomainError as exc:
                expired = exc.code == "token_expired"
                metrics.auth_failed("expired" if expired else "invalid")
                await self._refuse(
                    CloseCode.TOKEN_EXPIRED if expired else CloseCode.AUTHENTICATION_REQUIRED
                )
                return
        refusal = await sync_to_async(self._admit)(user)
        if refusal is not None:
            reason = {
                CloseCode.SANCTIONED: "sanctioned",
                CloseCode.AUTHENTICATION_REQUIRED: "missing",
            }.get(refusal, "forbidden")
            metrics.auth_failed(reason)
            await self._refuse(refusal, self.sanction_reason)
            return
        try:
            self.slots = await limits.acquire(
                user_id=user.id if user is not None else None,
                client_ip=_client_ip(self.scope),
                stream=self.stream,
            )
        except limits.ConnectionRefused as exc:
            await self._refuse(exc.close_code)
            return
        self.slots.start()
        self.budget = limits.MessageBudget()
        self.user = user
        self.outbox = Outbox(self._send_text, self._close_or_abandon, kind=self.kind)
        self.joined = True
        metrics.connection_opened(self.kind)  # type: ignore[arg-type]
        self.outbox.start()
        last_seq = _int((query.get("last_seq") or [None])[0])
        await self._start(last_seq)
        self.heartbeat = asyncio.get_running_loop().create_task(self._heartbeat())
        if user is not None:
            # A sanction created while connected closes the connection as soon as it commits.
            self.standing = gates.standing_stream(user.id)
            if self.standing is not None:
                hub.watch(self.standing, self._standing_changed)

    def _admit(self, user: Any) -> int | None:
        """Resolve the stream and decide whether ``user`` may follow it (None: yes)."""
        object_id = int(self.scope["url_route"]["kwargs"]["object_id"])
        if self.kind == "match":
            tournament_id = snapshots.tournament_of_match(object_id)
            self.stream = snapshots.match_stream(object_id)
        else:
            tournament_id = object_id
            self.stream = snapshots.tournament_stream(object_id)
        denied = CloseCode.AUTHENTICATION_REQUIRED if user is None else CloseCode.FORBIDDEN
        if tournament_id is None:
            return denied
        try:
            tournaments.tournament_get_for(user, tournament_id)
        except NotFound:
            return denied
        self.tournament_id = tournament_id
        if user is not None:
            decision = gates.check(user.id, gates.Action.WS_CONNECT, tournament_id=tournament_id)
            if not decision.allowed:
                self.sanction_reason = decision.reason_code
                return CloseCode.SANCTIONED
        return None

    async def _start(self, last_seq: int | None) -> None:
        """Join the room, then replay what the client missed or send a snapshot; live events
        that arrive meanwhile are kept aside and follow in order."""
        assert self.outbox is not None
        self.outbox.hold()
        head, _ = await sync_to_async(events.stream_head)(self.stream)
        hub.join(self.stream, self.outbox, head_seq=head)
        if last_seq is not None and last_seq >= 0:
            await self._replay(last_seq)
        else:
            await self._snapshot()
        self.outbox.release()

    async def _replay(self, last_seq: int) -> None:
        """Send the events after ``last_seq``, or a snapshot when more than
        ``REALTIME_RESUME_MAX`` were missed."""
        assert self.outbox is not None
        limit = int(getattr(settings, "REALTIME_RESUME_MAX", 500))
        records = await sync_to_async(events.events_after)(
            self.stream, last_seq, min(limit + 1, events.MAX_EVENTS_PER_READ)
        )
        if len(records) > limit:
            await self._snapshot()
            return
        self.outbox.last_seq = max(self.outbox.last_seq, last_seq)
        for record in records:
            self.outbox.push_event(record.seq, event_message(record), replay=True)

    async def _snapshot(self) -> None:
        assert self.outbox is not None
        head, message = await sync_to_async(snapshots.snapshot)(self.stream)
        self.outbox.last_seq = max(self.outbox.last_seq, head)
        self.outbox.push_protocol(orjson.dumps(message).decode())

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        self.last_seen = time.monotonic()
        if self.outbox is None:
            return
        metrics.received(self.kind)  # type: ignore[arg-type]
        raw = text_data if text_data is not None else (bytes_data or b"").decode("utf-8", "replace")
        if len(raw.encode()) > int(getattr(settings, "REALTIME_MAX_MESSAGE_BYTES", 16384)):
            metrics.rate_limited("message_size")
            await self.close(CloseCode.MESSAGE_TOO_BIG)
            return
        if self.budget is not None:
            verdict = self.budget.spend()
            if verdict is limits.Verdict.FLOODING:
                await self.close(CloseCode.POLICY)
                return
            if verdict is limits.Verdict.REJECTED:
                self.outbox.push_protocol(
                    orjson.dumps(
                        {
                            "type": ServerMessage.ERROR.value,
                            "code": "rate_limited",
                            "detail": "Too many messages; slow down.",
                            "retry_after": self.budget.retry_after(),
                        }
                    ).decode()
                )
                return
        try:
            message = orjson.loads(raw)
        except orjson.JSONDecodeError:
            message = None
        kind = message.get("type") if isinstance(message, dict) else None
        if kind == ClientMessage.PING:
            self.outbox.push_protocol(orjson.dumps({"type": ServerMessage.PONG.value}).decode())
        elif kind == ClientMessage.PONG:
            return
        elif kind == ClientMessage.SNAPSHOT:
            await self._snapshot()
        elif kind == ClientMessage.RESUME:
            last_seq = _int(message.get("last_seq"))  # type: ignore[union-attr]
            if last_seq is None or last_seq < 0:
                self.outbox.push_protocol(
                    _error("invalid_message", "resume needs a last_seq of 0 or more.")
                )
                return
            self.outbox.hold()
            self.outbox.last_seq = 0
            await self._replay(last_seq)
            self.outbox.release()
        else:
            # Anything but the protocol's own messages is the client speaking: the moderation
            # gate decides first (a muted user still reads, but says nothing).
            if self.user is not None:
                decision = await sync_to_async(gates.check)(
                    self.user.id, gates.Action.WS_MESSAGE, tournament_id=self.tournament_id
                )
                if not decision.allowed:
                    self.outbox.push_protocol(
                        _error(str(decision.reason_code), "Your account may not send messages.")
                    )
                    return
            self.outbox.push_protocol(
                _error(
                    "unknown_message",
                    "Send ping, pong, resume or snapshot; writes go through the REST API.",
                )
            )

    async def _heartbeat(self) -> None:
        interval = float(getattr(settings, "REALTIME_HEARTBEAT_INTERVAL", 25))
        timeout = float(getattr(settings, "REALTIME_HEARTBEAT_TIMEOUT", 50))
        ping = orjson.dumps({"type": ServerMessage.PING.value}).decode()
        while True:
            await asyncio.sleep(interval)
            if time.monotonic() - self.last_seen > timeout:
                await self._close_or_abandon(CloseCode.HEARTBEAT_TIMEOUT)
                return
            # A sanction that starts later than it was created (or whose event this process
            # missed while Redis was away) closes the connection within one interval.
            if not await self._still_admitted():
                return
            if self.outbox is not None:
                self.outbox.push_protocol(ping)

    def _standing_changed(self) -> None:
        """An event on the user's standing stream (a sanction created or revoked): ask the gate
        again now."""
        task = asyncio.get_running_loop().create_task(self._still_admitted())
        self.rechecks.add(task)
        task.add_done_callback(self.rechecks.discard)

    async def _still_admitted(self) -> bool:
        """Ask the connect gate again; close with 4011 and the reason if the user is now
        banned or suspended."""
        if self.user is None:
            return True
        decision = await sync_to_async(gates.check)(
            self.user.id, gates.Action.WS_CONNECT, tournament_id=self.tournament_id
        )
        if decision.allowed or not self.joined:
            return True
        if self.close_code is None:  # not closing already (another check, a slow consumer)
            await self._close_or_abandon(CloseCode.SANCTIONED, decision.reason_code)
        return False

    async def _send_text(self, text: str) -> None:
        # Straight to the server's send: the hub calls this once per message and recipient.
        await self.base_send({"type": "websocket.send", "text": text})

    async def disconnect(self, code: int) -> None:
        if self.joined:
            self.joined = False
            metrics.connection_closed(self.kind, self.close_code or code)  # type: ignore[arg-type]
        if self.heartbeat is not None and self.heartbeat is not asyncio.current_task():
            self.heartbeat.cancel()
        if self.standing is not None:
            hub.unwatch(self.standing, self._standing_changed)
            self.standing = None
        for task in list(self.rechecks):
            if task is not asyncio.current_task():
                task.cancel()
        if self.outbox is not None:
            hub.leave(self.stream, self.outbox)
            await self.outbox.stop()
            self.outbox = None
        await self._release_limits()

    async def _release_limits(self) -> None:
        slots, self.slots = self.slots, None
        if self.budget is not None:
            self.budget.close()
            self.budget = None
        if slots is not None:
            await slots.release()


class TournamentConsumer(StreamConsumer):
    """``/ws/tournaments/<id>/``: every event of the tournament's stream."""

    kind = "tournament"


class MatchConsumer(StreamConsumer):
    """``/ws/matches/<id>/``: the events of one match."""

    kind = "match"


def _client_ip(scope: Any) -> str | None:
    # Only ever inside a rate-limit key. Behind a proxy, the ASGI server must set the client
    # address from the proxy's headers (uvicorn --proxy-headers --forwarded-allow-ips).
    client = scope.get("client")
    return str(client[0]) if client else None


def _cookie(scope: Any, name: str) -> str | None:
    for key, value in scope.get("headers") or []:
        if key == b"cookie":
            cookies = SimpleCookie()
            try:
                cookies.load(value.decode("latin-1"))
            except CookieError:
                return None
            morsel = cookies.get(name)
            return morsel.value if morsel is not None else None
    return None


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
