"""Benchmark: realtime fan-out of one tournament's stream to N WebSocket clients.

Three servers are measured with the same clients and the same publishing patterns:

- ``ceiling``: a bare ``websockets`` server (uvloop) that encodes each event once and hands it to
  every client with ``websockets.broadcast``: the practical ceiling of Python fan-out here;
- ``embedded``: ``deltacrown serve`` on the embedded defaults (one process, SQLite, no Redis);
  events are committed by an organizer's ``PATCH /api/v1/matches/{id}`` (``match.updated``, not
  coalesced) so they take the real commit path inside the serving process;
- ``1w+redis`` and ``2w+redis``: ``deltacrown serve --workers 1|2`` on the same SQLite database
  with a private ``redis-server``; events are committed with ``kernel.events.publish`` in a
  separate Django process (as a task worker would) and reach the workers through one Redis
  PUBLISH each. One worker shows the single-process fan-out without the HTTP write path.

For each room size N the clients (anonymous spectators of the demo's live "eFootball Sprint
Cup", spread over several client processes) connect and idle, which gives the server's memory
per idle connection; then events are published at ``--rate`` per second, then as fast as the
publisher and the server sustain ("saturation", bounded by an event count and a duration).
Latency is publish→receive: the client's clock minus the event's ``at`` (commit time, whole
milliseconds, same machine). Deliveries per second count event messages received by all
clients from the first publish to the last receipt.

    python bench/run.py realtime                  # N = 1, 100, 1000
    .venv/bin/python bench/realtime.py --full     # adds N = 2000 and 5000
    .venv/bin/python bench/realtime.py --sizes 1000 --servers ceiling,embedded
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TOURNAMENT_NAME = "eFootball Sprint Cup"
ADMIN_USERNAME, ADMIN_PASSWORD = "benchadmin", "bench-admin-passphrase-1"
#: Deliveries a saturation phase aims at (events = this / N, within the bounds below).
SATURATION_DELIVERIES = 500_000
SATURATION_EVENTS = (20, 2000)
GOALS = {
    "deliveries": 150_000,
    "p99_ms": 50.0,
    "ceiling_ratio": 0.7,
    "idle_kb": 60.0,
}

# --- measurements ---------------------------------------------------------------------------------


@dataclass
class Phase:
    """What the clients saw during one publishing phase."""

    published: int = 0
    received: int = 0
    seconds: float = 0.0
    histogram: Counter[int] = field(default_factory=Counter)  # tenths of a millisecond
    gaps: int = 0
    server_cpu: float = 0.0  # CPU seconds used by the server per wall second
    client_cpu: float = 0.0
    server_cpu_seconds: float = 0.0

    @property
    def cpu_us_per_delivery(self) -> float:
        """Server CPU time per delivered message: steadier than rates on a busy machine."""
        return self.server_cpu_seconds / self.received * 1e6 if self.received else float("nan")

    @property
    def rate(self) -> float:
        return self.received / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float:
        total = sum(self.histogram.values())
        if not total:
            return float("nan")
        rank, seen = q * total, 0
        for tenths in sorted(self.histogram):
            seen += self.histogram[tenths]
            if seen >= rank:
                return tenths / 10
        return max(self.histogram) / 10


@dataclass
class Result:
    server: str
    n: int
    connected: int = 0
    refused: str = ""
    idle_kb: float = float("nan")
    rated: Phase = field(default_factory=Phase)
    saturated: Phase = field(default_factory=Phase)


def _proc_tree(pid: int) -> list[int]:
    """``pid`` and its descendants (uvicorn's workers are children of ``deltacrown serve``)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def _rss_kb(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total


def _cpu_seconds(pids: list[int]) -> float:
    ticks = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime + stime
        except OSError:
            pass
    return ticks / os.sysconf("SC_CLK_TCK")


# --- client processes -----------------------------------------------------------------------------


def _client_process(conn: Connection, url: str) -> None:
    import uvloop

    uvloop.run(_client_loop(conn, url))


#: A masked client frame of ``{"type":"pong"}`` (mask key 0: the payload reads as is).
_PONG = bytes([0x81, 0x80 | 15, 0, 0, 0, 0]) + b'{"type":"pong"}'


class _Follower(asyncio.Protocol):
    """A minimal WebSocket client: handshake, then count the server's frames.

    The benchmark measures the server, so its clients must cost little per message: frames are
    parsed straight off the bytes (server frames are unmasked), event messages are counted and
    their commit time (``"at"``, the message's last member) read for the latency histogram.
    """

    def __init__(self, request: bytes, stats: dict[str, Any], closes: Counter[str]) -> None:
        self.request, self.stats, self.closes = request, stats, closes
        self.buffer = bytearray()
        self.upgraded = False
        self.transport: asyncio.Transport | None = None
        self.admitted: asyncio.Future[bool] = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.transport.write(self.request)  # type: ignore[union-attr]

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.admitted.done():
            self.closes["lost before admission"] += 1
            self.admitted.set_result(False)

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer
        buffer += data
        if not self.upgraded:
            end = buffer.find(b"\r\n\r\n")
            if end == -1:
                return
            if not buffer.startswith(b"HTTP/1.1 101"):
                self.closes[bytes(buffer[9:12]).decode()] += 1
                self.admitted.set_result(False)
                return
            del buffer[: end + 4]
            self.upgraded = True
        stats, size, at, now = self.stats, len(buffer), 0, time.time() * 1000
        hist = stats["hist"]
        while size - at >= 2:
            length, start = buffer[at + 1] & 0x7F, at + 2
            if length == 126:
                if size - at < 4:
                    break
                length, start = (buffer[at + 2] << 8) | buffer[at + 3], at + 4
            elif length == 127:
                if size - at < 10:
                    break
                length, start = int.from_bytes(buffer[at + 2 : at + 10], "big"), at + 10
            end = start + length
            if end > size:
                break
            opcode = buffer[at] & 0x0F
            if opcode == 0x1:
                kind = buffer[start + 9 : start + 12]  # {"type":"eve... / "pin / "gap / "sna
                if kind == b"eve":
                    commit = buffer.rfind(b'"at":', start, end)
                    hist[int((now - int(buffer[commit + 5 : end - 1])) * 10)] += 1
                    stats["received"] += 1
                    stats["last"] = now / 1000
                elif kind == b"pin":
                    self.transport.write(_PONG)  # type: ignore[union-attr]
                elif kind == b"gap":
                    stats["gaps"] += 1
                elif kind == b"sna" and not self.admitted.done():
                    self.admitted.set_result(True)
            elif opcode == 0x9:
                # The server's keepalive ping (uvicorn closes with 1011 when unanswered): a
                # masked pong with the same payload (mask key 0).
                payload = bytes(buffer[start:end])
                self.transport.write(  # type: ignore[union-attr]
                    bytes([0x8A, 0x80 | len(payload), 0, 0, 0, 0]) + payload
                )
            elif opcode == 0x8:
                code = int.from_bytes(buffer[start : start + 2], "big") if length >= 2 else 1005
                self.closes[str(code)] += 1
                if not self.admitted.done():
                    self.admitted.set_result(False)
            at = end
        del buffer[:at]


async def _client_loop(conn: Connection, url: str) -> None:
    """Holds this process's share of the room and answers the coordinator's commands."""
    import base64

    loop = asyncio.get_running_loop()
    host_port, _, path = url.removeprefix("ws://").partition("/")
    host, port = host_port.split(":")
    request = (
        f"GET /{path} HTTP/1.1\r\nHost: {host_port}\r\nUpgrade: websocket\r\n"
        "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
        f"Sec-WebSocket-Key: {base64.b64encode(os.urandom(16)).decode()}\r\n"
        # A browser's Origin: the platform only admits its own hosts.
        f"Origin: http://{host_port}\r\n\r\n"
    ).encode()
    followers: list[_Follower] = []
    stats: dict[str, Any] = {"received": 0, "gaps": 0, "last": 0.0, "hist": Counter()}
    closes: Counter[str] = Counter()

    async def open_one(gate: asyncio.Semaphore) -> bool:
        async with gate:
            try:
                _, follower = await loop.create_connection(
                    lambda: _Follower(request, stats, closes), host, int(port)
                )
            except OSError as exc:  # counted and reported, never raised
                closes[type(exc).__name__] += 1
                return False
            try:
                admitted = await asyncio.wait_for(follower.admitted, 60)
            except TimeoutError:
                closes["timeout"] += 1
                admitted = False
            if admitted:
                followers.append(follower)
            elif follower.transport is not None:
                follower.transport.close()
            return admitted

    while True:
        command, argument = await loop.run_in_executor(None, conn.recv)
        if command == "connect":
            closes.clear()
            gate = asyncio.Semaphore(32)
            opened = await asyncio.gather(*(open_one(gate) for _ in range(argument)))
            conn.send((sum(opened), dict(closes)))
        elif command == "record":
            stats.update(received=0, gaps=0, last=0.0)
            stats["hist"].clear()
            conn.send(None)
        elif command == "count":
            conn.send(stats["received"])
        elif command == "stats":
            conn.send((stats["received"], stats["gaps"], stats["last"], dict(stats["hist"])))
        elif command == "close":
            for follower in followers:
                if follower.transport is not None:
                    follower.transport.close()
            followers.clear()
            await asyncio.sleep(0.5)  # let the server see them go
            conn.send(None)
        else:
            return


class Clients:
    """The client processes; each holds an equal share of the room."""

    def __init__(self, url: str, processes: int) -> None:
        context = mp.get_context("spawn")
        self.pipes: list[Connection] = []
        self.procs: list[Any] = []
        for _ in range(processes):
            ours, theirs = context.Pipe()
            proc = context.Process(target=_client_process, args=(theirs, url), daemon=True)
            proc.start()
            self.pipes.append(ours)
            self.procs.append(proc)

    def _all(self, command: str, arguments: list[Any] | None = None) -> list[Any]:
        for i, pipe in enumerate(self.pipes):
            pipe.send((command, arguments[i] if arguments else None))
        return [pipe.recv() for pipe in self.pipes]

    def connect(self, n: int) -> tuple[int, dict[str, int]]:
        shares = [n // len(self.pipes) + (i < n % len(self.pipes)) for i in range(len(self.pipes))]
        replies = self._all("connect", shares)
        refused: Counter[str] = Counter()
        for _, closes in replies:
            refused.update(closes)
        return sum(opened for opened, _ in replies), dict(refused)

    def record(self) -> None:
        self._all("record")

    def received(self) -> int:
        return sum(self._all("count"))

    def collect(self, phase: Phase, started: float) -> None:
        last = started
        for received, gaps, last_at, hist in self._all("stats"):
            phase.received += received
            phase.gaps += gaps
            phase.histogram.update(hist)
            last = max(last, last_at)
        phase.seconds = last - started

    def close_all(self) -> None:
        self._all("close")

    def cpu(self) -> float:
        return _cpu_seconds([p.pid for p in self.procs])

    def stop(self) -> None:
        for pipe in self.pipes:
            pipe.send(("exit", None))
        for proc in self.procs:
            proc.join(timeout=10)


# --- the ceiling: a bare websockets server --------------------------------------------------------


def _payload(seq: int) -> str:
    """An event message shaped like the platform's (same fields, same size), ``at`` last."""
    import orjson

    return orjson.dumps(
        {
            "type": "event",
            "stream": "tournament:5",
            "seq": seq,
            "hash": f"{seq:064x}",
            "event": "match.updated",
            "data": {"tournament_id": 5, "match_id": 10, "fields": ["stream_url"]},
            "at": time.time_ns() // 1_000_000,
        }
    ).decode()


def _ceiling_process(conn: Connection, port: int) -> None:
    import uvloop

    uvloop.run(_ceiling_loop(conn, port))


async def _ceiling_loop(conn: Connection, port: int) -> None:
    from websockets.asyncio.server import broadcast, serve

    loop = asyncio.get_running_loop()
    members: set[Any] = set()
    snapshot = '{"type":"snapshot","stream":"tournament:5","seq":0}'

    async def handler(socket_: Any) -> None:
        members.add(socket_)
        try:
            await socket_.send(snapshot)
            async for _ in socket_:
                pass
        finally:
            members.discard(socket_)

    async def publish(rate: float | None, count: int, duration: float) -> int:
        started, seq = time.monotonic(), 0
        while seq < count and time.monotonic() - started < duration:
            seq += 1
            broadcast(members, _payload(seq))
            if rate:
                await asyncio.sleep(max(0.0, started + seq / rate - time.monotonic()))
            else:
                # Open loop, like the platform's bounded queues: the phase's event count
                # bounds what the transports buffer meanwhile.
                await asyncio.sleep(0)
        return seq

    async with serve(handler, "127.0.0.1", port, ping_interval=None, max_size=None):
        conn.send("ready")
        while True:
            command, argument = await loop.run_in_executor(None, conn.recv)
            if command == "publish":
                conn.send(await publish(*argument))
            else:
                return


class Ceiling:
    def __init__(self) -> None:
        self.port = _free_port()
        context = mp.get_context("spawn")
        self.pipe, theirs = context.Pipe()
        self.proc = context.Process(target=_ceiling_process, args=(theirs, self.port), daemon=True)
        self.proc.start()
        self.pipe.recv()
        self.url = f"ws://127.0.0.1:{self.port}/"
        self.pid = self.proc.pid

    def publish(self, rate: float | None, count: int, duration: float) -> int:
        self.pipe.send(("publish", (rate, count, duration)))
        return self.pipe.recv()

    def stop(self) -> None:
        self.pipe.send(("exit", None))
        self.proc.join(timeout=10)


# --- the platform ---------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _platform_env(var: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DELTACROWN_VAR_DIR": var,
        "LOG_LEVEL": "WARNING",
        # The demo's self-playing cup would add its own events and finish the measured match.
        "DEMO_LIVE": "0",
        "DEMO_ADMIN_USERNAME": ADMIN_USERNAME,
        "DEMO_ADMIN_PASSWORD": ADMIN_PASSWORD,
        # One address holds every benchmark client: admit them all, and queue a whole
        # saturation phase so what is measured is delivery, not dropping.
        "REALTIME_ROOM_MAX": "100000",
        "REALTIME_CONNECTIONS_PER_IP": "100000",
        "REALTIME_QUEUE_SIZE": str(SATURATION_EVENTS[1] * 2),
    }
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


def _prepare_platform(var: str) -> tuple[int, int]:
    """Migrate and seed the demo; the id of the live tournament and of its live match."""
    env = _platform_env(var)
    subprocess.run([BIN / "deltacrown", "migrate", "-v0"], env=env, check=True, cwd=ROOT)
    subprocess.run(
        [BIN / "deltacrown", "demo"], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL
    )
    out = subprocess.run(
        [
            BIN / "deltacrown",
            "shell",
            "-c",
            "from deltacrown.apps.tournaments.models import Tournament\n"
            "from deltacrown.apps.competition.models import Match\n"
            f"t = Tournament.objects.get(name={TOURNAMENT_NAME!r})\n"
            "m = Match.objects.filter(tournament_id=t.id, status='live').first()\n"
            "print('IDS', t.id, m.id)",
        ],
        env=env,
        check=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    line = next(x for x in out.stdout.splitlines() if x.startswith("IDS "))
    _, tournament_id, match_id = line.split()
    return int(tournament_id), int(match_id)


class Platform:
    """``deltacrown serve`` on a free port (``workers`` > 1 needs ``redis_url``)."""

    def __init__(self, var: str, workers: int, redis_url: str | None) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = _platform_env(var)
        if redis_url:
            env["REDIS_URL"] = redis_url
        self.log = open(Path(var) / f"serve-{workers}.log", "wb")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [BIN / "deltacrown", "serve", "--port", str(self.port), "--workers", str(workers)],
            env=env,
            cwd=ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.pid = self.proc.pid
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"server exited early; see {self.log.name}")
            try:
                if httpx.get(f"{self.base}/readyz", timeout=1.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise SystemExit("server did not become ready")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)
        self.log.close()


class HttpPublisher:
    """Commits ``match.updated`` events inside the serving process: an organizer's PATCH."""

    def __init__(self, base: str, match_id: int, threads: int = 2) -> None:
        token = httpx.post(
            f"{base}/api/v1/auth/token",
            json={"username": ADMIN_USERNAME, "password": ADMIN_PASSWORD},
        )
        token.raise_for_status()
        self.url = f"{base}/api/v1/matches/{match_id}"
        self.headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        self.threads = threads
        self.sequence = 0
        self.lock = threading.Lock()

    def _patch(self, client: httpx.Client) -> bool:
        with self.lock:
            self.sequence += 1
            n = self.sequence
        response = client.patch(
            self.url, json={"stream_url": f"https://example.org/live/{n}"}, headers=self.headers
        )
        return response.status_code == 200

    def publish(self, rate: float | None, count: int, duration: float) -> int:
        done = [0]
        started = time.monotonic()

        def run(paced: bool) -> None:
            with httpx.Client(timeout=30.0) as client:
                while True:
                    with self.lock:
                        if done[0] >= count or time.monotonic() - started >= duration:
                            return
                        done[0] += 1
                        i = done[0]
                    if paced and rate:
                        time.sleep(max(0.0, started + i / rate - time.monotonic()))
                    if not self._patch(client):
                        raise SystemExit("PATCH failed: no event committed")

        # Paced requests overlap too: one PATCH can take longer than the interval between
        # two events when the server is busy fanning out.
        workers = [
            threading.Thread(target=run, args=(rate is not None,))
            for _ in range(4 if rate else self.threads)
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        return done[0]


def _django_publisher(conn: Connection, env: dict[str, str], stream: str, match_id: int) -> None:
    """A Django process of its own (like a task worker): commits events on ``stream``."""
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "deltacrown.config.settings"
    import django

    django.setup()
    from django.db import transaction

    from deltacrown.kernel import events

    data = {"tournament_id": int(stream.split(":")[1]), "match_id": match_id}
    conn.send("ready")
    while True:
        command, argument = conn.recv()
        if command != "publish":
            return
        rate, count, duration = argument
        started, done = time.monotonic(), 0
        while done < count and time.monotonic() - started < duration:
            done += 1
            with transaction.atomic():
                events.publish(stream, "match.updated", {**data, "fields": ["stream_url"]})
            if rate:
                time.sleep(max(0.0, started + done / rate - time.monotonic()))
        conn.send(done)


class DjangoPublisher:
    def __init__(self, env: dict[str, str], stream: str, match_id: int) -> None:
        context = mp.get_context("spawn")
        self.pipe, theirs = context.Pipe()
        self.proc = context.Process(
            target=_django_publisher, args=(theirs, env, stream, match_id), daemon=True
        )
        self.proc.start()
        self.pipe.recv()

    def publish(self, rate: float | None, count: int, duration: float) -> int:
        self.pipe.send(("publish", (rate, count, duration)))
        return self.pipe.recv()

    def stop(self) -> None:
        self.pipe.send(("exit", None))
        self.proc.join(timeout=10)


class Redis:
    """A private redis-server on a free port, without persistence."""

    def __init__(self, var: str) -> None:
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.port = _free_port()
        options = ["--save", "", "--appendonly", "no", "--dir", var]
        self.proc = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", *options],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.url = f"redis://127.0.0.1:{self.port}/0"
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise SystemExit("redis-server did not start")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


# --- the run --------------------------------------------------------------------------------------


def _phase(
    clients: Clients,
    publish: Callable[[float | None, int, float], int],
    server_pid: int,
    n: int,
    rate: float | None,
    count: int,
    duration: float,
) -> Phase:
    phase = Phase()
    clients.record()
    pids = _proc_tree(server_pid)
    cpu_server, cpu_clients = _cpu_seconds(pids), clients.cpu()
    started = time.time()
    phase.published = publish(rate, count, duration)
    # Drain: wait until every client has every event, or nothing arrives for 2 s.
    expected, seen, quiet = phase.published * n, -1, time.monotonic()
    while True:
        received = clients.received()
        if received >= expected or time.monotonic() - quiet > 2.0:
            break
        if received != seen:
            seen, quiet = received, time.monotonic()
        time.sleep(0.05)
    wall = time.time() - started
    phase.server_cpu_seconds = _cpu_seconds(pids) - cpu_server
    phase.server_cpu = phase.server_cpu_seconds / wall
    phase.client_cpu = (clients.cpu() - cpu_clients) / wall
    clients.collect(phase, started)
    return phase


def _measure(
    server: str,
    url: str,
    server_pid: int,
    publish: Callable[[float | None, int, float], int],
    args: argparse.Namespace,
) -> list[Result]:
    results = []
    clients = Clients(url, args.client_processes)
    try:
        for n in args.sizes:
            result = Result(server, n)
            pids = _proc_tree(server_pid)
            time.sleep(0.5)
            before = _rss_kb(pids)
            result.connected, refused = clients.connect(n)
            time.sleep(0.5)
            after = _rss_kb(_proc_tree(server_pid))
            result.refused = ",".join(f"{k}x{v}" for k, v in sorted(refused.items()))
            if result.connected:
                result.idle_kb = (after - before) / result.connected
            m = result.connected
            result.rated = _phase(clients, publish, server_pid, m, args.rate, 10**9, args.duration)
            low, high = SATURATION_EVENTS
            events = max(low, min(high, SATURATION_DELIVERIES // n))
            result.saturated = _phase(
                clients, publish, server_pid, m, None, events, args.duration * 2
            )
            clients.close_all()
            results.append(result)
            _print_row(result, None)
    finally:
        clients.stop()
    return results


def _print_header() -> None:
    print(
        f"{'server':10} {'N':>5} {'idle KB':>8} | {'@rate del/s':>11} {'p50':>6} {'p99':>7} | "
        f"{'sat ev':>6} {'sat del/s':>10} {'p50':>7} {'p99':>8} {'gaps':>5} "
        f"{'srv cpu':>7} {'cli cpu':>7} {'us/del':>6} | {'vs ceil':>7}",
        flush=True,
    )


def _print_row(r: Result, ceiling: Result | None) -> None:
    ratio = (
        f"{r.saturated.rate / ceiling.saturated.rate:6.2f}x"
        if ceiling and ceiling.saturated.rate
        else "      -"
    )
    note = f"  ({r.connected}/{r.n} connected; refused: {r.refused})" if r.refused else ""
    print(
        f"{r.server:10} {r.n:5d} {r.idle_kb:8.1f} | {r.rated.rate:11.0f} "
        f"{r.rated.percentile(0.5):6.1f} {r.rated.percentile(0.99):7.1f} | "
        f"{r.saturated.published:6d} {r.saturated.rate:10.0f} {r.saturated.percentile(0.5):7.1f} "
        f"{r.saturated.percentile(0.99):8.1f} {r.saturated.gaps:5d} "
        f"{r.saturated.server_cpu:6.0%} {r.saturated.client_cpu:7.0%} "
        f"{r.saturated.cpu_us_per_delivery:6.1f} | {ratio}{note}",
        flush=True,
    )


def _goals(results: list[Result]) -> None:
    def pick(server: str, n: int) -> Result | None:
        return next((r for r in results if r.server == server and r.n == n), None)

    def line(what: str, measured: str, goal: str, met: bool) -> None:
        print(f"  {what:44} {measured:>12}   goal {goal:12} {'met' if met else 'MISSED'}")

    largest = max((r.n for r in results), default=0)
    print("\nGoals:")
    workers = [r for r in results if r.server == "2w+redis"]
    if workers:
        best = max(workers, key=lambda r: r.saturated.rate)
        line(
            f"deliveries/s, 2 workers (N={best.n})",
            f"{best.saturated.rate:,.0f}",
            ">= 150,000",
            best.saturated.rate >= GOALS["deliveries"],
        )
    for server in ("embedded", "1w+redis", "2w+redis"):
        r = pick(server, 1000)
        if r is not None:
            p99 = r.rated.percentile(0.99)
            line(f"p99 ms, N=1000 at the paced rate, {server}", f"{p99:.1f}", "<= 50", p99 <= 50)
    for server in ("embedded", "1w+redis"):
        ours = pick(server, 1000) or pick(server, largest)
        ceiling = pick("ceiling", ours.n) if ours is not None else None
        if ours is not None and ceiling is not None and ceiling.saturated.rate:
            ratio = ours.saturated.rate / ceiling.saturated.rate
            line(
                f"saturated vs ceiling, N={ours.n}, {server}",
                f"{ratio:.2f}",
                ">= 0.7",
                ratio >= GOALS["ceiling_ratio"],
            )
    for server in ("embedded", "2w+redis"):
        big = pick(server, largest)
        if big is not None:
            line(
                f"KB per idle connection, N={big.n}, {server}",
                f"{big.idle_kb:.1f}",
                "<= 60",
                big.idle_kb <= GOALS["idle_kb"],
            )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")])
    parser.add_argument("--full", action="store_true", help="N = 1,100,1000,2000,5000")
    parser.add_argument("--rate", type=float, default=20.0, help="events per second (paced)")
    parser.add_argument("--duration", type=float, default=4.0, help="seconds of paced events")
    parser.add_argument("--client-processes", type=int, default=3)
    parser.add_argument(
        "--servers", default="ceiling,embedded,1w+redis,2w+redis", help="comma-separated subset"
    )
    args = parser.parse_args(argv)
    args.sizes = args.sizes or ([1, 100, 1000, 2000, 5000] if args.full else [1, 100, 1000])
    servers = [s.strip() for s in args.servers.split(",")]

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = max(args.sizes) * 2 + 1024  # client and server ends share this machine's limit
    if hard != resource.RLIM_INFINITY and hard < wanted:
        raise SystemExit(f"RLIMIT_NOFILE hard limit {hard} < {wanted}: lower --sizes")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 1 << 20)), hard))

    var = tempfile.mkdtemp(prefix="deltacrown-bench-realtime-")
    print(
        f"Realtime fan-out: {os.cpu_count()} CPUs shared by server, clients and publisher; "
        f"Python {sys.version.split()[0]}; {args.client_processes} client processes; "
        f"paced phase "
        f"{args.rate:g} events/s for {args.duration:g} s; saturation "
        f"{SATURATION_DELIVERIES:,} deliveries' worth of events (N-dependent), "
        f"at most {args.duration * 2:g} s.",
        flush=True,
    )
    _print_header()
    results: list[Result] = []
    failed = False
    try:
        tournament_id, match_id = _prepare_platform(var) if servers != ["ceiling"] else (5, 10)
        ws_path = f"/ws/tournaments/{tournament_id}/"
        if "ceiling" in servers:
            ceiling = Ceiling()
            try:
                results += _measure("ceiling", ceiling.url, ceiling.pid, ceiling.publish, args)
            finally:
                ceiling.stop()
        if "embedded" in servers:
            platform = Platform(var, 1, None)
            try:
                publisher = HttpPublisher(platform.base, match_id)
                url = f"ws://127.0.0.1:{platform.port}{ws_path}"
                results += _measure("embedded", url, platform.pid, publisher.publish, args)
            finally:
                platform.stop()
        for workers in (1, 2):
            name = f"{workers}w+redis"
            if name not in servers:
                continue
            redis = Redis(var)
            platform = Platform(var, workers, redis.url)
            env = {**_platform_env(var), "REDIS_URL": redis.url}
            django_publisher = DjangoPublisher(env, f"tournament:{tournament_id}", match_id)
            try:
                url = f"ws://127.0.0.1:{platform.port}{ws_path}"
                results += _measure(name, url, platform.pid, django_publisher.publish, args)
            finally:
                django_publisher.stop()
                platform.stop()
                redis.stop()
    finally:
        shutil.rmtree(var, ignore_errors=True)

    print("\nSummary (vs ceiling: saturated deliveries/s over the bare websockets server's):")
    _print_header()
    for r in results:
        ceiling_row = next((c for c in results if c.server == "ceiling" and c.n == r.n), None)
        _print_row(r, ceiling_row if r.server != "ceiling" else None)
        failed = failed or r.connected < r.n
    _goals(results)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
