"""Competition app, services layer: disputes — opening, the comment thread with evidence, and
the organizer's resolution.

Either side may dispute a result the other side submitted (while it waits for confirmation)
with a reason; the match becomes ``disputed`` and nothing advances until an organizer (or
moderator) resolves it by choosing a result, ordering a replay, or disqualifying a
participant. Both sides and the staff comment in the dispute's thread and may attach evidence
(JPG, PNG or PDF, inspected exactly like payment proofs and kept in private storage). Every
step is audited and published (``match.disputed``, ``dispute.commented``,
``dispute.resolved``).
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from deltacrown.apps.competition import errors
from deltacrown.apps.competition.data import (
    COMMENT_MAX_LENGTH,
    DISPUTE_COMMENTED,
    DISPUTE_RESOLVED,
    MATCH_DISPUTED,
    REASON_MAX_LENGTH,
    DisputeResolution,
    DisputeStatus,
    MatchStatus,
    ReportStatus,
)
from deltacrown.apps.competition.models import Dispute, DisputeComment, Match, ResultReport
from deltacrown.apps.competition.services import bridge, claims
from deltacrown.apps.competition.services.common import (
    actor_id,
    can_officiate,
    ledger_lock,
    match_lock,
    plays_for,
    record,
    require_side,
    side_of,
)
from deltacrown.apps.competition.services.matches import replay_locked
from deltacrown.apps.competition.services.progression import apply_claim, withdraw_locked
from deltacrown.apps.competition.services.results import _visible_match, require_running
from deltacrown.apps.registrations import api as registrations
from deltacrown.apps.tournaments.data import Actor
from deltacrown.kernel import clock, private_files
from deltacrown.kernel.errors import ValidationFailed, field_error

logger = logging.getLogger("deltacrown.competition")

EVIDENCE_DIRECTORY = "dispute-evidence"


def _text(value: str, field: str, limit: int, *, required: bool) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationFailed(errors=[field_error(field, "required", "Say what is wrong.")])
    if len(text) > limit:
        raise ValidationFailed(
            errors=[field_error(field, "too_long", f"At most {limit} characters.")]
        )
    return text


def dispute_open(*, actor: Actor, match_id: int, reason: str) -> Dispute:
    """The other side disputes the submitted result (with a reason): the match becomes
    ``disputed``. 409 ``no_pending_result`` when nothing waits for confirmation,
    ``own_result`` for the side that submitted it."""
    who = actor_id(actor)
    match = _visible_match(actor, match_id)
    text = _text(reason, "reason", REASON_MAX_LENGTH, required=True)
    now = clock.now()
    with transaction.atomic():
        ledger_lock(match.tournament_id)
        match = match_lock(match_id)
        require_running(match.tournament_id)
        side = require_side(actor, match)
        report = (
            ResultReport.objects.select_for_update()
            .filter(match=match, status=ReportStatus.PENDING)
            .first()
        )
        if report is None:
            raise errors.NothingToConfirm(
                "This match has no submitted result to dispute.", state=match.status
            )
        if report.participant_id == side.participant.pk:
            raise errors.OwnResult("You cannot dispute your own submission; submit it again.")
        report.status = ReportStatus.DISPUTED
        report.save(update_fields=["status"])
        dispute = Dispute.objects.create(
            match=match,
            report=report,
            opened_by_id=who,
            participant=side.participant,
            reason=text,
            status=DisputeStatus.OPEN,
            created_at=now,
        )
        match.status = MatchStatus.DISPUTED
        match.version += 1
        match.updated_at = now
        match.save(update_fields=["status", "version", "updated_at"])
        record(
            match.tournament_id,
            MATCH_DISPUTED,
            {
                "match_id": match.pk,
                "dispute_id": dispute.pk,
                "report_id": report.pk,
                "participant_id": side.participant.pk,
            },
            actor=who,
            match_id=match.pk,
        )
    logger.info("dispute opened", extra={"match_id": match_id, "dispute_id": dispute.pk})
    return dispute


def dispute_get_for(actor: Actor, dispute_id: int) -> Dispute:
    """The dispute if the caller is staff, the match's coordinator, or plays in the match
    (404 ``dispute_not_found`` otherwise)."""
    dispute = Dispute.objects.select_related("match").filter(pk=dispute_id).first()
    if dispute is None or not _may_read(actor, dispute.match):
        raise errors.DisputeNotFound("No such dispute.")
    return dispute


def _may_read(actor: Actor | None, match: Match) -> bool:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    if can_officiate(actor, match):
        return True
    user_id = int(actor.id)
    return any(
        slot.participant is not None and plays_for(slot.participant, user_id)
        for slot in match.slots.select_related("participant")
    )


def dispute_comment(
    *,
    actor: Actor,
    dispute_id: int,
    body: str = "",
    filename: str | None = None,
    data: bytes | None = None,
) -> DisputeComment:
    """Add a comment (and optionally one evidence file) to the dispute's thread: the sides'
    players and the staff. 409 ``dispute_resolved`` once it is resolved."""
    who = actor_id(actor)
    dispute = dispute_get_for(actor, dispute_id)
    text = _text(body, "body", COMMENT_MAX_LENGTH, required=data is None)
    stored = ""
    content_type = ""
    size = 0
    if data is not None:
        # Inspected before anything is written, outside the transaction (decoding takes time).
        inspected = registrations.file_inspect(filename or "", data)
        stored = private_files.save(
            directory=EVIDENCE_DIRECTORY,
            owner=dispute.match.tournament_id,
            content=inspected.content,
            extension=inspected.extension,
        )
        content_type = inspected.content_type
        size = len(inspected.content)
    now = clock.now()
    try:
        with transaction.atomic():
            ledger_lock(dispute.match.tournament_id)
            dispute = Dispute.objects.select_for_update().get(pk=dispute_id)
            if dispute.status != DisputeStatus.OPEN:
                raise errors.DisputeClosed("This dispute is already resolved.")
            match = dispute.match
            staff = can_officiate(actor, match)
            side = side_of(match, who)
            participant = None
            if not staff:
                participant = side.participant if side else _played_side(match, who)
            comment = DisputeComment.objects.create(
                dispute=dispute,
                author_id=who,
                role="staff" if staff else "participant",
                participant=participant,
                body=text,
                evidence_file=stored,
                evidence_content_type=content_type,
                evidence_size=size,
                created_at=now,
            )
            record(
                match.tournament_id,
                DISPUTE_COMMENTED,
                {
                    "match_id": match.pk,
                    "dispute_id": dispute.pk,
                    "comment_id": comment.pk,
                    "evidence": bool(stored),
                },
                actor=who,
                match_id=match.pk,
            )
    except BaseException:
        private_files.delete(stored)
        raise
    return comment


def _played_side(match: Match, user_id: int) -> Any:
    for slot in match.slots.select_related("participant"):
        if slot.participant is not None and plays_for(slot.participant, user_id):
            return slot.participant
    return None


def evidence_read(*, actor: Actor, comment_id: int) -> tuple[bytes, str, str]:
    """The evidence of a comment for those who may read its dispute: ``(bytes, content type,
    file name)``; 404 ``evidence_not_found`` otherwise."""
    comment = DisputeComment.objects.select_related("dispute").filter(pk=comment_id).first()
    if comment is None or not comment.evidence_file:
        raise errors.EvidenceNotFound("No such evidence.")
    try:
        dispute_get_for(actor, comment.dispute_id)
    except errors.DisputeNotFound:
        raise errors.EvidenceNotFound("No such evidence.") from None
    extension = comment.evidence_file.rsplit(".", 1)[-1]
    name = f"dispute-{comment.dispute_id}-evidence-{comment.pk}.{extension}"
    return private_files.read(comment.evidence_file), comment.evidence_content_type, name


def dispute_resolve(
    *,
    actor: Actor,
    dispute_id: int,
    resolution: DisputeResolution | str,
    result: dict[str, Any] | None = None,
    participant_id: int | None = None,
    note: str = "",
) -> Dispute:
    """Resolve an open dispute (staff or the match's coordinator):

    - ``result``: the match is completed with ``result`` (any claim form; give the submitted
      one to uphold it);
    - ``replay``: the match goes back to ``ready`` and is played again;
    - ``disqualify``: ``participant_id`` (a side of the match) is disqualified from the stage
      through the engine; the match is forfeited to the other side.
    """
    who = actor_id(actor)
    try:
        kind = DisputeResolution(resolution)
    except ValueError:
        raise ValidationFailed(
            errors=[field_error("resolution", "invalid_choice", "result, replay or disqualify.")]
        ) from None
    dispute = dispute_get_for(actor, dispute_id)
    text = _text(note, "note", REASON_MAX_LENGTH, required=False)
    claim = claims.normalize(result or {}) if kind is DisputeResolution.RESULT else None
    now = clock.now()
    with transaction.atomic():
        ledger_lock(dispute.match.tournament_id)
        dispute = Dispute.objects.select_for_update().get(pk=dispute_id)
        match = match_lock(dispute.match_id)
        if not can_officiate(actor, match):
            raise errors.DisputeNotFound("No such dispute.")
        if dispute.status != DisputeStatus.OPEN:
            raise errors.DisputeClosed("This dispute is already resolved.")
        require_running(match.tournament_id)
        if kind is DisputeResolution.RESULT:
            assert claim is not None
            decided = ResultReport.objects.create(
                match=match,
                submitted_by_id=who,
                participant=None,
                payload=claim,
                status=ReportStatus.CONFIRMED,
                created_at=now,
                decided_at=now,
                decided_by_id=who,
            )
            bridge.supersede_open_reports_except(match, keep=decided.pk, now=now)
            apply_claim(match, claim, actor=who, now=now)
        elif kind is DisputeResolution.REPLAY:
            replay_locked(match, now=now)
        else:
            sides = [s.participant_id for s in match.slots.all()]
            if participant_id is None or participant_id not in sides:
                raise ValidationFailed(
                    errors=[
                        field_error(
                            "participant_id",
                            "not_in_match",
                            "Name the side of this match to disqualify.",
                        )
                    ]
                )
            bridge.supersede_open_reports(match, now=now)
            withdraw_locked(
                tournament_id=match.tournament_id,
                participant_id=participant_id,
                disqualify=True,
                reason="dispute",
                actor=who,
                now=now,
            )
        dispute.status = DisputeStatus.RESOLVED
        dispute.resolution = kind
        dispute.resolution_note = text
        dispute.resolved_by_id = who
        dispute.resolved_at = now
        dispute.save()
        record(
            match.tournament_id,
            DISPUTE_RESOLVED,
            {
                "match_id": match.pk,
                "dispute_id": dispute.pk,
                "resolution": kind.value,
                "participant_id": participant_id if kind is DisputeResolution.DISQUALIFY else None,
            },
            actor=who,
            match_id=match.pk,
        )
    logger.info("dispute resolved", extra={"dispute_id": dispute_id, "resolution": kind.value})
    return dispute
