"""The demo kept live: every tick moves the live cup on (scores, results, the next match), its
stream carries each step, and nothing moves when ``DEMO_LIVE`` is off."""

from __future__ import annotations

import pytest
from django.test import Client

from deltacrown.apps.accounts import api as accounts
from deltacrown.apps.web import live, tasks
from deltacrown.apps.web.tests import demo_api
from deltacrown.kernel import clock
from deltacrown.kernel.models import Event

# Every test starts from the demo, seeded once for the module.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_summary")]

# Generous: a match takes a handful of goals plus a report, a confirmation and a start.
MAX_TICKS_PER_MATCH = 15
MAX_TICKS_FOR_THE_CUP = 200


def _live_match(client: Client, tournament_id: int) -> dict | None:
    found = [m for m in demo_api.matches(client, tournament_id) if m["status"] == "live"]
    assert len(found) <= 1
    return found[0] if found else None


def test_ticks_score_the_live_match_then_complete_it_and_start_the_next(client):
    cup = demo_api.cup(client)
    before = _live_match(client, cup["id"])
    assert before is not None

    with clock.frozen(clock.now() + live.TICK_INTERVAL):
        assert live.tick() == "scored"
    scored = client.get(f"/api/v1/matches/{before['id']}").json()
    assert scored["score_seq"] == before["score_seq"] + 1
    assert sum(scored["live_scores"]) == sum(before["live_scores"]) + 1

    def decided() -> bool:
        return client.get(f"/api/v1/matches/{before['id']}").json()["status"] == "completed"

    steps = demo_api.tick_until(decided, MAX_TICKS_PER_MATCH)
    assert "reported" in steps
    completed = client.get(f"/api/v1/matches/{before['id']}").json()
    assert completed["winner_id"] in {s["participant_id"] for s in completed["slots"]}
    final = completed["games"][0]["scores"]
    assert sum(final) >= sum(scored["live_scores"])

    def next_started() -> bool:
        now_live = _live_match(client, cup["id"])
        return now_live is not None and now_live["id"] != before["id"]

    steps = demo_api.tick_until(next_started, MAX_TICKS_PER_MATCH)
    assert steps[-1] == "started"


def test_a_tick_queued_twice_moves_the_cup_once(client):
    cup = demo_api.cup(client)
    before = _live_match(client, cup["id"])

    with clock.frozen(clock.now() + live.TICK_INTERVAL):
        assert live.tick() == "scored"
        assert live.tick() == "skipped"

    after = client.get(f"/api/v1/matches/{before['id']}").json()
    assert after["score_seq"] == before["score_seq"] + 1


def test_with_demo_live_off_ticks_change_nothing(client, settings):
    cup = demo_api.cup(client)
    matches = demo_api.matches(client, cup["id"])
    events = Event.objects.count()
    settings.DEMO_LIVE = False

    with clock.frozen(clock.now() + live.TICK_INTERVAL):
        assert live.tick() == "off"
        assert live.tick_delays() == []

    assert demo_api.matches(client, cup["id"]) == matches
    assert Event.objects.count() == events


def test_a_real_administrator_s_tournament_is_never_played(client, settings):
    cup = demo_api.cup(client)
    matches = demo_api.matches(client, cup["id"])
    # An operator took the demo administrator over as a real account.
    accounts.admin_ensure(
        settings.DEMO_ADMIN_USERNAME, "ops@example.org", settings.DEMO_ADMIN_PASSWORD
    )

    with clock.frozen(clock.now() + live.TICK_INTERVAL):
        assert live.tick() == "absent"

    assert demo_api.matches(client, cup["id"]) == matches


def test_each_minute_is_queued_once_as_ticks_five_seconds_apart():

    assert live.tick_delays() == list(range(0, 60, 5))
    # A second scheduler (another worker) running in the same minute finds it queued.
    assert live.tick_delays() == []


def test_the_periodic_task_queues_no_ticks_when_tasks_run_inline(client):
    cup = demo_api.cup(client)
    matches = demo_api.matches(client, cup["id"])

    assert tasks.demo_live_minute.call_local() == 0

    assert demo_api.matches(client, cup["id"]) == matches
