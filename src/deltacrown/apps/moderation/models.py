"""Moderation app, models: sanctions, abuse reports and moderators' notes on reports.

One-row invariants live in the database as constraints: a sanction ends after it starts, a
revocation carries its reason, a report's priority is 0-5 and it is closed exactly when its
status says so. Rows change only through the services, which audit and publish every change.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from deltacrown.apps.moderation.data import (
    PRIORITY_MAX,
    PRIORITY_MIN,
    ReasonCode,
    ReportCategory,
    ReportStatus,
    ReportTargetType,
    SanctionKind,
)


def _choices(enum: type) -> list[tuple[str, str]]:
    return [(member.value, member.value.replace("_", " ")) for member in enum]


class Sanction(models.Model):
    """A ban, suspension or mute of one user, global or in one tournament, for a time window.

    In effect while ``starts_at <= now < ends_at`` (no ``ends_at``: until revoked) and not
    revoked. Overlapping sanctions are allowed and all count. ``note`` is private to the
    moderators: the sanctioned user never sees it.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=_choices(SanctionKind))
    tournament = models.ForeignKey(
        "tournaments.Tournament",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="Empty: the sanction applies everywhere.",
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(null=True, blank=True, help_text="Empty: until revoked.")
    reason_code = models.CharField(max_length=32, choices=_choices(ReasonCode))
    note = models.TextField(blank=True, default="", help_text="Private to the moderators.")
    report = models.ForeignKey(
        "moderation.AbuseReport",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sanctions",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    # Service-level replay safety: one sanction per (moderator, key).
    idempotency_key = models.CharField(max_length=255, null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoke_reason = models.CharField(max_length=500, blank=True, default="")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=F("starts_at")),
                name="sanction_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=[k.value for k in SanctionKind]), name="sanction_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(reason_code__in=[r.value for r in ReasonCode]),
                name="sanction_reason_code_valid",
            ),
            models.CheckConstraint(
                condition=(
                    Q(revoked_at__isnull=True, revoke_reason="")
                    | (Q(revoked_at__isnull=False) & ~Q(revoke_reason=""))
                ),
                name="sanction_revocation_has_reason",
            ),
            models.UniqueConstraint(
                fields=["created_by", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="sanction_idempotency_key_unique",
            ),
        ]
        indexes = [
            # The gate's question: a user's sanctions that are not revoked and not over.
            models.Index(
                fields=["user", "ends_at"],
                condition=Q(revoked_at__isnull=True),
                name="sanction_unrevoked_user_idx",
            ),
            models.Index(fields=["tournament", "id"], name="sanction_tournament_idx"),
        ]

    def __str__(self) -> str:
        scope = f"tournament {self.tournament_id}" if self.tournament_id else "global"
        return f"{self.kind} of user {self.user_id} ({scope})"


class AbuseReport(models.Model):
    """A signed-in user's report of a user, team, match or message to the moderators.

    Moves open → triaged → resolved | rejected and never back. ``tournament`` is the
    tournament the report is about (a match's own, or the one the reporter named): its
    moderators handle it; reports without one are for the platform staff.
    """

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    category = models.CharField(max_length=32, choices=_choices(ReportCategory))
    target_type = models.CharField(max_length=16, choices=_choices(ReportTargetType))
    target_id = models.BigIntegerField()
    tournament = models.ForeignKey(
        "tournaments.Tournament",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    description = models.TextField()
    evidence_file = models.CharField(max_length=255, blank=True, default="")
    evidence_content_type = models.CharField(max_length=64, blank=True, default="")
    evidence_size = models.PositiveIntegerField(default=0)
    status = models.CharField(
        max_length=16, choices=_choices(ReportStatus), default=ReportStatus.OPEN.value
    )
    priority = models.PositiveSmallIntegerField(default=PRIORITY_MIN)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    idempotency_key = models.CharField(max_length=255, null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    triaged_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(priority__gte=PRIORITY_MIN, priority__lte=PRIORITY_MAX),
                name="report_priority_range",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in ReportStatus]),
                name="report_status_valid",
            ),
            models.CheckConstraint(
                condition=(
                    Q(
                        status__in=[ReportStatus.RESOLVED.value, ReportStatus.REJECTED.value],
                        closed_at__isnull=False,
                    )
                    | Q(
                        status__in=[ReportStatus.OPEN.value, ReportStatus.TRIAGED.value],
                        closed_at__isnull=True,
                    )
                ),
                name="report_closed_iff_final",
            ),
            models.CheckConstraint(condition=Q(target_id__gt=0), name="report_target_id_positive"),
            models.UniqueConstraint(
                fields=["reporter", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="report_idempotency_key_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "id"], name="report_status_idx"),
            models.Index(fields=["tournament", "status", "id"], name="report_tournament_idx"),
            models.Index(fields=["reporter", "id"], name="report_reporter_idx"),
        ]

    def __str__(self) -> str:
        return f"report {self.pk}: {self.category} on {self.target_type} {self.target_id}"


class ReportNote(models.Model):
    """A moderator's note on a report; the reporter never sees notes."""

    report = models.ForeignKey(AbuseReport, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField()
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"note {self.pk} on report {self.report_id}"
