"""The games HTTP API: the public catalogue and schema, staff config edits and draft checks."""

from __future__ import annotations

import pytest
from jsonschema import Draft202012Validator

from deltacrown.apps.games import drafts
from deltacrown.apps.games.models import Game
from deltacrown.apps.games.tests.factories import (
    API,
    GameFactory,
    UserFactory,
    patch_json,
    post_json,
    signed_in,
)
from deltacrown.kernel import events

pytestmark = pytest.mark.django_db

SEEDED_SLUGS = {
    "valorant",
    "cs2",
    "dota2",
    "efootball",
    "eafc",
    "mlbb",
    "codm",
    "freefire",
    "pubgm",
}


@pytest.fixture
def staff_client(client):
    return signed_in(client, UserFactory(is_staff=True))


@pytest.fixture
def player_client(client):
    return signed_in(client, UserFactory())


# --- the public catalogue ---------------------------------------------------------------------


def test_anyone_lists_the_active_games_by_name(client):
    GameFactory(slug="retired", name="A Retired Game", is_active=False)
    response = client.get(f"{API}/games")
    assert response.status_code == 200
    items = response.json()["items"]
    assert [item["name"] for item in items] == [
        "Call of Duty: Mobile",
        "Counter-Strike 2",
        "Dota 2",
        "EA Sports FC",
        "eFootball",
        "Free Fire",
        "Mobile Legends: Bang Bang",
        "PUBG Mobile",
        "Valorant",
    ]
    assert response.json()["next_cursor"] is None


def test_the_game_list_pages_with_a_cursor_without_repeats_or_gaps(client):
    seen, cursor = [], None
    while True:
        params = {"limit": 4, **({"cursor": cursor} if cursor else {})}
        page = client.get(f"{API}/games", params).json()
        seen += [item["slug"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(SEEDED_SLUGS)
    assert len(seen) == len(SEEDED_SLUGS)


def test_anyone_reads_a_game_with_its_rules_and_id_format(client):
    body = client.get(f"{API}/games/dota2").json()
    assert body["name"] == "Dota 2"
    assert (body["mode"], body["team_size"], body["max_substitutes"]) == ("team", 5, 2)
    assert (body["score_kind"], body["default_best_of"], body["has_draft"]) == ("maps", 3, True)
    assert body["player_id_format"]["kind"] == body["player_id_kind"] == "steam_account_id"
    assert body["config"]["draft"]["sequence"] == list(drafts.DOTA2_CAPTAINS_MODE)
    assert body["config_version"] == 1


def test_battle_royale_games_show_their_scoring(client):
    body = client.get(f"{API}/games/freefire").json()
    assert body["mode"] == "battle_royale"
    assert body["team_size"] == 4
    assert body["config"]["battle_royale"]["placement_points"] == [12, 9, 7, 5, 4, 3, 2, 1]
    assert body["config"]["battle_royale"]["points_per_kill"] == 1


def test_a_retired_game_can_still_be_read(client):
    GameFactory(slug="retired", is_active=False)
    body = client.get(f"{API}/games/retired").json()
    assert body["is_active"] is False


def test_an_unknown_game_is_a_404_problem(client):
    response = client.get(f"{API}/games/chess")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "game_not_found"


def test_the_config_schema_is_public_and_every_game_satisfies_it(client):
    response = client.get(f"{API}/games/config-schema")
    assert response.status_code == 200
    schema = response.json()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    validator = Draft202012Validator(schema)
    for item in client.get(f"{API}/games").json()["items"]:
        assert list(validator.iter_errors(item["config"])) == []
    assert list(validator.iter_errors({"mode": "team"}))  # and it does reject


# --- staff config edits -----------------------------------------------------------------------


def test_editing_a_config_needs_credentials(client):
    response = patch_json(client, "/games/valorant/config", {"max_substitutes": 3})
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_players_may_not_edit_a_config(player_client):
    response = patch_json(player_client, "/games/valorant/config", {"max_substitutes": 3})
    assert response.status_code == 403
    assert response.json()["code"] == "admin_required"
    assert Game.objects.get(slug="valorant").config["max_substitutes"] == 2


def test_staff_change_a_config_by_deep_merge(staff_client):
    response = patch_json(
        staff_client,
        "/games/pubgm/config",
        {"max_substitutes": 1, "battle_royale": {"points_per_kill": 2, "lobby_size": None}},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["max_substitutes"] == 1
    assert body["config"]["battle_royale"] == {
        "placement_points": [12, 9, 7, 5, 4, 3, 2, 1],
        "points_per_kill": 2,
    }
    assert body["config_version"] == 2
    game = Game.objects.get(slug="pubgm")
    assert game.config == body["config"]
    [event] = events.events_after(f"game:{game.pk}", 0)
    assert event.name == "game.config_updated"
    assert event.data == {
        "game_id": game.pk,
        "config_version": 2,
        "changed": ["battle_royale", "max_substitutes"],
    }


def test_lists_in_a_config_change_replace_the_stored_list(staff_client):
    response = patch_json(
        staff_client, "/games/freefire/config", {"battle_royale": {"placement_points": [10, 5]}}
    )
    assert response.json()["config"]["battle_royale"]["placement_points"] == [10, 5]


def test_an_invalid_config_change_is_a_422_pointing_into_the_config(staff_client):
    response = patch_json(
        staff_client,
        "/games/dota2/config",
        {"team_size": 6, "draft": {"sequence": [{"side": "a", "type": "steal"}]}},
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "game_config_invalid"
    fields = {error["field"]: error["code"] for error in body["errors"]}
    assert fields == {"config.draft.sequence": "minItems", "config.draft.sequence.0.type": "enum"}
    assert Game.objects.get(slug="dota2").config_version == 1


def test_a_config_change_breaking_a_cross_key_rule_is_refused(staff_client):
    response = patch_json(staff_client, "/games/dota2/config", {"team_size": 4})
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "config.draft.sequence",
            "code": "picks_mismatch",
            "message": "Each side must pick team_size (4) heroes; the sequence gives a 5 and b 5.",
        }
    ]


def test_removing_a_required_key_is_refused(staff_client):
    response = patch_json(staff_client, "/games/valorant/config", {"score_kind": None})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "config.score_kind"


@pytest.mark.parametrize("body", [[{"team_size": 5}], '"team_size"', "5", "null"])
def test_a_config_change_must_be_a_json_object(staff_client, body):
    response = patch_json(staff_client, "/games/valorant/config", body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "config"


def test_changing_an_unknown_game_is_a_404(staff_client):
    response = patch_json(staff_client, "/games/chess/config", {"team_size": 5})
    assert response.status_code == 404
    assert response.json()["code"] == "game_not_found"


def test_a_replayed_config_change_answers_the_same_without_a_second_write(staff_client):
    headers = {"HTTP_IDEMPOTENCY_KEY": "game-config-0001"}
    first = patch_json(staff_client, "/games/valorant/config", {"max_substitutes": 1}, **headers)
    again = patch_json(staff_client, "/games/valorant/config", {"max_substitutes": 1}, **headers)
    assert again.status_code == first.status_code == 200
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    game = Game.objects.get(slug="valorant")
    assert len(events.events_after(f"game:{game.pk}", 0)) == 1


# --- draft validation -------------------------------------------------------------------------


def _draft(sequence) -> list[dict[str, str]]:
    return [{**turn, "hero": f"Hero {n}"} for n, turn in enumerate(sequence)]


def test_checking_a_draft_needs_credentials(client):
    response = post_json(client, "/games/dota2/draft/validate", {"actions": []})
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("slug", "sequence"),
    [("dota2", drafts.DOTA2_CAPTAINS_MODE), ("mlbb", drafts.MLBB_TOURNAMENT_DRAFT)],
)
def test_a_draft_following_the_game_order_is_valid(player_client, slug, sequence):
    response = post_json(
        player_client, f"/games/{slug}/draft/validate", {"actions": _draft(sequence)}
    )
    assert response.status_code == 200
    assert response.json() == {"valid": True}


def test_a_draft_in_progress_is_valid_when_marked_partial(player_client):
    actions = _draft(drafts.DOTA2_CAPTAINS_MODE)[:8]
    partial = post_json(
        player_client, "/games/dota2/draft/validate", {"actions": actions, "partial": True}
    )
    assert partial.json() == {"valid": True}
    complete = post_json(player_client, "/games/dota2/draft/validate", {"actions": actions})
    assert complete.status_code == 422
    assert complete.json()["index"] == 8
    assert complete.json()["errors"][0]["code"] == "draft_incomplete"


def test_an_out_of_order_draft_is_a_422_naming_the_first_bad_action(player_client):
    actions = _draft(drafts.MLBB_TOURNAMENT_DRAFT)
    actions[6], actions[7] = actions[7], actions[6]  # side b picks before side a
    response = post_json(player_client, "/games/mlbb/draft/validate", {"actions": actions})
    assert response.status_code == 422
    body = response.json()
    assert (body["code"], body["index"]) == ("draft_invalid", 6)
    assert body["errors"] == [
        {"field": "actions.6", "code": "wrong_side", "message": "Turn 7 belongs to side a."}
    ]


def test_a_malformed_action_is_a_422(player_client):
    response = post_json(
        player_client,
        "/games/dota2/draft/validate",
        {"actions": [{"side": "radiant", "type": "ban", "hero": "Axe"}]},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "actions.0.side"


def test_games_without_a_draft_answer_409(player_client):
    response = post_json(player_client, "/games/valorant/draft/validate", {"actions": []})
    assert response.status_code == 409
    assert response.json()["code"] == "draft_not_supported"
