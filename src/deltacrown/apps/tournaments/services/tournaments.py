"""Tournaments app, services layer: creating, editing and deleting tournaments, and their staff.

Every function is one transaction that checks who acts and what state the tournament is in,
writes, records an audit entry and publishes an event on ``tournament:<id>`` (ids only).
Settings lock progressively as the tournament advances (``EDITABLE``): what registrations
already rely on (game, team size, fee) cannot change once registration opens.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.text import slugify

from deltacrown.apps.accounts import api as accounts
from deltacrown.apps.tournaments import errors
from deltacrown.apps.tournaments.configuration import ROW_FIELD_SETTING as SETTING_OF
from deltacrown.apps.tournaments.configuration import CleanConfig, config_clean, deep_merge
from deltacrown.apps.tournaments.data import (
    TOURNAMENT_CREATED,
    TOURNAMENT_DELETED,
    TOURNAMENT_INVITE_ROTATED,
    TOURNAMENT_STAFF_ADDED,
    TOURNAMENT_STAFF_REMOVED,
    TOURNAMENT_UPDATED,
    Actor,
    StaffRole,
    TournamentStatus,
    Visibility,
)
from deltacrown.apps.tournaments.models import Tournament, TournamentStaff
from deltacrown.apps.tournaments.services.common import (
    actor_id,
    lock_tournament,
    new_invite_token,
    record,
    require_organizer,
    require_owner,
    require_visible,
    tournament_config,
)
from deltacrown.apps.tournaments.services.fields import fields_store
from deltacrown.kernel import clock, permissions
from deltacrown.kernel.errors import ValidationFailed, field_error

logger = logging.getLogger("deltacrown.tournaments")

S = TournamentStatus
SLUG_MAX_BASE = 100
STAFF_FLAGS = ("official", "featured")

#: Settings an organizer can change (API names; schedule fields are dotted).
ALL_SETTINGS: frozenset[str] = frozenset(s for s in SETTING_OF.values() if s is not None)
_AFTER_OPENING = ALL_SETTINGS - {
    "game",
    "participant_kind",
    "team_size",
    "entry_fee",
    "schedule.registration_opens_at",
}
_AFTER_CLOSING = _AFTER_OPENING - {"schedule.registration_closes_at"}
_DURING_CHECK_IN = _AFTER_CLOSING - {"schedule.check_in_opens_before", "capacity"}
#: What can still change in each state.
EDITABLE: dict[TournamentStatus, frozenset[str]] = {
    S.DRAFT: ALL_SETTINGS,
    S.PUBLISHED: ALL_SETTINGS,
    S.REGISTRATION_OPEN: _AFTER_OPENING,
    S.REGISTRATION_CLOSED: _AFTER_CLOSING,
    S.CHECK_IN: _DURING_CHECK_IN,
    S.LIVE: frozenset({"name", "description", "rules", "visibility"}),
    S.COMPLETED: frozenset({"description", "rules"}),
    S.CANCELLED: frozenset({"description", "rules"}),
}
#: States in which confirmed registrations may exist: capacity may grow but never shrink.
_CAPACITY_ONLY_GROWS = frozenset({S.REGISTRATION_OPEN, S.REGISTRATION_CLOSED})
#: Request keys an edit may carry (registration fields have their own service).
EDIT_KEYS = frozenset(
    {
        "game",
        "name",
        "description",
        "rules",
        "region",
        "capacity",
        "participant_kind",
        "team_size",
        "stage_plan",
        "entry_fee",
        "prize",
        "schedule",
        "visibility",
        "waitlist_promotion_on_close",
        *STAFF_FLAGS,
    }
)
_FUTURE_CHECKED = ("registration_closes_at", "starts_at")


def tournament_create(
    *,
    actor: Actor,
    config: Mapping[str, Any],
    official: bool = False,
    featured: bool = False,
    template_id: int | None = None,
) -> Tournament:
    """Create a draft tournament owned by ``actor`` from a configuration object.

    422 lists every invalid field; 403 ``admin_required`` when a non-staff user sets
    ``official`` or ``featured``. The slug is generated from the name and kept for life.
    """
    owner_id = actor_id(actor)
    if official or featured:
        permissions.require_platform_admin(actor)
    now = clock.now()
    clean = config_clean(config, now=now, future_fields=_FUTURE_CHECKED)
    with transaction.atomic():
        tournament = Tournament(
            **clean.row_values(),
            organizer_id=owner_id,
            status=S.DRAFT,
            official=official,
            featured=featured,
            invite_token=new_invite_token() if clean.visibility == Visibility.PRIVATE else "",
            created_at=now,
            updated_at=now,
        )
        _save_with_unique_slug(tournament)
        fields_store(tournament, clean.registration_fields)
        data: dict[str, Any] = {"game_id": tournament.game_id, "organizer_id": owner_id}
        if template_id is not None:
            data["template_id"] = template_id
        record(tournament, TOURNAMENT_CREATED, data, actor=owner_id)
    logger.info("tournament created", extra={"tournament_id": tournament.pk, "user_id": owner_id})
    return tournament


def _save_with_unique_slug(tournament: Tournament) -> None:
    base = slugify(tournament.name)[:SLUG_MAX_BASE].strip("-") or "tournament"
    taken = set(Tournament.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    candidate = base
    number = 2
    while candidate in taken:
        candidate = f"{base}-{number}"
        number += 1
    for attempt in range(3):
        tournament.slug = candidate
        try:
            with transaction.atomic():
                tournament.save()
            return
        except IntegrityError:
            # Another tournament took the slug between the read and the insert.
            if attempt == 2 or not Tournament.objects.filter(slug=candidate).exists():
                raise
            candidate = f"{base}-{secrets.token_hex(3)}"


def tournament_update(
    *, actor: Actor, tournament_id: int, changes: Mapping[str, Any]
) -> Tournament:
    """Change settings of a tournament; absent keys stay, objects merge key by key.

    Organizers edit settings (moderators get 403, strangers 404 for tournaments they cannot
    see); ``official`` and ``featured`` are for platform staff only. 409
    ``tournament_field_locked`` names settings the current state no longer allows changing;
    changed registration-close and start times must lie in the future.
    """
    unknown = sorted(set(changes) - EDIT_KEYS)
    if unknown:
        raise ValidationFailed(
            errors=[
                field_error(key, "unknown_field", "Not an editable setting.") for key in unknown
            ]
        )
    who = actor_id(actor)
    flags = {name: changes[name] for name in STAFF_FLAGS if name in changes}
    settings_patch = {k: v for k, v in changes.items() if k not in STAFF_FLAGS}
    now = clock.now()
    with transaction.atomic():
        tournament = lock_tournament(tournament_id)
        if settings_patch or not flags:
            require_organizer(tournament, actor)
        if flags:
            require_visible(tournament, actor)
            permissions.require_platform_admin(actor)
        changed = _apply_settings(tournament, settings_patch, now) if settings_patch else set()
        for name, value in flags.items():
            if getattr(tournament, name) != bool(value):
                setattr(tournament, name, bool(value))
                changed.add(name)
        if not changed:
            return tournament
        tournament.updated_at = now
        tournament.save()
        record(tournament, TOURNAMENT_UPDATED, {"fields": sorted(changed)}, actor=who)
    return tournament


def _apply_settings(tournament: Tournament, patch: Mapping[str, Any], now: Any) -> set[str]:
    current = tournament_config(tournament)
    if ("participant_kind" in patch or "game" in patch) and "team_size" not in patch:
        current["team_size"] = None  # the default follows the new game or kind
    merged = deep_merge(current, patch)
    merged["registration_fields"] = []  # edited through registration_fields_set only
    clean = config_clean(
        merged, now=now, future_fields=(), allow_inactive_game_id=tournament.game_id
    )
    new_values = clean.row_values()
    changed_fields = {
        name for name, value in new_values.items() if getattr(tournament, name) != value
    }
    changed = {SETTING_OF[name] for name in changed_fields if SETTING_OF[name] is not None}
    _check_editable(tournament, changed, clean)
    future = [
        field_error(f"schedule.{name}", "in_past", "Must be in the future.")
        for name in _FUTURE_CHECKED
        if name in changed_fields and new_values[name] <= now
    ]
    if future:
        raise ValidationFailed("The new schedule lies in the past.", errors=future)
    for name in changed_fields:
        setattr(tournament, name, new_values[name])
    if "visibility" in changed:
        tournament.invite_token = (
            new_invite_token() if tournament.visibility == Visibility.PRIVATE else ""
        )
    return changed  # type: ignore[return-value]


def _check_editable(tournament: Tournament, changed: set[str], clean: CleanConfig) -> None:
    status = TournamentStatus(tournament.status)
    locked = sorted(changed - EDITABLE[status])
    if status in _CAPACITY_ONLY_GROWS and clean.capacity < tournament.capacity:
        locked = sorted({*locked, "capacity"})
    if locked:
        raise errors.TournamentFieldLocked(
            f"These settings can no longer change while the tournament is {status.value}.",
            fields=locked,
            state=status.value,
        )


def tournament_delete(*, actor: Actor, tournament_id: int) -> None:
    """Soft-delete a tournament that has not gone live (owner or platform admin only).

    409 ``tournament_not_deletable`` once it has gone live or completed.
    """
    who = actor_id(actor)
    now = clock.now()
    with transaction.atomic():
        tournament = lock_tournament(tournament_id)
        require_owner(tournament, actor)
        if tournament.live_at is not None or tournament.status in (S.LIVE, S.COMPLETED):
            raise errors.TournamentNotDeletable(
                "A tournament that has gone live cannot be deleted; it can be cancelled."
            )
        tournament.deleted_at = now
        tournament.updated_at = now
        tournament.save(update_fields=["deleted_at", "updated_at"])
        record(tournament, TOURNAMENT_DELETED, {"status": tournament.status}, actor=who)


def tournament_invite_rotate(*, actor: Actor, tournament_id: int) -> str:
    """Replace a private tournament's invite token (old links stop working); returns it.

    409 ``invite_not_private`` for tournaments that are not private.
    """
    who = actor_id(actor)
    with transaction.atomic():
        tournament = lock_tournament(tournament_id)
        require_organizer(tournament, actor)
        if tournament.visibility != Visibility.PRIVATE:
            raise errors.InviteNotPrivate("Only private tournaments have an invite link.")
        tournament.invite_token = new_invite_token()
        tournament.updated_at = clock.now()
        tournament.save(update_fields=["invite_token", "updated_at"])
        record(tournament, TOURNAMENT_INVITE_ROTATED, actor=who)
    return tournament.invite_token


def tournament_staff_add(
    *, actor: Actor, tournament_id: int, user_id: int, role: StaffRole | str
) -> TournamentStaff:
    """Make ``user_id`` a co-organizer or moderator (owner or platform admin only).

    Giving a staff member another role changes it; giving the same role again changes
    nothing. 404 ``user_not_found`` for unknown users; 409 ``staff_is_owner`` for the owner.
    """
    try:
        role = StaffRole(role)
    except ValueError:
        raise ValidationFailed(
            errors=[field_error("role", "invalid_choice", "Use co_organizer or moderator.")]
        ) from None
    who = actor_id(actor)
    with transaction.atomic():
        tournament = lock_tournament(tournament_id)
        require_owner(tournament, actor)
        accounts.user_get(user_id)  # 404 user_not_found
        if user_id == tournament.organizer_id:
            raise errors.StaffIsOwner("The owner already organizes this tournament.")
        member = TournamentStaff.objects.filter(tournament=tournament, user_id=user_id).first()
        if member is not None and member.role == role:
            return member
        if member is None:
            member = TournamentStaff(
                tournament=tournament, user_id=user_id, role=role, added_at=clock.now()
            )
        member.role = role
        member.save()
        record(
            tournament,
            TOURNAMENT_STAFF_ADDED,
            {"user_id": user_id, "role": role.value},
            actor=who,
        )
    return member


def tournament_staff_remove(*, actor: Actor, tournament_id: int, user_id: int) -> None:
    """Take a co-organizer or moderator off the tournament (the owner, an admin, or the
    member themselves); 404 ``staff_member_not_found`` if they are not staff."""
    who = actor_id(actor)
    with transaction.atomic():
        tournament = lock_tournament(tournament_id)
        if who == user_id:
            require_visible(tournament, actor)
        else:
            require_owner(tournament, actor)
        member = TournamentStaff.objects.filter(tournament=tournament, user_id=user_id).first()
        if member is None:
            raise errors.StaffMemberNotFound("This user is not on the tournament's staff.")
        role = member.role
        member.delete()
        record(tournament, TOURNAMENT_STAFF_REMOVED, {"user_id": user_id, "role": role}, actor=who)
