"""Moderation app, HTTP schemas: request and response bodies of the moderation endpoints.

Two views of each object: the moderators' (private note, reporter, notes, assignee) and the
user's own (a sanction's kind, scope, window and reason; a report's status), which never
carries a note or a moderator's identity. Schemas check shape and bounds; the services own the
rules.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from ninja import Field, Schema

from deltacrown.apps.moderation.data import (
    PRIORITY_MAX,
    PRIORITY_MIN,
    REASON_CATALOGUE,
    ModerationAction,
    ReasonCode,
    ReportCategory,
    ReportStatus,
    ReportTargetType,
    SanctionKind,
)
from deltacrown.apps.moderation.models import AbuseReport, Sanction
from deltacrown.kernel import clock

SanctionState = Literal["active", "scheduled", "expired", "revoked"]


def sanction_state(sanction: Sanction) -> SanctionState:
    """Where a sanction stands now."""
    now = clock.now()
    if sanction.revoked_at is not None:
        return "revoked"
    if sanction.starts_at > now:
        return "scheduled"
    if sanction.ends_at is not None and sanction.ends_at <= now:
        return "expired"
    return "active"


class ReasonOut(Schema):
    code: ReasonCode
    description: str


class SanctionCreateIn(Schema):
    user_id: int = Field(..., description="The user to sanction")
    kind: SanctionKind
    reason_code: ReasonCode
    tournament_id: int | None = Field(
        None, description="Only in this tournament; leave out for a global sanction (staff)"
    )
    starts_at: datetime | None = Field(None, description="Default: now (ISO 8601; UTC if naive)")
    ends_at: datetime | None = Field(None, description="Leave out for a sanction until revoked")
    note: str = Field("", max_length=2000, description="Private to the moderators")
    report_id: int | None = Field(None, description="The abuse report this answers")


class SanctionRevokeIn(Schema):
    reason: str = Field(..., min_length=1, max_length=500)


class SanctionOut(Schema):
    """A sanction as its moderators see it."""

    id: int
    user_id: int
    kind: SanctionKind
    tournament_id: int | None
    starts_at: datetime
    ends_at: datetime | None
    reason_code: ReasonCode
    note: str
    report_id: int | None
    created_by_id: int | None
    created_at: datetime
    revoked_at: datetime | None
    revoked_by_id: int | None
    revoke_reason: str
    state: SanctionState

    @staticmethod
    def resolve_state(obj: Sanction) -> SanctionState:
        return sanction_state(obj)


class MySanctionOut(Schema):
    """A sanction as the sanctioned user sees it: no note, no moderator."""

    id: int
    kind: SanctionKind
    tournament_id: int | None = Field(description="null: the sanction applies everywhere")
    starts_at: datetime
    ends_at: datetime | None
    reason_code: ReasonCode
    reason: str = Field(description="What the reason code means")
    revoked_at: datetime | None
    state: SanctionState

    @staticmethod
    def resolve_reason(obj: Sanction) -> str:
        return REASON_CATALOGUE[ReasonCode(obj.reason_code)]

    @staticmethod
    def resolve_state(obj: Sanction) -> SanctionState:
        return sanction_state(obj)


class SanctionFilters(Schema):
    user_id: int | None = None
    tournament_id: int | None = Field(
        None, description="Required for tournament moderators (their tournament's sanctions)"
    )
    scope: Literal["global", "tournament"] | None = None
    kind: SanctionKind | None = None
    reason_code: ReasonCode | None = None
    state: SanctionState | None = None


class PolicyQuery(Schema):
    tournament_id: int | None = Field(
        None, description="The tournament asked about (global sanctions only when left out)"
    )
    at: datetime | None = Field(None, description="The instant asked about; default now")


class BlockedActionOut(Schema):
    action: ModerationAction
    sanction_id: int
    kind: SanctionKind
    reason_code: str = Field(description="The problem code a refusal carries")
    enforced: bool = Field(description="Whether the enforcement flags enforce it now")


class PolicyOut(Schema):
    user_id: int
    at: datetime
    tournament_id: int | None
    blocked: list[BlockedActionOut]
    enforced_actions: list[ModerationAction]


class ReportFileIn(Schema):
    category: ReportCategory
    target_type: ReportTargetType
    target_id: int = Field(..., ge=1)
    description: str = Field(..., min_length=1, max_length=4000)
    tournament_id: int | None = Field(
        None, description="The tournament concerned (a match's own is taken from the match)"
    )


class ReportNoteOut(Schema):
    id: int
    author_id: int | None
    body: str
    created_at: datetime


class AbuseReportOut(Schema):
    """A report as its moderators see it."""

    id: int
    reporter_id: int | None
    category: ReportCategory
    target_type: ReportTargetType
    target_id: int
    tournament_id: int | None
    description: str
    has_evidence: bool
    status: ReportStatus
    priority: int
    assignee_id: int | None
    created_at: datetime
    updated_at: datetime
    triaged_at: datetime | None
    closed_at: datetime | None
    notes: list[ReportNoteOut]
    sanction_ids: list[int]

    @staticmethod
    def resolve_has_evidence(obj: AbuseReport) -> bool:
        return bool(obj.evidence_file)

    @staticmethod
    def resolve_notes(obj: AbuseReport) -> list[Any]:
        return sorted(obj.notes.all(), key=lambda note: note.pk)

    @staticmethod
    def resolve_sanction_ids(obj: AbuseReport) -> list[int]:
        return sorted(sanction.pk for sanction in obj.sanctions.all())


class MyReportOut(Schema):
    """A report as its reporter sees it: its status, nothing of the moderators' work."""

    id: int
    category: ReportCategory
    target_type: ReportTargetType
    target_id: int
    tournament_id: int | None
    description: str
    has_evidence: bool
    status: ReportStatus
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None

    @staticmethod
    def resolve_has_evidence(obj: AbuseReport) -> bool:
        return bool(obj.evidence_file)


class ReportFilters(Schema):
    tournament_id: int | None = Field(
        None, description="Required for tournament moderators (their tournament's reports)"
    )
    status: ReportStatus | None = None
    category: ReportCategory | None = None
    target_type: ReportTargetType | None = None
    target_id: int | None = None
    assignee_id: int | None = None
    unassigned: bool = False
    min_priority: int | None = Field(None, ge=PRIORITY_MIN, le=PRIORITY_MAX)


class ReportPatchIn(Schema):
    priority: int | None = Field(None, ge=PRIORITY_MIN, le=PRIORITY_MAX)
    assignee_id: int | None = Field(None, description="A moderator of the report; null unassigns")


class ReportTransitionIn(Schema):
    to: Literal["triaged", "resolved", "rejected"]
    note: str = Field("", max_length=4000, description="Optional moderators' note")


class ReportNoteIn(Schema):
    body: str = Field(..., min_length=1, max_length=4000)


class ModerationAuditOut(Schema):
    id: int
    actor_id: int | None
    action: str
    target_type: str
    target_id: str
    data: dict[str, Any]
    at: datetime
    request_id: str


class ModerationAuditFilters(Schema):
    tournament_id: int | None = Field(
        None, description="Required for tournament moderators (their tournament's entries)"
    )
    user_id: int | None = Field(None, description="Entries about this user's sanctions")
    actor_id: int | None = None
    action: str | None = Field(None, max_length=64)
    target_type: Literal["sanction", "abuse_report"] | None = None
    target_id: str | None = Field(None, max_length=64)
    since: datetime | None = Field(None, description="At or after (ISO 8601; UTC if naive)")
    until: datetime | None = Field(None, description="Before (ISO 8601; UTC if naive)")
