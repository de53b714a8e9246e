"""Competition app, services layer: result submission, confirmation, overrides and forfeits.

A side (its captain, or the solo player) submits a result; the match waits in
``pending_result`` until the other side confirms it, an organizer confirms or overrides it, or
``auto_confirm_at`` passes (``RESULT_AUTO_CONFIRM_MINUTES``, default 15) and the periodic task
confirms it. If the other side submits the same result, that confirms it; a different result
opens a dispute. In a battle-royale lobby "the other side" is any other participant of it.

Concurrent confirmations, overrides and the auto-confirm task all take the tournament's
ledger lock and re-read the match, so a match is completed exactly once.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction

from deltacrown.apps.competition import errors
from deltacrown.apps.competition.data import (
    DEFAULT_AUTO_CONFIRM,
    MATCH_DISPUTED,
    MATCH_RESULT_SUBMITTED,
    DisputeStatus,
    MatchStatus,
    ReportStatus,
)
from deltacrown.apps.competition.models import Dispute, Match, ResultReport, Stage
from deltacrown.apps.competition.services import bridge, claims
from deltacrown.apps.competition.services.common import (
    Side,
    actor_id,
    can_officiate,
    ledger_lock,
    match_lock,
    record,
    require_officiate,
    require_side,
    require_transition,
    require_visible_tournament,
    side_of,
)
from deltacrown.apps.competition.services.progression import apply_claim, decode, lock_draw
from deltacrown.apps.tournaments import api as tournaments
from deltacrown.apps.tournaments.data import Actor, TournamentStatus
from deltacrown.kernel import audit, clock, gates
from deltacrown.kernel.errors import DomainError, NotFound

logger = logging.getLogger("deltacrown.competition")

M = MatchStatus
CONFLICTING_RESULT_REASON = "The other side submitted a different result."


def auto_confirm_after() -> timedelta:
    """How long a submitted result waits before it confirms itself."""
    minutes = getattr(settings, "RESULT_AUTO_CONFIRM_MINUTES", None)
    return DEFAULT_AUTO_CONFIRM if minutes is None else timedelta(minutes=int(minutes))


def require_running(tournament_id: int) -> None:
    """409 ``tournament_not_running`` unless the tournament is live."""
    tournament = tournaments.tournament_get(tournament_id)
    if tournament.status is not TournamentStatus.LIVE:
        raise errors.TournamentNotRunning(
            f"The tournament is {tournament.status.value}; results change only while it is live.",
            tournament_status=tournament.status.value,
        )


def _pending(match: Match) -> ResultReport | None:
    return (
        ResultReport.objects.select_for_update()
        .filter(match=match, status__in=[ReportStatus.PENDING, ReportStatus.DISPUTED])
        .first()
    )


def _confirm(
    report: ResultReport, match: Match, *, by: int | None, now: datetime
) -> bridge.Applied:
    applied = apply_claim(match, report.payload, actor=by, now=now)
    report.status = ReportStatus.CONFIRMED
    report.decided_at = now
    report.decided_by_id = by
    report.save(update_fields=["status", "decided_at", "decided_by"])
    return applied


def _submitted_event(match: Match, report: ResultReport, side: Side | None, actor: int) -> None:
    record(
        match.tournament_id,
        MATCH_RESULT_SUBMITTED,
        {
            "match_id": match.pk,
            "report_id": report.pk,
            "participant_id": side.participant.pk if side else None,
            "kind": report.payload.get("kind"),
            "scores": list(report.payload.get("scores") or []),
        },
        actor=actor,
        match_id=match.pk,
    )


def result_submit(*, actor: Actor, match_id: int, data: dict[str, Any]) -> Match:
    """A side submits the match's result (see ``claims`` for the forms).

    The match goes to ``pending_result``; the other side confirms. If the other side had
    submitted already: the same result confirms it (``completed``), a different one opens a
    dispute. 403 ``not_in_match`` for anyone but a side; 409 ``invalid_match_transition``
    when the match is not being played; 422 ``invalid_result`` when the result does not fit.
    """
    who = actor_id(actor)
    match = _visible_match(actor, match_id)
    claim = claims.normalize(data)
    tournament_id = match.tournament_id
    now = clock.now()
    with transaction.atomic():
        ledger_lock(tournament_id)
        match = match_lock(match_id)
        require_running(tournament_id)
        side = require_side(actor, match)
        gates.require(who, gates.Action.RESULT_REPORT, tournament_id=tournament_id)
        decode(match, claim)  # 422 now rather than at confirmation
        status = M(match.status)
        if status not in (M.READY, M.LIVE, M.PENDING_RESULT):
            require_transition(match, M.PENDING_RESULT)
        pending = _pending(match)
        if pending is not None and pending.status == ReportStatus.DISPUTED:
            raise errors.InvalidMatchTransition(
                "The result of this match is disputed; an organizer will resolve it.",
                state=match.status,
                allowed=[],
            )
        if pending is not None and pending.participant_id == side.participant.pk:
            # The same side corrects its own submission before anyone answered.
            pending.status = ReportStatus.SUPERSEDED
            pending.decided_at = now
            pending.save(update_fields=["status", "decided_at"])
            pending = None
        if pending is not None:
            # The other side answers with its own submission: the same result confirms it,
            # a different one is a dispute.
            if _same(pending.payload, claim, match):
                _confirm(pending, match, by=who, now=now)
            else:
                _conflict(match, pending, claim, side, who, now)
        else:
            report = ResultReport.objects.create(
                match=match,
                submitted_by_id=who,
                participant=side.participant,
                payload=claim,
                status=ReportStatus.PENDING,
                created_at=now,
                auto_confirm_at=now + auto_confirm_after(),
            )
            match.status = M.PENDING_RESULT
            match.version += 1
            match.updated_at = now
            match.save(update_fields=["status", "version", "updated_at"])
            lock_draw(Stage.objects.get(pk=match.stage_id), now)
            _submitted_event(match, report, side, who)
    logger.info("result submitted", extra={"match_id": match_id, "tournament_id": tournament_id})
    return Match.objects.get(pk=match_id)


def _same(first: dict[str, Any], second: dict[str, Any], match: Match) -> bool:
    """Whether two claims say the same thing (the same engine result)."""
    if first == second:
        return True
    try:
        return decode(match, first).result == decode(match, second).result
    except errors.InvalidResult:
        return False


def _conflict(
    match: Match,
    pending: ResultReport,
    claim: dict[str, Any],
    side: Side,
    who: int,
    now: datetime,
) -> ResultReport:
    """The other side claims a different result: keep both and open a dispute."""
    pending.status = ReportStatus.DISPUTED
    pending.save(update_fields=["status"])
    ResultReport.objects.create(
        match=match,
        submitted_by_id=who,
        participant=side.participant,
        payload=claim,
        status=ReportStatus.SUPERSEDED,
        created_at=now,
        decided_at=now,
    )
    dispute = Dispute.objects.create(
        match=match,
        report=pending,
        opened_by_id=who,
        participant=side.participant,
        reason=CONFLICTING_RESULT_REASON,
        status=DisputeStatus.OPEN,
        created_at=now,
    )
    match.status = M.DISPUTED
    match.version += 1
    match.updated_at = now
    match.save(update_fields=["status", "version", "updated_at"])
    record(
        match.tournament_id,
        MATCH_DISPUTED,
        {
            "match_id": match.pk,
            "dispute_id": dispute.pk,
            "report_id": pending.pk,
            "participant_id": side.participant.pk,
        },
        actor=who,
        match_id=match.pk,
    )
    return pending


def result_confirm(*, actor: Actor, match_id: int) -> Match:
    """The other side (or staff, or the coordinator) confirms the submitted result: the match
    is completed through the engine. 409 ``no_pending_result`` when nothing waits,
    ``own_result`` when the submitting side tries to confirm its own claim."""
    who = actor_id(actor)
    match = _visible_match(actor, match_id)
    now = clock.now()
    with transaction.atomic():
        ledger_lock(match.tournament_id)
        match = match_lock(match_id)
        require_running(match.tournament_id)
        pending = _pending(match)
        if pending is None or pending.status != ReportStatus.PENDING:
            raise errors.NothingToConfirm(
                "This match has no submitted result waiting for confirmation.",
                state=match.status,
            )
        if not can_officiate(actor, match):
            side = require_side(actor, match)
            if side.participant.pk == pending.participant_id:
                raise errors.OwnResult("The other side must confirm your result.")
        _confirm(pending, match, by=who, now=now)
    return Match.objects.get(pk=match_id)


def result_override(*, actor: Actor, match_id: int, data: dict[str, Any]) -> Match:
    """Staff (or the match's coordinator) set the result, whatever the match's state: an
    open match is completed; a decided one is corrected (matches downstream that were not
    played are re-filled; 409 ``correction_blocked`` if one was played)."""
    who = actor_id(actor)
    match = _visible_match(actor, match_id)
    claim = claims.normalize(data)
    now = clock.now()
    with transaction.atomic():
        ledger_lock(match.tournament_id)
        match = match_lock(match_id)
        require_officiate(actor, match)
        require_running(match.tournament_id)
        status = M(match.status)
        if status is M.SCHEDULED:
            require_transition(match, M.COMPLETED)
        report = ResultReport.objects.create(
            match=match,
            submitted_by_id=who,
            participant=None,
            payload=claim,
            status=ReportStatus.CONFIRMED,
            created_at=now,
            decided_at=now,
            decided_by_id=who,
        )
        bridge.supersede_open_reports_except(match, keep=report.pk, now=now)
        _close_open_disputes(match, now)
        apply_claim(match, claim, actor=who, now=now)
        # Every override is on the audit trail, also one that repeats the stored result (the
        # engine sees no change then, so no match.completed is published for it).
        audit.record(
            action="match.result_overridden",
            target_type="match",
            target_id=match.pk,
            data={"tournament_id": match.tournament_id, "report_id": report.pk},
            actor_id=who,
        )
    return Match.objects.get(pk=match_id)


def _close_open_disputes(match: Match, now: datetime) -> None:
    Dispute.objects.filter(match=match, status=DisputeStatus.OPEN).update(
        status=DisputeStatus.RESOLVED, resolution="result", resolved_at=now
    )


def match_forfeit(
    *, actor: Actor, match_id: int, participant_id: int | None, double: bool = False
) -> Match:
    """Record a forfeit: ``participant_id`` forfeits (staff, or that side conceding), or with
    ``double`` neither side played (staff). The match ends as ``forfeit`` through the engine.
    """
    who = actor_id(actor)
    match = _visible_match(actor, match_id)
    now = clock.now()
    with transaction.atomic():
        ledger_lock(match.tournament_id)
        match = match_lock(match_id)
        require_running(match.tournament_id)
        if not can_officiate(actor, match):
            side = require_side(actor, match)
            if double or participant_id != side.participant.pk:
                raise errors.NotInMatch(
                    "A side may only concede itself; other forfeits are for the staff.",
                    role="moderator",
                )
        require_transition(match, M.FORFEIT)
        claim = (
            {"kind": "double_forfeit"}
            if double
            else {"kind": "forfeit", "loser_id": participant_id}
        )
        report = ResultReport.objects.create(
            match=match,
            submitted_by_id=who,
            participant=None,
            payload=claim,
            status=ReportStatus.CONFIRMED,
            created_at=now,
            decided_at=now,
            decided_by_id=who,
        )
        bridge.supersede_open_reports_except(match, keep=report.pk, now=now)
        _close_open_disputes(match, now)
        apply_claim(match, claim, actor=who, now=now)
    return Match.objects.get(pk=match_id)


def results_auto_confirm(*, now: datetime | None = None, limit: int = 500) -> int:
    """Confirm every pending result whose ``auto_confirm_at`` has passed; returns how many.

    Each confirmation takes its tournament's ledger lock and re-checks the report, so a run
    racing a confirmation (or another run) confirms each result once.
    """
    now = now or clock.now()
    due = list(
        ResultReport.objects.filter(status=ReportStatus.PENDING, auto_confirm_at__lte=now)
        .order_by("auto_confirm_at")
        .values_list("pk", "match__tournament_id", "match_id")[:limit]
    )
    confirmed = 0
    for report_id, tournament_id, match_id in due:
        try:
            with transaction.atomic():
                ledger_lock(tournament_id)
                match = match_lock(match_id)
                report = (
                    ResultReport.objects.select_for_update()
                    .filter(pk=report_id, status=ReportStatus.PENDING)
                    .first()
                )
                if report is None:
                    continue
                tournament = tournaments.tournament_get(tournament_id)
                if tournament.status is not TournamentStatus.LIVE:
                    continue
                _confirm(report, match, by=None, now=now)
                confirmed += 1
        except DomainError as exc:
            logger.warning(
                "auto-confirm refused",
                extra={"report_id": report_id, "match_id": match_id, "code": exc.code},
            )
    return confirmed


def _visible_match(actor: Actor | None, match_id: int) -> Match:
    """The match if the caller may see its tournament (404 ``match_not_found`` otherwise)."""
    match = Match.objects.filter(pk=match_id).first()
    if match is None:
        raise errors.MatchNotFound("No such match.")
    try:
        require_visible_tournament(actor, match.tournament_id)
    except NotFound:
        raise errors.MatchNotFound("No such match.") from None
    return match


__all__ = [
    "match_forfeit",
    "result_confirm",
    "result_override",
    "result_submit",
    "results_auto_confirm",
    "side_of",
]
