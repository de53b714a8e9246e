"""The demo where commits matter: what waits for the demo's commit, a cup played to its end by
the ticks (its completion runs after the last result commits), a spectator on a real stream.

These tests commit, so each seeds the demo for itself; the other demo tests share one seeding
per module (see ``demo_summary`` in conftest.py).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import orjson
import pytest
from asgiref.sync import async_to_sync, sync_to_async
from asgiref.testing import ApplicationCommunicator

from deltacrown.apps.web import demo, live
from deltacrown.apps.web.tests import demo_api
from deltacrown.config.asgi import application
from deltacrown.kernel import clock
from deltacrown.kernel.models import Event

LEAGUE = "ea-fc-invitational-league"
BATTLE_ROYALE = "free-fire-booyah-clash"
MAX_TICKS_FOR_THE_CUP = 200


@pytest.mark.django_db(transaction=True)
def test_the_finished_demo_tournaments_complete_once_after_the_demo_commits(client):
    demo.seed()  # its transaction commits, and what waits for the commit runs

    for slug in (LEAGUE, BATTLE_ROYALE):
        tournament = demo_api.tournament(client, slug)
        matches = demo_api.matches_of(client, slug)
        last = max(datetime.fromisoformat(m["completed_at"]) for m in matches)
        completed_at = demo_api.results(client, tournament["id"])["completed_at"]
        assert datetime.fromisoformat(completed_at) == last
        completed = Event.objects.filter(
            stream=f"tournament:{tournament['id']}", name="tournament.completed"
        )
        assert completed.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_cup_is_played_to_its_end_and_then_the_ticks_stop(client):
    demo.seed()
    cup = demo_api.cup(client)

    def over() -> bool:
        return client.get(f"/api/v1/tournaments/{cup['id']}").json()["status"] == "completed"

    demo_api.tick_until(over, MAX_TICKS_FOR_THE_CUP)

    statuses = {m["status"] for m in demo_api.matches(client, cup["id"])}
    assert statuses <= {"completed", "cancelled", "forfeit"}
    results = client.get(f"/api/v1/tournaments/{cup['id']}/results").json()
    assert results["completed_at"] is not None
    assert [p["place"] for p in results["placements"]][:2] == [1, 2]
    events = Event.objects.count()
    with clock.frozen(clock.now() + timedelta(minutes=5)):
        assert live.tick() == "absent"
        assert live.tick_delays() == []
    assert Event.objects.count() == events


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
