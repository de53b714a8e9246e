"""Realtime app, limits: how many connections a user, a client address and a room may hold, and
how fast a client may send.

**Concurrent connections** are counted in the shared rate-limit storage
(``settings.RATELIMIT_STORAGE_URI`` through the ``limits`` library: in-process memory embedded,
Redis at scale, so every worker sees the same counts) with the storage's atomic ``incr``. A count
of open connections is not a rate window, and a worker that crashes never says goodbye, so a
connection holds its slots as *leases* in epochs of ``EPOCH_SECONDS``:

- admitted in epoch k, a connection adds one to the counters of epochs k and k+1; while it lives,
  a renewal task adds it to each following epoch's counter during the epoch before;
- admission decides on the value the increment returns for the current epoch, so two workers
  admitting at the same moment can never both take the last slot;
- leaving subtracts one from the counters of the current and later epochs it holds.

A connection whose worker died stops renewing and is no longer counted at most two epochs later;
the keys themselves expire a while after their epoch. Correctness never depends on a disconnect
handler running; the consumer still releases on every path so a slot frees at once.

**Incoming messages** are counted per connection in the process's own memory: all frames of a
connection reach one worker, so a local moving window is exact and costs no network round trip.

**Storage outage:** when the shared storage cannot be reached, connections are admitted
unchecked (fail open, one log line with ids only per ``_FAIL_OPEN_LOG_EVERY`` seconds): the live
view is read-only and keeps serving, while the REST API's own limits fail closed. Client
addresses only ever appear inside storage keys, as a keyed hash; they are never logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import itertools
import logging
import math
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import TypeVar

from django.conf import settings
from limits import RateLimitItem, RateLimitItemPerSecond, parse
from limits.errors import StorageError
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from deltacrown.apps.realtime import metrics
from deltacrown.apps.realtime.data import CloseCode
from deltacrown.kernel import clock
from deltacrown.kernel.errors import DomainError

logger = logging.getLogger("deltacrown.realtime")

T = TypeVar("T")

#: Length of a lease epoch: a crashed worker's connections stop counting within two of them.
EPOCH_SECONDS = 60
# Keys outlive the two epochs they can be read in, with room for clock skew between machines.
_KEY_TTL = 3 * EPOCH_SECONDS
#: Rejected messages within ``FLOOD_WINDOW_SECONDS`` after which a client is closed (4008).
FLOOD_REJECTIONS = 3
FLOOD_WINDOW_SECONDS = 5
_FAIL_OPEN_LOG_EVERY = 10.0
_PREFIX = "rt"


class ConnectionRefused(DomainError):
    """A connection over one of the realtime limits; closed with ``close_code``."""

    code = "too_many_connections"
    http_status = 429
    title = "Too many connections"
    close_code: int = CloseCode.POLICY


class TooManyConnections(ConnectionRefused):
    """The user or the client address already holds as many live connections as allowed."""

    code = "too_many_connections"


class RoomFull(ConnectionRefused):
    """The stream already has as many followers as one room may hold."""

    code = "room_full"
    http_status = 503
    title = "Room full"
    close_code = CloseCode.ROOM_FULL


# --- the shared storage -----------------------------------------------------------------------

_lock = threading.Lock()
_storages: dict[str, Storage] = {}
_fail_open: dict[str, float] = {"logged_at": float("-inf"), "unchecked": 0}


def _storage() -> Storage:
    uri = settings.RATELIMIT_STORAGE_URI
    with _lock:
        storage = _storages.get(uri)
        if storage is None:
            storage = storage_from_string(uri, wrap_exceptions=True)
            _storages[uri] = storage
        return storage


async def _call(storage: Storage, work: Callable[[], T]) -> T:
    # The in-process storage answers at once; a network storage blocks, so it runs off the loop.
    if isinstance(storage, MemoryStorage):
        return work()
    return await asyncio.to_thread(work)


def _epoch() -> int:
    return int(clock.now().timestamp()) // EPOCH_SECONDS


def _address_key(address: str) -> str:
    # A keyed hash: the storage can be inspected without yielding a list of client addresses.
    digest = hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


def _note_fail_open(user_id: int | None, stream: str) -> None:
    metrics.limits_failed_open()
    with _lock:
        _fail_open["unchecked"] += 1
        now = time.monotonic()
        if now - _fail_open["logged_at"] < _FAIL_OPEN_LOG_EVERY:
            return
        unchecked, _fail_open["unchecked"] = int(_fail_open["unchecked"]), 0
        _fail_open["logged_at"] = now
    logger.warning(
        "realtime connection limits unavailable; admitting unchecked",
        extra={"user_id": user_id, "stream": stream, "unchecked": unchecked},
    )


# --- connection slots ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Counter:
    name: str
    limit: int
    refusal: type[ConnectionRefused]
    detail: str
    #: The metric's reason label (``metrics.RATE_LIMIT_REASONS``).
    reason: str


class ConnectionSlots:
    """The slots one connection holds (user, client address, room) and their renewal.

    ``release`` is idempotent and safe to call from any disconnect path.
    """

    def __init__(self, storage: Storage | None, names: list[str], epochs: set[int]) -> None:
        self._storage = storage
        self._names = names
        self._epochs = epochs
        self._task: asyncio.Task[None] | None = None
        self._released = False

    @property
    def checked(self) -> bool:
        """False when the storage was unreachable and the connection was admitted unchecked."""
        return self._storage is not None

    def start(self) -> None:
        """Keep the slots alive epoch after epoch (on the running loop) until ``release``."""
        if self._storage is not None and self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._renew_forever())

    async def renew(self) -> None:
        """Add the connection to the next epoch's counters (once per epoch)."""
        storage = self._storage
        if storage is None or self._released:
            return
        current = _epoch()
        upcoming = current + 1
        self._epochs = {epoch for epoch in self._epochs if epoch >= current}
        if upcoming in self._epochs:
            return

        def work() -> None:
            for name in self._names:
                storage.incr(f"{name}:{upcoming}", _KEY_TTL)

        try:
            await _call(storage, work)
        except StorageError:
            # Not counted next epoch: fail open, like admission during an outage.
            logger.warning("realtime connection lease renewal failed")
            return
        self._epochs.add(upcoming)

    async def _renew_forever(self) -> None:
        while True:
            # Renew at a random moment in the first half of the next epoch so that thousands of
            # connections do not all hit the storage at the boundary.
            now = clock.now().timestamp()
            next_epoch_start = (int(now) // EPOCH_SECONDS + 1) * EPOCH_SECONDS
            jitter = random.uniform(0, EPOCH_SECONDS / 2)  # noqa: S311 - spreading load, no secret
            delay = next_epoch_start - now + jitter
            await asyncio.sleep(delay)
            await self.renew()

    async def release(self) -> None:
        """Give the slots back (idempotent)."""
        if self._released:
            return
        self._released = True
        task, self._task = self._task, None
        if task is not None and task is not asyncio.current_task():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        storage = self._storage
        if storage is None:
            return
        current = _epoch()
        held = [epoch for epoch in self._epochs if epoch >= current]

        def work() -> None:
            for epoch in held:
                for name in self._names:
                    storage.incr(f"{name}:{epoch}", _KEY_TTL, amount=-1)

        try:
            await _call(storage, work)
        except StorageError:
            # The counters of a lease nobody renews stop counting within two epochs.
            logger.warning("realtime connection release failed; the lease will lapse")


def _counters(user_id: int | None, client_ip: str | None, stream: str) -> list[_Counter]:
    counters = []
    if user_id is not None:
        counters.append(
            _Counter(
                f"{_PREFIX}:user:{user_id}",
                int(settings.REALTIME_CONNECTIONS_PER_USER),
                TooManyConnections,
                "Too many live connections for this account; close one and retry.",
                "user_connections",
            )
        )
    if client_ip:
        counters.append(
            _Counter(
                f"{_PREFIX}:ip:{_address_key(client_ip)}",
                int(settings.REALTIME_CONNECTIONS_PER_IP),
                TooManyConnections,
                "Too many live connections from this address; close one and retry.",
                "ip_connections",
            )
        )
    counters.append(
        _Counter(
            f"{_PREFIX}:room:{stream}",
            int(settings.REALTIME_ROOM_MAX),
            RoomFull,
            "This stream has as many followers as it can take; retry later.",
            "room_full",
        )
    )
    return counters


async def acquire(*, user_id: int | None, client_ip: str | None, stream: str) -> ConnectionSlots:
    """Take a connection slot for the user (when signed in), the client address (when known)
    and the stream's room, or raise ``TooManyConnections`` (4008) / ``RoomFull`` (4010).

    Nothing is held after a refusal. When the storage is unreachable the connection is admitted
    unchecked (logged). Call ``start()`` on the result to keep the slots alive, and
    ``release()`` when the connection ends.
    """
    counters = _counters(user_id, client_ip, stream)
    storage = _storage()
    current = _epoch()

    def work() -> None:
        taken: list[_Counter] = []
        try:
            for counter in counters:
                value = storage.incr(f"{counter.name}:{current}", _KEY_TTL)
                taken.append(counter)
                if value > counter.limit:
                    metrics.rate_limited(counter.reason)
                    raise counter.refusal(counter.detail)
            for counter in counters:
                storage.incr(f"{counter.name}:{current + 1}", _KEY_TTL)
        except BaseException:
            # Undo what this attempt counted (best effort: an outage leaves a lease that lapses).
            with contextlib.suppress(StorageError):
                for counter in taken:
                    storage.incr(f"{counter.name}:{current}", _KEY_TTL, amount=-1)
            raise

    try:
        await _call(storage, work)
    except StorageError:
        _note_fail_open(user_id, stream)
        return ConnectionSlots(None, [], set())
    return ConnectionSlots(storage, [c.name for c in counters], {current, current + 1})


async def count(name: str, *, user_id: int | None = None, stream: str | None = None) -> int:
    """How many connections the shared counters hold now for a user (``name="user"``) or a
    room (``name="room"``): operators' and tests' view of the counters."""
    ident = user_id if name == "user" else stream
    storage = _storage()
    key = f"{_PREFIX}:{name}:{ident}:{_epoch()}"
    return max(0, await _call(storage, lambda: storage.get(key)))


# --- incoming messages ------------------------------------------------------------------------


class Verdict(Enum):
    """What to do with a message a client sent."""

    ALLOWED = "allowed"
    #: Over the rate: answer with an ``error`` (``rate_limited``), do not act on it.
    REJECTED = "rejected"
    #: Over the rate again and again: close the connection (4008).
    FLOODING = "flooding"


_messages = MemoryStorage()
_message_limiter = MovingWindowRateLimiter(_messages)
_connection_ids = itertools.count(1)


def message_window() -> RateLimitItem:
    """The moving window that gives ``REALTIME_MESSAGE_RATE`` with ``REALTIME_MESSAGE_BURST``.

    A window of ``burst`` messages per ``burst / rate`` seconds (20 per 2 s for 10/s, burst 20)
    lets a client send the whole burst at once and holds it to the rate over any longer period.
    A true token bucket would refill continuously (10 more after 1 s); the window refills the
    whole burst 2 s after it was spent: the same long-run rate, never more than ``burst`` in a
    window, and it is the exact moving window ``limits`` keeps.
    """
    rate = parse(str(settings.REALTIME_MESSAGE_RATE))
    burst = max(1, int(settings.REALTIME_MESSAGE_BURST))
    seconds = max(1, math.ceil(burst * rate.get_expiry() / rate.amount))
    return RateLimitItemPerSecond(burst, seconds)


_FLOOD = RateLimitItemPerSecond(FLOOD_REJECTIONS, FLOOD_WINDOW_SECONDS)


class MessageBudget:
    """One connection's allowance of incoming messages (every message counts, unknown ones
    included)."""

    def __init__(self) -> None:
        self._key = f"{_PREFIX}:msg:{next(_connection_ids)}"
        self._window = message_window()

    def spend(self) -> Verdict:
        """Count one incoming message and say whether to act on it."""
        if _message_limiter.hit(self._window, self._key):
            return Verdict.ALLOWED
        metrics.rate_limited("messages")
        _message_limiter.hit(_FLOOD, self._key)
        if not _message_limiter.test(_FLOOD, self._key):
            return Verdict.FLOODING
        return Verdict.REJECTED

    def retry_after(self) -> int:
        """Whole seconds until the window has room again (at least 1)."""
        stats = _message_limiter.get_window_stats(self._window, self._key)
        return max(1, math.ceil(stats.reset_time - time.time()))

    def close(self) -> None:
        """Forget this connection's counters."""
        _message_limiter.clear(self._window, self._key)
        _message_limiter.clear(_FLOOD, self._key)


def reset() -> None:
    """Forget every realtime counter in the current storage and this process (tests, and
    operators after an incident)."""
    _storage().reset()
    _messages.reset()
    with _lock:
        _fail_open.update(logged_at=float("-inf"), unchecked=0)
