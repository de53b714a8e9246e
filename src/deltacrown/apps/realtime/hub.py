"""Realtime app, fan-out: the per-process hub between the committed event log and the sockets.

Every committed event reaches ``Hub.dispatch`` (a ``kernel.events`` subscriber, called in the
committing thread after commit). The hub encodes the event's message once and hands the same
text to every local connection of the event's stream, in the stream's ``seq`` order:

- A **room** per stream keeps the last seq it delivered. Events arriving out of order (two
  transactions of one stream commit in order, but their after-commit callbacks may run in
  either order) wait until the missing ones arrive, or are read back from the event log after
  a short delay; events already delivered are ignored. So each connection sees the stream in
  order and at most once.
- **Coalescing:** live score updates (``match.score_updated``) are held for a short window
  (``REALTIME_COALESCE_MS``, 100 ms) per match and only the latest is delivered; any other
  event of the stream flushes what is held first, so nothing terminal is delayed.
- **Backpressure:** each connection has a bounded queue (``REALTIME_QUEUE_SIZE``); when a
  client falls behind, the oldest messages are dropped and the client is told where its ``gap``
  starts; a client that stays behind longer than ``REALTIME_SLOW_CONSUMER_GRACE`` seconds is
  closed (4012). A slow client never slows the others: delivery only appends to queues.

All room and queue state lives on the event loop's thread; ``dispatch`` only schedules work
there (``call_soon_threadsafe``). With ``REDIS_URL`` the hub has a ``fanout``
(``realtime.fanout``): ``dispatch`` publishes the encoded message once to Redis instead, and the
process's listener hands it back to ``_arrive`` on the loop of every serving process.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

import orjson
from django.conf import settings

from deltacrown.apps.realtime import metrics
from deltacrown.apps.realtime.data import COALESCED_EVENTS, CloseCode, ServerMessage
from deltacrown.kernel.data import EventRecord

logger = logging.getLogger("deltacrown.realtime")


def event_message(record: EventRecord) -> str:
    """The ``event`` message of a committed event, as sent to clients (JSON text)."""
    return orjson.dumps(
        {
            "type": ServerMessage.EVENT.value,
            "stream": record.stream,
            "seq": record.seq,
            "hash": record.hash,
            "event": record.name,
            "data": record.data,
            "at": record.at_us // 1000,
        }
    ).decode()


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


# --- one connection ---------------------------------------------------------------------------


class Outbox:
    """A connection's bounded queue of outgoing messages, and the pump that sends them.

    ``send`` is the socket's send coroutine; ``close`` closes it with a code. Messages carry the
    seq of the stream event they hold (0 for protocol messages, which are never dropped).

    Sending is eager: while the socket accepts data, a message is written inside ``push_*``
    itself (the send coroutine is driven synchronously and, on an open socket, finishes without
    suspending), so handing an event to a room of N idle connections costs N writes and no task
    switches. Only when a send has to wait (the client reads slowly) does a task finish it; the
    messages that come meanwhile queue up behind it, bounded by ``size``.
    """

    def __init__(
        self,
        send: Callable[[str], Awaitable[None]],
        close: Callable[[int], Awaitable[None]],
        *,
        size: int | None = None,
        grace: float | None = None,
        kind: str = "tournament",
    ) -> None:
        self.kind = kind
        self._send = send
        self._close = close
        self.size = int(size or _setting("REALTIME_QUEUE_SIZE", 256))
        self.grace = float(
            grace if grace is not None else _setting("REALTIME_SLOW_CONSUMER_GRACE", 10)
        )
        self.queue: deque[tuple[int, str]] = deque()
        self.last_seq = 0
        self._gap_from: int | None = None
        self._behind_since: float | None = None
        self._closed = False
        self._started = False
        self._pumping = False
        #: The task finishing a send that had to wait; None while the socket keeps up.
        self._task: asyncio.Task[None] | None = None
        self._holding: list[tuple[int, str]] | None = None
        self._closing: asyncio.Task[None] | None = None
        self.dropped = 0

    def start(self) -> None:
        """Start sending (on the running loop): what was queued before goes out now."""
        self._started = True
        self._pump()

    async def stop(self) -> None:
        """Stop sending; what is queued is discarded."""
        self._closed = True
        self.queue.clear()
        task, self._task = self._task, None
        if task is not None and task is not asyncio.current_task():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def push_protocol(self, text: str) -> None:
        """Queue a protocol message (pong, snapshot, error): never dropped, never reordered
        behind events already queued."""
        if self._closed:
            return
        self.queue.append((0, text))
        self._pump()

    def hold(self) -> None:
        """Keep live events aside while the connection replays the log (``release`` after)."""
        self._holding = []

    def release(self) -> None:
        """Queue the live events kept aside, skipping those the replay already sent."""
        pending, self._holding = self._holding or [], None
        for seq, text in sorted(pending):
            self.push_event(seq, text)

    def push_event(self, seq: int, text: str, *, replay: bool = False) -> None:
        """Queue a stream event unless this connection has already had it."""
        if self._holding is not None and not replay:
            self._holding.append((seq, text))
            return
        if self._closed or seq <= self.last_seq:
            return
        self.last_seq = seq
        if len(self.queue) >= self.size:
            self._overflow()
            if self._closed:
                return
        self.queue.append((seq, text))
        self._pump()

    def _overflow(self) -> None:
        now = time.monotonic()
        if self._behind_since is None:
            self._behind_since = now
        elif now - self._behind_since > self.grace:
            logger.info("slow consumer closed", extra={"dropped": self.dropped})
            self._closed = True
            self.queue.clear()
            # Kept referenced: the loop holds tasks weakly.
            self._closing = asyncio.get_running_loop().create_task(
                self._close(CloseCode.SLOW_CONSUMER)
            )
            return
        # Drop the oldest event (protocol messages stay) and remember where the gap starts.
        for index, (seq, _) in enumerate(self.queue):
            if seq:
                del self.queue[index]
                self.dropped += 1
                metrics.dropped(self.kind)
                if self._gap_from is None or seq < self._gap_from:
                    self._gap_from = seq
                return

    def _pump(self) -> None:
        """Send what is queued, in order, for as long as sends complete at once."""
        if self._pumping or self._task is not None or not self._started:
            return
        self._pumping = True
        try:
            while self.queue and not self._closed:
                if self._gap_from is not None:
                    text = orjson.dumps(
                        {"type": ServerMessage.GAP.value, "from": self._gap_from}
                    ).decode()
                    self._gap_from = None
                    metrics.gap_sent(self.kind)
                else:
                    text = self.queue.popleft()[1]
                sending = self._send(text)
                try:
                    waiting_on = sending.send(None)  # type: ignore[attr-defined]
                except StopIteration:
                    continue  # written
                except Exception:
                    # The socket is gone; the consumer's disconnect cleans up.
                    logger.debug("realtime send failed", exc_info=True)
                    self._closed = True
                    self.queue.clear()
                    return
                # The socket is not writable now: a task finishes this send, then pumps on.
                self._task = asyncio.get_running_loop().create_task(
                    self._finish(sending, waiting_on)
                )
                return
            if not self.queue:
                self._behind_since = None
        finally:
            self._pumping = False

    async def _finish(self, sending: Any, waiting_on: Any) -> None:
        """Drive a send coroutine that suspended on ``waiting_on`` to its end."""
        try:
            while True:
                try:
                    if waiting_on is None:  # a bare yield: give the loop one turn
                        await asyncio.sleep(0)
                    else:
                        # Taken over from the coroutine as a task would: the future was
                        # yielded to nobody, so it still says "blocking".
                        waiting_on._asyncio_future_blocking = False
                        await waiting_on
                except BaseException as exc:  # also cancellation: the coroutine cleans up
                    try:
                        waiting_on = sending.throw(exc)
                    except StopIteration:
                        break
                    continue
                try:
                    waiting_on = sending.send(None)
                except StopIteration:
                    break
        except asyncio.CancelledError:
            sending.close()
            raise
        except Exception:
            logger.debug("realtime send failed", exc_info=True)
            self._closed = True
            self.queue.clear()
        finally:
            if self._task is asyncio.current_task():
                self._task = None
        self._pump()


# --- rooms ------------------------------------------------------------------------------------


@dataclass
class Room:
    """The local connections of one stream and its delivery order."""

    stream: str
    members: set[Outbox] = field(default_factory=set)
    #: The last seq handed to the members (events at or below it are ignored).
    last_seq: int = 0
    #: Events that arrived ahead of a missing one, by seq.
    waiting: dict[int, tuple[str, str]] = field(default_factory=dict)
    #: Coalesced events held back: coalescing key -> (seq, text).
    held: dict[str, tuple[int, str]] = field(default_factory=dict)
    flush_handle: asyncio.TimerHandle | None = None
    fill_handle: asyncio.TimerHandle | None = None


def stream_kind(stream: str) -> str:
    """The endpoint kind of a stream, for metrics: ``match`` or ``tournament``."""
    return "match" if stream.startswith("match:") else "tournament"


def _hand_out(room: Room, seq: int, text: str) -> None:
    """Queue one event to every member of the room, and count it once."""
    members = list(room.members)
    for outbox in members:
        outbox.push_event(seq, text)
    kind = stream_kind(room.stream)
    metrics.delivered(kind, len(members))
    # The event message ends with its commit time: ``..., "at": <ms>}``.
    at = text.rfind('"at":')
    if at != -1:
        with contextlib.suppress(ValueError):
            metrics.latency(time.time() - int(text[at + 5 : -1]) / 1000)


def _coalesce_key(name: str, data: dict[str, Any]) -> str | None:
    if name in COALESCED_EVENTS:
        return f"{name}:{data.get('match_id')}"
    return None


class Fanout(Protocol):
    """Delivery of committed events to every serving process (``fanout.RedisFanout``)."""

    def publish(self, stream: str, seq: int, key: str, text: str) -> bool:
        """Send an event message to every process; False if it could not be sent."""
        ...

    def follow(self, stream: str) -> None:
        """This process has a room for ``stream`` (called on the loop)."""
        ...

    def unfollow(self, stream: str) -> None:
        """This process's room for ``stream`` is gone (called on the loop)."""
        ...


class Hub:
    """The process's rooms. Connections join and leave on the loop; ``dispatch`` may be called
    from any thread."""

    def __init__(self, *, read_after: Callable[[str, int], list[EventRecord]] | None = None):
        self._rooms: dict[str, Room] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock = threading.Lock()
        self._read_after = read_after
        #: Streams watched for their events alone, not delivered: stream -> callbacks.
        self._watchers: dict[str, set[Callable[[], None]]] = {}
        #: Cross-process delivery through Redis (``fanout.configure``); None: in-process only.
        self.fanout: Fanout | None = None

    # -- membership (on the loop) --------------------------------------------------------------

    def join(self, stream: str, outbox: Outbox, *, head_seq: int) -> Room:
        """Add a connection to its stream's room; ``head_seq`` is the committed head the caller
        read (the room starts there if it is new)."""
        self._loop = asyncio.get_running_loop()
        with self._lock:
            room = self._rooms.get(stream)
            if room is None:
                room = Room(stream=stream, last_seq=head_seq)
                self._rooms[stream] = room
        room.members.add(outbox)
        if self.fanout is not None:
            self.fanout.follow(stream)
        return room

    def leave(self, stream: str, outbox: Outbox) -> None:
        """Remove a connection; an empty room is dropped."""
        with self._lock:
            room = self._rooms.get(stream)
            if room is None:
                return
            room.members.discard(outbox)
            if not room.members:
                for handle in (room.flush_handle, room.fill_handle):
                    if handle is not None:
                        handle.cancel()
                del self._rooms[stream]
        if self.fanout is not None and stream not in self._rooms:
            self.fanout.unfollow(stream)

    def watch(self, stream: str, callback: Callable[[], None]) -> None:
        """Call ``callback`` (on the loop) whenever an event of ``stream`` is committed, by any
        process. Nothing of the stream is sent to anyone: a connection watches the stream of
        its user's standing (``kernel.gates.standing_stream``) to ask its gate again at once."""
        self._loop = asyncio.get_running_loop()
        with self._lock:
            self._watchers.setdefault(stream, set()).add(callback)
        if self.fanout is not None:
            self.fanout.follow(stream)

    def unwatch(self, stream: str, callback: Callable[[], None]) -> None:
        with self._lock:
            callbacks = self._watchers.get(stream)
            if callbacks is None:
                return
            callbacks.discard(callback)
            if not callbacks:
                del self._watchers[stream]
        if self.fanout is not None and stream not in self._watchers:
            self.fanout.unfollow(stream)

    def streams(self) -> list[str]:
        """The streams this process has local connections or watchers for."""
        with self._lock:
            return list(self._rooms.keys() | self._watchers.keys())

    def members(self, stream: str) -> int:
        """How many local connections follow ``stream``."""
        room = self._rooms.get(stream)
        return len(room.members) if room else 0

    # -- delivery --------------------------------------------------------------------------------

    def dispatch(self, record: EventRecord) -> None:
        """Deliver a committed event to the followers of its stream (any thread): through the
        fan-out to every process when there is one, else to this process's rooms."""
        fanout = self.fanout
        stream = record.stream
        if fanout is None and stream not in self._rooms and stream not in self._watchers:
            return
        text = event_message(record)
        key = _coalesce_key(record.name, record.data)
        if fanout is not None and fanout.publish(stream, record.seq, key or "", text):
            return  # this process's listener receives it too
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        if stream not in self._rooms and stream not in self._watchers:
            return
        try:
            loop.call_soon_threadsafe(self._arrive, record.stream, record.seq, key, text)
        except RuntimeError:  # the loop is shutting down
            return

    def _arrive(self, stream: str, seq: int, key: str | None, text: str) -> None:
        for callback in list(self._watchers.get(stream, ())):
            try:
                callback()
            except Exception:
                logger.exception("realtime watcher failed", extra={"stream": stream})
        room = self._rooms.get(stream)
        if room is None or seq <= room.last_seq:
            return
        room.waiting[seq] = (key or "", text)
        self._drain(room)
        if room.waiting and room.fill_handle is None and self._read_after is not None:
            # A missing event is probably a commit whose callback has not run yet; if it has
            # not arrived shortly, read it from the log.
            room.fill_handle = asyncio.get_running_loop().call_later(
                0.05, lambda: asyncio.ensure_future(self._fill(room))
            )

    def _drain(self, room: Room) -> None:
        while room.last_seq + 1 in room.waiting:
            seq = room.last_seq + 1
            key, text = room.waiting.pop(seq)
            room.last_seq = seq
            if key:
                room.held[key] = (seq, text)
                if room.flush_handle is None:
                    window = float(_setting("REALTIME_COALESCE_MS", 100)) / 1000
                    room.flush_handle = asyncio.get_running_loop().call_later(
                        window, self._flush, room
                    )
                continue
            self._flush(room)
            _hand_out(room, seq, text)

    def _flush(self, room: Room) -> None:
        if room.flush_handle is not None:
            room.flush_handle.cancel()
            room.flush_handle = None
        if not room.held:
            return
        held = sorted(room.held.values())
        room.held.clear()
        for seq, text in held:
            _hand_out(room, seq, text)

    async def _fill(self, room: Room) -> None:
        room.fill_handle = None
        if not room.waiting or self._read_after is None:
            return
        from asgiref.sync import sync_to_async

        try:
            records = await sync_to_async(self._read_after)(room.stream, room.last_seq)
        except Exception:
            logger.exception("realtime gap fill failed", extra={"stream": room.stream})
            return
        self._take(room, records)

    def _take(self, room: Room, records: list[EventRecord]) -> None:
        """Deliver events read from the log (those already delivered are skipped)."""
        for record in records:
            if record.seq > room.last_seq and record.seq not in room.waiting:
                room.waiting[record.seq] = (
                    _coalesce_key(record.name, record.data) or "",
                    event_message(record),
                )
        self._drain(room)
        # Whatever is still waiting sits behind an event the log does not have (yet).
        if room.waiting and min(room.waiting) <= room.last_seq:
            for seq in [s for s in room.waiting if s <= room.last_seq]:
                del room.waiting[seq]

    async def catch_up(self, streams: Iterable[str] | None = None) -> None:
        """Deliver what the log holds beyond what the rooms of ``streams`` (default: all)
        delivered: the fan-out calls it when it may have missed published events."""
        if self._read_after is None:
            return
        with self._lock:
            marks = {
                stream: room.last_seq
                for stream in (self._rooms if streams is None else streams)
                if (room := self._rooms.get(stream)) is not None
            }
        if not marks:
            return
        read_after = self._read_after

        def read() -> dict[str, list[EventRecord]]:
            return {stream: read_after(stream, after) for stream, after in marks.items()}

        from asgiref.sync import sync_to_async

        try:
            found = await sync_to_async(read)()
        except Exception:
            logger.exception("realtime catch-up failed")
            return
        for stream, records in found.items():
            room = self._rooms.get(stream)
            if room is not None and records:
                self._take(room, records)


def _read_after(stream: str, after_seq: int) -> list[EventRecord]:
    from deltacrown.kernel import events

    return events.events_after(stream, after_seq)


#: The process's hub (the realtime app subscribes it to the event log in ``ready``).
hub = Hub(read_after=_read_after)
