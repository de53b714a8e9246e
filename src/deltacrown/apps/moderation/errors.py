"""Moderation app, errors: the typed failures of sanctions, reports and the enforcement gates.

Every class has a stable ``code`` listed in docs/errors.md. The refusal codes ``banned``,
``suspended`` and ``muted`` are also what the kernel gates answer with (403), so a client sees
the same code whichever door refused it.
"""

from __future__ import annotations

from typing import Any

from deltacrown.kernel.errors import Conflict, NotFound, PermissionDenied, ServiceUnavailable


class Banned(PermissionDenied):
    """A ban in effect blocks this action."""

    code = "banned"


class Suspended(PermissionDenied):
    """A suspension in effect blocks this action."""

    code = "suspended"


class Muted(PermissionDenied):
    """A mute in effect blocks this action."""

    code = "muted"


REFUSALS: dict[str, type[PermissionDenied]] = {
    Banned.code: Banned,
    Suspended.code: Suspended,
    Muted.code: Muted,
}


class ModerationUnavailable(ServiceUnavailable):
    """The gate could not read the sanctions (database down) for an action that fails closed;
    retry after ``retry_after`` seconds."""

    code = "moderation_unavailable"
    title = "Moderation check unavailable"

    def __init__(self, detail: str | None = None, **kwargs: Any) -> None:
        retry_after = 5
        super().__init__(
            detail or "Your account's standing cannot be checked right now; try again shortly.",
            headers={"Retry-After": str(retry_after)},
            retry_after=retry_after,
            **kwargs,
        )


class SanctionNotFound(NotFound):
    """No such sanction, or the caller may not know that it exists."""

    code = "sanction_not_found"


class SanctionAlreadyRevoked(Conflict):
    """The sanction was revoked already."""

    code = "sanction_already_revoked"


class ReportNotFound(NotFound):
    """No such abuse report, or the caller may not know that it exists."""

    code = "report_not_found"


class ReportEvidenceNotFound(NotFound):
    """The report has no evidence file, or the caller may not download it."""

    code = "report_evidence_not_found"


class InvalidReportTransition(Conflict):
    """The report's status does not allow this move (``state`` and ``allowed`` say which)."""

    code = "invalid_report_transition"


class ReportClosed(Conflict):
    """The report is resolved or rejected: it can no longer be changed."""

    code = "report_closed"
