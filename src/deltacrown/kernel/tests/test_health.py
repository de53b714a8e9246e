"""Health and readiness: /healthz says the process is up, /readyz says its dependencies answer."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
from django.db import OperationalError, connections
from django.test import override_settings
from huey import RedisHuey, SqliteHuey

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _embedded(settings):
    # The embedded configuration (no Redis) unless a test says otherwise, also when the suite
    # itself runs with REDIS_URL set.
    settings.REDIS_URL = ""


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _broken_cursor(*args, **kwargs):
    raise OperationalError("connection to server at 10.0.0.5 failed: password for dc_user")


def test_ready_when_database_and_task_queue_answer(client):
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ready", "checks": {"database": "ok", "tasks": "ok"}}
    assert response["Cache-Control"] == "no-store"


def test_database_failure_makes_the_process_unready_but_still_alive(client, monkeypatch):
    monkeypatch.setattr(connections["default"], "cursor", _broken_cursor)

    ready = client.get("/readyz")
    alive = client.get("/healthz")

    assert ready.status_code == 503
    body = ready.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == "error: OperationalError"
    assert body["checks"]["tasks"] == "ok"
    # The driver's message (hosts, user names) stays out of the public answer.
    assert "10.0.0.5" not in ready.content.decode()
    assert "dc_user" not in ready.content.decode()
    assert alive.status_code == 200


def test_unreachable_redis_is_reported_without_its_address(client):
    with override_settings(REDIS_URL=f"redis://:hunter2@127.0.0.1:{_closed_port()}/0"):
        response = client.get("/readyz")

    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["redis"] == "error: ConnectionError"
    assert checks["database"] == "ok"
    assert "hunter2" not in response.content.decode()
    assert "127.0.0.1" not in response.content.decode()


def test_task_queue_storage_is_checked(client, monkeypatch, tmp_path: Path):
    sqlite_queue = SqliteHuey("deltacrown-test", filename=str(tmp_path / "tasks.sqlite3"))
    monkeypatch.setattr("huey.contrib.djhuey.HUEY", sqlite_queue)
    assert client.get("/readyz").status_code == 200

    unreachable = RedisHuey("deltacrown-test", url=f"redis://127.0.0.1:{_closed_port()}/0")
    monkeypatch.setattr("huey.contrib.djhuey.HUEY", unreachable)
    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"] == {
        "database": "ok",
        "tasks": "error: ConnectionError",
    }


def test_readiness_only_answers_reads(client):
    assert client.post("/readyz").status_code == 405


@pytest.mark.services
def test_ready_on_postgresql_and_redis(client, monkeypatch):
    redis_url = os.environ["REDIS_URL"]
    monkeypatch.setattr("huey.contrib.djhuey.HUEY", RedisHuey("deltacrown-test", url=redis_url))

    with override_settings(REDIS_URL=redis_url):
        response = client.get("/readyz")

    assert connections["default"].vendor == "postgresql"
    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "checks": {"database": "ok", "redis": "ok", "tasks": "ok"},
    }
