"""Competition app, errors: the typed failures of stages, matches, results and disputes.

Every class has a stable ``code`` (listed in docs/errors.md and docs/competition.md). Invalid
input is a 422 ``validation_failed`` whose ``errors`` name the fields (``games.1.scores``,
``placements``, ``order.3``).
"""

from __future__ import annotations

from deltacrown.kernel.errors import Conflict, NotFound, PermissionDenied, ValidationFailed


class StageNotFound(NotFound):
    """No such stage, or the caller may not know that it exists."""

    code = "stage_not_found"


class MatchNotFound(NotFound):
    """No such match, or the caller may not know that it exists."""

    code = "match_not_found"


class DisputeNotFound(NotFound):
    """No such dispute, or the caller may not know that it exists."""

    code = "dispute_not_found"


class ParticipantNotFound(NotFound):
    """No such participant in this tournament's competition."""

    code = "participant_not_found"


class EvidenceNotFound(NotFound):
    """The comment has no evidence file, or the caller may not download it."""

    code = "evidence_not_found"


class NotInMatch(PermissionDenied):
    """Only a side of the match (for a team, its captain) may do this."""

    code = "not_in_match"


class TournamentNotRunning(Conflict):
    """The tournament is not in a state that allows this (``tournament_status`` says which)."""

    code = "tournament_not_running"


class NoParticipants(Conflict):
    """Too few checked-in participants to build the stage (``count`` and ``minimum``)."""

    code = "not_enough_participants"


class StageLocked(Conflict):
    """A match of the stage has started: the draw can no longer be regenerated."""

    code = "stage_locked"


class InvalidMatchTransition(Conflict):
    """The match cannot move from its state to the requested one; ``allowed`` lists the moves."""

    code = "invalid_match_transition"


class StaleScoreUpdate(Conflict):
    """A live score update whose sequence number is not above the last one (``score_seq``)."""

    code = "stale_score_update"


class CorrectionBlocked(Conflict):
    """Changing this result would change a match that has already been played (``blocked_by``)."""

    code = "correction_blocked"


class NothingToConfirm(Conflict):
    """The match has no submitted result waiting for confirmation."""

    code = "no_pending_result"


class OwnResult(Conflict):
    """A side cannot confirm or dispute its own submission; the other side must."""

    code = "own_result"


class DisputeClosed(Conflict):
    """The dispute is already resolved."""

    code = "dispute_resolved"


class AlreadyWithdrawn(Conflict):
    """The participant has already withdrawn or been disqualified (``status``)."""

    code = "participant_already_withdrawn"


class InvalidResult(ValidationFailed):
    """The result does not fit the match: its format, best-of or the game's scoring rules."""

    code = "invalid_result"


class InvalidSeeding(ValidationFailed):
    """The seeding request does not fit the participants (``errors`` name the fields)."""

    code = "invalid_seeding"
