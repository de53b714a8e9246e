"""Registrations app, errors: the typed failures of registrations, payments and check-in.

Every class has a stable ``code`` (listed in docs/errors.md and docs/registrations.md).
Invalid input is a 422 ``validation_failed`` whose ``errors`` name the fields
(``team_id``, ``answers.discord``, ``registration_ids.3``).
"""

from __future__ import annotations

from deltacrown.kernel.errors import Conflict, NotFound, PermissionDenied, ValidationFailed


class RegistrationNotFound(NotFound):
    """No such registration, or the caller may not know that it exists."""

    code = "registration_not_found"


class PaymentNotFound(NotFound):
    """The registration has no entry-fee payment (its tournament is free to enter)."""

    code = "payment_not_found"


class ProofNotFound(NotFound):
    """No proof has been uploaded for this payment, or the caller may not download it."""

    code = "proof_not_found"


class CaptainRequired(PermissionDenied):
    """Only the team's captain may register the team or act on its registration."""

    code = "captain_required"


class RegistrationNotOpen(Conflict):
    """The tournament does not take registrations now; ``tournament_status``, ``opens_at`` and
    ``closes_at`` say why."""

    code = "registration_not_open"


class AlreadyRegistered(Conflict):
    """A player is already in an active registration of this tournament; ``user_ids`` names
    them."""

    code = "already_registered"


class PlayerIdAlreadyRegistered(Conflict):
    """Another registration of this tournament already entered this in-game id."""

    code = "player_id_already_registered"


class TeamSizeInvalid(Conflict):
    """The team's roster does not fit the tournament: ``size`` players, ``min``..``max``
    allowed (team size plus the game's substitutes)."""

    code = "team_size_invalid"


class PlayerIdsMissing(ValidationFailed):
    """A player has no valid in-game id for the tournament's game on their profile; the
    ``errors`` name ``players.<user_id>``."""

    code = "player_ids_missing"


class RegistrationNotActive(Conflict):
    """The registration was cancelled or dropped; ``state`` says which."""

    code = "registration_not_active"


class TournamentStarted(Conflict):
    """The tournament has started: only its organizers may still cancel registrations."""

    code = "tournament_started"


class PaymentStateInvalid(Conflict):
    """The payment's state does not allow this action; ``state`` is the current one."""

    code = "payment_state_invalid"


class RegistrationNotConfirmed(Conflict):
    """Only confirmed registrations (fee verified, not waitlisted) can check in; ``state``
    says where this one stands."""

    code = "registration_not_confirmed"


class CheckInNotOpen(Conflict):
    """Check-in has not opened yet; ``opens_at`` says when it does."""

    code = "check_in_not_open"


class CheckInClosed(Conflict):
    """Check-in has closed (the tournament has started); ``closed_at`` says when."""

    code = "check_in_closed"


class CheckInUndoExpired(Conflict):
    """A check-in can be undone by the registrant only within 15 minutes; organizers can still
    undo it."""

    code = "check_in_undo_expired"
