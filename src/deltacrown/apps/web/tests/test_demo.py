"""The demo seeding: everything a newcomer needs, created once, safe to run again."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from deltacrown.apps.web import demo

pytestmark = pytest.mark.django_db


def test_demo_creates_the_admin_and_players_once(settings):
    first = demo.seed()
    assert first.created_players == len(demo.DEMO_PLAYERS)
    users = get_user_model().objects
    admin = users.get(username=settings.DEMO_ADMIN_USERNAME)
    assert admin.is_superuser
    assert admin.check_password(settings.DEMO_ADMIN_PASSWORD)
    player = users.get(username="aurora")
    assert (player.display_name, player.country) == ("Aurora", "NO")
    assert player.check_password(demo.DEMO_PLAYER_PASSWORD)

    assert len(first.team_ids) >= 2
    assert len(first.tournament_slugs) >= 3
    assert first.registrations_by_state.get("confirmed", 0) >= 2

    again = demo.seed()
    assert again.created_players == 0
    assert users.count() == len(demo.DEMO_PLAYERS) + 1
    assert again.team_ids == first.team_ids
    assert again.tournament_slugs == first.tournament_slugs
    assert again.registrations_by_state == first.registrations_by_state


def test_demo_players_can_sign_in_through_the_api(client):
    demo.seed()
    response = client.post(
        "/api/v1/auth/token",
        {"username": "blitz", "password": demo.DEMO_PLAYER_PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200
    token = response.json()["access_token"]
    me = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert me["display_name"] == "Blitz"


def test_demo_command_prints_the_urls_and_credentials(capsys, settings):
    call_command("demo")
    out = capsys.readouterr().out
    assert f"{settings.PUBLIC_URL}/api/v1/docs" in out
    assert f"{settings.DEMO_ADMIN_USERNAME} / {settings.DEMO_ADMIN_PASSWORD}" in out
    assert demo.DEMO_PLAYER_PASSWORD in out


def test_the_demo_tournaments_are_listed_publicly(client):
    summary = demo.seed()
    listed = client.get("/api/v1/tournaments?limit=100").json()["items"]
    assert {t["slug"] for t in listed} & set(summary.tournament_slugs)
