"""Registrations app, data layer: the enums, value objects and event names other apps may use.

No Django import here: these types cross app boundaries (``api`` returns them) and are safe to
use in tasks, WebSocket consumers and the pure engine alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

#: The object type of registrations in the kernel's permission registry. Roles: ``captain``
#: (the registrant of a solo entry, the team's current captain), ``player`` (everyone entered,
#: and the captain), ``moderator`` and ``organizer`` (the tournament's staff).
REGISTRATION_OBJECT_TYPE = "registration"

#: How long after checking in a registrant (or captain) may still undo it themselves.
CHECK_IN_UNDO_WINDOW = timedelta(minutes=15)
#: The most registrations one organizer bulk check-in may name.
BULK_CHECK_IN_MAX = 200
#: The longest reason an organizer may give for cancelling, rejecting or refunding.
REASON_MAX_LENGTH = 500


class RegistrationState(StrEnum):
    """Where a registration stands.

    ``pending_payment``: entered a tournament with an entry fee and holds a place, but the
    payment is not verified yet. ``confirmed``: holds a place (free entry, or verified payment).
    ``waitlisted``: the tournament was full; waits in arrival order for a place.
    ``cancelled``: withdrawn by the registrant or removed by an organizer. ``dropped``: did not
    check in before check-in closed. Checking in is a timestamp on a confirmed registration.
    """

    PENDING_PAYMENT = "pending_payment"
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"
    DROPPED = "dropped"


#: States that take one of the tournament's ``capacity`` places.
SLOT_HOLDING_STATES: frozenset[RegistrationState] = frozenset(
    {RegistrationState.PENDING_PAYMENT, RegistrationState.CONFIRMED}
)
#: States in which a registration still takes part (or may yet take part).
ACTIVE_STATES: frozenset[RegistrationState] = SLOT_HOLDING_STATES | {RegistrationState.WAITLISTED}


class ParticipantKind(StrEnum):
    """Whether a registration enters one player or a team (follows the tournament)."""

    SOLO = "solo"
    TEAM = "team"


class PaymentState(StrEnum):
    """Where an external entry-fee payment stands.

    pending → submitted (proof uploaded) → verified | rejected; rejected → submitted again;
    verified → refunded. A proof may be replaced while it waits for review (submitted).
    """

    PENDING = "pending"
    SUBMITTED = "submitted"
    VERIFIED = "verified"
    REJECTED = "rejected"
    REFUNDED = "refunded"


# Event names, published on the tournament's stream ``tournament:<id>`` (data: ids and states).
REGISTRATION_CREATED = "registration.created"
REGISTRATION_CONFIRMED = "registration.confirmed"
REGISTRATION_PROMOTED = "registration.promoted"
REGISTRATION_CANCELLED = "registration.cancelled"
REGISTRATION_DROPPED = "registration.dropped"
PAYMENT_SUBMITTED = "payment.submitted"
PAYMENT_VERIFIED = "payment.verified"
PAYMENT_REJECTED = "payment.rejected"
PAYMENT_REFUNDED = "payment.refunded"
CHECKIN_CHECKED_IN = "checkin.checked_in"
CHECKIN_UNDONE = "checkin.undone"
CHECKIN_CLOSED = "checkin.closed"


def tournament_stream(tournament_id: int) -> str:
    """The event stream of one tournament (shared with the tournaments app's own events)."""
    return f"tournament:{tournament_id}"


@dataclass(frozen=True)
class InspectedFile:
    """An uploaded document that passed inspection: the bytes to store, the file extension
    (".png", ".jpg", ".pdf") and the content type to serve it with."""

    content: bytes = field(repr=False)
    extension: str
    content_type: str


@dataclass(frozen=True)
class ParticipantRef:
    """One participant of a tournament as bracket generation sees it.

    Exactly one of ``team_id`` (team tournaments) and ``user_id`` (solo tournaments) is set.
    ``member_ids`` are the players entered (the team's roster as checked in, or the one
    player). ``seed`` is the 1-based registration order among the participants listed.
    """

    registration_id: int
    seed: int
    team_id: int | None
    user_id: int | None
    member_ids: tuple[int, ...]


@dataclass(frozen=True)
class RegistrationRef:
    """A registration as other apps see it: ids, state and check-in.

    ``waitlist_position`` is 1 for the head of the waitlist and None unless waitlisted.
    ``payment_state`` is None for tournaments without an entry fee.
    """

    id: int
    tournament_id: int
    kind: ParticipantKind
    state: RegistrationState
    team_id: int | None
    user_id: int | None
    registered_by_id: int
    member_ids: tuple[int, ...]
    waitlist_position: int | None
    checked_in_at: datetime | None
    payment_state: PaymentState | None
    created_at: datetime


@dataclass(frozen=True)
class CheckInClosure:
    """What closing check-in did: how many registrations were checked in when it closed, how
    many no-shows were dropped and how many waitlisted ones were promoted into the freed places.
    ``already_closed`` is true when an earlier call had closed it (nothing changed)."""

    tournament_id: int
    checked_in: int
    dropped: int
    promoted: int
    already_closed: bool


@dataclass(frozen=True)
class DemoRegistrations:
    """What ``seed_demo`` left in place: the registrations of each demo tournament by state."""

    tournament_ids: tuple[int, ...]
    created: int
    by_state: dict[str, int]
