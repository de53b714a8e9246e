"""The games public interface other apps build on, against the catalogue the migration seeds."""

from __future__ import annotations

import pytest

from deltacrown.apps.games import api, drafts, errors, services
from deltacrown.apps.games.config import config_errors
from deltacrown.apps.games.data import GameMode, GameRef, ScoreKind
from deltacrown.apps.games.models import Game
from deltacrown.apps.games.tests.factories import GameFactory, UserFactory
from deltacrown.kernel.errors import ValidationFailed

pytestmark = pytest.mark.django_db

# slug: (mode, team size, substitutes, score kind, best of, player-id kind, has draft)
SEEDED = {
    "valorant": (GameMode.TEAM, 5, 2, ScoreKind.MAPS, 3, "riot_id", False),
    "cs2": (GameMode.TEAM, 5, 2, ScoreKind.MAPS, 3, "steam_id64", False),
    "dota2": (GameMode.TEAM, 5, 2, ScoreKind.MAPS, 3, "steam_account_id", True),
    "efootball": (GameMode.SOLO, 1, 0, ScoreKind.GOALS, 1, "konami_id", False),
    "eafc": (GameMode.SOLO, 1, 0, ScoreKind.GOALS, 1, "ea_id", False),
    "mlbb": (GameMode.TEAM, 5, 2, ScoreKind.MAPS, 3, "mlbb_id", True),
    "codm": (GameMode.TEAM, 5, 2, ScoreKind.MAPS, 5, "codm_id", False),
    "freefire": (GameMode.BATTLE_ROYALE, 4, 2, ScoreKind.BR_POINTS, 1, "freefire_uid", False),
    "pubgm": (GameMode.BATTLE_ROYALE, 4, 2, ScoreKind.BR_POINTS, 1, "pubgm_id", False),
}

# One valid id per seeded game, as a player might type it, and its stored normal form.
VALID_IDS = {
    "valorant": ("Ace#euw", "Ace#EUW"),
    "cs2": ("[U:1:39734273]", "76561198000000001"),
    "dota2": ("76561198000000001", "39734273"),
    "efootball": ("1234-5678-9012", "123456789012"),
    "eafc": ("AceStriker10", "AceStriker10"),
    "mlbb": ("12345678(1234)", "12345678 (1234)"),
    "codm": ("Ghost  Rider", "Ghost Rider"),
    "freefire": ("123456789", "123456789"),
    "pubgm": ("5123456789", "5123456789"),
}
INVALID_IDS = {
    "valorant": "Ace",
    "cs2": "39734273",
    "dota2": "ace",
    "efootball": "12345",
    "eafc": "Ace Striker",
    "mlbb": "12345678",
    "codm": "x",
    "freefire": "12ab",
    "pubgm": "12",
}


@pytest.mark.parametrize("slug", sorted(SEEDED))
def test_the_migration_seeds_every_game_with_its_rules(slug):
    ref = api.game_get_by_slug(slug)
    assert isinstance(ref, GameRef)
    assert ref.is_active
    assert (
        ref.mode,
        ref.team_size,
        ref.max_substitutes,
        ref.score_kind,
        ref.default_best_of,
        ref.player_id_kind,
        ref.has_draft,
    ) == SEEDED[slug]
    assert api.game_get(ref.id) == ref
    assert config_errors(Game.objects.get(slug=slug).config) == []


def test_seeded_drafts_are_the_documented_sequences():
    assert Game.objects.get(slug="dota2").config["draft"]["sequence"] == list(
        drafts.DOTA2_CAPTAINS_MODE
    )
    assert Game.objects.get(slug="mlbb").config["draft"]["sequence"] == list(
        drafts.MLBB_TOURNAMENT_DRAFT
    )


def test_game_list_offers_active_games_by_name():
    retired = GameFactory(slug="retired", name="Aaa Retired", is_active=False)
    listed = api.game_list()
    assert {ref.slug for ref in listed} == set(SEEDED)
    assert [ref.name for ref in listed] == sorted((ref.name for ref in listed), key=str.casefold)
    assert retired.slug in {ref.slug for ref in api.game_list(include_inactive=True)}
    assert api.game_get(retired.pk).is_active is False


def test_game_refs_returns_the_known_games_by_id():
    valorant = api.game_get_by_slug("valorant")
    assert api.game_refs([valorant.id, 10**9]) == {valorant.id: valorant}


@pytest.mark.parametrize("lookup", [lambda: api.game_get(10**9), lambda: api.game_get_by_slug("x")])
def test_unknown_games_are_game_not_found(lookup):
    with pytest.raises(errors.GameNotFound) as excinfo:
        lookup()
    assert (excinfo.value.code, excinfo.value.http_status) == ("game_not_found", 404)


def test_roster_limits_are_team_size_and_substitutes():
    assert api.roster_limits(api.game_get_by_slug("valorant").id) == (5, 2)
    assert api.roster_limits(api.game_get_by_slug("eafc").id) == (1, 0)


def test_battle_royale_games_score_placements_and_kills():
    points, per_kill = api.placement_points(api.game_get_by_slug("pubgm").id)
    assert points == (12, 9, 7, 5, 4, 3, 2, 1)
    assert per_kill == 1
    assert api.placement_points(api.game_get_by_slug("valorant").id) == ((), 0)


@pytest.mark.parametrize("slug", sorted(VALID_IDS))
def test_player_ids_are_normalised_by_their_games_rules(slug):
    typed, stored = VALID_IDS[slug]
    assert api.player_id_normalize(slug, typed) == stored


@pytest.mark.parametrize("slug", sorted(INVALID_IDS))
def test_invalid_player_ids_raise_a_validation_error_on_the_profile_field(slug):
    with pytest.raises(ValidationFailed) as excinfo:
        api.player_id_normalize(slug, INVALID_IDS[slug])
    assert excinfo.value.code == "invalid_player_id"
    [error] = excinfo.value.errors
    assert error["field"] == f"game_ids.{slug}"
    assert error["code"] == "invalid_player_id"


def test_normalising_an_id_for_an_unknown_game_is_game_not_found():
    with pytest.raises(errors.GameNotFound):
        api.player_id_normalize("chess", "magnus")


def test_player_ids_check_reports_every_bad_entry_at_once():
    found = api.player_ids_check({"valorant": "Ace", "cs2": "76561198000000001", "chess": "x"})
    assert {(e["field"], e["code"]) for e in found} == {
        ("game_ids.valorant", "invalid_player_id"),
        ("game_ids.chess", "unknown_game"),
    }
    assert api.player_ids_check({slug: typed for slug, (typed, _) in VALID_IDS.items()}) == []


def _dota_draft() -> list[dict[str, str]]:
    return [{**turn, "hero": f"Hero {n}"} for n, turn in enumerate(drafts.DOTA2_CAPTAINS_MODE)]


def test_a_dota2_captains_mode_draft_validates():
    api.validate_draft("dota2", _dota_draft())
    api.validate_draft("dota2", _dota_draft()[:10], partial=True)


def test_a_bad_draft_names_the_first_bad_action():
    actions = _dota_draft()
    actions[8]["hero"] = "hero 3"
    with pytest.raises(errors.DraftInvalid) as excinfo:
        api.validate_draft("dota2", actions)
    problem = excinfo.value.to_problem()
    assert (problem["status"], problem["code"], problem["index"]) == (422, "draft_invalid", 8)
    assert problem["errors"] == [
        {
            "field": "actions.8",
            "code": "hero_repeated",
            "message": "This hero was already picked or banned at turn 4.",
        }
    ]


def test_a_draft_that_is_not_a_list_is_invalid():
    with pytest.raises(errors.DraftInvalid):
        api.validate_draft("mlbb", "a:ban Tigreal")  # type: ignore[arg-type]


def test_games_without_a_draft_refuse_draft_validation():
    with pytest.raises(errors.DraftNotSupported) as excinfo:
        api.validate_draft("valorant", [])
    assert excinfo.value.http_status == 409


def test_a_config_change_reaches_other_apps_through_the_api():
    staff = UserFactory(is_staff=True)
    services.game_config_update(actor=staff, slug="valorant", patch={"max_substitutes": 1})
    assert api.roster_limits(api.game_get_by_slug("valorant").id) == (5, 1)
