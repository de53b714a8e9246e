"""Fan-out across workers: two real server processes sharing PostgreSQL and a redis-server.

Run by ``make test-services`` (DATABASE_URL points at a private PostgreSQL). The servers get a
database of their own, created and migrated here and dropped afterwards, and a redis-server of
their own on a free port, so that the test can kill and restart it mid-stream. The last test
tests need neither: without REDIS_URL, or with Redis unreachable, delivery stays in-process.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import orjson
import psycopg
import pytest
import redis
from asgiref.sync import async_to_sync
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from deltacrown.apps.realtime import fanout
from deltacrown.apps.realtime.hub import Hub, Outbox, event_message
from deltacrown.apps.realtime.tests.live import (
    ROOT,
    commit,
    free_port,
    migrate,
    organizer_tournament,
    platform_env,
    serve,
    signed_up,
    wait,
)
from deltacrown.kernel.clock import from_epoch_us
from deltacrown.kernel.data import EventRecord

# --- the services ---------------------------------------------------------------------------


class RedisServer:
    """A private redis-server on a fixed port that can be killed and started again."""

    def __init__(self, directory: Path) -> None:
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        assert Path(binary).is_file(), "redis-server is not installed (apt install redis-server)"
        self.binary, self.directory, self.port = binary, directory, free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        options = {"port": str(self.port), "bind": "127.0.0.1", "save": "", "appendonly": "no"}
        self.process = subprocess.Popen(  # noqa: S603 - the installed redis-server, fixed options
            [
                self.binary,
                *(a for k, v in options.items() for a in (f"--{k}", v)),
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait(self.answers, "redis-server did not start")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def answers(self) -> bool:
        try:
            return bool(redis.Redis.from_url(self.url, socket_timeout=1).ping())
        except redis.RedisError:
            return False

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, socket_timeout=2)


@contextmanager
def _database() -> Iterator[str]:
    """A fresh PostgreSQL database on the server of DATABASE_URL; its URL. Dropped after."""
    url = os.environ.get("DATABASE_URL", "")
    assert url.startswith(("postgres://", "postgresql://")), "set DATABASE_URL to PostgreSQL"
    name = f"deltacrown_fanout_{secrets.token_hex(4)}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(urlsplit(url)._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[tuple[str, str, RedisServer, dict[str, str]]]:
    """Workers A and B (base URLs) on one migrated database and one redis-server, and the
    platform's environment."""
    with ExitStack() as stack:
        redis_dir = tmp_path / "redis"
        redis_dir.mkdir()
        server = RedisServer(redis_dir)
        server.start()
        stack.callback(server.kill)
        database_url = stack.enter_context(_database())
        env = platform_env(tmp_path / "var", DATABASE_URL=database_url, REDIS_URL=server.url)
        migrate(env)
        a = stack.enter_context(serve(env, tmp_path / "a.log"))[0]
        b = stack.enter_context(serve(env, tmp_path / "b.log"))[0]
        yield a, b, server, env


# --- the platform, through its API ------------------------------------------------------------


def _elsewhere(env: dict[str, str], code: str) -> None:
    """Run ``code`` in another process of the platform (not a web worker), as a task worker or
    an operator's shell would."""
    done = subprocess.run(  # noqa: S603 - this interpreter running a fixed snippet
        [sys.executable, "-m", "deltacrown", "shell", "-c", code],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr


def _commit_elsewhere(env: dict[str, str], tournament_id: int, count: int) -> None:
    """``count`` events committed by another process of the platform."""
    _elsewhere(
        env,
        "from django.db import transaction\n"
        "from deltacrown.kernel import events\n"
        f"for n in range({count}):\n"
        "    with transaction.atomic():\n"
        f"        events.publish('tournament:{tournament_id}', 'tournament.note', {{'n': n}})\n",
    )


def _ban_elsewhere(env: dict[str, str], user_id: int) -> None:
    """A moderator of another process bans ``user_id`` platform-wide."""
    _elsewhere(
        env,
        "from django.contrib.auth import get_user_model\n"
        "from deltacrown.apps.moderation import services\n"
        "staff = get_user_model().objects.create_user(\n"
        f"    username='mod{secrets.token_hex(3)}', email='mod@example.com', password=None,\n"
        "    is_staff=True)\n"
        f"services.sanction_create(actor=staff, user_id={user_id}, kind='ban',\n"
        "    reason_code='cheating')\n",
    )


class Follower:
    """A spectator's socket and every event it received."""

    def __init__(self, socket: ClientConnection, snapshot_seq: int) -> None:
        self.socket = socket
        self.snapshot_seq = snapshot_seq
        self.seqs: list[int] = []

    @classmethod
    async def open(cls, base: str, tournament_id: int) -> Follower:
        ws = base.replace("http://", "ws://")
        socket = await connect(f"{ws}/ws/tournaments/{tournament_id}/", origin=base)
        snapshot = orjson.loads(await asyncio.wait_for(socket.recv(), 10))
        assert snapshot["type"] == "snapshot", snapshot
        return cls(socket, snapshot["seq"])

    async def until(self, seq: int, timeout: float = 15) -> list[int]:
        """Read events until ``seq`` has arrived; everything received meanwhile counts."""
        async with asyncio.timeout(timeout):
            while not self.seqs or self.seqs[-1] < seq:
                message = orjson.loads(await self.socket.recv())
                if message["type"] == "event":
                    self.seqs.append(message["seq"])
        return self.seqs


def _publishes(server: RedisServer) -> int:
    stats = server.client().info("commandstats")
    return int(stats.get("cmdstat_publish", {}).get("calls", 0))


def _subscribers(server: RedisServer) -> dict[str, int]:
    client = server.client()
    channels = client.pubsub_channels(f"{fanout.CHANNEL_ROOT}*")
    return {c.decode(): n for c, n in client.pubsub_numsub(*channels)} if channels else {}


# --- the tests ------------------------------------------------------------------------------


@pytest.mark.services
def test_events_committed_on_one_worker_reach_every_worker_once_in_order_across_a_redis_restart(
    cluster,
):
    a, b, server, env = cluster
    api = httpx.Client(base_url=f"{a}/api/v1", timeout=10)
    token, tournament_id = organizer_tournament(api)

    async def scenario() -> None:
        on_b = [await Follower.open(b, tournament_id) for _ in range(2)]
        on_a = await Follower.open(a, tournament_id)
        followers = [*on_b, on_a]
        head = on_b[0].snapshot_seq
        assert {f.snapshot_seq for f in followers} == {head}
        # Each worker subscribes once to the tournament's channel, however many members.
        await asyncio.to_thread(
            wait,
            lambda: list(_subscribers(server).values()) == [2],
            "both workers did not subscribe",
        )

        server.client().config_resetstat()
        for n in range(5):
            await asyncio.to_thread(commit, api, token, tournament_id, f"before {n}")
        for follower in followers:
            assert await follower.until(head + 5) == list(range(head + 1, head + 6))
        # One PUBLISH per event, not one per member or per worker.
        assert _publishes(server) == 5

        # Redis dies mid-stream. Authenticated API calls need Redis (token revocation is
        # cached there), so a separate process commits meanwhile, as a task worker would:
        # its PUBLISH fails, and nobody misses an event.
        server.kill()
        await asyncio.to_thread(_commit_elsewhere, env, tournament_id, 4)
        for follower in followers:
            await follower.until(head + 9)
        server.start()
        await asyncio.to_thread(
            wait,
            lambda: list(_subscribers(server).values()) == [2],
            "the workers did not subscribe again after Redis came back",
        )
        for n in range(3):
            await asyncio.to_thread(commit, api, token, tournament_id, f"after {n}")
        for follower in followers:
            assert await follower.until(head + 12) == list(range(head + 1, head + 13))
        # A client that was away during all of it resumes with exactly what it missed.
        ws = b.replace("http://", "ws://")
        async with connect(
            f"{ws}/ws/tournaments/{tournament_id}/?last_seq={head + 3}", origin=b
        ) as socket:
            replayed = [orjson.loads(await asyncio.wait_for(socket.recv(), 10)) for _ in range(9)]
        assert [m["seq"] for m in replayed] == list(range(head + 4, head + 13))
        for follower in followers:
            await follower.socket.close()

    asyncio.run(scenario())


@pytest.mark.services
def test_a_ban_committed_by_any_process_closes_the_players_socket_on_every_worker_at_once(
    cluster,
):
    a, b, server, env = cluster
    api = httpx.Client(base_url=f"{a}/api/v1", timeout=10)
    organizer_token, tournament_id = organizer_tournament(api)
    player_token = signed_up(api)
    player_id = api.get("/me", headers={"Authorization": f"Bearer {player_token}"}).json()["id"]

    async def scenario() -> None:
        ws_b = b.replace("http://", "ws://")
        on_b = await connect(
            f"{ws_b}/ws/tournaments/{tournament_id}/?token={player_token}", origin=b
        )
        assert orjson.loads(await asyncio.wait_for(on_b.recv(), 10))["type"] == "snapshot"
        spectator = await Follower.open(a, tournament_id)
        # Worker B follows the player's standing through Redis, beside the tournament.
        standing = f":moderation:user:{player_id}"

        def followers_of_standing() -> list[int]:
            return [n for c, n in _subscribers(server).items() if c.endswith(standing)]

        await asyncio.to_thread(
            wait, lambda: followers_of_standing() == [1], "B did not follow the player"
        )

        await asyncio.to_thread(_ban_elsewhere, env, player_id)

        # No heartbeat is due for 25 s: the ban's event closes the socket.
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(on_b.recv(), 5)
        assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (4011, "banned")
        await asyncio.to_thread(
            wait, lambda: followers_of_standing() == [], "B still follows the player"
        )
        # Others watch on.
        await asyncio.to_thread(commit, api, organizer_token, tournament_id, "still live")
        assert await spectator.until(spectator.snapshot_seq + 1)
        await spectator.socket.close()

    asyncio.run(scenario())


# --- embedded: no Redis -------------------------------------------------------------------------


def _record(seq: int) -> EventRecord:
    return EventRecord(
        stream="tournament:9",
        seq=seq,
        name="tournament.updated",
        data={"tournament_id": 9},
        at_us=1_000_000 * seq,
        prev_hash="0" * 64,
        hash=f"{seq:064x}",
        at=from_epoch_us(1_000_000 * seq),
    )


class _Client:
    def __init__(self) -> None:
        self.sent: list[dict] = []

    async def send(self, text: str) -> None:
        self.sent.append(orjson.loads(text))

    async def close(self, code: int) -> None:
        raise AssertionError(f"closed with {code}")


def _follow_and_dispatch(hub: Hub, seqs: list[int]) -> list[int]:
    async def scenario() -> list[int]:
        client = _Client()
        box = Outbox(client.send, client.close)
        box.start()
        hub.join("tournament:9", box, head_seq=0)
        for seq in seqs:
            # The committing thread, as after a real commit.
            await asyncio.to_thread(hub.dispatch, _record(seq))
        await asyncio.sleep(0.05)
        hub.leave("tournament:9", box)
        await box.stop()
        return [m["seq"] for m in client.sent if m["type"] == "event"]

    return async_to_sync(scenario)()


def test_without_redis_committed_events_are_delivered_in_process():
    hub = Hub()
    assert fanout.configure(hub, "") is None
    assert _follow_and_dispatch(hub, [1, 2, 3]) == [1, 2, 3]


def test_with_redis_unreachable_this_process_still_delivers_and_writes_neverwait():
    hub = Hub()
    assert fanout.configure(hub, f"redis://127.0.0.1:{free_port()}/0") is not None
    started = time.monotonic()
    assert _follow_and_dispatch(hub, [1, 2, 3, 4]) == [1, 2, 3, 4]
    assert time.monotonic() - started < fanout.PUBLISH_TIMEOUT
    assert hub.fanout is not None
    assert not hub.fanout.connected


def test_the_published_payload_carries_the_client_message_unchanged():
    text = event_message(_record(7))
    assert fanout.decode(fanout.encode(7, "match.score_updated:3", text)) == (
        7,
        "match.score_updated:3",
        text,
    )
