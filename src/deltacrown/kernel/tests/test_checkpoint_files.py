"""Scheduled checkpoints: signed files written outside the database, pruned to a bound."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.db import transaction

from deltacrown.kernel import clock, events, tasks
from deltacrown.kernel.checkpoint_files import write_checkpoint_into
from deltacrown.kernel.integrity import verify_checkpoint

pytestmark = pytest.mark.django_db


def _publish(n: int) -> None:
    with transaction.atomic():
        for i in range(n):
            events.publish("tournament:1", "match.completed", {"match_id": i})


def test_scheduled_checkpoint_verifies_and_old_files_are_pruned(tmp_path):
    start = datetime(2026, 1, 1, tzinfo=UTC)
    written = []
    with clock.frozen(start) as frozen:
        for _ in range(4):
            _publish(2)
            written.append(write_checkpoint_into(tmp_path, keep=3))
            frozen.advance(timedelta(hours=1))
    files = sorted(tmp_path.glob("checkpoint-*.json"))
    assert files == sorted(written[1:])  # the oldest of four is pruned
    newest = json.loads(written[-1].read_text())
    assert newest["streams"] == [
        {"stream": "tournament:1", "seq": 8, "hash": newest["streams"][0]["hash"]}
    ]
    assert verify_checkpoint(newest).ok
    assert verify_checkpoint(json.loads(written[1].read_text())).ok


def test_periodic_task_writes_into_the_configured_directory(settings, tmp_path):
    _publish(1)
    settings.CHECKPOINT_DIR = str(tmp_path / "anchors")
    path = tasks.write_checkpoint.call_local()
    assert path is not None
    assert json.loads(Path(path).read_text())["streams"][0]["seq"] == 1

    settings.CHECKPOINT_DIR = ""
    assert tasks.write_checkpoint.call_local() is None
