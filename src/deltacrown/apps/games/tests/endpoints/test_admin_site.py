"""Django admin for games: filtered catalogue, config edited as validated JSON, no deletes."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from deltacrown.apps.games.models import Game
from deltacrown.apps.games.tests.factories import UserFactory, team_config
from deltacrown.kernel import audit, events

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user():
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def _form(game: Game, **changes) -> dict[str, str]:
    data = {"name": game.name, "is_active": "on" if game.is_active else "", "config": game.config}
    data.update(changes)
    data["config"] = json.dumps(data["config"])
    return {key: value for key, value in data.items() if value != ""}


def test_the_game_list_filters_by_mode_score_kind_and_search(admin_client):
    url = reverse("admin:games_game_changelist")
    battle_royale = admin_client.get(url, {"mode": "battle_royale"}).content.decode()
    assert "Free Fire" in battle_royale
    assert "PUBG Mobile" in battle_royale
    assert "Valorant" not in battle_royale
    goals = admin_client.get(url, {"score_kind": "goals"}).content.decode()
    assert "eFootball" in goals
    assert "Dota 2" not in goals
    assert "Dota 2" in admin_client.get(url, {"q": "dota"}).content.decode()


def test_the_change_page_shows_the_config_as_indented_json(admin_client):
    game = Game.objects.get(slug="dota2")
    page = admin_client.get(reverse("admin:games_game_change", args=[game.pk]))
    assert page.status_code == 200
    assert "&quot;mode&quot;: &quot;team&quot;" in page.content.decode()


def test_an_invalid_config_is_shown_as_an_error_and_not_saved(admin_client):
    game = Game.objects.get(slug="valorant")
    response = admin_client.post(
        reverse("admin:games_game_change", args=[game.pk]),
        _form(game, config={**game.config, "team_size": 42}),
    )
    assert response.status_code == 200
    assert "config.team_size" in response.content.decode()
    game.refresh_from_db()
    assert game.config["team_size"] == 5


def test_a_valid_config_edit_is_saved_audited_and_published(admin_client, admin_user):
    game = Game.objects.get(slug="valorant")
    response = admin_client.post(
        reverse("admin:games_game_change", args=[game.pk]),
        _form(game, config={**game.config, "max_substitutes": 4}, name="VALORANT"),
    )
    assert response.status_code == 302
    game.refresh_from_db()
    assert (game.name, game.config["max_substitutes"], game.config_version) == ("VALORANT", 4, 2)
    assert sorted(e.name for e in events.events_after(f"game:{game.pk}", 0)) == [
        "game.config_updated",
        "game.updated",
    ]
    assert {e.actor_id for e in audit.entries(target_type="game", target_id=str(game.pk))} == {
        admin_user.pk
    }


def test_an_administrator_adds_a_game(admin_client):
    response = admin_client.post(
        reverse("admin:games_game_add"),
        {
            "slug": "rocket-league",
            "name": "Rocket League",
            "is_active": "on",
            "config": json.dumps(team_config(team_size=3, score_kind="goals")),
        },
    )
    assert response.status_code == 302
    game = Game.objects.get(slug="rocket-league")
    assert game.config["team_size"] == 3
    assert [e.name for e in events.events_after(f"game:{game.pk}", 0)] == ["game.created"]


def test_deactivating_from_the_list_hides_the_game_from_the_catalogue(admin_client):
    game = Game.objects.get(slug="codm")
    response = admin_client.post(
        reverse("admin:games_game_changelist"),
        {"action": "deactivate", "_selected_action": [game.pk]},
    )
    assert response.status_code == 302
    game.refresh_from_db()
    assert game.is_active is False


def test_games_cannot_be_deleted_in_the_admin(admin_client):
    game = Game.objects.get(slug="cs2")
    response = admin_client.get(reverse("admin:games_game_delete", args=[game.pk]))
    assert response.status_code == 403
