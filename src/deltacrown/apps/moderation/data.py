"""Moderation app, data layer: the enums, catalogues, event names and value objects other apps
may use.

No Django import here. The reason-code catalogue lives in code, not in a table: reason codes are
stable API (clients and docs branch on them, like problem codes), so a new reason is a reviewed
change with its documentation, not an admin's free-form edit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

# Event names (data: ids and integers only). Sanction events go to ``moderation:user:<id>``
# (the sanctioned user's stream), report events to ``moderation:reports``.
SANCTION_CREATED = "sanction.created"
SANCTION_REVOKED = "sanction.revoked"
REPORT_FILED = "abuse_report.filed"
REPORT_TRIAGED = "abuse_report.triaged"
REPORT_RESOLVED = "abuse_report.resolved"
REPORT_REJECTED = "abuse_report.rejected"
REPORT_ASSIGNED = "abuse_report.assigned"
REPORT_PRIORITIZED = "abuse_report.prioritized"
REPORT_NOTED = "abuse_report.noted"

REPORTS_STREAM = "moderation:reports"

#: Audit target types of the moderation audit.
SANCTION_TARGET = "sanction"
REPORT_TARGET = "abuse_report"

PRIORITY_MIN = 0
PRIORITY_MAX = 5


def user_stream(user_id: int) -> str:
    """The event stream of the sanctions of one user."""
    return f"moderation:user:{user_id}"


class SanctionKind(StrEnum):
    """What a sanction does (docs/moderation.md has the matrix of what each one blocks)."""

    BAN = "ban"
    SUSPEND = "suspend"
    MUTE = "mute"


#: The problem code a refusal carries, per kind of the sanction behind it.
REASON_CODE_OF_KIND: dict[SanctionKind, str] = {
    SanctionKind.BAN: "banned",
    SanctionKind.SUSPEND: "suspended",
    SanctionKind.MUTE: "muted",
}


class ReasonCode(StrEnum):
    """Why a sanction was given: the catalogue moderators choose from."""

    CHEATING = "cheating"
    MATCH_FIXING = "match_fixing"
    HARASSMENT = "harassment"
    HATE_SPEECH = "hate_speech"
    SPAM = "spam"
    IMPERSONATION = "impersonation"
    INAPPROPRIATE_CONTENT = "inappropriate_content"
    UNSPORTSMANLIKE_CONDUCT = "unsportsmanlike_conduct"
    BAN_EVASION = "ban_evasion"
    NO_SHOW = "no_show"
    OTHER = "other"


#: What each reason code means, shown to moderators and to the sanctioned user.
REASON_CATALOGUE: dict[ReasonCode, str] = {
    ReasonCode.CHEATING: "Cheating: software, exploits or account sharing that give an unfair edge",
    ReasonCode.MATCH_FIXING: "Match fixing or deliberately throwing a match",
    ReasonCode.HARASSMENT: "Harassment, threats or abuse of other people",
    ReasonCode.HATE_SPEECH: "Hate speech or discrimination",
    ReasonCode.SPAM: "Spam, flooding or advertising",
    ReasonCode.IMPERSONATION: "Impersonating another player, team or staff member",
    ReasonCode.INAPPROPRIATE_CONTENT: "Inappropriate names, pictures or messages",
    ReasonCode.UNSPORTSMANLIKE_CONDUCT: "Unsportsmanlike conduct",
    ReasonCode.BAN_EVASION: "Evading an earlier sanction with another account",
    ReasonCode.NO_SHOW: "Repeatedly not showing up to matches",
    ReasonCode.OTHER: "Another breach of the rules (the moderators' note says which)",
}


class Surface(StrEnum):
    """The per-surface enforcement flags (``MODERATION_ENFORCEMENT_<SURFACE>``)."""

    WS = "WS"
    REGISTRATION = "REGISTRATION"
    MATCHES = "MATCHES"
    PURCHASE = "PURCHASE"


class ModerationAction(StrEnum):
    """Every door a sanction can close: the kernel gates' actions plus filing abuse reports,
    which the moderation app guards itself."""

    WS_CONNECT = "ws.connect"
    WS_MESSAGE = "ws.message"
    REGISTRATION_CREATE = "registration.create"
    CHECKIN = "checkin"
    RESULT_REPORT = "result.report"
    TEAM_INVITE = "team.invite"
    PURCHASE = "purchase"
    REPORT_CREATE = "report.create"


class ReportCategory(StrEnum):
    """What an abuse report is about."""

    CHEATING = "cheating"
    HARASSMENT = "harassment"
    HATE_SPEECH = "hate_speech"
    SPAM = "spam"
    IMPERSONATION = "impersonation"
    INAPPROPRIATE_CONTENT = "inappropriate_content"
    MATCH_FIXING = "match_fixing"
    OTHER = "other"


class ReportTargetType(StrEnum):
    """What kind of thing an abuse report points at."""

    USER = "user"
    TEAM = "team"
    MATCH = "match"
    MESSAGE = "message"


class ReportStatus(StrEnum):
    """Where an abuse report stands: open → triaged → resolved | rejected, never back."""

    OPEN = "open"
    TRIAGED = "triaged"
    RESOLVED = "resolved"
    REJECTED = "rejected"


#: The only transitions of the report state machine.
REPORT_TRANSITIONS: dict[ReportStatus, frozenset[ReportStatus]] = {
    ReportStatus.OPEN: frozenset({ReportStatus.TRIAGED}),
    ReportStatus.TRIAGED: frozenset({ReportStatus.RESOLVED, ReportStatus.REJECTED}),
    ReportStatus.RESOLVED: frozenset(),
    ReportStatus.REJECTED: frozenset(),
}

CLOSED_REPORT_STATUSES = frozenset({ReportStatus.RESOLVED, ReportStatus.REJECTED})


@dataclass(frozen=True)
class SanctionRef:
    """A sanction as other apps see it (no private note, no moderator identity)."""

    id: int
    user_id: int
    kind: SanctionKind
    tournament_id: int | None
    starts_at: datetime
    ends_at: datetime | None
    reason_code: ReasonCode
    revoked_at: datetime | None

    @property
    def is_global(self) -> bool:
        """Global sanctions apply everywhere; the others only in their tournament."""
        return self.tournament_id is None


@dataclass(frozen=True)
class BlockedBy:
    """Why one action is blocked: the sanction, its kind and the refusal's problem code."""

    sanction_id: int
    kind: SanctionKind
    reason_code: str


@dataclass(frozen=True)
class EffectivePolicy:
    """What a user may not do at ``at`` (in ``tournament_id``, or where only global sanctions
    count when it is None): the blocked actions, each with the sanction behind it, and which
    actions the enforcement flags currently enforce."""

    user_id: int
    at: datetime
    tournament_id: int | None
    blocked: dict[ModerationAction, BlockedBy]
    enforced: frozenset[ModerationAction]

    def allows(self, action: ModerationAction | str) -> bool:
        """Whether no sanction blocks ``action`` (flags aside)."""
        return ModerationAction(action) not in self.blocked


@dataclass(frozen=True)
class DemoModeration:
    """What ``seed_demo`` made: the demo sanctions and abuse reports, by id."""

    sanction_ids: tuple[int, ...]
    report_ids: tuple[int, ...]
