"""Registrations app, selectors layer: reading registrations, who relates to them, participants.

Who may see a registration lives here, in one place: its owner (the solo registrant, or the
team's current captain), the players entered on it, and the tournament's staff (organizers and
moderators; platform admins count as organizers). Everyone else may not know it exists. The
role resolver registered with ``kernel.permissions`` for ``"registration"`` and the hooks other
apps consult (the tournaments app's player check, the teams app's roster lock) are answered
from here too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Case,
    Count,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    When,
)

from deltacrown.apps.registrations import errors
from deltacrown.apps.registrations.data import (
    ACTIVE_STATES,
    SLOT_HOLDING_STATES,
    ParticipantKind,
    ParticipantRef,
    PaymentState,
    RegistrationRef,
    RegistrationState,
)
from deltacrown.apps.registrations.models import Entry, Payment, Registration
from deltacrown.apps.teams import api as teams
from deltacrown.apps.tournaments import api as tournaments
from deltacrown.apps.tournaments.data import TournamentStatus
from deltacrown.kernel import permissions
from deltacrown.kernel.permissions import Role

_ACTIVE = [state.value for state in ACTIVE_STATES]
_HOLDING = [state.value for state in SLOT_HOLDING_STATES]


# --- single registrations ---------------------------------------------------------------------


def _with_details(queryset: QuerySet[Registration]) -> QuerySet[Registration]:
    """Registrations with their payment, entries and waitlist position loaded for output."""
    return with_waitlist_position(
        queryset.select_related("payment").prefetch_related(
            Prefetch("entries", queryset=Entry.objects.order_by("id"))
        )
    )


def registration_get(*, registration_id: int) -> Registration:
    """The registration with its details; 404 ``registration_not_found`` if there is none."""
    registration = _with_details(Registration.objects.filter(pk=registration_id)).first()
    if registration is None:
        raise errors.RegistrationNotFound("No such registration.")
    return registration


def tournament_id_of(*, registration_id: int) -> int:
    """The tournament of a registration; 404 ``registration_not_found`` if there is none."""
    found = Registration.objects.filter(pk=registration_id).values_list("tournament_id").first()
    if found is None:
        raise errors.RegistrationNotFound("No such registration.")
    return int(found[0])


def with_waitlist_position(queryset: QuerySet[Registration]) -> QuerySet[Registration]:
    """Annotate ``waitlist_position``: 1 for the head of the tournament's waitlist, counting
    waitlisted registrations in arrival order without gaps; None for other states."""
    ahead = (
        Registration.objects.filter(
            tournament_id=OuterRef("tournament_id"),
            state=RegistrationState.WAITLISTED.value,
            arrival__lte=OuterRef("arrival"),
        )
        .order_by()
        .values("tournament_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return queryset.annotate(
        waitlist_position=Case(
            When(
                state=RegistrationState.WAITLISTED.value,
                then=Subquery(ahead, output_field=IntegerField()),
            ),
            default=None,
            output_field=IntegerField(),
        )
    )


# --- who relates to a registration -------------------------------------------------------------


@dataclass(frozen=True)
class Relation:
    """How one user relates to one registration.

    ``owner``: may act for it (the solo registrant, the team's current captain). ``player``:
    was entered on it. ``staff``: organizes or moderates its tournament. ``organizer``:
    organizes it (platform admins count as organizers and staff).
    """

    owner: bool = False
    player: bool = False
    staff: bool = False
    organizer: bool = False

    @property
    def visible(self) -> bool:
        """Whether the user may know that the registration exists."""
        return self.owner or self.player or self.staff


NOBODY = Relation()


def relation(registration: Registration, actor: Any) -> Relation:
    """How ``actor`` (a user, a ``UserRef`` or an anonymous visitor) relates to ``registration``."""
    if not permissions.is_authenticated(actor) or getattr(actor, "id", None) is None:
        return NOBODY
    user_id = int(actor.id)
    tournament_id = registration.tournament_id
    admin = permissions.is_platform_admin(actor)
    organizer = admin or tournaments.is_organizer(user_id, tournament_id)
    staff = organizer or tournaments.is_staff_of(user_id, tournament_id)
    owner = _acts_for(registration, user_id)
    player = owner or registration.entries.filter(user_id=user_id).exists()
    return Relation(owner=owner, player=player, staff=staff, organizer=organizer)


def _acts_for(registration: Registration, user_id: int) -> bool:
    """Whether the user may act for the registration: the solo registrant, or the team's captain
    now (captaincy may have changed since the team registered)."""
    if registration.kind == ParticipantKind.SOLO:
        return registration.user_id == user_id
    return teams.is_captain(user_id, registration.team_id)


def has_registration_role(user_id: int, role: Role, registration_id: Any) -> bool:
    """The ``kernel.permissions`` resolver for ``"registration"`` objects (admins are let through
    by the kernel): captain = owner, player = entered or owner, moderator and organizer = the
    tournament's staff."""
    try:
        pk = int(registration_id)
    except (TypeError, ValueError):
        return False
    registration = Registration.objects.filter(pk=pk).first()
    if registration is None:
        return False
    if role is Role.ORGANIZER:
        return tournaments.is_organizer(user_id, registration.tournament_id)
    if role is Role.MODERATOR:
        return tournaments.is_staff_of(user_id, registration.tournament_id)
    if role is Role.CAPTAIN:
        return _acts_for(registration, user_id)
    if role is Role.PLAYER:
        return (
            _acts_for(registration, user_id)
            or registration.entries.filter(user_id=user_id).exists()
        )
    return False


def plays_in(user_id: int, tournament_id: int) -> bool:
    """Whether the user is entered in an active registration of the tournament (the check the
    tournaments app consults to let players read private tournaments)."""
    return Entry.objects.filter(
        tournament_id=tournament_id, user_id=user_id, released_at__isnull=True
    ).exists()


def roster_lock_reason(team_id: int) -> str | None:
    """Why the team's roster may not change now, or None.

    Locked while the team holds a place in a tournament that is checking in or live, and while
    it waits on the waitlist of a tournament that is checking in (it may be promoted when
    check-in closes, with the roster it has then).
    """
    rows = list(
        Registration.objects.filter(team_id=team_id, state__in=_ACTIVE).values_list(
            "tournament_id", "state"
        )
    )
    if not rows:
        return None
    refs = tournaments.tournament_refs({tournament_id for tournament_id, _ in rows})
    for tournament_id, state in sorted(rows):
        tournament = refs.get(tournament_id)
        if tournament is None:
            continue
        if tournament.status is TournamentStatus.CHECK_IN:
            return f"tournament {tournament_id} is checking in"
        if tournament.status is TournamentStatus.LIVE and state in _HOLDING:
            return f"tournament {tournament_id} is live"
    return None


# --- lists ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegistrationFilters:
    """Filters of the organizers' list; None leaves a filter out."""

    state: RegistrationState | None = None
    checked_in: bool | None = None
    payment_state: PaymentState | None = None
    team_id: int | None = None
    user_id: int | None = None


def registration_list(
    *, tournament_id: int, filters: RegistrationFilters | None = None
) -> QuerySet[Registration]:
    """A tournament's registrations (every state), filtered; the caller orders them."""
    filters = filters or RegistrationFilters()
    queryset = Registration.objects.filter(tournament_id=tournament_id)
    if filters.state is not None:
        queryset = queryset.filter(state=filters.state.value)
    if filters.checked_in is not None:
        queryset = queryset.filter(checked_in_at__isnull=not filters.checked_in)
    if filters.payment_state is not None:
        queryset = queryset.filter(payment__state=filters.payment_state.value)
    if filters.team_id is not None:
        queryset = queryset.filter(team_id=filters.team_id)
    if filters.user_id is not None:
        entered = Entry.objects.filter(user_id=filters.user_id).values("registration_id")
        queryset = queryset.filter(pk__in=entered)
    return _with_details(queryset)


def registration_list_for_user(
    *,
    user_id: int,
    state: RegistrationState | None = None,
    tournament_id: int | None = None,
) -> QuerySet[Registration]:
    """The registrations a player is part of: those they submitted and those they are entered on
    (a team's roster as registered, or as checked in)."""
    entered = Entry.objects.filter(user_id=user_id).values("registration_id")
    queryset = Registration.objects.filter(Q(registered_by_id=user_id) | Q(pk__in=entered))
    if state is not None:
        queryset = queryset.filter(state=state.value)
    if tournament_id is not None:
        queryset = queryset.filter(tournament_id=tournament_id)
    return _with_details(queryset)


# --- what other apps read ---------------------------------------------------------------------


def registration_ref(registration: Registration) -> RegistrationRef:
    """The public value object of a registration loaded by ``registration_get``."""
    payment: Payment | None = getattr(registration, "payment", None)
    entries = [e for e in registration.entries.all() if e.released_at is None] or list(
        registration.entries.all()
    )
    return RegistrationRef(
        id=registration.pk,
        tournament_id=registration.tournament_id,
        kind=ParticipantKind(registration.kind),
        state=RegistrationState(registration.state),
        team_id=registration.team_id,
        user_id=registration.user_id,
        registered_by_id=registration.registered_by_id,
        member_ids=tuple(entry.user_id for entry in entries),
        waitlist_position=getattr(registration, "waitlist_position", None),
        checked_in_at=registration.checked_in_at,
        payment_state=PaymentState(payment.state) if payment is not None else None,
        created_at=registration.created_at,
    )


def checked_in_participants(*, tournament_id: int) -> list[ParticipantRef]:
    """The confirmed, checked-in participants of a tournament in registration (arrival) order."""
    registrations = (
        Registration.objects.filter(
            tournament_id=tournament_id,
            state=RegistrationState.CONFIRMED.value,
            checked_in_at__isnull=False,
        )
        .order_by("arrival")
        .prefetch_related(
            Prefetch(
                "entries",
                queryset=Entry.objects.filter(released_at__isnull=True).order_by("id"),
            )
        )
    )
    return [
        ParticipantRef(
            registration_id=registration.pk,
            seed=index,
            team_id=registration.team_id,
            user_id=registration.user_id,
            member_ids=tuple(entry.user_id for entry in registration.entries.all()),
        )
        for index, registration in enumerate(registrations, start=1)
    ]


def entrant_refs(*, tournament_id: int) -> list[RegistrationRef]:
    """The tournament's registrations that take part or wait for a place (confirmed, pending
    payment, waitlisted) in arrival order, with waitlist positions. Constant queries."""
    rows = _with_details(
        Registration.objects.filter(tournament_id=tournament_id, state__in=_ACTIVE).order_by(
            "arrival", "id"
        )
    )
    return [registration_ref(row) for row in rows]


def place_counts(*, tournament_ids: Iterable[int]) -> dict[int, int]:
    """How many registrations hold a place (confirmed or pending payment) per tournament;
    tournaments without any are absent. One query."""
    rows = (
        Registration.objects.filter(tournament_id__in=list(tournament_ids), state__in=_HOLDING)
        .order_by()
        .values("tournament_id")
        .annotate(count=Count("pk"))
        .values_list("tournament_id", "count")
    )
    return {int(tournament_id): int(count) for tournament_id, count in rows}


def registration_refs_for_user(
    *, user_id: int, states: Iterable[str], tournament_id: int | None = None
) -> list[RegistrationRef]:
    """A player's registrations in ``states`` (submitted by them or entered on), newest first,
    optionally of one tournament."""
    rows = registration_list_for_user(user_id=user_id, tournament_id=tournament_id).filter(
        state__in=list(states)
    )
    return [registration_ref(row) for row in rows.order_by("-id")]


# --- reads on behalf of a caller --------------------------------------------------------------


def registration_get_for(*, actor: Any, registration_id: int) -> Registration:
    """The registration if ``actor`` may know it exists; 404 ``registration_not_found``."""
    registration = registration_get(registration_id=registration_id)
    if not relation(registration, actor).visible:
        raise errors.RegistrationNotFound("No such registration.")
    return registration


def payment_get_for(*, actor: Any, registration_id: int) -> Payment:
    """The registration's payment for whoever may see the registration; 404
    ``payment_not_found`` when its tournament is free to enter."""
    registration = registration_get_for(actor=actor, registration_id=registration_id)
    payment: Payment | None = getattr(registration, "payment", None)
    if payment is None:
        raise errors.PaymentNotFound("This registration has no entry fee to pay.")
    return payment


def proof_get_for(*, actor: Any, registration_id: int) -> Payment:
    """The payment whose proof ``actor`` may download: the registrant (a team's captain) and
    the tournament's staff. Everyone else, including the team's other players, gets 404
    ``proof_not_found``, as do payments without a proof."""
    registration = registration_get(registration_id=registration_id)
    who = relation(registration, actor)
    payment: Payment | None = getattr(registration, "payment", None)
    if not (who.owner or who.staff) or payment is None or not payment.proof_file:
        raise errors.ProofNotFound("No such proof.")
    return payment
