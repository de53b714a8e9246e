"""Registrations app, services layer: check-in, its undo, organizer bulk check-in and the close.

Check-in opens at the tournament's ``check_in_opens_at`` (status ``check_in``) and closes at
``starts_at``. Checking in twice, or undoing a check-in that is not there, is not an error: the
registration is returned as it is and nothing is published. A team checks in with the roster it
has at that moment (validated again: size, in-game ids, no player in two registrations), which
the roster lock then freezes.

Closing check-in (when the tournament goes live, from the ``tournament.live`` event and from a
periodic task, whichever comes first) drops every place holder that did not check in and, if
the organizer asked for it, promotes the waitlist into the freed places. It runs once per
tournament: the ledger remembers when it ran.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Q

from deltacrown.apps.games import api as games
from deltacrown.apps.registrations import errors, selectors
from deltacrown.apps.registrations.data import (
    BULK_CHECK_IN_MAX,
    CHECK_IN_UNDO_WINDOW,
    CHECKIN_CHECKED_IN,
    CHECKIN_CLOSED,
    CHECKIN_UNDONE,
    REGISTRATION_DROPPED,
    SLOT_HOLDING_STATES,
    CheckInClosure,
    ParticipantKind,
    RegistrationState,
    tournament_stream,
)
from deltacrown.apps.registrations.models import Registration, TournamentLedger
from deltacrown.apps.registrations.services.common import (
    actor_id,
    fill_places,
    ledger_lock,
    ordered,
    publish,
    registration_lock,
    release_players,
    require_check_in_open,
    require_owner,
    sync_players,
)
from deltacrown.apps.registrations.services.registrations import (
    game_player_ids,
    require_team_size,
)
from deltacrown.apps.teams import api as teams
from deltacrown.apps.tournaments import api as tournaments
from deltacrown.apps.tournaments.data import Actor, TournamentRef, TournamentStatus
from deltacrown.kernel import audit, clock, events, gates, permissions
from deltacrown.kernel.errors import DomainError, ValidationFailed, field_error
from deltacrown.kernel.permissions import Role

logger = logging.getLogger("deltacrown.registrations")

S = RegistrationState
T = TournamentStatus
CLOSE_BATCH = 200
_HOLDING = [state.value for state in SLOT_HOLDING_STATES]


def _require_confirmed(registration: Registration) -> None:
    if registration.state in (S.CANCELLED, S.DROPPED):
        raise errors.RegistrationNotActive(
            f"This registration is {registration.state}.", state=registration.state
        )
    if registration.state != S.CONFIRMED:
        raise errors.RegistrationNotConfirmed(
            "Only confirmed registrations can check in.", state=registration.state
        )


def _refresh_roster(registration: Registration, tournament: TournamentRef, now: datetime) -> None:
    """Enter the team's roster as it is now (a team checks in with the players it has)."""
    if registration.kind != ParticipantKind.TEAM:
        return
    member_ids = teams.member_ids(registration.team_id)
    game = games.game_get(tournament.game_id)
    require_team_size(tournament, game, len(member_ids))
    sync_players(registration, game_player_ids(game, member_ids), now)


def _check_in_locked(
    registration: Registration,
    tournament: TournamentRef,
    now: datetime,
    *,
    by_user_id: int,
    by_organizer: bool,
) -> bool:
    """Check in ``registration`` (locked, confirmed); False if it already was."""
    if registration.checked_in_at is not None:
        return False
    _refresh_roster(registration, tournament, now)
    registration.checked_in_at = now
    registration.checked_in_by_id = by_user_id
    registration.updated_at = now
    registration.save(update_fields=["checked_in_at", "checked_in_by", "updated_at"])
    publish(registration, CHECKIN_CHECKED_IN, {"by_organizer": by_organizer})
    return True


def checkin_check_in(*, actor: Actor, registration_id: int) -> Registration:
    """Check a registration in: the registrant (a team's captain) while check-in is open, or an
    organizer from the moment the tournament is in ``check_in`` until check-in is closed.

    409 ``check_in_not_open`` / ``check_in_closed`` outside the window,
    ``registration_not_confirmed`` for registrations without a place or with an unverified
    fee, ``registration_not_active`` for cancelled and dropped ones. Idempotent.
    """
    who = actor_id(actor)
    tournament_id = selectors.tournament_id_of(registration_id=registration_id)
    with transaction.atomic():
        ledger = ledger_lock(tournament_id)
        registration = registration_lock(registration_id)
        relation = selectors.relation(registration, actor)
        by_organizer = relation.organizer
        if not by_organizer:
            require_owner(relation)
        tournament = tournaments.tournament_get(tournament_id)
        now = clock.now()
        require_check_in_open(tournament, ledger, now, by_organizer=by_organizer)
        _require_confirmed(registration)
        if registration.checked_in_at is None and not by_organizer:
            gates.require(who, gates.Action.CHECKIN, tournament_id=tournament_id)
        changed = _check_in_locked(
            registration, tournament, now, by_user_id=who, by_organizer=by_organizer
        )
        if changed and by_organizer and not relation.owner:
            audit.record(
                action=CHECKIN_CHECKED_IN,
                target_type="registration",
                target_id=registration.pk,
                data={"tournament_id": tournament_id},
                actor_id=who,
            )
    return registration


def checkin_undo(*, actor: Actor, registration_id: int) -> Registration:
    """Take a check-in back: the registrant (a team's captain) within 15 minutes of it and
    before check-in closes (409 ``check_in_undo_expired`` after that), an organizer at any time
    until check-in is closed. Idempotent."""
    who = actor_id(actor)
    tournament_id = selectors.tournament_id_of(registration_id=registration_id)
    with transaction.atomic():
        ledger = ledger_lock(tournament_id)
        registration = registration_lock(registration_id)
        relation = selectors.relation(registration, actor)
        by_organizer = relation.organizer
        if not by_organizer:
            require_owner(relation)
        tournament = tournaments.tournament_get(tournament_id)
        now = clock.now()
        require_check_in_open(tournament, ledger, now, by_organizer=by_organizer)
        if registration.checked_in_at is None:
            return registration
        if not by_organizer and now - registration.checked_in_at > CHECK_IN_UNDO_WINDOW:
            raise errors.CheckInUndoExpired(
                "A check-in can only be undone within 15 minutes; ask an organizer."
            )
        registration.checked_in_at = None
        registration.checked_in_by = None
        registration.updated_at = now
        registration.save(update_fields=["checked_in_at", "checked_in_by", "updated_at"])
        publish(registration, CHECKIN_UNDONE, {"by_organizer": by_organizer})
        if by_organizer and not relation.owner:
            audit.record(
                action=CHECKIN_UNDONE,
                target_type="registration",
                target_id=registration.pk,
                data={"tournament_id": tournament_id},
                actor_id=who,
            )
    return registration


@dataclass(frozen=True)
class BulkCheckIn:
    """What a bulk check-in did: ids newly checked in, and ids that already were."""

    checked_in: list[int]
    already_checked_in: list[int]


def checkin_bulk(
    *, actor: Actor, tournament_id: int, registration_ids: Sequence[int]
) -> BulkCheckIn:
    """Check in up to 200 registrations of a tournament at once (organizers).

    All or nothing: 422 ``validation_failed`` naming ``registration_ids.<index>`` when an id is
    not a registration of this tournament (``not_found``) or cannot check in
    (``not_confirmed``); more than 200 ids is 422 too. Already checked-in ones are reported,
    not refused.
    """
    who = actor_id(actor)
    tournaments.tournament_get_for(actor, tournament_id)
    permissions.require_role(actor, Role.ORGANIZER, "tournament", tournament_id)
    if len(registration_ids) > BULK_CHECK_IN_MAX:
        raise ValidationFailed(
            errors=[
                field_error(
                    "registration_ids",
                    "too_many",
                    f"At most {BULK_CHECK_IN_MAX} registrations per call.",
                )
            ]
        )
    ids = ordered(registration_ids)
    with transaction.atomic():
        ledger = ledger_lock(tournament_id)
        tournament = tournaments.tournament_get(tournament_id)
        now = clock.now()
        require_check_in_open(tournament, ledger, now, by_organizer=True)
        found = {
            r.pk: r
            for r in Registration.objects.select_for_update()
            .filter(tournament_id=tournament_id, pk__in=ids)
            .order_by("pk")
        }
        problems = []
        for index, registration_id in enumerate(ids):
            registration = found.get(registration_id)
            if registration is None:
                problems.append(
                    field_error(
                        f"registration_ids.{index}",
                        "not_found",
                        "Not a registration of this tournament.",
                    )
                )
            elif registration.state != S.CONFIRMED:
                problems.append(
                    field_error(
                        f"registration_ids.{index}",
                        "not_confirmed",
                        f"This registration is {registration.state}.",
                    )
                )
        if problems:
            raise ValidationFailed(
                "Some registrations cannot be checked in; nothing was changed.", errors=problems
            )
        done: list[int] = []
        already: list[int] = []
        for registration in sorted(found.values(), key=lambda r: r.arrival):
            try:
                changed = _check_in_locked(
                    registration, tournament, now, by_user_id=who, by_organizer=True
                )
            except DomainError as exc:
                exc.data.setdefault("registration_id", registration.pk)
                raise
            (done if changed else already).append(registration.pk)
        if done:
            audit.record(
                action="checkin.bulk",
                target_type="tournament",
                target_id=tournament_id,
                data={"tournament_id": tournament_id, "registration_ids": done},
                actor_id=who,
            )
    return BulkCheckIn(checked_in=done, already_checked_in=already)


# --- closing ----------------------------------------------------------------------------------


def _close_due(tournament: TournamentRef, now: datetime) -> bool:
    """Whether check-in should be closed: the tournament is live (or beyond), or it is still
    checking in past its start time (the clock has not moved it yet)."""
    if tournament.status in (T.LIVE, T.COMPLETED):
        return True
    return tournament.status is T.CHECK_IN and now >= tournament.starts_at


def checkin_close(*, tournament_id: int, now: datetime | None = None) -> CheckInClosure | None:
    """Close check-in of a tournament that is due (see ``_close_due``); None if it is not due.

    Drops every registration holding a place that did not check in (a fee registration whose
    payment was never verified cannot check in, so it is dropped too), publishing
    ``registration.dropped`` for each; then, with ``waitlist_promotion_on_close``, promotes
    waitlisted registrations into the freed places in arrival order, checked in (for
    tournaments with a fee, only those whose payment is verified). Publishes
    ``checkin.closed``. Runs once: later calls return ``already_closed``.
    """
    now = now or clock.now()
    with transaction.atomic():
        tournament = tournaments.tournament_get(tournament_id)
        ledger = ledger_lock(tournament_id)
        if ledger.check_in_closed_at is not None:
            return CheckInClosure(
                tournament_id=tournament_id,
                checked_in=0,
                dropped=0,
                promoted=0,
                already_closed=True,
            )
        if not _close_due(tournament, now):
            return None
        no_shows = (
            Registration.objects.select_for_update()
            .filter(tournament_id=tournament_id, state__in=_HOLDING)
            .filter(Q(state=S.PENDING_PAYMENT.value) | Q(checked_in_at__isnull=True))
            .order_by("arrival")
        )
        dropped = 0
        for registration in no_shows:
            previous = registration.state
            registration.state = S.DROPPED
            registration.dropped_at = now
            registration.updated_at = now
            registration.save(update_fields=["state", "dropped_at", "updated_at"])
            release_players(registration, now)
            publish(registration, REGISTRATION_DROPPED, {"previous_state": previous})
            dropped += 1
        promoted = []
        if tournament.waitlist_promotion_on_close:
            promoted = fill_places(ledger, tournament, now, at_close=True)
        ledger.check_in_closed_at = now
        ledger.save(update_fields=["check_in_closed_at"])
        checked_in = Registration.objects.filter(
            tournament_id=tournament_id, state=S.CONFIRMED.value, checked_in_at__isnull=False
        ).count()
        events.publish(
            tournament_stream(tournament_id),
            CHECKIN_CLOSED,
            {
                "tournament_id": tournament_id,
                "checked_in": checked_in,
                "dropped": dropped,
                "promoted": len(promoted),
            },
        )
    logger.info(
        "check-in closed",
        extra={
            "tournament_id": tournament_id,
            "checked_in": checked_in,
            "dropped": dropped,
            "promoted": len(promoted),
        },
    )
    return CheckInClosure(
        tournament_id=tournament_id,
        checked_in=checked_in,
        dropped=dropped,
        promoted=len(promoted),
        already_closed=False,
    )


def checkin_close_due(*, now: datetime | None = None) -> int:
    """Close check-in of every tournament with registrations that is due; returns how many
    were closed. Tournaments that ended without going live (cancelled, deleted) are settled
    without dropping anyone, so they are not looked at again. Idempotent."""
    now = now or clock.now()
    closed = 0
    after = 0
    while True:
        ids = list(
            TournamentLedger.objects.filter(
                check_in_closed_at__isnull=True, tournament_id__gt=after
            )
            .order_by("tournament_id")
            .values_list("tournament_id", flat=True)[:CLOSE_BATCH]
        )
        if not ids:
            break
        after = ids[-1]
        refs = tournaments.tournament_refs(ids)
        for tournament_id in ids:
            tournament = refs.get(tournament_id)
            if tournament is None or tournament.status is T.CANCELLED:
                TournamentLedger.objects.filter(
                    tournament_id=tournament_id, check_in_closed_at__isnull=True
                ).update(check_in_closed_at=now)
                continue
            if not _close_due(tournament, now):
                continue
            try:
                result = checkin_close(tournament_id=tournament_id, now=now)
            except Exception:
                # One broken tournament must not stop the others from closing.
                logger.exception("closing check-in failed", extra={"tournament_id": tournament_id})
                continue
            if result is not None and not result.already_closed:
                closed += 1
    return closed
