"""Games app, selectors layer: reads of games and the value objects other apps receive."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet
from django.db.models.functions import Lower

from deltacrown.apps.games import errors
from deltacrown.apps.games.data import GameRef
from deltacrown.apps.games.models import Game


def game_ref(game: Game) -> GameRef:
    """The public value object for ``game``."""
    return GameRef(
        id=game.pk,
        slug=game.slug,
        name=game.name,
        mode=game.mode,
        team_size=game.team_size,
        max_substitutes=game.max_substitutes,
        score_kind=game.score_kind,
        default_best_of=game.default_best_of,
        player_id_kind=game.player_id_kind,
        has_draft=game.has_draft,
        is_active=game.is_active,
    )


def game_get(*, game_id: int) -> Game:
    """The game with ``game_id``, active or not; 404 ``game_not_found`` if there is none."""
    game = Game.objects.filter(pk=game_id).first()
    if game is None:
        raise errors.GameNotFound("No such game.")
    return game


def game_get_by_slug(*, slug: str) -> Game:
    """The game with ``slug``, active or not; 404 ``game_not_found`` if there is none."""
    game = Game.objects.filter(slug=slug).first() if isinstance(slug, str) else None
    if game is None:
        raise errors.GameNotFound("No such game.")
    return game


# The catalogue's order: by name ignoring case ("eFootball" among the E's on every database),
# then id. ``sort_name`` is annotated on ``game_list`` rows so cursors can carry it.
LIST_ORDERING = ("sort_name", "id")


def game_list(*, include_inactive: bool = False) -> QuerySet[Game]:
    """Games offered to organizers (every game with ``include_inactive``), by name."""
    queryset = Game.objects.annotate(sort_name=Lower("name"))
    if not include_inactive:
        queryset = queryset.filter(is_active=True)
    return queryset.order_by(*LIST_ORDERING)


def games_by_slug(*, slugs: Iterable[str]) -> dict[str, Game]:
    """The games among ``slugs`` that exist (active or not), by slug, in one query."""
    wanted = {slug for slug in slugs if isinstance(slug, str)}
    return {game.slug: game for game in Game.objects.filter(slug__in=wanted)}


def games_by_id(*, game_ids: Iterable[int]) -> dict[int, Game]:
    """The games among ``game_ids`` that exist, by id, in one query."""
    return {game.pk: game for game in Game.objects.filter(pk__in={int(i) for i in game_ids})}
