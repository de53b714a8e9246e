"""Kernel layer: the event log — publishing hash-chained domain events and subscribing to them.

Services call ``publish(stream, name, data)`` inside their ``transaction.atomic()`` block. The
event is appended to its stream with the next gapless ``seq`` and chained to the previous event
by SHA-256, so any later change to stored history is detectable (``deltacrown.kernel.integrity``).
Subscribers (realtime fan-out, webhook outbox, leaderboards) run after the transaction commits,
in publish order; a failing subscriber is logged and never undoes the write.

The hashed encoding is specified in docs/events.md and must never change for ``v1``: it is the
canonical JSON (sorted keys, no whitespace, UTF-8, integers only) of the array
``["deltacrown.event.v1", stream, seq, prev_hash, name, data, at_us]``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.db import transaction

from deltacrown.kernel import clock
from deltacrown.kernel.data import EVENT_ENCODING, GENESIS_HASH, EventRecord
from deltacrown.kernel.models import Event, StreamHead

__all__ = [
    "GENESIS_HASH",
    "EventRecord",
    "canonical_event_bytes",
    "event_hash",
    "events_after",
    "normalize_payload",
    "publish",
    "stream_head",
    "subscribe",
]

logger = logging.getLogger("deltacrown.events")

# Streams name the aggregate the events belong to ("tournament:42", "match:7").
_STREAM_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,127}$")
# Event names are dotted lowercase words ("match.completed"); prefix patterns rely on the dots.
_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*$")
_NAME_MAX = 64
# Integers stay within signed 64 bits so that verifiers in any language read them exactly.
_INT_MIN, _INT_MAX = -(2**63), 2**63 - 1
_MAX_DEPTH = 32
MAX_EVENTS_PER_READ = 1000


# --- Canonical encoding ------------------------------------------------------------------------


def canonical_event_bytes(
    stream: str, seq: int, prev_hash: str, name: str, data: Any, at_us: int
) -> bytes:
    """The exact bytes that are hashed for an event (see docs/events.md).

    Raises ``ValueError``/``TypeError`` for content that has no canonical form (a float NaN,
    an unpaired surrogate); such content can only come from outside ``publish``.
    """
    return json.dumps(
        [EVENT_ENCODING, stream, seq, prev_hash, name, data, at_us],
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
    ).encode("utf-8")


def event_hash(stream: str, seq: int, prev_hash: str, name: str, data: Any, at_us: int) -> str:
    """SHA-256 (lowercase hex) of ``canonical_event_bytes`` for these fields."""
    return hashlib.sha256(
        canonical_event_bytes(stream, seq, prev_hash, name, data, at_us)
    ).hexdigest()


def normalize_payload(data: Any, *, what: str = "event data") -> dict[str, Any]:
    """Check that ``data`` is ids-and-integers JSON and return a plain deep copy of it.

    Allowed: dicts with string keys, lists/tuples, strings, integers within signed 64 bits,
    booleans and None. Floats (and therefore NaN and infinities) are refused because their
    text form is not canonical: carry amounts as integer minor units and times as integers.
    Raises ``TypeError`` for a value of the wrong type and ``ValueError`` for a value of the
    right type that cannot be stored exactly.
    """
    if not isinstance(data, dict):
        raise TypeError(f"{what} must be a dict, not {type(data).__name__}")
    return _normalize(data, what, 0)


def _normalize(value: Any, path: str, depth: int) -> Any:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        if not _INT_MIN <= value <= _INT_MAX:
            raise ValueError(f"{path}: integer outside the signed 64-bit range")
        return int(value)
    if isinstance(value, str):
        return _normalize_str(value, path)
    if isinstance(value, float):
        raise TypeError(f"{path}: floats are not allowed; use integers (minor units, ms)")
    if depth >= _MAX_DEPTH:
        raise ValueError(f"{path}: nested deeper than {_MAX_DEPTH} levels")
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"{path}: keys must be strings, not {type(key).__name__}")
            out[_normalize_str(key, path)] = _normalize(item, f"{path}.{key}", depth + 1)
        return out
    if isinstance(value, list | tuple):
        return [_normalize(item, f"{path}[{i}]", depth + 1) for i, item in enumerate(value)]
    raise TypeError(f"{path}: {type(value).__name__} is not JSON; use ids and integers")


def _normalize_str(value: str, path: str) -> str:
    # PostgreSQL's jsonb cannot hold NUL, and unpaired surrogates have no UTF-8 form: refuse
    # both here so that every backend stores exactly what was hashed.
    if "\x00" in value:
        raise ValueError(f"{path}: strings may not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError(f"{path}: string is not valid Unicode text") from exc
    return str.__str__(value)


def _check_stream(stream: Any) -> None:
    if not isinstance(stream, str) or not _STREAM_RE.match(stream):
        raise ValueError(
            "stream must be 1-128 characters of letters, digits and _ . : / - "
            "(e.g. 'tournament:42')"
        )


def _check_name(name: Any) -> None:
    if not isinstance(name, str) or len(name) > _NAME_MAX or not _NAME_RE.match(name):
        raise ValueError("event name must be dotted lowercase words, e.g. 'match.completed'")


# --- Publishing --------------------------------------------------------------------------------


def publish(stream: str, name: str, data: dict[str, Any]) -> EventRecord:
    """Append event ``name`` with ``data`` to ``stream`` in the caller's transaction.

    Must run inside ``transaction.atomic()``: the event commits or rolls back with the write it
    describes. Takes the stream's head row lock until the transaction ends, so concurrent
    appends to one stream queue up while other streams proceed. Subscribers are called after
    the commit. ``data`` must satisfy ``normalize_payload``.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("publish() must be called inside the caller's transaction.atomic()")
    _check_stream(stream)
    _check_name(name)
    payload = normalize_payload(data)

    head = _locked_head(stream)
    seq = head.seq + 1
    at_us = clock.to_epoch_us(clock.now())
    digest = event_hash(stream, seq, head.hash, name, payload, at_us)
    Event.objects.create(
        stream=stream,
        seq=seq,
        name=name,
        data=payload,
        at_us=at_us,
        prev_hash=head.hash,
        hash=digest,
    )
    prev_hash = head.hash
    head.seq = seq
    head.hash = digest
    head.save(update_fields=["seq", "hash", "updated_at"])

    record = EventRecord(
        stream=stream,
        seq=seq,
        name=name,
        data=payload,
        at_us=at_us,
        prev_hash=prev_hash,
        hash=digest,
        at=clock.from_epoch_us(at_us),
    )
    transaction.on_commit(partial(_deliver, record), robust=True)
    return record


def _locked_head(stream: str) -> StreamHead:
    """The stream's head row, created if needed, locked until the transaction ends."""
    locked = StreamHead.objects.select_for_update()
    head = locked.filter(stream=stream).first()
    if head is None:
        # INSERT ... ON CONFLICT DO NOTHING: if another transaction is creating the same head,
        # PostgreSQL makes this insert wait for it and then skip, so exactly one row exists and
        # the locked read below queues behind whoever holds it.
        StreamHead.objects.bulk_create(
            [StreamHead(stream=stream, seq=0, hash=GENESIS_HASH)], ignore_conflicts=True
        )
        head = locked.get(stream=stream)
    return head


# --- Reading -----------------------------------------------------------------------------------


def events_after(
    stream: str, after_seq: int, limit: int = MAX_EVENTS_PER_READ
) -> list[EventRecord]:
    """Committed events of ``stream`` with ``seq > after_seq``, oldest first, at most ``limit``.

    A reader that remembers the last seq it saw calls this to catch up without gaps.
    """
    if not 1 <= limit <= MAX_EVENTS_PER_READ:
        raise ValueError(f"limit must be 1..{MAX_EVENTS_PER_READ}")
    rows = (
        Event.objects.filter(stream=stream, seq__gt=after_seq)
        .order_by("seq")
        .values_list("seq", "name", "data", "at_us", "prev_hash", "hash")[:limit]
    )
    return [
        EventRecord(
            stream=stream,
            seq=seq,
            name=name,
            data=data,
            at_us=at_us,
            prev_hash=prev_hash,
            hash=digest,
            at=clock.from_epoch_us(at_us),
        )
        for seq, name, data, at_us, prev_hash, digest in rows
    ]


def stream_head(stream: str) -> tuple[int, str]:
    """The committed (seq, hash) of the stream's last event; ``(0, GENESIS_HASH)`` if none."""
    head = StreamHead.objects.filter(stream=stream).values_list("seq", "hash").first()
    return (head[0], head[1]) if head else (0, GENESIS_HASH)


# --- Subscribers -------------------------------------------------------------------------------

Handler = Callable[[EventRecord], object]


@dataclass(frozen=True, slots=True)
class _Subscription:
    handler: Handler
    exact: frozenset[str] | None  # None: every event
    prefixes: tuple[str, ...]

    def matches(self, name: str) -> bool:
        if self.exact is None:
            return True
        return name in self.exact or name.startswith(self.prefixes)


_registry_lock = threading.Lock()
# Replaced, never mutated, so delivery can iterate without taking the lock.
_subscriptions: tuple[_Subscription, ...] = ()


def subscribe(handler: Handler, *, names: Iterable[str] | None = None) -> Callable[[], None]:
    """Call ``handler(record)`` after commit for every event whose name matches ``names``.

    ``names`` holds exact names ("match.completed") and prefix patterns ("match.*" matches
    every name starting with "match."); None or "*" means every event. Handlers run in the
    committing thread, in publish order, so they should be quick (enqueue a task for slow
    work). Returns a function that removes the subscription. Register from ``AppConfig.ready``.
    """
    global _subscriptions
    if not callable(handler):
        raise TypeError("handler must be callable")
    exact: set[str] | None = set()
    prefixes: list[str] = []
    if names is not None:
        if isinstance(names, str):
            raise TypeError("names must be an iterable of names, not a single string")
        for pattern in names:
            if pattern == "*":
                exact = None
                break
            if isinstance(pattern, str) and pattern.endswith(".*"):
                _check_name(pattern[:-2])
                prefixes.append(pattern[:-1])
            else:
                _check_name(pattern)
                exact.add(pattern)
        if exact is not None and not exact and not prefixes:
            raise ValueError("names is empty: pass None to receive every event")
    else:
        exact = None
    subscription = _Subscription(
        handler=handler,
        exact=None if exact is None else frozenset(exact),
        prefixes=tuple(prefixes),
    )
    with _registry_lock:
        _subscriptions = (*_subscriptions, subscription)

    def unsubscribe() -> None:
        global _subscriptions
        with _registry_lock:
            _subscriptions = tuple(s for s in _subscriptions if s is not subscription)

    return unsubscribe


def _deliver(record: EventRecord) -> None:
    for subscription in _subscriptions:
        if not subscription.matches(record.name):
            continue
        try:
            subscription.handler(record)
        except Exception:
            # The write is committed and other subscribers still deserve the event; the data
            # stays out of the log line (it is not needed to find the failing subscriber).
            logger.exception(
                "event subscriber %s failed on %s#%s (%s)",
                _qualname(subscription.handler),
                record.stream,
                record.seq,
                record.name,
                extra={
                    "stream": record.stream,
                    "seq": record.seq,
                    "event_name": record.name,
                    "subscriber": _qualname(subscription.handler),
                },
            )


def _qualname(handler: Handler) -> str:
    module = getattr(handler, "__module__", None) or "?"
    name = getattr(handler, "__qualname__", None) or type(handler).__qualname__
    return f"{module}.{name}"
