"""The demo kept live: every tick moves the live cup on (scores, results, the next match), its
stream carries each step, and nothing moves when ``DEMO_LIVE`` is off."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import orjson
import pytest
from asgiref.sync import async_to_sync, sync_to_async
from asgiref.testing import ApplicationCommunicator
from django.test import Client

from deltacrown.apps.accounts import api as accounts
from deltacrown.apps.web import demo, live, tasks
from deltacrown.config.asgi import application
from deltacrown.kernel import clock
from deltacrown.kernel.models import Event

pytestmark = pytest.mark.django_db

# Generous: a match takes a handful of goals plus a report, a confirmation and a start.
MAX_TICKS_PER_MATCH = 15
MAX_TICKS_FOR_THE_CUP = 200


def _cup(client: Client) -> dict:
    listed = client.get("/api/v1/tournaments?limit=100").json()["items"]
    found = [t for t in listed if t["name"] == live.DEMO_CUP_NAME]
    assert len(found) == 1
    return found[0]


def _matches(client: Client, tournament_id: int) -> list[dict]:
    response = client.get(f"/api/v1/tournaments/{tournament_id}/matches?limit=100")
    assert response.status_code == 200
    return response.json()["items"]


def _live_match(client: Client, tournament_id: int) -> dict | None:
    found = [m for m in _matches(client, tournament_id) if m["status"] == "live"]
    assert len(found) <= 1
    return found[0] if found else None


def _tick_until(condition: Callable[[], bool], max_ticks: int) -> list[str]:
    """Tick, the clock moving on by the tick interval each time, until ``condition`` holds."""
    steps: list[str] = []
    with clock.frozen(clock.now()) as moment:
        while not condition():
            assert len(steps) < max_ticks, f"still waiting after {steps}"
            moment.advance(live.TICK_INTERVAL)
            steps.append(live.tick())
    return steps


def test_ticks_score_the_live_match_then_complete_it_and_start_the_next(client):
    demo.seed()
    cup = _cup(client)
    before = _live_match(client, cup["id"])
    assert before is not None

    with clock.frozen(clock.now() + live.TICK_INTERVAL):
        assert live.tick() == "scored"
    scored = client.get(f"/api/v1/matches/{before['id']}").json()
    assert scored["score_seq"] == before["score_seq"] + 1
    assert sum(scored["live_scores"]) == sum(before["live_scores"]) + 1

    def decided() -> bool:
        return client.get(f"/api/v1/matches/{before['id']}").json()["status"] == "completed"

    steps = _tick_until(decided, MAX_TICKS_PER_MATCH)
    assert "reported" in steps
    completed = client.get(f"/api/v1/matches/{before['id']}").json()
    assert completed["winner_id"] in {s["participant_id"] for s in completed["slots"]}
    final = completed["games"][0]["scores"]
    assert sum(final) >= sum(scored["live_scores"])

    def next_started() -> bool:
        now_live = _live_match(client, cup["id"])
        return now_live is not None and now_live["id"] != before["id"]

    steps = _tick_until(next_started, MAX_TICKS_PER_MATCH)
    assert steps[-1] == "started"


@pytest.mark.django_db(transaction=True)  # the cup completes after the last result commits
def test_the_cup_is_played_to_its_end_and_then_the_ticks_stop(client):
    demo.seed()
    cup = _cup(client)

    def over() -> bool:
        return client.get(f"/api/v1/tournaments/{cup['id']}").json()["status"] == "completed"

    _tick_until(over, MAX_TICKS_FOR_THE_CUP)

    statuses = {m["status"] for m in _matches(client, cup["id"])}
    assert statuses <= {"completed", "cancelled", "forfeit"}
    results = client.get(f"/api/v1/tournaments/{cup['id']}/results").json()
    assert results["completed_at"] is not None
    assert [p["place"] for p in results["placements"]][:2] == [1, 2]
    events = Event.objects.count()
    with clock.frozen(clock.now() + timedelta(minutes=5)):
        assert live.tick() == "absent"
        assert live.tick_delays() == []
    assert Event.objects.count() == events


def test_a_tick_queued_twice_moves_the_cup_once(client):
    demo.seed()
    cup = _cup(client)
    before = _live_match(client, cup["id"])

    with clock.frozen(clock.now() + live.TICK_INTERVAL):
        assert live.tick() == "scored"
        assert live.tick() == "skipped"

    after = client.get(f"/api/v1/matches/{before['id']}").json()
    assert after["score_seq"] == before["score_seq"] + 1


def test_with_demo_live_off_ticks_change_nothing(client, settings):
    demo.seed()
    cup = _cup(client)
    matches = _matches(client, cup["id"])
    events = Event.objects.count()
    settings.DEMO_LIVE = False

    with clock.frozen(clock.now() + live.TICK_INTERVAL):
        assert live.tick() == "off"
        assert live.tick_delays() == []

    assert _matches(client, cup["id"]) == matches
    assert Event.objects.count() == events


def test_a_real_administrator_s_tournament_is_never_played(client, settings):
    demo.seed()
    cup = _cup(client)
    matches = _matches(client, cup["id"])
    # An operator took the demo administrator over as a real account.
    accounts.admin_ensure(
        settings.DEMO_ADMIN_USERNAME, "ops@example.org", settings.DEMO_ADMIN_PASSWORD
    )

    with clock.frozen(clock.now() + live.TICK_INTERVAL):
        assert live.tick() == "absent"

    assert _matches(client, cup["id"]) == matches


def test_each_minute_is_queued_once_as_ticks_five_seconds_apart():
    demo.seed()

    assert live.tick_delays() == list(range(0, 60, 5))
    # A second scheduler (another worker) running in the same minute finds it queued.
    assert live.tick_delays() == []


def test_the_periodic_task_queues_no_ticks_when_tasks_run_inline(client):
    demo.seed()
    cup = _cup(client)
    matches = _matches(client, cup["id"])

    assert tasks.demo_live_minute.call_local() == 0

    assert _matches(client, cup["id"]) == matches


@pytest.mark.django_db(transaction=True)
def test_a_spectator_on_the_cup_stream_receives_each_tick():
    demo.seed()
    cup_id = live.demo_cup().tournament_id

    def tick_later() -> str:
        with clock.frozen(clock.now() + live.TICK_INTERVAL):
            return live.tick()

    async def scenario() -> None:
        socket = ApplicationCommunicator(
            application,
            {
                "type": "websocket",
                "path": f"/ws/tournaments/{cup_id}/",
                "query_string": b"",
                "headers": [(b"origin", b"http://localhost")],
                "subprotocols": [],
            },
        )
        await socket.send_input({"type": "websocket.connect"})
        assert (await socket.receive_output(3))["type"] == "websocket.accept"
        snapshot = orjson.loads((await socket.receive_output(3))["text"])
        assert snapshot["type"] == "snapshot"
        playing = next(m for m in snapshot["matches"] if m["status"] == "live")

        assert await sync_to_async(tick_later)() == "scored"

        message = orjson.loads((await socket.receive_output(3))["text"])
        assert (message["type"], message["event"]) == ("event", "match.score_updated")
        assert message["seq"] == snapshot["seq"] + 1
        assert message["data"]["match_id"] == playing["id"]
        assert message["data"]["seq"] == playing["score_seq"] + 1
        assert sum(message["data"]["scores"]) == sum(playing["scores"]) + 1
        await socket.send_input({"type": "websocket.disconnect", "code": 1000})
        await socket.wait(3)

    async_to_sync(scenario)()
