"""Games app, public interface: what other apps may import from games.

Other apps import only this module and ``data``. Functions take and return ids, slugs and
``data`` objects (``GameRef``), never model instances. The game catalogue is seeded by a data
migration, so there is no demo content to create here.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from deltacrown.apps.games import config as game_config
from deltacrown.apps.games import drafts, errors, selectors, validators
from deltacrown.apps.games.data import GameMode, GameRef
from deltacrown.kernel.errors import field_error

__all__ = [
    "config_schema",
    "game_get",
    "game_get_by_slug",
    "game_list",
    "game_refs",
    "placement_points",
    "player_id_normalize",
    "player_ids_check",
    "roster_limits",
    "validate_draft",
]


def game_get(game_id: int) -> GameRef:
    """The game with ``game_id`` (active or not); raises ``GameNotFound`` (404
    ``game_not_found``)."""
    return selectors.game_ref(selectors.game_get(game_id=game_id))


def game_get_by_slug(slug: str) -> GameRef:
    """The game with ``slug`` (active or not); raises ``GameNotFound`` (404 ``game_not_found``)."""
    return selectors.game_ref(selectors.game_get_by_slug(slug=slug))


def game_list(*, include_inactive: bool = False) -> list[GameRef]:
    """The games organizers may create tournaments for, by name (all with ``include_inactive``)."""
    return [
        selectors.game_ref(game) for game in selectors.game_list(include_inactive=include_inactive)
    ]


def game_refs(game_ids: Iterable[int]) -> dict[int, GameRef]:
    """The existing games among ``game_ids``, by id, in one query (unknown ids are absent)."""
    return {
        pk: selectors.game_ref(game)
        for pk, game in selectors.games_by_id(game_ids=game_ids).items()
    }


def player_id_normalize(slug: str, value: str) -> str:
    """``value`` as the normal form of a player id for the game ``slug``.

    Raises ``PlayerIdInvalid`` (422 ``invalid_player_id``, a ``ValidationFailed``) with a field
    error on ``game_ids.<slug>`` that says what a valid id looks like, and ``GameNotFound``
    (404) for an unknown slug.
    """
    game = selectors.game_get_by_slug(slug=slug)
    try:
        return validators.normalize(game.player_id_kind, value)
    except validators.PlayerIdError as exc:
        raise errors.PlayerIdInvalid(
            f"This is not a valid {game.name} player id.",
            errors=[field_error(f"game_ids.{slug}", "invalid_player_id", str(exc))],
        ) from exc


def player_ids_check(game_ids: Mapping[str, str]) -> list[dict[str, str]]:
    """Field errors for a profile's ``{game slug: player id}`` map; empty when all are valid.

    Errors are on ``game_ids.<slug>``: ``unknown_game`` for a slug no game has, and
    ``invalid_player_id`` for an id that breaks its game's format. Installed as the kernel's
    player-id validator, so profile updates are checked against every game's rules.
    """
    games = selectors.games_by_slug(slugs=game_ids)
    found = []
    for slug, value in game_ids.items():
        field = f"game_ids.{slug}"
        game = games.get(slug)
        if game is None:
            found.append(
                field_error(field, "unknown_game", "No game has this slug; see GET /games.")
            )
            continue
        try:
            validators.normalize(game.player_id_kind, value)
        except validators.PlayerIdError as exc:
            found.append(field_error(field, "invalid_player_id", str(exc)))
    return found


def validate_draft(
    slug: str, actions: Sequence[Mapping[str, Any]], *, partial: bool = False
) -> None:
    """Check a pick/ban draft against the rules of the game ``slug``; return if it is valid.

    ``actions`` are ``{"side": "a"|"b", "type": "pick"|"ban", "hero": str}`` in the order
    they happened (side ``a`` has the first pick). They must follow the game's sequence turn by
    turn, name no hero twice and, unless ``partial`` (a draft still in progress), fill every
    turn. Raises ``DraftInvalid`` (422 ``draft_invalid``) whose ``index`` and field error
    ``actions.<index>`` name the first bad action, ``DraftNotSupported`` (409) for a game
    without a draft and ``GameNotFound`` (404) for an unknown slug.
    """
    game = selectors.game_get_by_slug(slug=slug)
    draft = game.draft
    if not draft:
        raise errors.DraftNotSupported(f"{game.name} has no pick/ban draft.")
    if not isinstance(actions, Sequence) or isinstance(actions, str | bytes):
        raise errors.DraftInvalid(
            "The draft must be a list of actions.",
            errors=[field_error("actions", "type", "Send a list of actions.")],
            index=0,
        )
    try:
        drafts.check_draft(draft["sequence"], actions, partial=partial, heroes=draft.get("heroes"))
    except drafts.DraftError as exc:
        raise errors.DraftInvalid(
            f"Action {exc.index} breaks the {draft['name']} rules: {exc.message}",
            errors=[field_error(f"actions.{exc.index}", exc.code, exc.message)],
            index=exc.index,
        ) from exc


def roster_limits(game_id: int) -> tuple[int, int]:
    """(team size, maximum substitutes) of the game; 404 ``game_not_found`` if unknown."""
    game = selectors.game_get(game_id=game_id)
    return game.team_size, game.max_substitutes


def placement_points(game_id: int) -> tuple[tuple[int, ...], int]:
    """(points by placement from 1st, points per kill) of a battle-royale game.

    Placements beyond the tuple score 0. A game that is not battle royale scores no placement
    points: ``((), 0)``. 404 ``game_not_found`` if unknown.
    """
    game = selectors.game_get(game_id=game_id)
    if game.mode != GameMode.BATTLE_ROYALE:
        return (), 0
    scoring = game.config["battle_royale"]
    return tuple(int(p) for p in scoring["placement_points"]), int(scoring["points_per_kill"])


def config_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) every game config satisfies."""
    return copy.deepcopy(game_config.CONFIG_SCHEMA)
