"""Games app, HTTP layer: the public game catalogue, the config schema, staff config edits and
draft checks.

Mounted at ``/api/v1/games``. The catalogue and the schema are public (no credentials needed);
editing a config takes a platform administrator; checking a draft takes any signed-in user.
No ``from __future__ import annotations`` here: ``@paginate`` wraps views in a function of
Ninja's own module, which must be able to read the real annotations.
"""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Body, Router
from ninja.pagination import paginate

from deltacrown.apps.games import api, selectors, services
from deltacrown.apps.games.models import Game
from deltacrown.apps.games.schemas import DraftValidateIn, DraftValidOut, GameOut
from deltacrown.kernel.pagination import CursorPagination

router = Router(tags=["games"])


@router.get("", auth=None, response=list[GameOut], summary="List games")
@paginate(CursorPagination, ordering=selectors.LIST_ORDERING)
def game_list(request: HttpRequest) -> QuerySet[Game]:
    """The games tournaments can be created for (active ones), by name. Public."""
    return selectors.game_list()


@router.get(
    "/config-schema",
    auth=None,
    response=dict[str, Any],
    summary="The JSON Schema of game configs",
)
def config_schema(request: HttpRequest) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) every game's ``config`` satisfies. Public."""
    return api.config_schema()


@router.get("/{slug}", auth=None, response=GameOut, summary="A game and its rules")
def game_detail(request: HttpRequest, slug: str) -> Game:
    """One game by slug, active or retired (``is_active``); 404 ``game_not_found``. Public."""
    return selectors.game_get_by_slug(slug=slug)


@router.patch("/{slug}/config", response=GameOut, summary="Change a game's config (staff)")
def game_config_update(request: HttpRequest, slug: str, config: Body[dict[str, Any]]) -> Game:
    """Deep-merge the JSON body into the game's config: objects merge key by key, lists and
    scalars replace, null removes a key. The result must satisfy the config schema, else 422
    ``game_config_invalid`` with errors on ``config.<path>``. Platform administrators only
    (403 ``admin_required``)."""
    return services.game_config_update(actor=request.auth, slug=slug, patch=config)


@router.post(
    "/{slug}/draft/validate",
    response=DraftValidOut,
    summary="Check a pick/ban draft",
)
def draft_validate(request: HttpRequest, slug: str, payload: DraftValidateIn) -> dict[str, bool]:
    """Check a draft against the game's pick/ban order: ``{"valid": true}``, or 422
    ``draft_invalid`` whose ``index`` names the first bad action; 409 ``draft_not_supported``
    for games without a draft. Writes nothing."""
    actions = [action.model_dump(mode="json") for action in payload.actions]
    api.validate_draft(slug, actions, partial=payload.partial)
    return {"valid": True}
