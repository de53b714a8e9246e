"""Moderation app, services layer: the demo's sanctions and abuse reports (idempotent).

Everything goes through the real services with fixed idempotency keys, so running the demo
again finds what it made and changes nothing. The history (a suspension that has run out, a
ban revoked on appeal) is replayed in the past with the platform clock frozen. The one sanction
in effect is a mute, which leaves the demo's matches alone (a mute does not block reporting
results), so the live cup keeps playing.
"""

from __future__ import annotations

from datetime import timedelta

from deltacrown.apps.accounts import api as accounts
from deltacrown.apps.moderation.data import (
    DemoModeration,
    ReasonCode,
    ReportCategory,
    ReportStatus,
    ReportTargetType,
    SanctionKind,
)
from deltacrown.apps.moderation.models import AbuseReport, Sanction
from deltacrown.apps.moderation.services.reports import (
    report_file,
    report_transition,
    report_update,
)
from deltacrown.apps.moderation.services.sanctions import sanction_create, sanction_revoke
from deltacrown.kernel import clock

KEY_PREFIX = "demo-moderation:"


def demo_seed(*, admin_id: int, player_ids: list[int]) -> DemoModeration:
    """Make the demo sanctions and reports among ``player_ids`` (at least four), acted by
    the administrator ``admin_id``."""
    if len(player_ids) < 4:
        raise ValueError("the moderation demo needs at least four players")
    admin = accounts.user_get(admin_id)
    reporter, muted, suspended, banned = player_ids[0], *player_ids[-1:-4:-1]
    now = clock.now()
    sanctions: list[Sanction] = []

    with clock.frozen(now - timedelta(days=10)):
        sanctions.append(
            sanction_create(
                actor=admin,
                user_id=suspended,
                kind=SanctionKind.SUSPEND,
                reason_code=ReasonCode.NO_SHOW,
                ends_at=now - timedelta(days=3),
                note="Missed three matches in a row without a word.",
                idempotency_key=f"{KEY_PREFIX}suspension",
            )
        )
    with clock.frozen(now - timedelta(days=5)):
        ban = sanction_create(
            actor=admin,
            user_id=banned,
            kind=SanctionKind.BAN,
            reason_code=ReasonCode.CHEATING,
            note="Flagged by the anti-cheat of a partner league.",
            idempotency_key=f"{KEY_PREFIX}ban",
        )
        sanctions.append(ban)
    if ban.revoked_at is None:
        with clock.frozen(now - timedelta(days=4)):
            sanction_revoke(
                actor=admin,
                sanction_id=ban.pk,
                reason="Appeal accepted: the partner league withdrew the flag.",
            )
    sanctions.append(
        sanction_create(
            actor=admin,
            user_id=muted,
            kind=SanctionKind.MUTE,
            reason_code=ReasonCode.SPAM,
            ends_at=now + timedelta(days=3),
            note="Flooded the lobby chat with links.",
            idempotency_key=f"{KEY_PREFIX}mute",
        )
    )

    reporter_ref = accounts.user_get(reporter)
    spam = report_file(
        actor=reporter_ref,
        category=ReportCategory.SPAM,
        target_type=ReportTargetType.USER,
        target_id=muted,
        description="Keeps posting links to a betting site in every lobby.",
        idempotency_key=f"{KEY_PREFIX}report-spam",
    )
    if spam.status == ReportStatus.OPEN:
        report_update(actor=admin, report_id=spam.pk, priority=3, assignee_id=admin.id)
        report_transition(
            actor=admin,
            report_id=spam.pk,
            to=ReportStatus.TRIAGED,
            note="Confirmed from the lobby logs; muted for three days.",
        )
    abuse = report_file(
        actor=reporter_ref,
        category=ReportCategory.HARASSMENT,
        target_type=ReportTargetType.USER,
        target_id=player_ids[1],
        description="Insulted our team after the match.",
        idempotency_key=f"{KEY_PREFIX}report-harassment",
    )
    reports: list[AbuseReport] = [spam, abuse]
    return DemoModeration(
        sanction_ids=tuple(s.pk for s in sanctions), report_ids=tuple(r.pk for r in reports)
    )
