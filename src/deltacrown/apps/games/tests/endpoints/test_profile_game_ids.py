"""Players' per-game ids on their profile (PATCH /me) are checked by each game's rules."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from deltacrown.apps.games.tests.factories import GameFactory, UserFactory, patch_json, signed_in

pytestmark = pytest.mark.django_db

VALID = {
    "valorant": "Ace#EUW",
    "cs2": "76561198000000001",
    "dota2": "39734273",
    "efootball": "123456789012",
    "eafc": "AceStriker10",
    "mlbb": "12345678 (1234)",
    "codm": "6742334573018578432",
    "freefire": "123456789",
    "pubgm": "5123456789",
}


@pytest.fixture
def player():
    return UserFactory()


def _patch_ids(client, player, game_ids):
    return patch_json(signed_in(client, player), "/me", {"game_ids": game_ids})


def test_valid_ids_for_every_game_are_saved(client, player):
    response = _patch_ids(client, player, VALID)
    assert response.status_code == 200, response.content
    assert response.json()["game_ids"] == VALID


@pytest.mark.parametrize(
    ("slug", "typed", "hint"),
    [
        ("valorant", "Ace", "name#TAG"),
        ("cs2", "39734273", "SteamID64"),
        ("dota2", "steam-ace", "Friend ID"),
        ("efootball", "12345", "Konami ID"),
        ("eafc", "Ace Striker", "EA ID"),
        ("mlbb", "12345678", "zone"),
        ("codm", "x", "UID"),
        ("freefire", "12ab5678", "Free Fire UID"),
        ("pubgm", "12", "PUBG Mobile"),
    ],
)
def test_an_invalid_id_is_refused_with_what_a_valid_one_looks_like(
    client, player, slug, typed, hint
):
    response = _patch_ids(client, player, {slug: typed})
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert (error["field"], error["code"]) == (f"game_ids.{slug}", "invalid_player_id")
    assert hint in error["message"]
    player.refresh_from_db()
    assert player.game_ids == {}


def test_an_id_for_a_game_that_does_not_exist_is_refused(client, player):
    response = _patch_ids(client, player, {"chess": "magnus"})
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "game_ids.chess",
            "code": "unknown_game",
            "message": "No game has this slug; see GET /games.",
        }
    ]


def test_every_invalid_entry_is_reported_and_nothing_is_saved(client, player):
    get_user_model().objects.filter(pk=player.pk).update(game_ids={"valorant": "Old#EUW"})
    response = _patch_ids(
        client, player, {"valorant": "Ace#EUW", "cs2": "123", "mlbb": "1", "chess": "x"}
    )
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {
        "game_ids.cs2",
        "game_ids.mlbb",
        "game_ids.chess",
    }
    player.refresh_from_db()
    assert player.game_ids == {"valorant": "Old#EUW"}


def test_ids_for_a_retired_game_are_still_accepted(client, player):
    GameFactory(slug="retired", is_active=False)
    response = _patch_ids(client, player, {"retired": "Old Timer"})
    assert response.status_code == 200
    assert response.json()["game_ids"] == {"retired": "Old Timer"}
