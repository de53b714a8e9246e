"""Realtime app, data layer: the WebSocket protocol's close codes, message types and limits.

No Django import here. docs/realtime.md documents the protocol these constants define.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum


class CloseCode(IntEnum):
    """Why the server closed a WebSocket (4000-4999 are the application's own codes)."""

    AUTHENTICATION_REQUIRED = 4001
    TOKEN_EXPIRED = 4002
    FORBIDDEN = 4003
    HEARTBEAT_TIMEOUT = 4004
    POLICY = 4008
    MESSAGE_TOO_BIG = 4009
    ROOM_FULL = 4010
    SANCTIONED = 4011
    SLOW_CONSUMER = 4012


class ServerMessage(StrEnum):
    """The ``type`` of a server → client message."""

    EVENT = "event"
    SNAPSHOT = "snapshot"
    GAP = "gap"
    PING = "ping"
    PONG = "pong"
    ERROR = "error"


class ClientMessage(StrEnum):
    """The ``type`` of a client → server message (writes go through the REST API)."""

    PING = "ping"
    PONG = "pong"
    RESUME = "resume"
    SNAPSHOT = "snapshot"


#: The subprotocol a client offers (with its access token as a second entry) and the server
#: selects: ``new WebSocket(url, ["deltacrown.v1", accessToken])``.
SUBPROTOCOL = "deltacrown.v1"

#: Events of a match whose updates are coalesced per window (the latest wins).
COALESCED_EVENTS = frozenset({"match.score_updated"})
