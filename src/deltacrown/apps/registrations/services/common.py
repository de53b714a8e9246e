"""Registrations app, services layer: what every registration write shares.

**Locking.** Every write that touches a tournament's registrations first locks that tournament's
ledger row (``ledger_lock``), then the rows it changes. So all capacity decisions, waitlist
promotions, check-ins and payment reviews of one tournament queue up behind one lock, in the
order the database grants it, while other tournaments proceed. The lock is always the first one
taken, and the event stream's head (``kernel.events``) always the last, so no two writers wait
for each other in opposite order.

Also here: the windows (registration, check-in), entering and releasing players, promoting the
waitlist into free places, and audit and events with ids only.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction

from deltacrown.apps.registrations import errors, selectors
from deltacrown.apps.registrations.data import (
    REGISTRATION_OBJECT_TYPE,
    REGISTRATION_PROMOTED,
    SLOT_HOLDING_STATES,
    PaymentState,
    RegistrationState,
    tournament_stream,
)
from deltacrown.apps.registrations.models import Entry, Registration, TournamentLedger
from deltacrown.apps.tournaments.data import Actor, TournamentRef, TournamentStatus
from deltacrown.kernel import audit, events, permissions
from deltacrown.kernel.errors import PermissionDenied

logger = logging.getLogger("deltacrown.registrations")

S = RegistrationState
T = TournamentStatus

#: Tournament states in which a freed place goes to the head of the waitlist.
PROMOTING_STATUSES: frozenset[TournamentStatus] = frozenset(
    {T.REGISTRATION_OPEN, T.REGISTRATION_CLOSED, T.CHECK_IN}
)
_HOLDING = [state.value for state in SLOT_HOLDING_STATES]


def actor_id(actor: Actor) -> int:
    """The acting user's id (401 for anonymous callers)."""
    permissions.require_authenticated(actor)
    if actor.id is None:
        raise ValueError("an authenticated actor without an id")
    return int(actor.id)


def ledger_lock(tournament_id: int) -> TournamentLedger:
    """The tournament's ledger row, created if needed, locked until the transaction ends.

    Must run inside ``transaction.atomic()`` and be the first lock the transaction takes.
    """
    locked = TournamentLedger.objects.select_for_update()
    ledger = locked.filter(tournament_id=tournament_id).first()
    if ledger is None:
        # INSERT ... ON CONFLICT DO NOTHING: a concurrent creator makes this wait and skip, so
        # exactly one row exists and the locked read below queues behind whoever holds it.
        TournamentLedger.objects.bulk_create(
            [TournamentLedger(tournament_id=tournament_id)], ignore_conflicts=True
        )
        ledger = locked.get(tournament_id=tournament_id)
    return ledger


def registration_lock(registration_id: int) -> Registration:
    """The registration row, locked (after the ledger); 404 ``registration_not_found``."""
    registration = Registration.objects.select_for_update().filter(pk=registration_id).first()
    if registration is None:
        raise errors.RegistrationNotFound("No such registration.")
    return registration


def require_visible(relation: selectors.Relation) -> None:
    """404 unless the caller may know that the registration exists."""
    if not relation.visible:
        raise errors.RegistrationNotFound("No such registration.")


def require_owner(relation: selectors.Relation) -> None:
    """404 for strangers, 403 for those who see the registration but may not act for it."""
    require_visible(relation)
    if not relation.owner:
        raise errors.CaptainRequired(
            "Only the registrant (for a team, its captain) can do this.", role="captain"
        )


def require_organizer(relation: selectors.Relation) -> None:
    """404 for strangers, 403 ``role_required`` for those who see it but do not organize."""
    require_visible(relation)
    if not relation.organizer:
        raise PermissionDenied(
            "This action needs the organizer role on this tournament.",
            code="role_required",
            role="organizer",
        )


def require_active(registration: Registration) -> None:
    """409 ``registration_not_active`` for cancelled and dropped registrations."""
    if registration.state in (S.CANCELLED, S.DROPPED):
        raise errors.RegistrationNotActive(
            f"This registration is {registration.state}.", state=registration.state
        )


# --- windows ----------------------------------------------------------------------------------


def registration_open(tournament: TournamentRef, now: datetime) -> bool:
    """Whether the tournament takes registrations at ``now``: its status is
    ``registration_open`` and ``now`` lies between the opening and closing times."""
    return (
        tournament.status is T.REGISTRATION_OPEN
        and tournament.registration_opens_at <= now < tournament.registration_closes_at
    )


def require_registration_open(tournament: TournamentRef, now: datetime) -> None:
    """409 ``registration_not_open`` (with the status and the window) unless it is open."""
    if not registration_open(tournament, now):
        raise errors.RegistrationNotOpen(
            "This tournament does not take registrations now.",
            tournament_status=tournament.status.value,
            opens_at=tournament.registration_opens_at.isoformat(),
            closes_at=tournament.registration_closes_at.isoformat(),
        )


def started(tournament: TournamentRef, now: datetime) -> bool:
    """Whether the tournament has started (live, completed, or past its start time)."""
    return tournament.status in (T.LIVE, T.COMPLETED) or now >= tournament.starts_at


def require_check_in_open(
    tournament: TournamentRef, ledger: TournamentLedger, now: datetime, *, by_organizer: bool
) -> None:
    """409 unless check-in is open for this caller.

    Players check in while the tournament is in ``check_in`` from ``check_in_opens_at`` until
    ``starts_at``. Organizers may act as soon as the tournament is in ``check_in`` and until
    check-in has actually been closed (the close runs when the tournament goes live).
    """
    closed = (
        ledger.check_in_closed_at is not None
        or tournament.status in (T.LIVE, T.COMPLETED, T.CANCELLED)
        or (not by_organizer and now >= tournament.starts_at)
    )
    if closed:
        raise errors.CheckInClosed(
            "Check-in has closed.", closed_at=tournament.starts_at.isoformat()
        )
    not_yet = tournament.status is not T.CHECK_IN or (
        not by_organizer and now < tournament.check_in_opens_at
    )
    if not_yet:
        raise errors.CheckInNotOpen(
            "Check-in has not opened yet.", opens_at=tournament.check_in_opens_at.isoformat()
        )


# --- entering players -------------------------------------------------------------------------


def require_not_entered(
    tournament_id: int,
    player_ids: Mapping[int, str],
    *,
    registration_id: int | None = None,
) -> None:
    """409 when a player, or an in-game id, is already entered in another active registration
    of the tournament. Exact under the ledger lock; the unique constraints back it up."""
    others = Entry.objects.filter(tournament_id=tournament_id, released_at__isnull=True)
    if registration_id is not None:
        others = others.exclude(registration_id=registration_id)
    taken_users = sorted(
        others.filter(user_id__in=list(player_ids)).values_list("user_id", flat=True)
    )
    if taken_users:
        raise errors.AlreadyRegistered(
            "A player is already registered in this tournament.", user_ids=taken_users
        )
    taken_ids = set(
        others.filter(game_player_id__in=list(player_ids.values())).values_list(
            "game_player_id", flat=True
        )
    )
    if taken_ids:
        raise errors.PlayerIdAlreadyRegistered(
            "An in-game id is already registered in this tournament by another player.",
            user_ids=sorted(uid for uid, gid in player_ids.items() if gid in taken_ids),
        )


def enter_players(registration: Registration, player_ids: Mapping[int, str]) -> None:
    """Create the entries of ``registration`` for ``{user_id: in-game id}``.

    The unique constraints are the last word: a concurrent writer that slipped past the checks
    (none should, under the ledger lock) is refused here with the same 409 as the check.
    """
    rows = [
        Entry(
            registration=registration,
            tournament_id=registration.tournament_id,
            user_id=user_id,
            game_player_id=game_player_id,
        )
        for user_id, game_player_id in player_ids.items()
    ]
    try:
        with transaction.atomic():
            Entry.objects.bulk_create(rows)
    except IntegrityError:
        require_not_entered(registration.tournament_id, player_ids, registration_id=registration.pk)
        raise


def release_players(registration: Registration, now: datetime) -> None:
    """Free the players of ``registration`` to register again (cancelled, dropped)."""
    registration.entries.filter(released_at__isnull=True).update(released_at=now)


def sync_players(registration: Registration, player_ids: Mapping[int, str], now: datetime) -> None:
    """Make the active entries of ``registration`` exactly ``player_ids`` (a team's roster as it
    checks in): leavers are released, newcomers entered, changed in-game ids updated."""
    require_not_entered(registration.tournament_id, player_ids, registration_id=registration.pk)
    current = {e.user_id: e for e in registration.entries.filter(released_at__isnull=True)}
    gone = [uid for uid in current if uid not in player_ids]
    changed = [
        e for uid, e in current.items() if uid in player_ids and e.game_player_id != player_ids[uid]
    ]
    if gone:
        registration.entries.filter(user_id__in=gone, released_at__isnull=True).update(
            released_at=now
        )
    for entry in changed:
        entry.game_player_id = player_ids[entry.user_id]
        entry.save(update_fields=["game_player_id"])
    newcomers = {uid: gid for uid, gid in player_ids.items() if uid not in current}
    if newcomers:
        enter_players(registration, newcomers)


# --- places and the waitlist ------------------------------------------------------------------


def slot_holders(tournament_id: int) -> int:
    """Registrations holding a place (exact under the ledger lock)."""
    return Registration.objects.filter(tournament_id=tournament_id, state__in=_HOLDING).count()


def fill_places(
    ledger: TournamentLedger,
    tournament: TournamentRef,
    now: datetime,
    *,
    at_close: bool = False,
) -> list[Registration]:
    """Promote the head of the waitlist into the tournament's free places, in arrival order.

    The caller holds ``ledger``'s lock. Nothing moves once check-in has closed or when the
    tournament is not taking participants any more (live, completed, cancelled), except at the
    close itself (``at_close``). A promoted registration is confirmed when entry is free or its
    payment is already verified, and otherwise waits for payment (``pending_payment``). At the
    close, only registrations that could play at once are promoted (payment verified, for
    tournaments with a fee) and they count as checked in: there is no check-in left for them.
    """
    if not at_close and (
        ledger.check_in_closed_at is not None or tournament.status not in PROMOTING_STATUSES
    ):
        return []
    free = tournament.capacity - slot_holders(tournament.id)
    if free <= 0:
        return []
    waiting = (
        Registration.objects.select_for_update(of=("self",))
        .filter(tournament_id=tournament.id, state=S.WAITLISTED.value)
        .select_related("payment")
        .order_by("arrival")
    )
    if at_close and tournament.has_entry_fee:
        waiting = waiting.filter(payment__state=PaymentState.VERIFIED.value)
    promoted = list(waiting[:free])
    for registration in promoted:
        payment = getattr(registration, "payment", None)
        paid = payment is None or payment.state == PaymentState.VERIFIED
        registration.state = S.CONFIRMED if paid else S.PENDING_PAYMENT
        registration.promoted_at = now
        registration.updated_at = now
        fields = ["state", "promoted_at", "updated_at"]
        if paid:
            registration.confirmed_at = now
            fields.append("confirmed_at")
        if at_close:
            registration.checked_in_at = now
            fields.append("checked_in_at")
        registration.save(update_fields=fields)
        publish(
            registration,
            REGISTRATION_PROMOTED,
            {"state": registration.state, "at_close": at_close},
        )
    return promoted


# --- audit and events -------------------------------------------------------------------------


def publish(registration: Registration, name: str, data: dict[str, Any] | None = None) -> None:
    """Publish ``name`` about ``registration`` on its tournament's stream (ids and states)."""
    payload = {
        "tournament_id": registration.tournament_id,
        "registration_id": registration.pk,
        **(data or {}),
    }
    events.publish(tournament_stream(registration.tournament_id), name, payload)


def audit_registration(
    registration: Registration, action: str, actor: int, data: dict[str, Any] | None = None
) -> None:
    """Audit a privileged action (an organizer's) on ``registration``."""
    audit.record(
        action=action,
        target_type=REGISTRATION_OBJECT_TYPE,
        target_id=registration.pk,
        data={"tournament_id": registration.tournament_id, **(data or {})},
        actor_id=actor,
    )


def ordered(ids: Sequence[int]) -> list[int]:
    """``ids`` without repeats, first occurrence kept."""
    return list(dict.fromkeys(int(i) for i in ids))
