"""The Django admin pages for teams: browsable with filters, and disbanding through the service."""

from __future__ import annotations

import pytest

from deltacrown.apps.teams.tests.factories import (
    InvitationFactory,
    TeamFactory,
    UserFactory,
    event_names,
    signed_in,
)
from deltacrown.kernel.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client():
    return signed_in(UserFactory(is_staff=True, is_superuser=True))


def test_team_list_filters_active_and_disbanded_teams(admin_client):
    TeamFactory(name="Still Here")
    gone = TeamFactory(name="Long Gone")
    gone.disbanded_at = gone.created_at
    gone.save()
    active = admin_client.get("/admin/teams/team/?active=yes")
    assert active.status_code == 200
    assert b"Still Here" in active.content
    assert b"Long Gone" not in active.content
    disbanded = admin_client.get("/admin/teams/team/?active=no")
    assert b"Long Gone" in disbanded.content
    assert admin_client.get(f"/admin/teams/team/{gone.pk}/change/").status_code == 200


def test_invitation_and_membership_lists_render(admin_client):
    invitation = InvitationFactory()
    invitations = admin_client.get("/admin/teams/invitation/?status=pending")
    assert invitations.status_code == 200
    assert invitation.team.name.encode() in invitations.content
    assert admin_client.get("/admin/teams/membership/?left_reason=").status_code == 200


def test_admin_action_disbands_through_the_service(admin_client):
    team = TeamFactory(players=1)
    response = admin_client.post(
        "/admin/teams/team/", {"action": "disband", "_selected_action": [team.pk]}
    )
    assert response.status_code == 302
    team.refresh_from_db()
    assert not team.is_active
    assert event_names(team.pk)[-1] == "team.disbanded"
    assert AuditEntry.objects.get(action="team.disbanded").data["as_staff"] is True
