"""Tournaments app, services layer: the lifecycle — transitions by organizers and by the clock.

draft → published → registration_open → registration_closed → check_in → live → completed, and
cancelled from any state before completed (``data.TRANSITIONS``). Every transition, whoever
makes it, is audited and published as ``tournament.<new state>`` with
``{"tournament_id", "from", "to", "scheduled"}`` on the stream ``tournament:<id>``; registrations
and competition react to ``tournament.check_in``, ``tournament.live`` and
``tournament.completed`` through these events.

The scheduler (a Huey task every minute) moves tournaments whose time has come with a
conditional UPDATE per tournament (``WHERE status = <from>``): concurrent runs, or a run racing
an organizer, move a tournament once and publish once; a second run finds nothing to do.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.db import transaction

from deltacrown.apps.tournaments import errors
from deltacrown.apps.tournaments.data import (
    SCHEDULED_TRANSITIONS,
    TOURNAMENT_STATUS_EVENTS,
    TRANSITIONS,
    Actor,
    TournamentStatus,
)
from deltacrown.apps.tournaments.models import Tournament
from deltacrown.apps.tournaments.services.common import (
    actor_id,
    lock_tournament,
    record,
    require_organizer,
)
from deltacrown.kernel import clock
from deltacrown.kernel.errors import ValidationFailed, field_error

logger = logging.getLogger("deltacrown.tournaments")

S = TournamentStatus
SCHEDULER_BATCH = 500

# The timestamp column each state stamps when a tournament enters it.
_STAMPS: dict[TournamentStatus, str] = {
    S.PUBLISHED: "published_at",
    S.LIVE: "live_at",
    S.COMPLETED: "completed_at",
    S.CANCELLED: "cancelled_at",
}


def allowed_transitions(status: TournamentStatus | str) -> list[str]:
    """The states a tournament in ``status`` may move to, sorted."""
    return sorted(s.value for s in TRANSITIONS[TournamentStatus(status)])


def tournament_transition(
    *, actor: Actor, tournament_id: int, to: TournamentStatus | str
) -> Tournament:
    """Move a tournament to state ``to`` (organizers and platform admins).

    409 ``invalid_transition`` (with ``allowed``) when the lifecycle does not lead there;
    409 ``tournament_schedule_passed`` when publishing a tournament whose start has passed.
    """
    try:
        target = TournamentStatus(to)
    except ValueError:
        raise ValidationFailed(
            errors=[field_error("to", "invalid_choice", "Not a tournament state.")]
        ) from None
    who = actor_id(actor)
    now = clock.now()
    with transaction.atomic():
        tournament = lock_tournament(tournament_id)
        require_organizer(tournament, actor)
        current = TournamentStatus(tournament.status)
        if target not in TRANSITIONS[current]:
            raise errors.InvalidTransition(
                f"A {current.value} tournament cannot move to {target.value}.",
                allowed=allowed_transitions(current),
                state=current.value,
            )
        if target is S.PUBLISHED and tournament.starts_at <= now:
            raise errors.SchedulePassed(
                "The start time has passed; move the schedule before publishing."
            )
        fields = ["status", "updated_at"]
        tournament.status = target
        tournament.updated_at = now
        stamp = _STAMPS.get(target)
        if stamp is not None:
            setattr(tournament, stamp, now)
            fields.append(stamp)
        tournament.save(update_fields=fields)
        _announce(tournament, current, target, scheduled=False, actor=who)
    logger.info(
        "tournament transition",
        extra={"tournament_id": tournament.pk, "from": current.value, "to": target.value},
    )
    return tournament


def tournament_complete(*, tournament_id: int, summary: dict[str, Any]) -> bool:
    """Move a live tournament to ``completed`` because its competition has finished.

    Called by the competition app (no actor: the system decides). ``summary`` (ids and numbers:
    placements, whether an organizer should review the result) is added to the
    ``tournament.completed`` event. Returns False, changing nothing, when the tournament is not
    live (already completed: running it again is harmless).
    """
    now = clock.now()
    with transaction.atomic():
        tournament = lock_tournament(tournament_id)
        current = TournamentStatus(tournament.status)
        if current is not S.LIVE:
            return False
        tournament.status = S.COMPLETED
        tournament.updated_at = now
        tournament.completed_at = now
        tournament.save(update_fields=["status", "updated_at", "completed_at"])
        record(
            tournament,
            TOURNAMENT_STATUS_EVENTS[S.COMPLETED],
            {"from": current.value, "to": S.COMPLETED.value, "scheduled": False, **summary},
            actor=None,
        )
    logger.info("tournament completed", extra={"tournament_id": tournament_id})
    return True


def _announce(
    tournament: Tournament,
    current: TournamentStatus,
    target: TournamentStatus,
    *,
    scheduled: bool,
    actor: int | None,
) -> None:
    record(
        tournament,
        TOURNAMENT_STATUS_EVENTS[target],
        {"from": current.value, "to": target.value, "scheduled": scheduled},
        actor=actor,
    )


def tournaments_advance_scheduled(*, now: datetime | None = None) -> int:
    """Make every transition whose time has come; returns how many tournaments moved.

    Steps run in lifecycle order, so a tournament that is late by several steps catches up
    in one run (publishing each step's event). Idempotent: running again at the same time
    moves nothing.
    """
    now = now or clock.now()
    moved = 0
    for current, target, due_field in SCHEDULED_TRANSITIONS:
        due: dict[str, Any] = {
            "status": current,
            "deleted_at__isnull": True,
            f"{due_field}__lte": now,
        }
        while True:
            ids = list(
                Tournament.objects.filter(**due)
                .order_by("pk")
                .values_list("pk", flat=True)[:SCHEDULER_BATCH]
            )
            if not ids:
                break
            for tournament_id in ids:
                moved += _advance_one(tournament_id, current, target, due, now)
    if moved:
        logger.info("scheduled tournament transitions", extra={"count": moved})
    return moved


def _advance_one(
    tournament_id: int,
    current: TournamentStatus,
    target: TournamentStatus,
    due: dict[str, Any],
    now: datetime,
) -> int:
    values: dict[str, Any] = {"status": target, "updated_at": now}
    stamp = _STAMPS.get(target)
    if stamp is not None:
        values[stamp] = now
    with transaction.atomic():
        # The conditional UPDATE is the decision: whoever changes the row first wins, every
        # other run (or a racing organizer) finds the status changed and does nothing.
        updated = Tournament.objects.filter(pk=tournament_id, **due).update(**values)
        if updated:
            tournament = Tournament.objects.get(pk=tournament_id)
            _announce(tournament, current, target, scheduled=True, actor=None)
    return updated
