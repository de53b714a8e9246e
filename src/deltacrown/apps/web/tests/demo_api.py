"""The demo read and moved on as a visitor and the demo's own ticks do: through the public API
and ``live.tick``."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client

from deltacrown.apps.web import live
from deltacrown.kernel import clock


def tournament(client: Client, slug: str) -> dict:
    response = client.get(f"/api/v1/tournaments/by-slug/{slug}")
    assert response.status_code == 200
    return response.json()


def matches(client: Client, tournament_id: int) -> list[dict]:
    response = client.get(f"/api/v1/tournaments/{tournament_id}/matches?limit=100")
    assert response.status_code == 200
    return response.json()["items"]


def matches_of(client: Client, slug: str) -> list[dict]:
    return matches(client, tournament(client, slug)["id"])


def results(client: Client, tournament_id: int) -> dict:
    response = client.get(f"/api/v1/tournaments/{tournament_id}/results")
    assert response.status_code == 200
    return response.json()


def cup(client: Client) -> dict:
    """The demo cup the ticks play, as listed."""
    listed = client.get("/api/v1/tournaments?limit=100").json()["items"]
    found = [t for t in listed if t["name"] == live.DEMO_CUP_NAME]
    assert len(found) == 1
    return found[0]


def tick_until(condition: Callable[[], bool], max_ticks: int) -> list[str]:
    """Tick, the clock moving on by the tick interval each time, until ``condition`` holds."""
    steps: list[str] = []
    with clock.frozen(clock.now()) as moment:
        while not condition():
            assert len(steps) < max_ticks, f"still waiting after {steps}"
            moment.advance(live.TICK_INTERVAL)
            steps.append(live.tick())
    return steps
