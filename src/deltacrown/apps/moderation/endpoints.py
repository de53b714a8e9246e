"""Moderation app, HTTP layer: sanctions, abuse reports, the moderation audit and a user's
effective policy.

Mounted at ``/api/v1/`` with full paths: the moderators' side under ``/moderation/``, a user's
own side under ``/me/sanctions`` and ``/me/reports``. Staff moderate everything; a
tournament's moderators and organizers pass ``tournament_id`` to list what belongs to their
tournaments and act only on it. A single sanction or report that the caller may not moderate
answers 404. Every write calls one service; ``Idempotency-Key`` is honoured by the kernel
middleware and also stored on new sanctions and reports, so a retry never duplicates them.
"""

# No ``from __future__ import annotations`` here: ``@paginate`` wraps the views in a function
# of Ninja's own module, which needs the annotations as real types, not strings.

from datetime import UTC, datetime
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from deltacrown.apps.moderation import api, selectors, services
from deltacrown.apps.moderation.data import REASON_CATALOGUE
from deltacrown.apps.moderation.models import AbuseReport, ReportNote, Sanction
from deltacrown.apps.moderation.schemas import (
    AbuseReportOut,
    ModerationAuditFilters,
    ModerationAuditOut,
    MyReportOut,
    MySanctionOut,
    PolicyOut,
    PolicyQuery,
    ReasonOut,
    ReportFileIn,
    ReportFilters,
    ReportNoteIn,
    ReportNoteOut,
    ReportPatchIn,
    ReportTransitionIn,
    SanctionCreateIn,
    SanctionFilters,
    SanctionOut,
    SanctionRevokeIn,
)
from deltacrown.kernel.models import AuditEntry
from deltacrown.kernel.pagination import CursorPagination
from deltacrown.kernel.permissions import require_authenticated

router = Router(tags=["moderation"])

#: Evidence files are checked like payment proofs, which refuse anything over 5 MB; reading
#: one byte more is enough for that check to answer ``proof_too_large``.
EVIDENCE_MAX_BYTES = 5 * 1024 * 1024


def _aware(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def _key(request: HttpRequest) -> str | None:
    return request.headers.get("Idempotency-Key") or None


# --- the reason catalogue ---------------------------------------------------------------------


@router.get("/moderation/reasons", response=list[ReasonOut], summary="List sanction reasons")
def reason_list(request: HttpRequest) -> list[dict[str, str]]:
    """The reason codes a sanction may give, with what each means."""
    return [{"code": code.value, "description": text} for code, text in REASON_CATALOGUE.items()]


# --- sanctions --------------------------------------------------------------------------------


@router.get("/moderation/sanctions", response=list[SanctionOut], summary="List sanctions")
@paginate(CursorPagination, ordering=("-id",))
def sanction_list(request: HttpRequest, filters: Query[SanctionFilters]) -> QuerySet[Sanction]:
    """Sanctions, newest first, filtered by user, tournament, scope, kind, reason and state.
    Staff see all; a tournament's moderators pass its ``tournament_id``."""
    services.require_may_moderate(request.auth, filters.tournament_id)
    return selectors.sanction_list(
        user_id=filters.user_id,
        tournament_id=filters.tournament_id,
        scope=filters.scope,
        kind=filters.kind,
        reason_code=filters.reason_code,
        state=filters.state,
    )


@router.post("/moderation/sanctions", response={201: SanctionOut}, summary="Sanction a user")
def sanction_create(request: HttpRequest, payload: SanctionCreateIn) -> Status:
    """Ban, suspend or mute a user, globally (staff) or in one tournament (its moderators and
    organizers), from ``starts_at`` (now) until ``ends_at`` (until revoked when left out)."""
    sanction = services.sanction_create(
        actor=request.auth,
        user_id=payload.user_id,
        kind=payload.kind,
        reason_code=payload.reason_code,
        tournament_id=payload.tournament_id,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        note=payload.note,
        report_id=payload.report_id,
        idempotency_key=_key(request),
    )
    return Status(201, sanction)


@router.get("/moderation/sanctions/{sanction_id}", response=SanctionOut, summary="A sanction")
def sanction_get(request: HttpRequest, sanction_id: int) -> Sanction:
    """For staff and the moderators of its tournament; 404 for anyone else."""
    return selectors.sanction_get_for(request.auth, sanction_id)


@router.post(
    "/moderation/sanctions/{sanction_id}/revoke",
    response=SanctionOut,
    summary="Revoke a sanction",
)
def sanction_revoke(request: HttpRequest, sanction_id: int, payload: SanctionRevokeIn) -> Sanction:
    """End a sanction now, with a reason; the user regains access at once."""
    return services.sanction_revoke(
        actor=request.auth, sanction_id=sanction_id, reason=payload.reason
    )


@router.get(
    "/moderation/users/{user_id}/policy",
    response=PolicyOut,
    summary="What a user's sanctions block",
)
def user_policy(request: HttpRequest, user_id: int, query: Query[PolicyQuery]) -> dict[str, Any]:
    """Every action the user's sanctions block at ``at`` in ``tournament_id``, with the
    sanction behind each, and whether the enforcement flags enforce it. Staff; a tournament's
    moderators for their tournament."""
    services.require_may_moderate(request.auth, query.tournament_id)
    policy = api.effective_policy(user_id, _aware(query.at), tournament=query.tournament_id)
    return {
        "user_id": policy.user_id,
        "at": policy.at,
        "tournament_id": policy.tournament_id,
        "blocked": [
            {
                "action": action,
                "sanction_id": blocked.sanction_id,
                "kind": blocked.kind,
                "reason_code": blocked.reason_code,
                "enforced": action in policy.enforced,
            }
            for action, blocked in policy.blocked.items()
        ],
        "enforced_actions": sorted(policy.enforced),
    }


@router.get("/me/sanctions", response=list[MySanctionOut], summary="List my sanctions")
@paginate(CursorPagination, ordering=("-id",))
def my_sanctions(request: HttpRequest) -> QuerySet[Sanction]:
    """My sanctions, past and present, newest first: kind, scope, window and reason."""
    require_authenticated(request.auth)
    return selectors.sanctions_of(user_id=request.auth.id)


# --- abuse reports ----------------------------------------------------------------------------


@router.post("/moderation/reports", response={201: MyReportOut}, summary="Report abuse")
def report_file(
    request: HttpRequest,
    payload: Form[ReportFileIn],
    file: File[UploadedFile | None] = None,
) -> Status:
    """Multipart: ``category``, ``target_type`` (user, team, match, message), ``target_id``,
    ``description``, optional ``tournament_id`` and an optional evidence ``file`` (JPEG, PNG
    or PDF of at most 5 MB, checked like a payment proof). 403 ``banned``/``muted`` for
    accounts that may not report."""
    require_authenticated(request.auth)
    data = file.read(EVIDENCE_MAX_BYTES + 1) if file is not None else None
    report = services.report_file(
        actor=request.auth,
        category=payload.category,
        target_type=payload.target_type,
        target_id=payload.target_id,
        description=payload.description,
        tournament_id=payload.tournament_id,
        filename=(file.name or "") if file is not None else None,
        data=data,
        idempotency_key=_key(request),
    )
    return Status(201, report)


@router.get("/me/reports", response=list[MyReportOut], summary="List my reports")
@paginate(CursorPagination, ordering=("-id",))
def my_reports(request: HttpRequest) -> QuerySet[AbuseReport]:
    """The reports I filed, newest first, with their status."""
    require_authenticated(request.auth)
    return selectors.reports_of(user_id=request.auth.id)


@router.get("/me/reports/{report_id}", response=MyReportOut, summary="One of my reports")
def my_report(request: HttpRequest, report_id: int) -> AbuseReport:
    """A report I filed; 404 for anyone else's."""
    require_authenticated(request.auth)
    return selectors.report_of_reporter(user_id=request.auth.id, report_id=report_id)


@router.get("/moderation/reports", response=list[AbuseReportOut], summary="List abuse reports")
@paginate(CursorPagination, ordering=("-id",))
def report_list(request: HttpRequest, filters: Query[ReportFilters]) -> QuerySet[AbuseReport]:
    """Reports, newest first, filtered by tournament, status, category, target, assignee and
    priority. Staff see all; a tournament's moderators pass its ``tournament_id``."""
    services.require_may_moderate(request.auth, filters.tournament_id)
    return selectors.report_list(
        tournament_id=filters.tournament_id,
        status=filters.status,
        category=filters.category,
        target_type=filters.target_type,
        target_id=filters.target_id,
        assignee_id=filters.assignee_id,
        unassigned=filters.unassigned,
        min_priority=filters.min_priority,
    ).prefetch_related("notes", "sanctions")


@router.get("/moderation/reports/{report_id}", response=AbuseReportOut, summary="An abuse report")
def report_get(request: HttpRequest, report_id: int) -> AbuseReport:
    """For its moderators (staff for reports without a tournament); 404 for anyone else."""
    selectors.report_get_for(request.auth, report_id)
    return selectors.report_detail(report_id=report_id)


@router.patch(
    "/moderation/reports/{report_id}", response=AbuseReportOut, summary="Prioritise or assign"
)
def report_update(request: HttpRequest, report_id: int, payload: ReportPatchIn) -> AbuseReport:
    """Set the priority (0 low to 5) and/or the assignee (null unassigns); absent fields stay."""
    sent = payload.model_fields_set
    services.report_update(
        actor=request.auth,
        report_id=report_id,
        priority=payload.priority if "priority" in sent else services.UNSET,
        assignee_id=payload.assignee_id if "assignee_id" in sent else services.UNSET,
    )
    return selectors.report_detail(report_id=report_id)


@router.post(
    "/moderation/reports/{report_id}/transitions",
    response=AbuseReportOut,
    summary="Triage, resolve or reject a report",
)
def report_transition(
    request: HttpRequest, report_id: int, payload: ReportTransitionIn
) -> AbuseReport:
    """open → triaged → resolved | rejected, never back (409 ``invalid_report_transition``)."""
    services.report_transition(
        actor=request.auth, report_id=report_id, to=payload.to, note=payload.note
    )
    return selectors.report_detail(report_id=report_id)


@router.post(
    "/moderation/reports/{report_id}/notes",
    response={201: ReportNoteOut},
    summary="Add a moderators' note",
)
def report_note(request: HttpRequest, report_id: int, payload: ReportNoteIn) -> Status:
    """A note for the report's moderators; the reporter never sees notes."""
    note: ReportNote = services.report_note_add(
        actor=request.auth, report_id=report_id, body=payload.body
    )
    return Status(201, note)


@router.get(
    "/moderation/reports/{report_id}/evidence",
    response={200: None},
    summary="Download a report's evidence",
    openapi_extra={
        "responses": {
            200: {
                "description": "The evidence, as an attachment",
                "content": {
                    content_type: {"schema": {"type": "string", "format": "binary"}}
                    for content_type in ("image/jpeg", "image/png", "application/pdf")
                },
            }
        }
    },
)
def report_evidence(request: HttpRequest, report_id: int) -> HttpResponse:
    """For the reporter and the report's moderators; 404 ``report_evidence_not_found`` for
    anyone else."""
    content, content_type, name = services.evidence_read(actor=request.auth, report_id=report_id)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    # Uploaded by users: never rendered as anything but its declared type, never cached.
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- the moderation audit ---------------------------------------------------------------------


@router.get(
    "/moderation/audit", response=list[ModerationAuditOut], summary="List the moderation audit"
)
@paginate(CursorPagination, ordering=("-id",))
def audit_list(
    request: HttpRequest, filters: Query[ModerationAuditFilters]
) -> QuerySet[AuditEntry]:
    """Every sanction and report change, newest first (append-only). Staff see all; a
    tournament's moderators pass its ``tournament_id``."""
    services.require_may_moderate(request.auth, filters.tournament_id)
    return selectors.audit_list(
        tournament_id=filters.tournament_id,
        user_id=filters.user_id,
        actor_id=filters.actor_id,
        action=filters.action,
        target_type=filters.target_type,
        target_id=filters.target_id,
        since=_aware(filters.since),
        until=_aware(filters.until),
    )
