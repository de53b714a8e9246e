"""Registrations app, public interface: what other apps may import from registrations.

Other apps (competition, web) import only this module and ``data``. Functions take and return
ids and ``data`` objects (``ParticipantRef``, ``RegistrationRef``), never model instances.
Registration, payment and check-in changes reach higher apps as events on ``tournament:<id>``
(``registration.*``, ``payment.*``, ``checkin.*``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence

from deltacrown.apps.registrations import proofs, selectors, services
from deltacrown.apps.registrations.data import (
    ACTIVE_STATES,
    CheckInClosure,
    DemoRegistrations,
    InspectedFile,
    ParticipantRef,
    RegistrationRef,
    RegistrationState,
)

__all__ = [
    "checked_in_participants",
    "checkin_close",
    "entrants",
    "file_inspect",
    "is_participant",
    "place_counts",
    "registration_get",
    "registrations_of",
    "seed_demo",
]


def checked_in_participants(tournament_id: int) -> list[ParticipantRef]:
    """The participants the bracket is generated from: confirmed registrations that checked
    in (or were promoted when check-in closed), in registration order (``seed`` 1, 2, ...).

    Team tournaments give ``team_id`` and the roster as checked in; solo tournaments give
    ``user_id``. Call it after check-in has closed (``checkin_close``) to get the final list.
    """
    return selectors.checked_in_participants(tournament_id=tournament_id)


def checkin_close(tournament_id: int) -> CheckInClosure | None:
    """Close check-in now if it is due (the tournament is live, or checking in past its
    start): no-shows are dropped and, if the organizer enabled it, the waitlist promoted.

    Idempotent: once closed, returns ``already_closed``; None when it is not due yet. The
    registrations app closes it by itself when the tournament goes live; bracket generation
    may call this first to be sure the participant list is final.
    """
    return services.checkin_close(tournament_id=tournament_id)


def file_inspect(filename: str, data: bytes) -> InspectedFile:
    """Check an uploaded document (JPG, PNG or PDF, at most 5 MB) exactly as payment proofs
    are checked, and return what may be stored: images re-encoded without metadata, PDFs
    without active content. Raises 422 (413 when too large) with the ``proof_*`` codes of
    docs/errors.md. Call it outside any database transaction (decoding takes a moment)."""
    proof = proofs.inspect_proof(filename, data)
    return InspectedFile(
        content=proof.content, extension=proof.extension, content_type=proof.content_type
    )


def registration_get(registration_id: int) -> RegistrationRef:
    """The registration with ``registration_id``; raises ``RegistrationNotFound`` (404
    ``registration_not_found``). No permission check: for callers that check themselves."""
    return selectors.registration_ref(selectors.registration_get(registration_id=registration_id))


def entrants(tournament_id: int) -> list[RegistrationRef]:
    """Who is in the tournament or waiting for a place: confirmed, pending-payment and
    waitlisted registrations in arrival order (``waitlist_position`` set on waitlisted ones).
    No permission check; public pages show only their names (display and team names)."""
    return selectors.entrant_refs(tournament_id=tournament_id)


def place_counts(tournament_ids: Iterable[int]) -> dict[int, int]:
    """The places taken (confirmed and pending-payment registrations) per tournament, in one
    query; tournaments nobody entered are absent."""
    return selectors.place_counts(tournament_ids=tournament_ids)


def registrations_of(
    user_id: int,
    *,
    states: Collection[RegistrationState] = ACTIVE_STATES,
    tournament_id: int | None = None,
) -> list[RegistrationRef]:
    """The registrations a player is part of (submitted, or entered on as a team member) in
    ``states`` (by default those still taking part or waiting), newest first; only those of
    ``tournament_id`` when given."""
    return selectors.registration_refs_for_user(
        user_id=user_id,
        states=[RegistrationState(s).value for s in states],
        tournament_id=tournament_id,
    )


def is_participant(user_id: int, tournament_id: int) -> bool:
    """Whether the user is entered in an active (place-holding or waitlisted) registration."""
    return selectors.plays_in(user_id, tournament_id)


def seed_demo(
    *,
    tournament_ids: Sequence[int],
    player_ids: Sequence[int],
    team_ids: Sequence[int] = (),
) -> DemoRegistrations:
    """Register demo entrants in the demo tournaments, through the real rules; idempotent.

    For each of ``tournament_ids`` that takes registrations: team tournaments get the teams
    among ``team_ids`` that play its game (from ``teams.api.seed_demo``), registered by their
    captains; solo tournaments get the players ``player_ids``. Players without an in-game id
    for the game get a demo one. Entrants beyond the capacity land on the waitlist; in a
    tournament that is checking in, the first half of the confirmed ones check in.
    """
    return services.demo_seed(
        tournament_ids=tournament_ids, player_ids=player_ids, team_ids=team_ids
    )
