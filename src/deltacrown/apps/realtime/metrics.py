"""Realtime app, observability: the Prometheus metrics of the WebSocket streams.

Served by the kernel's ``GET /metrics`` with the HTTP metrics (prometheus-client's default
registry). Every label has a small fixed set of values, so a client cannot grow the number of
series: the endpoint is ``tournament`` or ``match``; a close code is one of the protocol's
codes, a standard WebSocket code, or ``other``; reasons are the names listed below, anything
else counts as ``other``. No label carries a user, a tournament or an address.

With several uvicorn workers (``PROMETHEUS_MULTIPROC_DIR``, see ``deltacrown.kernel.metrics``)
counters and histograms are summed across workers, and the connection gauge adds up the live
workers' values (``livesum``): ``deltacrown serve``'s process manager tells prometheus-client
when a worker is gone (``kernel.metrics.forget_process``), so the connections of a
worker that crashed stop counting.

The helpers are what the hub and the consumers call. They are cheap (a dictionary lookup and a
locked add), but the fan-out calls them per batch, not per recipient, where it can:
``delivered(kind, count)`` takes the number of messages handed to sockets at once.
"""

from __future__ import annotations

import time
from typing import Literal

from prometheus_client import Counter, Gauge, Histogram

from deltacrown.apps.realtime.data import CloseCode

Endpoint = Literal["tournament", "match"]
ENDPOINTS: tuple[Endpoint, ...] = ("tournament", "match")

#: Why a connection or a message was refused by a limit.
RATE_LIMIT_REASONS = frozenset(
    {
        "user_connections",  # too many connections of one user
        "ip_connections",  # too many connections from one address
        "messages",  # incoming messages over the per-connection rate
        "message_size",  # a message over the payload limit
        "room_full",  # the room has its maximum of members
    }
)
#: Why a connection was refused before it joined a stream.
AUTH_FAILURE_REASONS = frozenset(
    {
        "missing",  # a private stream, no token (4001)
        "invalid",  # a token that does not verify (4001)
        "expired",  # an expired token (4002)
        "forbidden",  # a valid user who may not follow the stream (4003)
        "sanctioned",  # a user barred from realtime by moderation (4011)
    }
)
OTHER = "other"

#: Close codes with a label of their own: the protocol's, plus the standard codes a browser or
#: a server sends (normal closure, going away, protocol error, abnormal closure, ...).
_CLOSE_CODES = frozenset(
    {int(code) for code in CloseCode} | {1000, 1001, 1002, 1003, 1005, 1006, 1007, 1008, 1009, 1011}
)

#: Publish → deliver latency buckets, in seconds: the goal is p99 within 50 ms.
LATENCY_BUCKETS = (
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
    10.0,
)

ACTIVE_CONNECTIONS = Gauge(
    "deltacrown_realtime_connections",
    "Open WebSocket connections that joined a stream, by endpoint.",
    ["endpoint"],
    multiprocess_mode="livesum",
)
MESSAGES_OUT = Counter(
    "deltacrown_realtime_messages_out",
    "Messages handed to WebSockets (events, snapshots, gaps, pongs, errors), by endpoint.",
    ["endpoint"],
)
MESSAGES_IN = Counter(
    "deltacrown_realtime_messages_in",
    "Messages received from WebSocket clients, by endpoint.",
    ["endpoint"],
)
DROPPED = Counter(
    "deltacrown_realtime_dropped_messages",
    "Event messages dropped from a slow client's full queue, by endpoint.",
    ["endpoint"],
)
GAPS = Counter(
    "deltacrown_realtime_gaps",
    "Gap messages sent to clients that missed events, by endpoint.",
    ["endpoint"],
)
CLOSES = Counter(
    "deltacrown_realtime_closes",
    "WebSocket connections closed, by endpoint and close code.",
    ["endpoint", "code"],
)
RATE_LIMITED = Counter(
    "deltacrown_realtime_rate_limited",
    "Connections or messages refused by a realtime limit, by reason.",
    ["reason"],
)
AUTH_FAILURES = Counter(
    "deltacrown_realtime_auth_failures",
    "WebSocket connections refused by authentication or permission, by reason.",
    ["reason"],
)
LIMITS_FAILED_OPEN = Counter(
    "deltacrown_realtime_limits_failed_open",
    "Connections admitted without a limit check because the limit storage was unreachable.",
)
DELIVERY_LATENCY = Histogram(
    "deltacrown_realtime_delivery_latency_seconds",
    "Time from an event's commit to its message being handed to a WebSocket.",
    buckets=LATENCY_BUCKETS,
)

# The label children are resolved once: the fan-out calls these per batch of deliveries.
_OUT = {kind: MESSAGES_OUT.labels(kind) for kind in ENDPOINTS}
_IN = {kind: MESSAGES_IN.labels(kind) for kind in ENDPOINTS}
_ACTIVE = {kind: ACTIVE_CONNECTIONS.labels(kind) for kind in ENDPOINTS}
_DROPPED = {kind: DROPPED.labels(kind) for kind in ENDPOINTS}
_GAPS = {kind: GAPS.labels(kind) for kind in ENDPOINTS}
_RATE_LIMITED = {reason: RATE_LIMITED.labels(reason) for reason in {*RATE_LIMIT_REASONS, OTHER}}
_AUTH_FAILURES = {reason: AUTH_FAILURES.labels(reason) for reason in {*AUTH_FAILURE_REASONS, OTHER}}


def close_code_label(code: int | None) -> str:
    """The ``code`` label for a close: the code itself when it is known, else ``other``
    (a client may close with any code from 3000 to 4999)."""
    return str(code) if code in _CLOSE_CODES else OTHER


def connection_opened(kind: Endpoint) -> None:
    """A connection joined its stream (after authentication and admission)."""
    _ACTIVE[kind].inc()


def connection_closed(kind: Endpoint, code: int | None, *, joined: bool = True) -> None:
    """A connection ended with close ``code`` (None: the transport went away without one).

    ``joined`` says whether it had been counted by ``connection_opened``; a connection refused
    during admission is counted as a close only.
    """
    if joined:
        _ACTIVE[kind].dec()
    CLOSES.labels(kind, close_code_label(code)).inc()


def delivered(kind: Endpoint, count: int = 1) -> None:
    """``count`` messages were handed to sockets of ``kind`` connections."""
    _OUT[kind].inc(count)


def received(kind: Endpoint, count: int = 1) -> None:
    """``count`` messages arrived from clients of ``kind`` connections."""
    _IN[kind].inc(count)


def dropped(kind: Endpoint, count: int = 1) -> None:
    """``count`` event messages were dropped from a slow client's full queue."""
    _DROPPED[kind].inc(count)


def gap_sent(kind: Endpoint) -> None:
    """A ``gap`` message told a client to resume."""
    _GAPS[kind].inc()


def rate_limited(reason: str) -> None:
    """A limit refused a connection or a message; ``reason`` from ``RATE_LIMIT_REASONS``."""
    _RATE_LIMITED.get(reason, _RATE_LIMITED[OTHER]).inc()


def auth_failed(reason: str) -> None:
    """A connection was refused before joining; ``reason`` from ``AUTH_FAILURE_REASONS``."""
    _AUTH_FAILURES.get(reason, _AUTH_FAILURES[OTHER]).inc()


def limits_failed_open() -> None:
    """A connection was admitted unchecked because the limit storage (Redis) was unreachable."""
    LIMITS_FAILED_OPEN.inc()


def latency(seconds: float) -> None:
    """Observe one publish → deliver latency in seconds (negative clock skew counts as 0)."""
    DELIVERY_LATENCY.observe(max(seconds, 0.0))


def latency_since(at_us: int) -> None:
    """Observe the latency of an event committed at ``at_us`` (the event's own commit time in
    microseconds since the epoch, as in ``EventRecord.at_us``), delivered now.

    Uses the wall clock, like the event's ``at_us``: across machines the value includes their
    clock difference, so keep the servers' clocks synchronised.
    """
    latency((time.time_ns() // 1000 - at_us) / 1_000_000)
