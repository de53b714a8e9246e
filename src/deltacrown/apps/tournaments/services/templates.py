"""Tournaments app, services layer: tournament templates — saving and reusing configurations.

A template stores a tournament's configuration without the schedule's dates (the check-in window
is kept) and with its registration fields. Creating a tournament from a template deep-merges the
caller's overrides into the stored configuration (objects merge key by key, lists are replaced)
and validates the result like any new tournament, so the overrides must at least give the
schedule's dates. Each use counts (``usage_count``, ``last_used_at``).

Scopes: ``private`` (the creator), ``organization`` (the creator and the co-organizers of the
creator's tournaments; there is no separate organization object yet) and ``global`` (everyone;
created and changed by platform staff only).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import F

from deltacrown.apps.tournaments import errors, selectors
from deltacrown.apps.tournaments.configuration import deep_merge
from deltacrown.apps.tournaments.data import (
    TEMPLATE_CREATED,
    TEMPLATE_DELETED,
    TEMPLATE_UPDATED,
    TEMPLATE_USED,
    Actor,
    TemplateScope,
    template_stream,
)
from deltacrown.apps.tournaments.models import Tournament, TournamentTemplate
from deltacrown.apps.tournaments.services.common import (
    actor_id,
    lock_tournament,
    require_organizer,
    tournament_config,
)
from deltacrown.apps.tournaments.services.tournaments import tournament_create
from deltacrown.kernel import audit, clock, events, permissions
from deltacrown.kernel.errors import ValidationFailed, field_error

NAME_MAX = 100
DESCRIPTION_MAX = 500


def _scope(value: TemplateScope | str) -> TemplateScope:
    try:
        return TemplateScope(value)
    except ValueError:
        raise ValidationFailed(
            errors=[field_error("scope", "invalid_choice", "Use private, organization or global.")]
        ) from None


def _texts(name: str | None, description: str | None) -> dict[str, str]:
    found = []
    out: dict[str, str] = {}
    if name is not None:
        name = name.strip()
        if not 1 <= len(name) <= NAME_MAX or not name.isprintable():
            found.append(field_error("name", "invalid", f"1 to {NAME_MAX} printable characters."))
        out["name"] = name
    if description is not None:
        description = description.strip()
        if len(description) > DESCRIPTION_MAX or not description.isprintable():
            found.append(
                field_error(
                    "description", "invalid", f"At most {DESCRIPTION_MAX} printable characters."
                )
            )
        out["description"] = description
    if found:
        raise ValidationFailed(errors=found)
    return out


def _record(template: TournamentTemplate, name: str, data: dict[str, Any], actor: int) -> None:
    payload = {"template_id": template.pk, **data}
    audit.record(
        action=name,
        target_type="tournament_template",
        target_id=template.pk,
        data=payload,
        actor_id=actor,
    )
    events.publish(template_stream(template.pk), name, payload)


def template_create(
    *,
    actor: Actor,
    tournament_id: int,
    name: str,
    scope: TemplateScope | str = TemplateScope.PRIVATE,
    description: str = "",
) -> TournamentTemplate:
    """Save a tournament's configuration as a template (organizers of that tournament).

    403 ``admin_required`` for a global template made by someone who is not platform staff.
    """
    who = actor_id(actor)
    scope = _scope(scope)
    texts = _texts(name, description)
    if scope is TemplateScope.GLOBAL:
        permissions.require_platform_admin(actor)
    now = clock.now()
    with transaction.atomic():
        tournament = lock_tournament(tournament_id)
        require_organizer(tournament, actor)
        fields = selectors.registration_field_specs(tournament_id=tournament.pk)
        template = TournamentTemplate.objects.create(
            name=texts["name"],
            description=texts["description"],
            owner_id=who,
            scope=scope,
            config=tournament_config(tournament, fields=fields, with_dates=False),
            source_tournament=tournament,
            created_at=now,
            updated_at=now,
        )
        _record(
            template,
            TEMPLATE_CREATED,
            {"tournament_id": tournament.pk, "scope": scope.value},
            who,
        )
    return template


def _lock_own_template(actor: Actor, template_id: int) -> TournamentTemplate:
    """The template locked for a change by its creator (global ones: platform staff)."""
    visible = selectors.template_get_visible(viewer=actor, template_id=template_id)
    template = TournamentTemplate.objects.select_for_update().get(pk=visible.pk)
    if template.scope == TemplateScope.GLOBAL:
        permissions.require_platform_admin(actor)
    elif template.owner_id != actor.id and not permissions.is_platform_admin(actor):
        raise errors.OwnerRequired("Only the template's creator can change it.")
    return template


def template_update(
    *,
    actor: Actor,
    template_id: int,
    name: str | None = None,
    scope: TemplateScope | str | None = None,
    description: str | None = None,
) -> TournamentTemplate:
    """Rename a template, describe it or change its scope (its creator; global: staff)."""
    who = actor_id(actor)
    texts = _texts(name, description)
    new_scope = _scope(scope) if scope is not None else None
    with transaction.atomic():
        template = _lock_own_template(actor, template_id)
        if new_scope is TemplateScope.GLOBAL:
            permissions.require_platform_admin(actor)
        changed = []
        for field, value in [*texts.items(), ("scope", new_scope)]:
            if value is not None and getattr(template, field) != value:
                setattr(template, field, value)
                changed.append(field)
        if not changed:
            return template
        template.updated_at = clock.now()
        template.save()
        _record(template, TEMPLATE_UPDATED, {"fields": sorted(changed)}, who)
    return template


def template_delete(*, actor: Actor, template_id: int) -> None:
    """Delete a template (its creator; global: staff). Tournaments made from it stay."""
    who = actor_id(actor)
    with transaction.atomic():
        template = _lock_own_template(actor, template_id)
        _record(template, TEMPLATE_DELETED, {}, who)
        template.delete()


def tournament_create_from_template(
    *, actor: Actor, template_id: int, overrides: Mapping[str, Any]
) -> Tournament:
    """Create a draft tournament from a template with ``overrides`` deep-merged into it.

    The merged configuration is validated like any new one (422 names the fields, with the
    same paths as a create request); the template's usage count goes up by one.
    """
    who = actor_id(actor)
    if not isinstance(overrides, Mapping):
        raise ValidationFailed(
            errors=[field_error("overrides", "invalid_type", "Send the overrides as an object.")]
        )
    with transaction.atomic():
        template = selectors.template_get_visible(viewer=actor, template_id=template_id)
        config = deep_merge(template.config, overrides)
        tournament = tournament_create(actor=actor, config=config, template_id=template.pk)
        now = clock.now()
        TournamentTemplate.objects.filter(pk=template.pk).update(
            usage_count=F("usage_count") + 1, last_used_at=now
        )
        _record(template, TEMPLATE_USED, {"tournament_id": tournament.pk}, who)
    return tournament
