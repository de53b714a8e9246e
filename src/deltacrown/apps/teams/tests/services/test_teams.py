"""Creating, renaming and disbanding teams through the services."""

from __future__ import annotations

import pytest

from deltacrown.apps.teams import errors, selectors, services
from deltacrown.apps.teams.data import InvitationStatus, LeaveReason
from deltacrown.apps.teams.models import Membership, Team
from deltacrown.apps.teams.tests.factories import (
    InvitationFactory,
    TeamFactory,
    UserFactory,
    event_names,
    game_id,
    last_event,
)
from deltacrown.kernel.errors import PermissionDenied, ValidationFailed
from deltacrown.kernel.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_creator_becomes_captain_and_only_member():
    founder = UserFactory()
    team = services.team_create(
        actor_id=founder.pk, game_id=game_id(), name="  Northern   Lights ", tag="NL"
    )
    assert (team.name, team.tag, team.captain_id) == ("Northern Lights", "NL", founder.pk)
    assert selectors.member_ids(team=team) == (founder.pk,)
    record = last_event(team.pk)
    assert record.name == "team.created"
    assert record.data == {"team_id": team.pk, "game_id": game_id(), "captain_id": founder.pk}


def test_team_names_are_unique_per_game_ignoring_case():
    services.team_create(actor_id=UserFactory().pk, game_id=game_id(), name="Crimson Tide")
    with pytest.raises(errors.TeamNameTaken):
        services.team_create(actor_id=UserFactory().pk, game_id=game_id(), name="crimson TIDE")
    other_game = services.team_create(
        actor_id=UserFactory().pk, game_id=game_id("cs2"), name="Crimson Tide"
    )
    assert other_game.name == "Crimson Tide"


def test_a_disbanded_teams_name_is_free_again():
    founder = UserFactory()
    old = services.team_create(actor_id=founder.pk, game_id=game_id(), name="Phoenix")
    services.team_disband(actor_id=founder.pk, team_id=old.pk)
    new = services.team_create(actor_id=UserFactory().pk, game_id=game_id(), name="phoenix")
    assert new.pk != old.pk


@pytest.mark.parametrize(
    ("name", "tag", "field"),
    [
        ("A", "", "name"),
        ("x" * 65, "", "name"),
        ("Bell\x07Team", "", "name"),
        ("Good Name", "X", "tag"),
        ("Good Name", "TOOLONG", "tag"),
        ("Good Name", "N-L", "tag"),
    ],
)
def test_invalid_names_and_tags_are_refused(name, tag, field):
    with pytest.raises(ValidationFailed) as excinfo:
        services.team_create(actor_id=UserFactory().pk, game_id=game_id(), name=name, tag=tag)
    assert [e["field"] for e in excinfo.value.errors] == [field]
    assert not Team.objects.exists()


def test_one_against_one_games_have_no_teams():
    with pytest.raises(errors.GameWithoutTeams):
        services.team_create(actor_id=UserFactory().pk, game_id=game_id("efootball"), name="Duo")


def test_a_player_founds_at_most_one_active_team_per_game():
    founder = UserFactory()
    services.team_create(actor_id=founder.pk, game_id=game_id(), name="First")
    with pytest.raises(errors.AlreadyInTeamForGame):
        services.team_create(actor_id=founder.pk, game_id=game_id(), name="Second")
    # Another game is another roster.
    services.team_create(actor_id=founder.pk, game_id=game_id("cs2"), name="Second")
    assert Membership.objects.filter(user=founder, left_at__isnull=True).count() == 2


def test_captain_renames_the_team_with_an_event_and_an_audit_entry():
    team = TeamFactory(tag="OLD")
    services.team_update(actor_id=team.captain_id, team_id=team.pk, name="Renamed", tag="")
    team.refresh_from_db()
    assert (team.name, team.tag) == ("Renamed", "")
    record = last_event(team.pk)
    assert record.name == "team.updated"
    assert record.data == {
        "team_id": team.pk,
        "fields": ["name", "tag"],
        "by_user_id": team.captain_id,
    }
    entry = AuditEntry.objects.get(action="team.updated")
    assert (entry.actor_id, entry.target_id) == (team.captain_id, str(team.pk))
    assert entry.data == {"fields": ["name", "tag"], "as_staff": False}


def test_an_update_that_changes_nothing_publishes_nothing():
    team = TeamFactory(name="Same", tag="SM")
    services.team_update(actor_id=team.captain_id, team_id=team.pk, name="Same", tag="SM")
    assert event_names(team.pk) == []


def test_renaming_to_a_taken_name_is_refused():
    TeamFactory(name="Taken")
    team = TeamFactory(name="Mine")
    with pytest.raises(errors.TeamNameTaken):
        services.team_update(actor_id=team.captain_id, team_id=team.pk, name="TAKEN")


def test_members_and_strangers_may_not_update_the_team():
    team = TeamFactory(players=1)
    member = team.memberships.exclude(user=team.captain).get().user
    for user in (member, UserFactory()):
        with pytest.raises(PermissionDenied) as excinfo:
            services.team_update(actor_id=user.pk, team_id=team.pk, name="Hijacked")
        assert excinfo.value.code == "role_required"
    team.refresh_from_db()
    assert team.name != "Hijacked"


def test_staff_act_as_captain_and_are_audited_as_staff():
    team = TeamFactory()
    staff = UserFactory(is_staff=True)
    services.team_update(actor_id=staff.pk, team_id=team.pk, name="Moderated")
    entry = AuditEntry.objects.get(action="team.updated")
    assert entry.actor_id == staff.pk
    assert entry.data["as_staff"] is True


def test_disbanding_ends_the_roster_and_revokes_pending_invitations():
    team = TeamFactory(players=2)
    roster = selectors.member_ids(team=team)
    invitation = InvitationFactory(team=team)
    services.team_disband(actor_id=team.captain_id, team_id=team.pk)

    team.refresh_from_db()
    assert not team.is_active
    assert not Membership.objects.filter(team=team, left_at__isnull=True).exists()
    assert set(team.memberships.values_list("left_reason", flat=True)) == {
        LeaveReason.DISBANDED.value
    }
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.REVOKED
    assert event_names(team.pk)[-2:] == ["team.invite_revoked", "team.disbanded"]
    assert last_event(team.pk).data == {
        "team_id": team.pk,
        "member_ids": list(roster),
        "by_user_id": team.captain_id,
    }
    assert AuditEntry.objects.filter(action="team.disbanded", target_id=str(team.pk)).exists()
    # The team is kept for history with its final roster, and leaves every list.
    assert selectors.member_ids(team=team) == roster
    assert not selectors.team_list().filter(pk=team.pk).exists()


def test_former_members_of_a_disbanded_team_may_found_new_ones():
    team = TeamFactory(players=1)
    member = team.memberships.exclude(user=team.captain).get().user
    services.team_disband(actor_id=team.captain_id, team_id=team.pk)
    new = services.team_create(actor_id=member.pk, game_id=team.game_id, name="Fresh Start")
    assert new.captain_id == member.pk


def test_a_disbanded_team_cannot_change_any_more():
    team = TeamFactory()
    services.team_disband(actor_id=team.captain_id, team_id=team.pk)
    with pytest.raises(errors.TeamDisbanded):
        services.team_update(actor_id=team.captain_id, team_id=team.pk, name="Back")
    with pytest.raises(errors.TeamDisbanded):
        services.team_disband(actor_id=team.captain_id, team_id=team.pk)


def test_only_the_captain_or_staff_disband():
    team = TeamFactory(players=1)
    member = team.memberships.exclude(user=team.captain).get().user
    with pytest.raises(PermissionDenied):
        services.team_disband(actor_id=member.pk, team_id=team.pk)
    services.team_disband(actor_id=UserFactory(is_staff=True).pk, team_id=team.pk)
    team.refresh_from_db()
    assert not team.is_active


def test_unknown_team_is_not_found():
    with pytest.raises(errors.TeamNotFound):
        services.team_disband(actor_id=UserFactory().pk, team_id=424242)
