"""Inviting players: sending, accepting, declining, revoking and expiring invitations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from deltacrown.apps.teams import errors, selectors, services, tasks
from deltacrown.apps.teams.data import InvitationStatus
from deltacrown.apps.teams.models import Invitation, Membership
from deltacrown.apps.teams.tests.factories import (
    InvitationFactory,
    TeamFactory,
    UserFactory,
    event_names,
    last_event,
)
from deltacrown.kernel import clock, gates
from deltacrown.kernel.errors import NotFound, PermissionDenied
from deltacrown.kernel.models import AuditEntry

pytestmark = pytest.mark.django_db

T0 = datetime(2031, 5, 1, 12, 0, tzinfo=UTC)


def _free_places(team) -> int:
    return selectors.roster_limit(team.game_id) - selectors.roster_usage(team_id=team.pk)


def test_captain_invites_a_player_for_seven_days():
    team = TeamFactory()
    player = UserFactory()
    with clock.frozen(T0):
        invitation = services.invitation_create(
            actor_id=team.captain_id, team_id=team.pk, user_id=player.pk
        )
    assert invitation.status == InvitationStatus.PENDING
    assert invitation.expires_at == T0 + timedelta(days=7)
    record = last_event(team.pk)
    assert record.name == "team.invited"
    assert record.data == {
        "team_id": team.pk,
        "invitation_id": invitation.pk,
        "user_id": player.pk,
        "invited_by_id": team.captain_id,
    }
    entry = AuditEntry.objects.get(action="team.invited")
    assert entry.actor_id == team.captain_id
    assert entry.data == {"invitation_id": invitation.pk, "user_id": player.pk, "as_staff": False}


def test_members_and_strangers_may_not_invite():
    team = TeamFactory(players=1)
    member = team.memberships.exclude(user=team.captain).get().user
    for user in (member, UserFactory()):
        with pytest.raises(PermissionDenied):
            services.invitation_create(actor_id=user.pk, team_id=team.pk, user_id=UserFactory().pk)
    assert not Invitation.objects.exists()


def test_the_moderation_gate_can_stop_an_inviter():
    team = TeamFactory()

    def policy(user_id: int, action: gates.Action, tournament_id: int | None) -> gates.Decision:
        if user_id == team.captain_id and action == gates.Action.TEAM_INVITE:
            return gates.Decision(allowed=False, reason_code="banned", sanction_id=7)
        return gates.ALLOW

    previous = gates.register_policy(policy)
    try:
        with pytest.raises(PermissionDenied) as excinfo:
            services.invitation_create(
                actor_id=team.captain_id, team_id=team.pk, user_id=UserFactory().pk
            )
    finally:
        gates.register_policy(previous)
    assert excinfo.value.code == "banned"
    assert not Invitation.objects.exists()


def test_inviting_a_current_member_or_twice_is_refused():
    team = TeamFactory(players=1)
    member = team.memberships.exclude(user=team.captain).get().user
    with pytest.raises(errors.AlreadyMember):
        services.invitation_create(actor_id=team.captain_id, team_id=team.pk, user_id=member.pk)
    player = UserFactory()
    first = services.invitation_create(actor_id=team.captain_id, team_id=team.pk, user_id=player.pk)
    with pytest.raises(errors.InvitationAlreadyPending) as excinfo:
        services.invitation_create(actor_id=team.captain_id, team_id=team.pk, user_id=player.pk)
    assert excinfo.value.data["invitation_id"] == first.pk


def test_inviting_an_unknown_or_disabled_user_is_not_found():
    team = TeamFactory()
    for user_id in (987_654, UserFactory(is_active=False).pk):
        with pytest.raises(NotFound) as excinfo:
            services.invitation_create(actor_id=team.captain_id, team_id=team.pk, user_id=user_id)
        assert excinfo.value.code == "user_not_found"


def test_pending_invitations_count_toward_the_roster_limit():
    team = TeamFactory()
    limit = selectors.roster_limit(team.game_id)
    for _ in range(limit - 1):
        services.invitation_create(
            actor_id=team.captain_id, team_id=team.pk, user_id=UserFactory().pk
        )
    assert _free_places(team) == 0
    with pytest.raises(errors.RosterFull) as excinfo:
        services.invitation_create(
            actor_id=team.captain_id, team_id=team.pk, user_id=UserFactory().pk
        )
    assert excinfo.value.data["limit"] == limit


def test_invitee_accepts_and_joins_the_roster():
    team = TeamFactory()
    invitation = InvitationFactory(team=team)
    accepted = services.invitation_accept(actor_id=invitation.user_id, invitation_id=invitation.pk)
    assert accepted.status == InvitationStatus.ACCEPTED
    assert selectors.member_ids(team=team) == (team.captain_id, invitation.user_id)
    record = last_event(team.pk)
    assert record.name == "team.invite_accepted"
    assert record.data == {
        "team_id": team.pk,
        "invitation_id": invitation.pk,
        "user_id": invitation.user_id,
    }


def test_nobody_but_the_invitee_can_see_or_answer_an_invitation():
    invitation = InvitationFactory()
    captain = invitation.team.captain_id
    for user_id in (captain, UserFactory().pk, UserFactory(is_staff=True).pk):
        with pytest.raises(errors.InvitationNotFound):
            services.invitation_accept(actor_id=user_id, invitation_id=invitation.pk)
        with pytest.raises(errors.InvitationNotFound):
            services.invitation_decline(actor_id=user_id, invitation_id=invitation.pk)
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.PENDING


def test_an_answered_invitation_cannot_be_answered_again():
    invitation = InvitationFactory()
    services.invitation_decline(actor_id=invitation.user_id, invitation_id=invitation.pk)
    with pytest.raises(errors.InvitationNotPending) as excinfo:
        services.invitation_accept(actor_id=invitation.user_id, invitation_id=invitation.pk)
    assert excinfo.value.data["status"] == "declined"
    assert not Membership.objects.filter(user_id=invitation.user_id).exists()


def test_declining_leaves_the_roster_unchanged():
    invitation = InvitationFactory()
    declined = services.invitation_decline(actor_id=invitation.user_id, invitation_id=invitation.pk)
    assert declined.status == InvitationStatus.DECLINED
    assert selectors.member_ids(team=invitation.team) == (invitation.team.captain_id,)
    assert last_event(invitation.team_id).name == "team.invite_declined"


def test_a_player_in_another_team_of_the_game_must_leave_it_before_accepting():
    current = TeamFactory()
    invitation = InvitationFactory(user=current.captain)
    with pytest.raises(errors.AlreadyInTeamForGame):
        services.invitation_accept(actor_id=current.captain_id, invitation_id=invitation.pk)
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.PENDING


def test_accepting_never_overfills_a_roster_whose_limit_shrank():
    # Invitations sent while the game allowed more players than it does now.
    limit = selectors.roster_limit(TeamFactory.build().game_id)
    team = TeamFactory(players=limit - 2)
    first, second = InvitationFactory(team=team), InvitationFactory(team=team)
    services.invitation_accept(actor_id=first.user_id, invitation_id=first.pk)
    with pytest.raises(errors.RosterFull):
        services.invitation_accept(actor_id=second.user_id, invitation_id=second.pk)
    assert len(selectors.member_ids(team=team)) == limit


def test_captain_revokes_a_pending_invitation():
    invitation = InvitationFactory()
    team = invitation.team
    services.invitation_revoke(
        actor_id=team.captain_id, team_id=team.pk, invitation_id=invitation.pk
    )
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.REVOKED
    assert last_event(team.pk).data == {
        "team_id": team.pk,
        "invitation_id": invitation.pk,
        "user_id": invitation.user_id,
        "revoked_by_id": team.captain_id,
    }
    assert AuditEntry.objects.filter(action="team.invite_revoked").count() == 1
    with pytest.raises(errors.InvitationNotPending):
        services.invitation_accept(actor_id=invitation.user_id, invitation_id=invitation.pk)


def test_revoking_is_for_the_captain_and_only_for_the_teams_own_invitations():
    invitation = InvitationFactory()
    other = TeamFactory()
    with pytest.raises(PermissionDenied):
        services.invitation_revoke(
            actor_id=invitation.user_id, team_id=invitation.team_id, invitation_id=invitation.pk
        )
    with pytest.raises(errors.InvitationNotFound):
        services.invitation_revoke(
            actor_id=other.captain_id, team_id=other.pk, invitation_id=invitation.pk
        )
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.PENDING


def test_an_invitation_cannot_be_accepted_after_seven_days():
    with clock.frozen(T0) as frozen:
        invitation = InvitationFactory()
        frozen.advance(timedelta(days=7))
        with pytest.raises(errors.InvitationExpired):
            services.invitation_accept(actor_id=invitation.user_id, invitation_id=invitation.pk)
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.EXPIRED
    assert last_event(invitation.team_id).name == "team.invite_expired"
    assert not Membership.objects.filter(user_id=invitation.user_id).exists()


def test_an_invitation_can_be_accepted_until_its_last_moment():
    with clock.frozen(T0) as frozen:
        invitation = InvitationFactory()
        frozen.advance(timedelta(days=7) - timedelta(microseconds=1))
        services.invitation_accept(actor_id=invitation.user_id, invitation_id=invitation.pk)
    assert Membership.objects.filter(user_id=invitation.user_id, left_at__isnull=True).exists()


def test_expired_invitations_free_their_roster_place_and_can_be_sent_again():
    with clock.frozen(T0) as frozen:
        team = TeamFactory()
        player = UserFactory()
        services.invitation_create(actor_id=team.captain_id, team_id=team.pk, user_id=player.pk)
        before = _free_places(team)
        frozen.advance(timedelta(days=8))
        assert _free_places(team) == before + 1
        again = services.invitation_create(
            actor_id=team.captain_id, team_id=team.pk, user_id=player.pk
        )
    assert again.expires_at == T0 + timedelta(days=15)
    statuses = dict(Invitation.objects.values_list("pk", "status"))
    assert sorted(statuses.values()) == ["expired", "pending"]
    assert event_names(team.pk) == ["team.invited", "team.invite_expired", "team.invited"]


def test_periodic_expiry_marks_overdue_invitations_once():
    with clock.frozen(T0) as frozen:
        overdue = [InvitationFactory() for _ in range(3)]
        frozen.advance(timedelta(days=3))
        fresh = InvitationFactory()
        frozen.advance(timedelta(days=5))
        assert services.invitations_expire_due(batch=2) == 3
        assert tasks.expire_team_invitations.call_local() == 0
    statuses = dict(Invitation.objects.values_list("pk", "status"))
    assert [statuses[i.pk] for i in overdue] == ["expired"] * 3
    assert statuses[fresh.pk] == "pending"
    for invitation in overdue:
        assert event_names(invitation.team_id) == ["team.invite_expired"]
        assert last_event(invitation.team_id).data == {
            "team_id": invitation.team_id,
            "invitation_id": invitation.pk,
            "user_id": invitation.user_id,
        }
