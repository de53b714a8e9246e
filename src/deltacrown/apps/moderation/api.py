"""Moderation app, public interface: what other apps may import from moderation.

Higher apps (realtime, web, and the economy when it lands) import only this module and
``data``. Lower apps never import moderation: they ask ``kernel.gates``, which this app answers
(``ModerationConfig.ready`` registers ``enforcement.decide``). Functions take ids (or a user
ref where an actor is needed) and return ``data`` objects, never model instances.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from deltacrown.apps.moderation import enforcement, services
from deltacrown.apps.moderation.data import (
    REASON_CATALOGUE,
    DemoModeration,
    EffectivePolicy,
    ModerationAction,
    ReasonCode,
    ReportCategory,
    ReportTargetType,
    SanctionKind,
    SanctionRef,
)
from deltacrown.apps.moderation.models import Sanction
from deltacrown.kernel.gates import Decision

__all__ = [
    "check",
    "effective_policy",
    "is_sanctioned",
    "reason_catalogue",
    "report_file",
    "sanction_create",
    "sanction_revoke",
    "seed_demo",
]


def check(user: Any, action: ModerationAction | str, tournament: int | None = None) -> Decision:
    """May ``user`` (an id or a user ref) perform ``action`` in ``tournament`` now?

    ``Decision(allowed, reason_code, sanction_id)``: refused with ``banned``, ``suspended``
    or ``muted`` and the sanction behind it, per the matrix in docs/moderation.md, when the
    enforcement flags are on. When the sanctions cannot be read, ``ws.*`` actions are allowed
    and every other action raises ``ModerationUnavailable`` (503 ``moderation_unavailable``).
    The kernel's ``gates.check`` gives the same answer to apps below this one.
    """
    return enforcement.check(user, action, tournament)


def is_sanctioned(
    user: Any,
    kind: SanctionKind | str | None = None,
    tournament: int | None = None,
    at: datetime | None = None,
) -> bool:
    """Whether a sanction (of ``kind`` when given) is in effect on ``user`` at ``at`` (now
    when None) that applies in ``tournament``: a global sanction, or one of that tournament
    (with no tournament, global sanctions only). Overlapping sanctions all count; a revoked
    sanction counted until its revocation. Flags do not matter."""
    return enforcement.is_sanctioned(user, kind, tournament, at)


def effective_policy(
    user: Any, at: datetime | None = None, *, tournament: int | None = None
) -> EffectivePolicy:
    """Which actions sanctions block for ``user`` at ``at`` (now when None) in ``tournament``
    (global sanctions only when None), each with the sanction that blocks it, and which
    actions the enforcement flags enforce now."""
    return enforcement.effective_policy(user, at, tournament=tournament)


def reason_catalogue() -> dict[ReasonCode, str]:
    """The reason codes a sanction may give, with what each means."""
    return dict(REASON_CATALOGUE)


def _ref(sanction: Sanction) -> SanctionRef:
    """The public view of a sanction row (no private note, no moderator)."""
    return SanctionRef(
        id=sanction.pk,
        user_id=sanction.user_id,
        kind=SanctionKind(sanction.kind),
        tournament_id=sanction.tournament_id,
        starts_at=sanction.starts_at,
        ends_at=sanction.ends_at,
        reason_code=ReasonCode(sanction.reason_code),
        revoked_at=sanction.revoked_at,
    )


def sanction_create(
    *,
    actor: Any,
    user_id: int,
    kind: SanctionKind | str,
    reason_code: ReasonCode | str,
    tournament_id: int | None = None,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    note: str = "",
    report_id: int | None = None,
    idempotency_key: str | None = None,
) -> SanctionRef:
    """Sanction a user, acting as ``actor`` (staff: anywhere; a tournament's moderators and
    organizers: in that tournament only). Replay-safe with ``idempotency_key``. The gates
    see the sanction as soon as the caller's transaction commits."""
    return _ref(
        services.sanction_create(
            actor=actor,
            user_id=user_id,
            kind=kind,
            reason_code=reason_code,
            tournament_id=tournament_id,
            starts_at=starts_at,
            ends_at=ends_at,
            note=note,
            report_id=report_id,
            idempotency_key=idempotency_key,
        )
    )


def sanction_revoke(*, actor: Any, sanction_id: int, reason: str) -> SanctionRef:
    """Revoke a sanction with a reason; it stops blocking as soon as the caller commits."""
    return _ref(services.sanction_revoke(actor=actor, sanction_id=sanction_id, reason=reason))


def report_file(
    *,
    actor: Any,
    category: ReportCategory | str,
    target_type: ReportTargetType | str,
    target_id: int,
    description: str,
    tournament_id: int | None = None,
    idempotency_key: str | None = None,
) -> int:
    """File an abuse report as ``actor`` (without evidence); returns the report's id."""
    return services.report_file(
        actor=actor,
        category=category,
        target_type=target_type,
        target_id=target_id,
        description=description,
        tournament_id=tournament_id,
        idempotency_key=idempotency_key,
    ).pk


def seed_demo(*, admin_id: int, player_ids: list[int]) -> DemoModeration:
    """Create the demo's sanctions and abuse reports among ``player_ids`` (at least four),
    acted by the administrator ``admin_id``; idempotent."""
    return services.demo_seed(admin_id=admin_id, player_ids=player_ids)
