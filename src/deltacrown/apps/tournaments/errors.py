"""Tournaments app, errors: the typed failures of tournaments, their lifecycle and templates.

Every class has a stable ``code`` (listed in docs/errors.md and docs/tournaments.md). Invalid
configuration is a 422 ``validation_failed`` whose ``errors`` name the fields
(``schedule.starts_at``, ``stage_plan.0.options.groups``, ``answers.discord``).
"""

from __future__ import annotations

from deltacrown.kernel.errors import Conflict, NotFound, PermissionDenied


class TournamentNotFound(NotFound):
    """No such tournament, or the caller may not know that it exists (draft, private, deleted)."""

    code = "tournament_not_found"


class TemplateNotFound(NotFound):
    """No such tournament template among those the caller may see."""

    code = "template_not_found"


class StaffMemberNotFound(NotFound):
    """The user is neither a co-organizer nor a moderator of this tournament."""

    code = "staff_member_not_found"


class OwnerRequired(PermissionDenied):
    """Only the tournament's owner (or the template's creator) may do this."""

    code = "owner_required"


class InvalidTransition(Conflict):
    """The tournament cannot move to the requested state from its current one; ``allowed``
    lists the states it can move to."""

    code = "invalid_transition"


class TournamentFieldLocked(Conflict):
    """The tournament's state no longer allows changing these settings; ``fields`` names them."""

    code = "tournament_field_locked"


class RegistrationFieldsLocked(Conflict):
    """Registration fields can only change until registration opens."""

    code = "registration_fields_locked"


class TournamentNotDeletable(Conflict):
    """A tournament that has gone live (or completed) can no longer be deleted."""

    code = "tournament_not_deletable"


class SchedulePassed(Conflict):
    """The tournament's start time has passed, so it cannot be published; move the schedule."""

    code = "tournament_schedule_passed"


class InviteNotPrivate(Conflict):
    """Only private tournaments have an invite token to rotate."""

    code = "invite_not_private"


class StaffIsOwner(Conflict):
    """The tournament's owner is its organizer already and cannot also be staff."""

    code = "staff_is_owner"
