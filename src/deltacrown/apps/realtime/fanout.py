"""Realtime app, fan-out across processes: committed events travel between workers over Redis.

Without ``REDIS_URL`` (embedded) there is one serving process and the hub delivers in-process;
this module is not used. With ``REDIS_URL`` every process that commits events (any uvicorn
worker, a task worker, a management command) publishes each event **once** to the Redis
channel of its stream, and every serving process runs **one** listener that subscribes to the
channels of the streams it has local connections for and hands each message to its hub, which
queues the same text to its local members. So an event costs one PUBLISH whatever the number of
followers, and Redis sends it only to the workers that follow its stream.

- **Channel** ``deltacrown:events:<db>:<stream>``, where ``<db>`` is a short digest of the
  database name: stream names are only unique within one database, and Redis pub/sub ignores
  the database number of ``REDIS_URL``, so two deployments (or test runs) sharing a Redis stay
  apart.
- **Payload** ``b"<seq>\\n<coalescing key>\\n<event message>"``: the message is the JSON text
  the clients receive, encoded once by the committing process; the receiving workers only split
  the header off and never parse or re-encode it.
- **Nothing is lost.** The hub orders each stream by ``seq`` and reads a missing event from the
  log when a later one arrives. When the listener subscribes (first follower, or after a
  reconnection), it catches the stream up from the log as soon as Redis confirms the
  subscription, covering events published before it took effect. While it has no connection
  it catches every followed stream up from the log every second and reconnects with backoff.
  If a PUBLISH fails, the committing process delivers to its own clients directly and stops
  trying Redis for a second, so a Redis outage never stalls the writes; the other processes
  find the event through their catch-up.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import threading
import time
from typing import TYPE_CHECKING

import redis
import redis.asyncio as aioredis
from django.conf import settings
from redis.backoff import NoBackoff
from redis.retry import Retry

if TYPE_CHECKING:
    from deltacrown.apps.realtime.hub import Hub

logger = logging.getLogger("deltacrown.realtime")

CHANNEL_ROOT = "deltacrown:events:"
#: Seconds between catch-ups from the log while the listener has no Redis connection.
CATCH_UP_INTERVAL = 1.0
#: Reconnection backoff bounds (seconds), doubling after every failed attempt.
BACKOFF_MIN, BACKOFF_MAX = 0.1, 5.0
#: A listener that heard nothing for this long pings Redis; three times as long: reconnect.
IDLE_PING = 5.0
#: After a failed PUBLISH, seconds during which events are delivered in-process only.
PUBLISH_PAUSE = 1.0
#: Socket timeouts (seconds) of the publishing client: a committing thread never waits longer.
PUBLISH_TIMEOUT = 1.0


def channel_prefix() -> str:
    """The channel prefix of this deployment's database (``deltacrown:events:<db>:``)."""
    name = str(settings.DATABASES["default"]["NAME"])
    digest = hashlib.blake2s(name.encode(), digest_size=4).hexdigest()
    return f"{CHANNEL_ROOT}{digest}:"


def encode(seq: int, key: str, text: str) -> bytes:
    """The published payload of an event message (``key`` is "" when it is not coalesced)."""
    return b"%d\n%s\n%s" % (seq, key.encode(), text.encode())


def decode(payload: bytes) -> tuple[int, str, str]:
    """``(seq, key, text)`` of a published payload; ``ValueError`` if it is not one."""
    seq, key, text = payload.split(b"\n", 2)
    return int(seq), key.decode(), text.decode()


class RedisFanout:
    """Publishes committed events to Redis and feeds the process's hub from its subscriptions.

    ``publish`` runs in committing threads; ``follow``/``unfollow`` run on the event loop when
    the hub opens or drops a room. The listener starts on the first ``follow`` of a loop and
    ends with that loop (its task is cancelled when the loop shuts down).
    """

    def __init__(self, url: str, hub: Hub) -> None:
        self.url = url
        self.hub = hub
        self._client: redis.Redis | None = None
        self._client_lock = threading.Lock()
        self._paused_until = 0.0
        self._listener: _Listener | None = None

    # -- publishing (any thread) -------------------------------------------------------------

    def publish(self, stream: str, seq: int, key: str, text: str) -> bool:
        """Send an event message to every process following ``stream``: one PUBLISH. False
        when Redis is unreachable (the caller then delivers in-process)."""
        if time.monotonic() < self._paused_until:
            return False
        try:
            self._redis().publish(channel_prefix() + stream, encode(seq, key, text))
        except (redis.RedisError, OSError):
            if self._paused_until == 0.0 or time.monotonic() - self._paused_until > 60:
                # One line per outage, not per event.
                logger.warning("realtime publish failed; delivering in-process", exc_info=True)
            self._paused_until = time.monotonic() + PUBLISH_PAUSE
            return False
        self._paused_until = 0.0
        return True

    def _redis(self) -> redis.Redis:
        if self._client is None:
            with self._client_lock:
                if self._client is None:
                    # One retry on a fresh connection replaces a pooled one that died with a
                    # Redis restart; beyond that the caller falls back at once.
                    self._client = redis.Redis.from_url(
                        self.url,
                        socket_connect_timeout=PUBLISH_TIMEOUT,
                        socket_timeout=PUBLISH_TIMEOUT,
                        retry=Retry(NoBackoff(), 1),
                    )
        return self._client

    # -- following (on the loop) ---------------------------------------------------------------

    def follow(self, stream: str) -> None:
        """A room exists for ``stream`` on the running loop: make sure it is subscribed."""
        loop = asyncio.get_running_loop()
        listener = self._listener
        if listener is None or listener.loop is not loop or listener.task.done():
            listener = self._listener = _Listener(self, loop)
        listener.changed.set()

    def unfollow(self, stream: str) -> None:
        """The room of ``stream`` is gone: unsubscribe when the listener gets to it."""
        listener = self._listener
        if listener is not None and not listener.task.done():
            listener.changed.set()

    @property
    def connected(self) -> bool:
        """Whether this process's listener currently holds its Redis subscription."""
        return self._listener is not None and self._listener.connected


class _Listener:
    """One loop's subscription connection, its reconnection and its catch-ups."""

    def __init__(self, fanout: RedisFanout, loop: asyncio.AbstractEventLoop) -> None:
        self.fanout = fanout
        self.loop = loop
        self.changed = asyncio.Event()
        self.connected = False
        self._confirmed: set[str] = set()
        self._catching_up: asyncio.Task[None] | None = None
        self._had_connection = False
        self.task = loop.create_task(self._run(), name="realtime-fanout-listener")

    async def _run(self) -> None:
        delay = 0.0
        outage = False
        while True:
            client = aioredis.Redis.from_url(
                self.fanout.url, socket_connect_timeout=2, retry=Retry(NoBackoff(), 0)
            )
            pubsub = client.pubsub()
            self._had_connection = False
            try:
                await self._session(pubsub)
            except (redis.RedisError, OSError):
                pass
            finally:
                self.connected = False
                with contextlib.suppress(Exception):
                    await pubsub.aclose()
                with contextlib.suppress(Exception):
                    await client.aclose()
            if self._had_connection:
                delay, outage = 0.0, False
            if not outage:
                outage = True  # one line per outage, not per attempt
                logger.warning(
                    "realtime listener has no Redis connection; catching up from the log"
                )
            delay = min(max(delay * 2, BACKOFF_MIN), BACKOFF_MAX)
            await self._wait_catching_up(delay)

    async def _session(self, pubsub: aioredis.client.PubSub) -> None:
        """Subscribe to the followed streams and deliver messages until the connection fails."""
        await pubsub.connect()
        prefix = channel_prefix()
        subscribed: set[str] = set()
        self.changed.set()
        syncer = self.loop.create_task(self._sync(pubsub, prefix, subscribed))
        heard = self.loop.time()
        try:
            while True:
                if syncer.done():
                    syncer.result()  # a failed SUBSCRIBE ends the session with its error
                message = await pubsub.get_message(timeout=IDLE_PING)
                now = self.loop.time()
                if message is None:
                    if now - heard > 3 * IDLE_PING:
                        raise redis.ConnectionError("no answer from Redis")
                    await pubsub.ping()
                    continue
                heard = now
                kind = message["type"]
                if kind == "message":
                    stream = message["channel"].decode()[len(prefix) :]
                    try:
                        seq, key, text = decode(message["data"])
                    except ValueError:
                        logger.warning("realtime message ignored: not an event payload")
                        continue
                    self.fanout.hub._arrive(stream, seq, key or None, text)
                elif kind == "subscribe":
                    # From now on Redis delivers the stream: read what was committed before.
                    self._connected()
                    self._confirmed.add(message["channel"].decode()[len(prefix) :])
                    self._schedule_catch_up()
        finally:
            syncer.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await syncer

    async def _sync(
        self, pubsub: aioredis.client.PubSub, prefix: str, subscribed: set[str]
    ) -> None:
        """Keep the subscriptions equal to the hub's rooms (sent beside the reader: a pub/sub
        connection reads and writes independently)."""
        while True:
            await self.changed.wait()
            self.changed.clear()
            wanted = set(self.fanout.hub.streams())
            added, removed = wanted - subscribed, subscribed - wanted
            if added:
                await pubsub.subscribe(*(prefix + s for s in sorted(added)))
                subscribed |= added
            if removed:
                await pubsub.unsubscribe(*(prefix + s for s in sorted(removed)))
                subscribed -= removed
            if not subscribed:
                # Nothing to confirm: the connection itself is the proof.
                self._connected()

    def _connected(self) -> None:
        if not self.connected and self._had_connection is False:
            logger.info("realtime listener subscribed to Redis")
        self.connected = self._had_connection = True

    def _schedule_catch_up(self) -> None:
        # Confirmations of a (re)subscription come in a burst: one read covers them all.
        if self._catching_up is None or self._catching_up.done():
            self._catching_up = self.loop.create_task(self._catch_up_confirmed())

    async def _catch_up_confirmed(self) -> None:
        await asyncio.sleep(0)
        streams, self._confirmed = self._confirmed, set()
        await self.fanout.hub.catch_up(streams)
        if self._confirmed:
            self._schedule_catch_up()

    async def _wait_catching_up(self, seconds: float) -> None:
        """Sleep ``seconds`` (the reconnection backoff), catching every room up from the log
        now and each ``CATCH_UP_INTERVAL`` meanwhile."""
        deadline = self.loop.time() + seconds
        while True:
            await self.fanout.hub.catch_up()
            remaining = deadline - self.loop.time()
            if remaining <= 0:
                return
            await asyncio.sleep(min(CATCH_UP_INTERVAL, remaining))


def configure(hub: Hub, redis_url: str | None) -> RedisFanout | None:
    """Attach cross-process fan-out to ``hub`` when ``redis_url`` is set (None: in-process)."""
    hub.fanout = RedisFanout(redis_url, hub) if redis_url else None
    return hub.fanout
