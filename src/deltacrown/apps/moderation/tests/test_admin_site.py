"""The Django admin pages for moderation: browsable with filters, and every change made there
goes through the services (audited, published, seen by the gates at once)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from deltacrown.apps.moderation import api
from deltacrown.apps.moderation.data import SanctionKind
from deltacrown.apps.moderation.models import AbuseReport, Sanction
from deltacrown.apps.moderation.tests.factories import UserFactory, sanction, signed_in
from deltacrown.kernel import clock
from deltacrown.kernel.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser():
    return UserFactory(is_staff=True, is_superuser=True)


def test_sanction_pages_filter_by_state_and_scope(superuser):
    as_admin = signed_in(superuser)
    active = sanction(UserFactory(display_name="Active One"), SanctionKind.MUTE)
    revoked = sanction(UserFactory(), SanctionKind.BAN)
    api.sanction_revoke(actor=superuser, sanction_id=revoked.pk, reason="Appeal")

    listed = as_admin.get("/admin/moderation/sanction/?state=active&scope=global")
    assert listed.status_code == 200
    assert f"/admin/moderation/sanction/{active.pk}/change/".encode() in listed.content
    assert f"/admin/moderation/sanction/{revoked.pk}/change/".encode() not in listed.content
    gone = as_admin.get("/admin/moderation/sanction/?state=revoked")
    assert f"/admin/moderation/sanction/{revoked.pk}/change/".encode() in gone.content
    assert as_admin.get(f"/admin/moderation/sanction/{revoked.pk}/change/").status_code == 200


def test_adding_a_sanction_in_the_admin_goes_through_the_service(superuser):
    player = UserFactory()
    now = clock.now()
    response = signed_in(superuser).post(
        "/admin/moderation/sanction/add/",
        {
            "user": player.pk,
            "kind": "suspend",
            "tournament": "",
            "starts_at_0": now.strftime("%Y-%m-%d"),
            "starts_at_1": now.strftime("%H:%M:%S"),
            "ends_at_0": (now + timedelta(days=7)).strftime("%Y-%m-%d"),
            "ends_at_1": now.strftime("%H:%M:%S"),
            "reason_code": "no_show",
            "note": "Three no-shows.",
            "report": "",
        },
    )
    assert response.status_code == 302, response.content
    made = Sanction.objects.get(user=player)
    assert (made.kind, made.created_by_id) == ("suspend", superuser.pk)
    assert AuditEntry.objects.filter(action="sanction.created", target_id=str(made.pk)).exists()
    assert not api.check(player, "checkin").allowed


def test_an_admin_sanction_must_end_after_it_starts(superuser):
    now = clock.now()
    response = signed_in(superuser).post(
        "/admin/moderation/sanction/add/",
        {
            "user": UserFactory().pk,
            "kind": "ban",
            "starts_at_0": now.strftime("%Y-%m-%d"),
            "starts_at_1": now.strftime("%H:%M:%S"),
            "ends_at_0": (now - timedelta(days=1)).strftime("%Y-%m-%d"),
            "ends_at_1": now.strftime("%H:%M:%S"),
            "reason_code": "cheating",
        },
    )
    assert response.status_code == 200  # the form again, with the error
    assert b"A sanction ends after it starts." in response.content
    assert not Sanction.objects.exists()


def test_filling_in_the_revocation_reason_revokes_through_the_service(superuser):
    player = UserFactory()
    given = sanction(player, SanctionKind.BAN)
    response = signed_in(superuser).post(
        f"/admin/moderation/sanction/{given.pk}/change/", {"revoke_reason": "Appeal accepted"}
    )
    assert response.status_code == 302, response.content
    given.refresh_from_db()
    assert (given.revoked_by_id, given.revoke_reason) == (superuser.pk, "Appeal accepted")
    assert AuditEntry.objects.filter(action="sanction.revoked").count() == 1
    assert api.check(player, "ws.connect").allowed
    assert (
        signed_in(superuser).post(f"/admin/moderation/sanction/{given.pk}/delete/").status_code
        == 403
    )


def test_report_pages_filter_and_triage_through_the_service(superuser):
    reporter = UserFactory()
    report_id = api.report_file(
        actor=reporter,
        category="spam",
        target_type="user",
        target_id=UserFactory().pk,
        description="Spam.",
    )
    as_admin = signed_in(superuser)
    listed = as_admin.get("/admin/moderation/abusereport/?status=open&assigned=no")
    assert listed.status_code == 200
    assert f"/admin/moderation/abusereport/{report_id}/change/".encode() in listed.content
    assert as_admin.get(f"/admin/moderation/abusereport/{report_id}/change/").status_code == 200

    triaged = as_admin.post(
        "/admin/moderation/abusereport/", {"action": "triage", "_selected_action": [report_id]}
    )
    assert triaged.status_code == 302
    assert AbuseReport.objects.get(pk=report_id).status == "triaged"
    assert AuditEntry.objects.get(action="abuse_report.triaged").actor_id == superuser.pk
