"""The realtime hub without sockets or a database: order, at-most-once, coalescing and
backpressure, with fake connections."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import orjson
import pytest
from asgiref.sync import async_to_sync

from deltacrown.apps.realtime.hub import Hub, Outbox
from deltacrown.kernel.clock import from_epoch_us
from deltacrown.kernel.data import EventRecord


def _record(seq: int, name: str = "match.ready", **data: int) -> EventRecord:
    return EventRecord(
        stream="tournament:1",
        seq=seq,
        name=name,
        data={"match_id": 7, **data},
        at_us=1_000_000 * seq,
        prev_hash="0" * 64,
        hash=f"{seq:064x}",
        at=from_epoch_us(1_000_000 * seq),
    )


class Client:
    """A connection that records what it was sent (optionally blocking until released)."""

    def __init__(self, *, blocked: bool = False) -> None:
        self.sent: list[dict] = []
        self.closed: int | None = None
        self.gate = asyncio.Event()
        if not blocked:
            self.gate.set()

    async def send(self, text: str) -> None:
        await self.gate.wait()
        self.sent.append(orjson.loads(text))

    async def close(self, code: int) -> None:
        self.closed = code

    def seqs(self) -> list[int]:
        return [m["seq"] for m in self.sent if m["type"] == "event"]


async def _settle(seconds: float = 0.02) -> None:
    await asyncio.sleep(seconds)


def _run(coroutine) -> None:
    async_to_sync(coroutine)()


def test_events_arriving_out_of_order_reach_every_member_in_order_once(settings):
    async def scenario() -> None:
        store = {seq: _record(seq) for seq in range(1, 6)}
        hub = Hub(read_after=lambda stream, after: [r for s, r in store.items() if s > after])
        a, b = Client(), Client()
        boxes = [Outbox(a.send, a.close), Outbox(b.send, b.close)]
        for box in boxes:
            box.start()
            hub.join("tournament:1", box, head_seq=0)
        for seq in (2, 1, 3, 3, 1):
            hub.dispatch(store[seq])
        await _settle()
        # Event 5 arrives without 4: the hub reads 4 from the log.
        hub.dispatch(store[5])
        await _settle(0.2)
        assert a.seqs() == [1, 2, 3, 4, 5]
        assert b.seqs() == [1, 2, 3, 4, 5]
        assert a.sent[0]["hash"] == store[1].hash
        for box in boxes:
            await box.stop()

    _run(scenario)


def test_live_scores_are_coalesced_and_a_completion_flushes_them(settings):
    settings.REALTIME_COALESCE_MS = 200

    async def scenario() -> None:
        hub = Hub()
        client = Client()
        box = Outbox(client.send, client.close)
        box.start()
        hub.join("tournament:1", box, head_seq=0)
        hub.dispatch(_record(1, "match.score_updated", score=1))
        hub.dispatch(_record(2, "match.score_updated", score=2))
        hub.dispatch(_record(3, "match.score_updated", score=3))
        await _settle(0.05)
        assert client.seqs() == []  # held for the window
        hub.dispatch(_record(4, "match.completed"))
        await _settle(0.05)
        # Only the latest score update, then the completion, without waiting for the window.
        assert client.seqs() == [3, 4]
        await box.stop()

    _run(scenario)


def test_a_client_that_stops_reading_gets_a_gap_and_is_closed_when_it_stays_behind(settings):
    async def scenario() -> None:
        hub = Hub()
        slow, fast = Client(blocked=True), Client()
        slow_box = Outbox(slow.send, slow.close, size=4, grace=0.1)
        fast_box = Outbox(fast.send, fast.close, size=64, grace=0.1)
        for box in (slow_box, fast_box):
            box.start()
            hub.join("tournament:1", box, head_seq=0)
        for seq in range(1, 8):
            hub.dispatch(_record(seq))
        await _settle()
        assert fast.seqs() == list(range(1, 8))  # the slow one does not hold the others back
        assert len(slow_box.queue) <= 4
        slow.gate.set()
        await _settle()
        # Event 1 was being written when the client stalled; 2 to 5 queued, and 6 and 7
        # pushed the oldest (2, 3) out. The client is told where its gap starts, then gets the
        # newest ones in order.
        assert [m["type"] for m in slow.sent] == ["event", "gap", *["event"] * 4]
        assert slow.sent[1]["from"] == 2
        assert slow.seqs() == [1, 4, 5, 6, 7]
        # Still behind after the grace period: closed as a slow consumer.
        slow.gate.clear()
        for seq in range(8, 20):
            hub.dispatch(_record(seq))
            await _settle(0.02)
        assert slow.closed == 4012
        assert len(slow_box.queue) == 0
        for box in (slow_box, fast_box):
            await box.stop()

    _run(scenario)


def test_events_for_streams_nobody_follows_cost_nothing():
    hub = Hub()
    hub.dispatch(_record(1))  # no loop, no room: ignored
    assert hub.members("tournament:1") == 0


@pytest.mark.parametrize("held", [True, False])
def test_live_events_kept_aside_during_a_replay_follow_it_without_repeats(held):
    async def scenario() -> None:
        client = Client()
        box = Outbox(client.send, client.close)
        box.start()
        if held:
            box.hold()
            box.push_event(3, orjson.dumps({"type": "event", "seq": 3}).decode())
            for seq in (1, 2, 3):
                box.push_event(
                    seq, orjson.dumps({"type": "event", "seq": seq}).decode(), replay=True
                )
            box.release()
        else:
            for seq in (1, 2, 3, 3):
                box.push_event(seq, orjson.dumps({"type": "event", "seq": seq}).decode())
        await _settle()
        assert client.seqs() == [1, 2, 3]
        await box.stop()

    _run(scenario)


def test_a_watched_stream_calls_its_watchers_and_sends_nothing():
    async def scenario() -> None:
        hub = Hub()
        member = Client()
        outbox = Outbox(member.send, member.close)
        outbox.start()
        hub.join("tournament:1", outbox, head_seq=0)
        calls: list[str] = []

        def watcher() -> None:
            calls.append("standing")

        hub.watch("moderation:user:5", watcher)
        assert set(hub.streams()) == {"tournament:1", "moderation:user:5"}
        standing = replace(_record(1, "sanction.created"), stream="moderation:user:5")
        await asyncio.to_thread(hub.dispatch, standing)
        await _settle()
        assert calls == ["standing"]
        assert member.sent == []

        hub.unwatch("moderation:user:5", watcher)
        assert hub.streams() == ["tournament:1"]
        await asyncio.to_thread(hub.dispatch, replace(standing, seq=2))
        await _settle()
        assert calls == ["standing"]

    _run(scenario)
