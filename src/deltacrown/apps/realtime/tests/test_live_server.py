"""Realtime against a running server: a client that stops reading, and a worker that dies.

These run ``deltacrown serve`` (uvicorn, real sockets) on the embedded defaults with a
database migrated here, because both behaviours live below what Channels' communicator
reaches: TCP buffers filling up, and uvicorn's process manager replacing a worker.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import orjson
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from deltacrown.apps.realtime.tests.live import (
    commit,
    metric,
    migrate,
    organizer_tournament,
    platform_env,
    serve,
    wait,
)


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite platform directory shared by the servers of this module."""
    var = tmp_path_factory.mktemp("live-var")
    migrate(platform_env(var, DATABASE_URL="", REDIS_URL=""))
    return var


def _env(var: Path, **overrides: str) -> dict[str, str]:
    # Embedded defaults whatever the suite runs on: SQLite, no Redis.
    env = platform_env(var, **overrides)
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    return env


# --- a client that stops reading ---------------------------------------------------------------


class SilentClient:
    """A WebSocket client on a raw socket that completes the handshake and then reads nothing,
    with a small receive buffer, so the server's writes back up as they would for a stalled
    phone."""

    def __init__(self, base: str, path: str) -> None:
        host, port = base.removeprefix("http://").split(":")
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self.sock.connect((host, int(port)))
        self.sock.sendall(
            (
                f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
                "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                f"Sec-WebSocket-Version: 13\r\nOrigin: {base}\r\n\r\n"
            ).encode()
        )
        head = b""
        while b"\r\n\r\n" not in head:
            head += self.sock.recv(1)
        assert head.startswith(b"HTTP/1.1 101"), head

    def drain(self, timeout: float = 20) -> tuple[list[dict], int | None]:
        """Read everything the server sent until it closed: (text messages, close code; None
        when the connection ended without a close frame)."""
        self.sock.settimeout(timeout)
        data = b""
        while True:
            chunk = self.sock.recv(65536)
            if not chunk:
                break
            data += chunk
            messages, code = _frames(data)
            if code is not None:
                return messages, code
        return _frames(data)

    def close(self) -> None:
        self.sock.close()


def _frames(data: bytes) -> tuple[list[dict], int | None]:
    """Parse unmasked server frames: the text messages and the close code, if any."""
    messages, at = [], 0
    while at + 2 <= len(data):
        opcode, length, at_payload = data[at] & 0x0F, data[at + 1] & 0x7F, at + 2
        if length == 126:
            length, at_payload = int.from_bytes(data[at + 2 : at + 4], "big"), at + 4
        elif length == 127:
            length, at_payload = int.from_bytes(data[at + 2 : at + 10], "big"), at + 10
        if at_payload + length > len(data):
            break
        payload = data[at_payload : at_payload + length]
        if opcode == 0x1:
            messages.append(orjson.loads(payload))
        elif opcode == 0x8:
            return messages, int.from_bytes(payload[:2], "big")
        at = at_payload + length
    return messages, None


def test_a_client_that_stops_reading_is_cut_off_without_slowing_the_others(
    migrated: Path, tmp_path: Path
):
    # A small kernel send buffer, so the silent client's backlog reaches its queue after a few
    # hundred events instead of the megabytes that autotuning would let the kernel hold.
    env = _env(
        migrated,
        # Room for the reading client to lag a little on a busy machine, never 32 behind.
        REALTIME_QUEUE_SIZE="32",
        REALTIME_SLOW_CONSUMER_GRACE="1",
        SERVE_SEND_BUFFER="8192",
    )
    with serve(env, tmp_path / "serve.log") as (base, _):
        api = httpx.Client(base_url=f"{base}/api/v1", timeout=10)
        token, tournament_id = organizer_tournament(api)
        path = f"/ws/tournaments/{tournament_id}/"
        silent = SilentClient(base, path)
        received: list[int] = []
        gaps: list[dict] = []
        stop = threading.Event()

        async def follow() -> None:
            ws_url = base.replace("http://", "ws://") + path
            async with connect(ws_url, origin=base) as socket_:
                while not stop.is_set() or len(received) < committed[0]:
                    try:
                        message = orjson.loads(await asyncio.wait_for(socket_.recv(), 10))
                    except TimeoutError:
                        return
                    if message["type"] == "event":
                        received.append(message["seq"])
                    elif message["type"] == "ping":
                        await socket_.send('{"type":"pong"}')
                    elif message["type"] == "gap":
                        gaps.append(message)

        committed = [0]
        follower = threading.Thread(target=asyncio.run, args=(follow(),))
        follower.start()
        # Commit events until the server has given up on the silent client: its buffers fill,
        # its queue overflows (oldest dropped), and after the grace period it is closed.
        deadline = time.monotonic() + 120
        while metric(base, "deltacrown_realtime_closes_total", code="4012") < 1:
            assert time.monotonic() < deadline, "the silent client was never closed"
            for _ in range(20):
                commit(api, token, tournament_id, f"note {committed[0]}")
                committed[0] += 1
        # Everything the silent client held is released: only the reader still counts.
        assert metric(base, "deltacrown_realtime_connections") == 1
        stop.set()
        follower.join(timeout=30)

        # The reading client had every event, in order, once, and never a gap.
        assert len(received) == committed[0]
        assert received == list(range(received[0], received[0] + committed[0]))
        assert gaps == []
        # The silent one lost events to its bounded queue and was closed as a slow consumer.
        assert metric(base, "deltacrown_realtime_dropped_messages_total") > 0
        assert metric(base, "deltacrown_realtime_closes_total", code="4012") == 1
        # It never read, so not even the close frame could be written: when it finally reads,
        # it gets what the buffers held and then the end of the connection.
        messages, code = silent.drain()
        silent.close()
        assert code is None
        assert messages[0]["type"] == "snapshot"
        seen = [m["seq"] for m in messages if m["type"] == "event"]
        assert len(seen) < committed[0]


# --- a worker that dies ------------------------------------------------------------------------


def _workers(pid: int) -> list[int]:
    """The uvicorn worker processes of the server ``pid`` (multiprocessing's spawned children,
    not its resource tracker)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    parent = int(f.read().rsplit(")", 1)[1].split()[1])
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    spawned = b"spawn_main" in f.read()
            except OSError:
                continue
            if parent == pid and spawned:
                found.append(int(entry))
    return found


def _established(pid: int, port: int) -> int:
    """How many established TCP connections on ``port`` the process ``pid`` holds."""
    inodes = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    count = 0
    with open(f"/proc/{pid}/net/tcp") as f:
        for line in f.readlines()[1:]:
            fields = line.split()
            local_port, state, inode = int(fields[1].split(":")[1], 16), fields[3], fields[9]
            if local_port == port and state == "01" and inode in inodes:
                count += 1
    return count


@pytest.fixture
def two_workers(migrated: Path, tmp_path: Path) -> Iterator[tuple[str, int]]:
    with serve(_env(migrated), tmp_path / "serve.log", "--workers", "2", "--tasks", "off") as s:
        yield s


def test_the_connections_of_a_dead_worker_stop_counting_once_it_is_replaced(two_workers):
    base, supervisor = two_workers
    port = int(base.rsplit(":", 1)[1])
    api = httpx.Client(base_url=f"{base}/api/v1", timeout=10)
    _, tournament_id = organizer_tournament(api)
    api.close()  # only WebSocket connections stay open: they are counted per worker below
    gauge = "deltacrown_realtime_connections"

    async def scenario() -> None:
        ws_url = f"{base.replace('http://', 'ws://')}/ws/tournaments/{tournament_id}/"
        sockets = []
        workers = _workers(supervisor)
        assert len(workers) == 2
        # Connect until both workers hold some (the kernel spreads accepts between them).
        for _ in range(40):
            socket_ = await connect(ws_url, origin=base)
            await asyncio.wait_for(socket_.recv(), 10)  # the snapshot: admitted
            sockets.append(socket_)
            if len(sockets) >= 6 and all(_established(w, port) for w in workers):
                break
        held = {w: _established(w, port) for w in workers}
        assert all(held.values()), held
        await asyncio.to_thread(
            wait, lambda: metric(base, gauge) == len(sockets), "every connection counted"
        )

        victim = max(held, key=held.get)
        os.kill(victim, signal.SIGKILL)
        await asyncio.to_thread(
            wait,
            lambda: len(_workers(supervisor)) == 2 and victim not in _workers(supervisor),
            "the dead worker was not replaced",
        )
        alive = 0
        for socket_ in sockets:
            try:
                await socket_.send('{"type":"ping"}')
                async with asyncio.timeout(5):
                    while orjson.loads(await socket_.recv())["type"] != "pong":
                        pass
                alive += 1
            except (ConnectionClosed, TimeoutError):
                continue
        assert alive == len(sockets) - held[victim]
        # Only the survivors' connections count: the dead worker's were forgotten.
        await asyncio.to_thread(
            wait, lambda: metric(base, gauge) == alive, "the dead worker's connections forgotten"
        )
        for socket_ in sockets:
            await socket_.close()

    asyncio.run(scenario())
