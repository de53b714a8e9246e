"""Writing games: config merges, renames, (de)activation and new games, with audit and events."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from deltacrown.apps.games import errors, services
from deltacrown.apps.games.models import Game
from deltacrown.apps.games.tests.factories import GameFactory, UserFactory, team_config
from deltacrown.kernel import audit, events
from deltacrown.kernel.errors import NotAuthenticated, PermissionDenied, ValidationFailed

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    return UserFactory(is_staff=True)


def _events(game: Game) -> list[tuple[str, dict]]:
    return [(e.name, e.data) for e in events.events_after(f"game:{game.pk}", 0)]


def test_a_config_change_is_merged_stored_audited_and_published(staff):
    game = GameFactory(config=team_config(max_substitutes=1))
    updated = services.game_config_update(
        actor=staff, slug=game.slug, patch={"max_substitutes": 3, "default_best_of": 5}
    )
    game.refresh_from_db()
    assert game.config == team_config(max_substitutes=3, default_best_of=5)
    assert updated.config_version == game.config_version == 2
    assert _events(game) == [
        (
            "game.config_updated",
            {
                "game_id": game.pk,
                "config_version": 2,
                "changed": ["default_best_of", "max_substitutes"],
            },
        )
    ]
    [entry] = audit.entries(target_type="game", target_id=str(game.pk))
    assert (entry.action, entry.actor_id) == ("game.config_updated", staff.pk)
    assert entry.data == {"config_version": 2, "changed": ["default_best_of", "max_substitutes"]}


def test_a_change_that_changes_nothing_writes_nothing(staff):
    game = GameFactory()
    services.game_config_update(actor=staff, slug=game.slug, patch={"team_size": 5})
    services.game_config_update(actor=staff, slug=game.slug, patch={})
    game.refresh_from_db()
    assert game.config_version == 1
    assert _events(game) == []


def test_an_invalid_result_is_refused_and_nothing_is_stored(staff):
    game = GameFactory()
    with pytest.raises(errors.GameConfigInvalid) as excinfo:
        services.game_config_update(
            actor=staff, slug=game.slug, patch={"team_size": 0, "mode": None}
        )
    assert {e["field"] for e in excinfo.value.errors} == {"config.team_size", "config.mode"}
    game.refresh_from_db()
    assert game.config == team_config()
    assert _events(game) == []


def test_only_platform_administrators_change_configs():
    game = GameFactory()
    with pytest.raises(PermissionDenied) as excinfo:
        services.game_config_update(actor=UserFactory(), slug=game.slug, patch={"team_size": 6})
    assert excinfo.value.code == "admin_required"
    with pytest.raises(NotAuthenticated):
        services.game_config_update(actor=AnonymousUser(), slug=game.slug, patch={})
    game.refresh_from_db()
    assert game.config["team_size"] == 5


def test_changing_an_unknown_game_is_a_404(staff):
    with pytest.raises(errors.GameNotFound):
        services.game_config_update(actor=staff, slug="no-such-game", patch={})


def test_replacing_the_whole_config_drops_keys_it_does_not_have(staff):
    game = GameFactory(config=team_config(draft={"name": "d", "sequence": _five_picks_each()}))
    services.game_config_replace(actor=staff, game_id=game.pk, config=team_config())
    game.refresh_from_db()
    assert "draft" not in game.config
    assert _events(game)[0][1]["changed"] == ["draft"]


def _five_picks_each() -> list[dict[str, str]]:
    return [{"side": side, "type": "pick"} for _ in range(5) for side in ("a", "b")]


def test_deactivating_a_game_is_audited_and_published(staff):
    game = GameFactory()
    services.game_update(actor=staff, game_id=game.pk, is_active=False, name=f" {game.name} ")
    game.refresh_from_db()
    assert game.is_active is False
    assert _events(game) == [("game.updated", {"game_id": game.pk, "changed": ["is_active"]})]
    assert [e.action for e in audit.entries(target_type="game")] == ["game.updated"]


def test_a_game_name_must_be_printable_and_short(staff):
    game = GameFactory()
    for name in ("", "x" * 65, "bell\x07"):
        with pytest.raises(ValidationFailed):
            services.game_update(actor=staff, game_id=game.pk, name=name)


def test_a_new_game_is_created_with_a_valid_config(staff):
    game = services.game_create(
        actor=staff,
        slug="rocket-league",
        name="Rocket League",
        config=team_config(team_size=3, score_kind="goals"),
    )
    assert Game.objects.get(slug="rocket-league").config["team_size"] == 3
    assert _events(game) == [("game.created", {"game_id": game.pk})]


@pytest.mark.parametrize("slug", ["Rocket", "-x", "x-", "a" * 33, "config-schema", "rl league"])
def test_a_new_game_needs_a_lowercase_slug_that_no_route_uses(staff, slug):
    with pytest.raises(ValidationFailed) as excinfo:
        services.game_create(actor=staff, slug=slug, name="Rocket League", config=team_config())
    assert excinfo.value.errors[0]["field"] == "slug"


def test_a_new_game_cannot_take_a_used_slug(staff):
    GameFactory(slug="rocket-league")
    with pytest.raises(errors.GameSlugTaken):
        services.game_create(actor=staff, slug="rocket-league", name="RL", config=team_config())


def test_a_new_game_with_an_invalid_config_is_refused(staff):
    with pytest.raises(errors.GameConfigInvalid):
        services.game_create(actor=staff, slug="rl", name="RL", config=team_config(team_size=99))
    assert not Game.objects.filter(slug="rl").exists()
