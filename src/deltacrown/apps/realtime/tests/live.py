"""Realtime tests, support: real ``deltacrown serve`` processes and a tournament to follow.

Used by the tests that need the platform as users run it (uvicorn, real sockets, several
workers) rather than Channels' in-process communicator.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[5]
PASSWORD = "live-server-passphrase-42"
# The platform's own processes read everything from the environment, not the test settings.
DROPPED_ENV = ("SQLITE_TEST_NAME", "DJANGO_SETTINGS_MODULE", "PYTEST_XDIST_WORKER")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait(condition: Callable[[], bool], what: str, timeout: float = 30) -> None:
    """Poll ``condition`` until it holds; fail with ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    pytest.fail(f"{what} within {timeout:.0f} s")


def platform_env(var_dir: Path, **overrides: str) -> dict[str, str]:
    """The environment of a platform process: this one's, minus the test settings."""
    env = {key: value for key, value in os.environ.items() if key not in DROPPED_ENV}
    env.update(
        DELTACROWN_VAR_DIR=str(var_dir),
        DJANGO_SETTINGS_MODULE="deltacrown.config.settings",
        LOG_LEVEL="WARNING",
        DEMO_LIVE="0",
    )
    env.update(overrides)
    return env


def migrate(env: dict[str, str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "deltacrown", "migrate", "--no-input", "-v0"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr


@contextmanager
def serve(env: dict[str, str], log: Path, *arguments: str) -> Iterator[tuple[str, int]]:
    """``deltacrown serve`` on a free loopback port: (base URL, pid). Always stopped."""
    port = free_port()
    with log.open("wb") as sink:
        process = subprocess.Popen(  # noqa: S603 - this interpreter serving the platform
            [
                sys.executable,
                "-m",
                "deltacrown",
                "serve",
                "--host",
                "127.0.0.1",
                f"--port={port}",
                *arguments,
            ],
            env=env,
            cwd=ROOT,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:

        def ready() -> bool:
            if process.poll() is not None:
                pytest.fail(f"the server exited with {process.returncode}:\n{log.read_text()}")
            try:
                return httpx.get(f"{base}/readyz", timeout=2).status_code == 200
            except httpx.TransportError:
                return False

        wait(ready, "the server did not become ready", timeout=60)
        yield base, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=20)


def _iso(delta: timedelta) -> str:
    return (datetime.now(UTC) + delta).replace(microsecond=0).isoformat()


def signed_up(api: httpx.Client) -> str:
    """Sign a new player up through the API: their access token."""
    name = f"live{secrets.token_hex(3)}"
    signup = api.post(
        "/auth/signup",
        json={"username": name, "email": f"{name}@example.com", "password": PASSWORD},
    )
    assert signup.status_code == 201, signup.text
    pair = api.post("/auth/token", json={"username": name, "password": PASSWORD})
    assert pair.status_code == 200, pair.text
    return pair.json()["access_token"]


def organizer_tournament(api: httpx.Client) -> tuple[str, int]:
    """Sign an organizer up, create a public tournament and publish it: (token, id)."""
    token = signed_up(api)
    name = f"live{secrets.token_hex(3)}"
    headers = {"Authorization": f"Bearer {token}"}
    created = api.post(
        "/tournaments",
        headers=headers,
        json={
            "game": "valorant",
            "name": f"Live Cup {name}",
            "capacity": 8,
            "participant_kind": "team",
            "stage_plan": [{"name": "Playoffs", "format": "single_elimination"}],
            "schedule": {
                "registration_opens_at": _iso(timedelta(hours=1)),
                "registration_closes_at": _iso(timedelta(hours=2)),
                "starts_at": _iso(timedelta(hours=3)),
            },
        },
    )
    assert created.status_code == 201, created.text
    tournament_id = created.json()["id"]
    published = api.post(
        f"/tournaments/{tournament_id}/transitions", headers=headers, json={"to": "published"}
    )
    assert published.status_code == 200, published.text
    return token, tournament_id


def commit(api: httpx.Client, token: str, tournament_id: int, note: str) -> None:
    """One ``tournament.updated`` event, committed through the API."""
    response = api.patch(
        f"/tournaments/{tournament_id}",
        headers={"Authorization": f"Bearer {token}"},
        json={"description": note},
    )
    assert response.status_code == 200, response.text


def metric(base: str, name: str, **labels: str) -> float:
    """The sum of a metric's samples on ``GET /metrics`` whose labels include ``labels``."""
    total = 0.0
    text = httpx.get(f"{base}/metrics", timeout=10).text
    for line in text.splitlines():
        if not line.startswith(name) or line.startswith("#"):
            continue
        head, _, value = line.rpartition(" ")
        sample, _, label_text = head.partition("{")
        if sample != name:
            continue
        if all(f'{key}="{wanted}"' in label_text for key, wanted in labels.items()):
            total += float(value)
    return total
