"""Moderation app, services layer: abuse reports — filing, triage, assignment, notes, closing.

Any signed-in user files a report about a user, team, match or message (unless a ban or a mute
says otherwise), with an optional evidence file checked like a payment proof. The moderators of
the report's tournament (staff for reports without one) move it open → triaged → resolved |
rejected, set its priority (0-5) and assignee and add notes. Every change is audited and
published on ``moderation:reports``; events carry ids only, never who reported.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from deltacrown.apps.accounts import api as accounts
from deltacrown.apps.competition import api as competition
from deltacrown.apps.moderation import enforcement, errors, selectors
from deltacrown.apps.moderation.data import (
    CLOSED_REPORT_STATUSES,
    PRIORITY_MAX,
    PRIORITY_MIN,
    REPORT_ASSIGNED,
    REPORT_FILED,
    REPORT_NOTED,
    REPORT_PRIORITIZED,
    REPORT_REJECTED,
    REPORT_RESOLVED,
    REPORT_TARGET,
    REPORT_TRANSITIONS,
    REPORT_TRIAGED,
    REPORTS_STREAM,
    ModerationAction,
    ReportCategory,
    ReportStatus,
    ReportTargetType,
)
from deltacrown.apps.moderation.models import AbuseReport, ReportNote
from deltacrown.apps.moderation.services import common
from deltacrown.apps.moderation.services.common import actor_id, choice, key_reused, text
from deltacrown.apps.registrations import api as registrations
from deltacrown.apps.teams import api as teams
from deltacrown.apps.tournaments import api as tournaments
from deltacrown.kernel import audit, clock, events, private_files
from deltacrown.kernel.errors import DomainError, NotFound, ValidationFailed, field_error

DESCRIPTION_MAX_LENGTH = 4000
NOTE_MAX_LENGTH = 4000
EVIDENCE_DIRECTORY = "abuse-evidence"

_EVENT_OF_STATUS = {
    ReportStatus.TRIAGED: REPORT_TRIAGED,
    ReportStatus.RESOLVED: REPORT_RESOLVED,
    ReportStatus.REJECTED: REPORT_REJECTED,
}


class _Unset:
    """Marks a field the caller did not send (``None`` is a value: "no assignee")."""


UNSET: Any = _Unset()


def _not_found(field: str) -> ValidationFailed:
    return ValidationFailed(errors=[field_error(field, "not_found", "Nothing to report here.")])


def _report_tournament(
    actor: Any, who: int, target_type: ReportTargetType, target_id: int, tournament_id: int | None
) -> int | None:
    """Check that the target exists and the reporter may know it; the report's tournament."""
    if target_id <= 0:
        raise _not_found("target_id")
    if target_type is ReportTargetType.USER:
        if target_id == who:
            raise ValidationFailed(
                errors=[field_error("target_id", "self", "You cannot report yourself.")]
            )
        if target_id not in accounts.user_refs([target_id]):
            raise _not_found("target_id")
    elif target_type is ReportTargetType.TEAM:
        if target_id not in teams.team_refs([target_id]):
            raise _not_found("target_id")
    elif target_type is ReportTargetType.MATCH:
        try:
            match = competition.match_get(target_id)
            tournaments.tournament_get_for(actor, match.tournament_id)
        except NotFound:
            # A match in a tournament the reporter may not see is treated as missing.
            raise _not_found("target_id") from None
        if tournament_id is not None and tournament_id != match.tournament_id:
            raise ValidationFailed(
                errors=[
                    field_error("tournament_id", "mismatch", "The match is of another tournament.")
                ]
            )
        return match.tournament_id
    # Messages have no store yet (chat lands later): their ids are recorded as given.
    if tournament_id is not None:
        try:
            tournaments.tournament_get_for(actor, tournament_id)
        except NotFound:
            raise _not_found("tournament_id") from None
    return tournament_id


def report_file(
    *,
    actor: Any,
    category: ReportCategory | str,
    target_type: ReportTargetType | str,
    target_id: int,
    description: str,
    tournament_id: int | None = None,
    filename: str | None = None,
    data: bytes | None = None,
    idempotency_key: str | None = None,
) -> AbuseReport:
    """File an abuse report about a user, team, match or message (``tournament_id``: the
    tournament it concerns; a match's own tournament is taken from the match).

    403 ``banned``/``muted`` when a sanction forbids reporting; 422 for an unknown target or
    one the reporter may not see, for reporting oneself, and for an evidence file that is not
    a clean JPEG, PNG or PDF of at most 5 MB (the ``proof_*`` codes). With an
    ``idempotency_key``, repeating the call returns the first report.
    """
    who = actor_id(actor)
    category = choice(ReportCategory, category, "category")
    target_type = choice(ReportTargetType, target_type, "target_type")
    key = common.idempotency_key(idempotency_key)
    if key is not None:
        earlier = AbuseReport.objects.filter(reporter_id=who, idempotency_key=key).first()
        if earlier is not None:
            return _replayed(earlier, category, target_type, target_id)
    report_tournament = _report_tournament(actor, who, target_type, target_id, tournament_id)
    decision = enforcement.check(who, ModerationAction.REPORT_CREATE, report_tournament)
    if not decision.allowed:
        refusal = errors.REFUSALS[str(decision.reason_code)]
        raise refusal(
            "Your account may not file reports right now.", sanction_id=decision.sanction_id
        )
    body = text(description, "description", DESCRIPTION_MAX_LENGTH, required=True)
    stored, content_type, size = "", "", 0
    if data is not None:
        # Inspected and stored before the transaction: decoding takes a moment.
        inspected = registrations.file_inspect(filename or "", data)
        stored = private_files.save(
            directory=EVIDENCE_DIRECTORY,
            owner=who,
            content=inspected.content,
            extension=inspected.extension,
        )
        content_type, size = inspected.content_type, len(inspected.content)
    now = clock.now()
    try:
        with transaction.atomic():
            try:
                with transaction.atomic():
                    report = AbuseReport.objects.create(
                        reporter_id=who,
                        category=category.value,
                        target_type=target_type.value,
                        target_id=target_id,
                        tournament_id=report_tournament,
                        description=body,
                        evidence_file=stored,
                        evidence_content_type=content_type,
                        evidence_size=size,
                        idempotency_key=key,
                        created_at=now,
                        updated_at=now,
                    )
            except IntegrityError:
                earlier = (
                    AbuseReport.objects.filter(reporter_id=who, idempotency_key=key).first()
                    if key is not None
                    else None
                )
                if earlier is None:
                    raise
                private_files.delete(stored)
                return _replayed(earlier, category, target_type, target_id)
            payload = {
                "report_id": report.pk,
                "tournament_id": report_tournament,
                "category": category.value,
                "target_type": target_type.value,
                "target_id": target_id,
            }
            audit.record(
                action=REPORT_FILED,
                target_type=REPORT_TARGET,
                target_id=report.pk,
                data=payload,
                actor_id=who,
            )
            events.publish(REPORTS_STREAM, REPORT_FILED, payload)
    except BaseException:
        private_files.delete(stored)
        raise
    return report


def _replayed(
    earlier: AbuseReport,
    category: ReportCategory,
    target_type: ReportTargetType,
    target_id: int,
) -> AbuseReport:
    if (earlier.category, earlier.target_type, earlier.target_id) != (
        category.value,
        target_type.value,
        target_id,
    ):
        raise key_reused()
    return earlier


def _record(report: AbuseReport, action: str, who: int, **data: Any) -> None:
    payload = {"report_id": report.pk, "tournament_id": report.tournament_id, **data}
    audit.record(
        action=action, target_type=REPORT_TARGET, target_id=report.pk, data=payload, actor_id=who
    )
    events.publish(REPORTS_STREAM, action, payload)


def _locked(report_id: int) -> AbuseReport:
    return AbuseReport.objects.select_for_update().get(pk=report_id)


def report_transition(
    *, actor: Any, report_id: int, to: ReportStatus | str, note: str = ""
) -> AbuseReport:
    """Move a report along open → triaged → resolved | rejected (with an optional note).

    The report's moderators (staff for reports without a tournament); 404
    ``report_not_found`` for anyone else; 409 ``invalid_report_transition`` for any other
    move (``state``, ``allowed``).
    """
    who = actor_id(actor)
    selectors.report_get_for(actor, report_id)
    target = choice(ReportStatus, to, "to")
    body = text(note, "note", NOTE_MAX_LENGTH, required=False)
    with transaction.atomic():
        report = _locked(report_id)
        current = ReportStatus(report.status)
        allowed = REPORT_TRANSITIONS[current]
        if target not in allowed:
            raise errors.InvalidReportTransition(
                f"A report that is {current.value} cannot become {target.value}.",
                state=current.value,
                allowed=sorted(s.value for s in allowed),
            )
        now = clock.now()
        report.status = target.value
        report.updated_at = now
        if target is ReportStatus.TRIAGED:
            report.triaged_at = now
        if target in CLOSED_REPORT_STATUSES:
            report.closed_at = now
        report.save(update_fields=["status", "updated_at", "triaged_at", "closed_at"])
        note_id = None
        if body:
            note_id = ReportNote.objects.create(
                report=report, author_id=who, body=body, created_at=now
            ).pk
        _record(
            report,
            _EVENT_OF_STATUS[target],
            who,
            **{"from": current.value, "to": target.value, "note_id": note_id},
        )
    return report


def report_update(
    *, actor: Any, report_id: int, priority: Any = UNSET, assignee_id: Any = UNSET
) -> AbuseReport:
    """Set a report's priority (0-5) and/or its assignee (a moderator of the report's
    tournament, or staff; None unassigns). 409 ``report_closed`` once resolved or rejected;
    422 for a priority out of range or an assignee who may not moderate the report."""
    who = actor_id(actor)
    selectors.report_get_for(actor, report_id)
    if priority is not UNSET and (
        isinstance(priority, bool)
        or not isinstance(priority, int)
        or not PRIORITY_MIN <= priority <= PRIORITY_MAX
    ):
        raise ValidationFailed(
            errors=[field_error("priority", "out_of_range", "A priority is 0 (low) to 5.")]
        )
    with transaction.atomic():
        report = _locked(report_id)
        if ReportStatus(report.status) in CLOSED_REPORT_STATUSES:
            raise errors.ReportClosed("This report is closed.", state=report.status)
        changed: list[str] = []
        if priority is not UNSET and priority != report.priority:
            _record(report, REPORT_PRIORITIZED, who, **{"from": report.priority, "to": priority})
            report.priority = priority
            changed.append("priority")
        if assignee_id is not UNSET and assignee_id != report.assignee_id:
            if assignee_id is not None:
                _require_moderator(assignee_id, report.tournament_id)
            _record(report, REPORT_ASSIGNED, who, assignee_id=assignee_id)
            report.assignee_id = assignee_id
            changed.append("assignee")
        if changed:
            report.updated_at = clock.now()
            report.save(update_fields=[*changed, "updated_at"])
    return report


def _require_moderator(user_id: int, tournament_id: int | None) -> None:
    assignee = accounts.user_refs([user_id]).get(user_id)
    if (
        assignee is None
        or not assignee.is_active
        or not selectors.can_moderate(assignee, tournament_id)
    ):
        raise ValidationFailed(
            errors=[
                field_error(
                    "assignee_id", "not_a_moderator", "Assign the report to one of its moderators."
                )
            ]
        )


def report_note_add(*, actor: Any, report_id: int, body: str) -> ReportNote:
    """Add a moderators' note to a report (the reporter never sees notes)."""
    who = actor_id(actor)
    selectors.report_get_for(actor, report_id)
    content = text(body, "body", NOTE_MAX_LENGTH, required=True)
    with transaction.atomic():
        report = _locked(report_id)
        note = ReportNote.objects.create(
            report=report, author_id=who, body=content, created_at=clock.now()
        )
        _record(report, REPORT_NOTED, who, note_id=note.pk)
    return note


def evidence_read(*, actor: Any, report_id: int) -> tuple[bytes, str, str]:
    """A report's evidence for its reporter and its moderators: ``(bytes, content type,
    file name)``; 404 ``report_evidence_not_found`` otherwise."""
    who = actor_id(actor)
    report = AbuseReport.objects.filter(pk=report_id).first()
    if report is None or not report.evidence_file:
        raise errors.ReportEvidenceNotFound("No such evidence.")
    if report.reporter_id != who:
        try:
            selectors.report_get_for(actor, report_id)
        except DomainError:
            raise errors.ReportEvidenceNotFound("No such evidence.") from None
    extension = report.evidence_file.rsplit(".", 1)[-1]
    name = f"report-{report.pk}-evidence.{extension}"
    return private_files.read(report.evidence_file), report.evidence_content_type, name
