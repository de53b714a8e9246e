"""The report state machine under any sequence of moderator moves (Hypothesis, stateful):
open → triaged → resolved | rejected and never back; refused moves change nothing; a report is
closed exactly when it is resolved or rejected; every accepted move is one audit entry."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from deltacrown.apps.moderation import services
from deltacrown.apps.moderation.data import (
    CLOSED_REPORT_STATUSES,
    REPORT_TRANSITIONS,
    ReportStatus,
)
from deltacrown.apps.moderation.errors import InvalidReportTransition, ReportClosed
from deltacrown.apps.moderation.models import AbuseReport
from deltacrown.apps.moderation.tests.factories import UserFactory, staff
from deltacrown.kernel.errors import ValidationFailed
from deltacrown.kernel.models import AuditEntry

RANK = {
    ReportStatus.OPEN: 0,
    ReportStatus.TRIAGED: 1,
    ReportStatus.RESOLVED: 2,
    ReportStatus.REJECTED: 2,
}


@pytest.mark.django_db
def test_reports_only_ever_move_forward_whatever_moderators_try():
    moderator, reporter, target = staff(), UserFactory(), UserFactory()

    class ReportMachine(RuleBasedStateMachine):
        @initialize()
        def file_a_report(self) -> None:
            self.report_id = services.report_file(
                actor=reporter,
                category="spam",
                target_type="user",
                target_id=target.pk,
                description="Advertising in the lobby.",
            ).pk
            self.status = ReportStatus.OPEN
            self.priority = 0
            self.moves = 0

        @rule(to=st.sampled_from(list(ReportStatus)))
        def move(self, to: ReportStatus) -> None:
            allowed = REPORT_TRANSITIONS[self.status]
            refusal = None
            try:
                services.report_transition(actor=moderator, report_id=self.report_id, to=to)
            except InvalidReportTransition as refused:
                refusal = refused.data
            if refusal is not None:
                assert to not in allowed
                assert refusal == {
                    "state": self.status.value,
                    "allowed": sorted(s.value for s in allowed),
                }
            else:
                # Stated independently of the transition table: one step forward, never back.
                assert RANK[to] == RANK[self.status] + 1
                assert to in allowed
                self.status = to
                self.moves += 1

        @rule(priority=st.integers(-1, 7))
        def prioritise(self, priority: int) -> None:
            try:
                services.report_update(actor=moderator, report_id=self.report_id, priority=priority)
            except ValidationFailed:
                assert not 0 <= priority <= 5
            except ReportClosed:
                assert self.status in CLOSED_REPORT_STATUSES
            else:
                assert 0 <= priority <= 5
                assert self.status not in CLOSED_REPORT_STATUSES
                self.priority = priority

        @invariant()
        def the_row_is_what_the_moves_made_it(self) -> None:
            row = AbuseReport.objects.get(pk=self.report_id)
            assert (row.status, row.priority) == (self.status.value, self.priority)
            assert (row.closed_at is not None) == (self.status in CLOSED_REPORT_STATUSES)
            assert (row.triaged_at is not None) == (self.status is not ReportStatus.OPEN)
            transitions = AuditEntry.objects.filter(
                target_type="abuse_report",
                target_id=str(self.report_id),
                action__in=[
                    "abuse_report.triaged",
                    "abuse_report.resolved",
                    "abuse_report.rejected",
                ],
            )
            assert transitions.count() == self.moves

    ReportMachine.TestCase.settings = settings(
        max_examples=30,
        stateful_step_count=8,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    ReportMachine.TestCase().runTest()
