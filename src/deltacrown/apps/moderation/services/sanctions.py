"""Moderation app, services layer: creating and revoking sanctions.

Staff sanction anyone, globally or in any tournament; a tournament's moderators and organizers
only within their tournaments. Each write runs in one transaction with its audit entry and its
event (on ``moderation:user:<id>``), and invalidates the user's cached sanctions now and when it
commits, so the gates see it at once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction

from deltacrown.apps.accounts import api as accounts
from deltacrown.apps.moderation import errors, sanction_cache, selectors
from deltacrown.apps.moderation.data import (
    SANCTION_CREATED,
    SANCTION_REVOKED,
    SANCTION_TARGET,
    ReasonCode,
    SanctionKind,
    user_stream,
)
from deltacrown.apps.moderation.models import Sanction
from deltacrown.apps.moderation.services import common
from deltacrown.apps.moderation.services.common import actor_id, aware, choice, key_reused, text
from deltacrown.apps.tournaments import api as tournaments
from deltacrown.kernel import audit, clock, events
from deltacrown.kernel.errors import ValidationFailed, field_error
from deltacrown.kernel.permissions import Role, require_platform_admin, require_role

NOTE_MAX_LENGTH = 2000
REVOKE_REASON_MAX_LENGTH = 500


def require_may_moderate(actor: Any, tournament_id: int | None) -> None:
    """Moderating platform-wide (global sanctions, reports without a tournament): staff only
    (403 ``admin_required``). A tournament: its moderators and organizers (404
    ``tournament_not_found`` for a tournament the actor may not see, 403 ``role_required``
    for one they see without the role)."""
    if tournament_id is None:
        require_platform_admin(actor)
        return
    tournaments.tournament_get_for(actor, tournament_id)
    require_role(actor, Role.MODERATOR, "tournament", tournament_id)


def _us(moment: datetime | None) -> int | None:
    return None if moment is None else clock.to_epoch_us(moment)


def sanction_create(
    *,
    actor: Any,
    user_id: int,
    kind: SanctionKind | str,
    reason_code: ReasonCode | str,
    tournament_id: int | None = None,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    note: str = "",
    report_id: int | None = None,
    idempotency_key: str | None = None,
) -> Sanction:
    """Sanction ``user_id``: a ``kind`` (ban, suspend, mute) for ``reason_code``, globally or
    in ``tournament_id``, from ``starts_at`` (now) until ``ends_at`` (open-ended when None).

    422 when ``ends_at`` is not after the start or is already past; 404 ``user_not_found``;
    404 ``report_not_found`` for a ``report_id`` the actor may not moderate. With an
    ``idempotency_key``, repeating the call returns the first sanction (422
    ``idempotency_key_reused`` when the key came with another user, kind, reason or scope).
    """
    who = actor_id(actor)
    kind = choice(SanctionKind, kind, "kind")
    reason = choice(ReasonCode, reason_code, "reason_code")
    key = common.idempotency_key(idempotency_key)
    if key is not None:
        earlier = Sanction.objects.filter(created_by_id=who, idempotency_key=key).first()
        if earlier is not None:
            return _replayed(earlier, user_id, kind, reason, tournament_id)
    require_may_moderate(actor, tournament_id)
    accounts.user_get(user_id)
    now = clock.now()
    starts = aware(starts_at) or now
    ends = aware(ends_at)
    if ends is not None and ends <= starts:
        raise ValidationFailed(
            errors=[field_error("ends_at", "before_start", "A sanction ends after it starts.")]
        )
    if ends is not None and ends <= now:
        raise ValidationFailed(
            errors=[field_error("ends_at", "in_the_past", "This sanction would be over already.")]
        )
    private_note = text(note, "note", NOTE_MAX_LENGTH, required=False)
    if report_id is not None:
        selectors.report_get_for(actor, report_id)

    with transaction.atomic():
        try:
            # A savepoint: a concurrent call with the same key loses on the unique constraint
            # without dooming the caller's transaction, and answers with the winner's row.
            with transaction.atomic():
                sanction = Sanction.objects.create(
                    user_id=user_id,
                    kind=kind.value,
                    tournament_id=tournament_id,
                    starts_at=starts,
                    ends_at=ends,
                    reason_code=reason.value,
                    note=private_note,
                    report_id=report_id,
                    created_by_id=who,
                    created_at=now,
                    idempotency_key=key,
                )
        except IntegrityError:
            earlier = (
                Sanction.objects.filter(created_by_id=who, idempotency_key=key).first()
                if key is not None
                else None
            )
            if earlier is None:
                raise
            return _replayed(earlier, user_id, kind, reason, tournament_id)
        data = {
            "sanction_id": sanction.pk,
            "user_id": user_id,
            "tournament_id": tournament_id,
            "kind": kind.value,
            "reason_code": reason.value,
            "starts_at_us": _us(starts),
            "ends_at_us": _us(ends),
            "report_id": report_id,
        }
        audit.record(
            action=SANCTION_CREATED,
            target_type=SANCTION_TARGET,
            target_id=sanction.pk,
            data=data,
            actor_id=who,
        )
        # Invalidated first: the event's subscribers (a live connection re-checking its gate
        # at once) run after this commit callback, against the new state.
        sanction_cache.invalidate_on_commit(user_id)
        events.publish(user_stream(user_id), SANCTION_CREATED, data)
    return sanction


def _replayed(
    earlier: Sanction,
    user_id: int,
    kind: SanctionKind,
    reason: ReasonCode,
    tournament_id: int | None,
) -> Sanction:
    same = (earlier.user_id, earlier.kind, earlier.reason_code, earlier.tournament_id) == (
        user_id,
        kind.value,
        reason.value,
        tournament_id,
    )
    if not same:
        raise key_reused()
    return earlier


def sanction_revoke(*, actor: Any, sanction_id: int, reason: str) -> Sanction:
    """Revoke a sanction with a reason: it stops blocking at once. Staff, or the moderators
    of its tournament; 404 ``sanction_not_found`` for anyone else; 409
    ``sanction_already_revoked``."""
    who = actor_id(actor)
    selectors.sanction_get_for(actor, sanction_id)
    why = text(reason, "reason", REVOKE_REASON_MAX_LENGTH, required=True)
    with transaction.atomic():
        sanction = Sanction.objects.select_for_update().get(pk=sanction_id)
        if sanction.revoked_at is not None:
            raise errors.SanctionAlreadyRevoked(
                "This sanction was revoked already.", revoked_at=sanction.revoked_at.isoformat()
            )
        sanction.revoked_at = clock.now()
        sanction.revoked_by_id = who
        sanction.revoke_reason = why
        sanction.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
        data = {
            "sanction_id": sanction.pk,
            "user_id": sanction.user_id,
            "tournament_id": sanction.tournament_id,
            "kind": sanction.kind,
        }
        audit.record(
            action=SANCTION_REVOKED,
            target_type=SANCTION_TARGET,
            target_id=sanction.pk,
            data=data,
            actor_id=who,
        )
        sanction_cache.invalidate_on_commit(sanction.user_id)
        events.publish(user_stream(sanction.user_id), SANCTION_REVOKED, data)
    return sanction
