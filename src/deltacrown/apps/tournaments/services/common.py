"""Tournaments app, services layer: what every tournament write shares.

Locking the row, the permission checks (404 for callers who may not know the tournament exists,
403 for those who may see it but not change it), audit and events with ids only, and the
configuration of an existing tournament in request shape (what edits merge into and templates
store).
"""

from __future__ import annotations

import copy
import secrets
from typing import Any

from deltacrown.apps.games import api as games
from deltacrown.apps.tournaments import errors, selectors
from deltacrown.apps.tournaments.data import Actor, FieldSpec, tournament_stream
from deltacrown.apps.tournaments.models import Tournament
from deltacrown.apps.tournaments.registration_fields import field_spec_to_dict
from deltacrown.kernel import audit, events, permissions
from deltacrown.kernel.permissions import Role

INVITE_TOKEN_BYTES = 24


def actor_id(actor: Actor) -> int:
    """The acting user's id (a signed-in user is required)."""
    permissions.require_authenticated(actor)
    if actor.id is None:
        raise ValueError("an authenticated actor without an id")
    return int(actor.id)


def lock_tournament(tournament_id: int) -> Tournament:
    """The tournament row, locked until the transaction ends; 404 if missing or deleted.

    Must run inside ``transaction.atomic()``.
    """
    tournament = (
        Tournament.objects.select_for_update()
        .filter(pk=tournament_id, deleted_at__isnull=True)
        .first()
    )
    if tournament is None:
        raise errors.TournamentNotFound("No such tournament.")
    return tournament


def require_visible(tournament: Tournament, actor: Actor) -> None:
    """404 unless ``actor`` may know that the tournament exists."""
    if not selectors.can_view(tournament, actor):
        raise errors.TournamentNotFound("No such tournament.")


def require_organizer(tournament: Tournament, actor: Actor) -> None:
    """Organizers (owner, co-organizers) and platform admins pass; others get 404 or 403."""
    if selectors.holds(actor, Role.ORGANIZER, tournament.pk):
        return
    require_visible(tournament, actor)
    permissions.require_role(actor, Role.ORGANIZER, "tournament", tournament.pk)


def require_owner(tournament: Tournament, actor: Actor) -> None:
    """The owner and platform admins pass; others get 404 or 403 ``owner_required``."""
    if actor_id(actor) == tournament.organizer_id or permissions.is_platform_admin(actor):
        return
    require_visible(tournament, actor)
    raise errors.OwnerRequired("Only the tournament's owner can do this.")


def new_invite_token() -> str:
    """A fresh secret for a private tournament's invite link."""
    return secrets.token_urlsafe(INVITE_TOKEN_BYTES)


def record(
    tournament: Tournament,
    name: str,
    data: dict[str, Any] | None = None,
    *,
    actor: int | None,
) -> None:
    """Audit ``name`` on the tournament and publish it on the tournament's stream.

    Runs in the caller's transaction; ``data`` holds ids, numbers and state names only.
    """
    payload = {"tournament_id": tournament.pk, **(data or {})}
    audit.record(
        action=name,
        target_type="tournament",
        target_id=tournament.pk,
        data=payload,
        actor_id=actor,
    )
    events.publish(tournament_stream(tournament.pk), name, payload)


def tournament_config(
    tournament: Tournament,
    *,
    fields: list[FieldSpec] | None = None,
    with_dates: bool = True,
) -> dict[str, Any]:
    """The tournament's configuration in request shape (JSON-ready without ``with_dates``).

    Without dates only the check-in window of the schedule is kept, as templates store it.
    """
    schedule: dict[str, Any] = {"check_in_opens_before": tournament.check_in_opens_before}
    if with_dates:
        schedule.update(
            registration_opens_at=tournament.registration_opens_at,
            registration_closes_at=tournament.registration_closes_at,
            starts_at=tournament.starts_at,
        )
    game_slug = getattr(tournament, "game_slug", None) or games.game_get(tournament.game_id).slug
    return {
        "game": game_slug,
        "name": tournament.name,
        "description": tournament.description,
        "rules": tournament.rules,
        "region": tournament.region,
        "capacity": tournament.capacity,
        "participant_kind": tournament.participant_kind,
        "team_size": tournament.team_size,
        "stage_plan": copy.deepcopy(tournament.stage_plan),
        "entry_fee": {
            "kind": tournament.entry_fee_kind,
            "amount": tournament.entry_fee_amount,
            "currency": tournament.entry_fee_currency,
        },
        "prize": {
            "pool": tournament.prize_pool,
            "currency": tournament.prize_currency,
            "distribution": copy.deepcopy(tournament.prize_distribution),
        },
        "schedule": schedule,
        "visibility": tournament.visibility,
        "waitlist_promotion_on_close": tournament.waitlist_promotion_on_close,
        "registration_fields": [field_spec_to_dict(spec) for spec in fields or []],
    }
