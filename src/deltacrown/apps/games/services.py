"""Games app, services layer: every write to games (platform administrators only).

Each service runs in one transaction, checks that the actor is a platform administrator,
validates, writes, records an audit entry and publishes an event on the stream ``game:<id>``
(``game.created``, ``game.updated``, ``game.config_updated``; data: ids, numbers and config
key names). Config changes are decided under the game's row lock, so two administrators editing
different keys at once both keep their change.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction

from deltacrown.apps.games import config as game_config
from deltacrown.apps.games import errors
from deltacrown.apps.games.data import GAME_CONFIG_UPDATED, GAME_CREATED, GAME_UPDATED
from deltacrown.apps.games.models import SLUG_PATTERN, Game
from deltacrown.kernel import audit, clock, events
from deltacrown.kernel.errors import ValidationFailed, field_error
from deltacrown.kernel.permissions import require_platform_admin

logger = logging.getLogger("deltacrown.games")

NAME_MAX_LENGTH = 64
# Path segments under /api/v1/games/ that a slug would shadow.
RESERVED_SLUGS = frozenset({"config-schema"})


def _stream(game_id: int) -> str:
    return f"game:{game_id}"


def _actor_id(actor: Any) -> int:
    return int(getattr(actor, "pk", None) or actor.id)


def _name_errors(name: str) -> list[dict[str, str]]:
    if not 1 <= len(name) <= NAME_MAX_LENGTH:
        return [field_error("name", "invalid_length", f"Use 1 to {NAME_MAX_LENGTH} characters.")]
    if any(unicodedata.category(ch).startswith("C") for ch in name):
        return [field_error("name", "invalid", "Control characters are not allowed.")]
    return []


def _validated_config(config: Any) -> dict[str, Any]:
    found = game_config.config_errors(config)
    if found:
        raise errors.GameConfigInvalid("The game config is invalid.", errors=found)
    return dict(config)


def _changed_keys(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    return sorted(key for key in {*before, *after} if before.get(key) != after.get(key))


def _locked(game_id: int) -> Game:
    game = Game.objects.select_for_update().filter(pk=game_id).first()
    if game is None:
        raise errors.GameNotFound("No such game.")
    return game


def game_create(
    *, actor: Any, slug: str, name: str, config: Mapping[str, Any], is_active: bool = True
) -> Game:
    """Add a game with a valid ``config``; 409 ``game_slug_taken`` if the slug is in use.

    422 ``validation_failed`` for a malformed slug or name, ``game_config_invalid`` for a
    config that breaks the schema.
    """
    require_platform_admin(actor)
    slug = slug.strip()
    name = name.strip()
    found = _name_errors(name)
    if not re.fullmatch(SLUG_PATTERN, slug) or slug in RESERVED_SLUGS:
        found.append(
            field_error("slug", "invalid", "Use 1-32 lowercase letters, digits and hyphens.")
        )
    if found:
        raise ValidationFailed("The request has invalid fields.", errors=found)
    valid_config = _validated_config(config)
    now = clock.now()
    try:
        with transaction.atomic():
            game = Game.objects.create(
                slug=slug,
                name=name,
                is_active=is_active,
                config=valid_config,
                created_at=now,
                updated_at=now,
            )
            audit.record(
                action=GAME_CREATED,
                target_type="game",
                target_id=game.pk,
                actor_id=_actor_id(actor),
            )
            events.publish(_stream(game.pk), GAME_CREATED, {"game_id": game.pk})
    except IntegrityError as exc:
        if Game.objects.filter(slug=slug).exists():
            raise errors.GameSlugTaken("Another game already uses this slug.") from exc
        raise
    logger.info("game created", extra={"game_id": game.pk})
    return game


def game_update(
    *, actor: Any, game_id: int, name: str | None = None, is_active: bool | None = None
) -> Game:
    """Rename a game or switch whether it is offered (None leaves a field as it is).

    An inactive game is no longer listed for new tournaments; existing ones keep it.
    """
    require_platform_admin(actor)
    updates: dict[str, Any] = {}
    if name is not None:
        name = name.strip()
        found = _name_errors(name)
        if found:
            raise ValidationFailed("The request has invalid fields.", errors=found)
        updates["name"] = name
    if is_active is not None:
        updates["is_active"] = bool(is_active)
    with transaction.atomic():
        game = _locked(game_id)
        changed = sorted(key for key, value in updates.items() if getattr(game, key) != value)
        if not changed:
            return game
        for key in changed:
            setattr(game, key, updates[key])
        game.updated_at = clock.now()
        game.save(update_fields=[*changed, "updated_at"])
        audit.record(
            action=GAME_UPDATED,
            target_type="game",
            target_id=game.pk,
            data={"changed": changed},
            actor_id=_actor_id(actor),
        )
        events.publish(_stream(game.pk), GAME_UPDATED, {"game_id": game.pk, "changed": changed})
    logger.info("game updated", extra={"game_id": game.pk})
    return game


def game_config_update(*, actor: Any, slug: str, patch: Mapping[str, Any]) -> Game:
    """Deep-merge ``patch`` into the game's config, validate the result and store it.

    Objects merge key by key, lists and scalars replace, null removes a key (see
    ``config.deep_merge``). 422 ``game_config_invalid`` with field errors pointing into the
    config; nothing is stored then. A patch that changes nothing writes nothing.
    """
    require_platform_admin(actor)
    if not isinstance(patch, Mapping):
        raise errors.GameConfigInvalid(
            "The config change must be a JSON object.",
            errors=[field_error("config", "type", "Send a JSON object.")],
        )
    with transaction.atomic():
        game = Game.objects.select_for_update().filter(slug=slug).first()
        if game is None:
            raise errors.GameNotFound("No such game.")
        merged = game_config.deep_merge(game.config, patch)
        return _config_store(actor=actor, game=game, config=merged)


def game_config_replace(*, actor: Any, game_id: int, config: Mapping[str, Any]) -> Game:
    """Replace the game's whole config with ``config`` (validated as by ``game_config_update``)."""
    require_platform_admin(actor)
    with transaction.atomic():
        return _config_store(actor=actor, game=_locked(game_id), config=config)


def _config_store(*, actor: Any, game: Game, config: Mapping[str, Any]) -> Game:
    """Validate and save ``config`` for ``game``; expects the game's row lock to be held."""
    valid = _validated_config(config)
    changed = _changed_keys(game.config, valid)
    if not changed:
        return game
    game.config = valid
    game.config_version += 1
    game.updated_at = clock.now()
    game.save(update_fields=["config", "config_version", "updated_at"])
    data = {"game_id": game.pk, "config_version": game.config_version, "changed": changed}
    audit.record(
        action=GAME_CONFIG_UPDATED,
        target_type="game",
        target_id=game.pk,
        data={"config_version": game.config_version, "changed": changed},
        actor_id=_actor_id(actor),
    )
    events.publish(_stream(game.pk), GAME_CONFIG_UPDATED, data)
    logger.info(
        "game config updated", extra={"game_id": game.pk, "config_version": game.config_version}
    )
    return game
