"""Roster changes: removing a member, leaving a team and handing over the captaincy."""

from __future__ import annotations

import pytest

from deltacrown.apps.teams import errors, selectors, services
from deltacrown.apps.teams.models import Membership
from deltacrown.apps.teams.tests.factories import TeamFactory, UserFactory, event_names, last_event
from deltacrown.kernel.errors import PermissionDenied
from deltacrown.kernel.models import AuditEntry

pytestmark = pytest.mark.django_db


def _players(team) -> list[int]:
    return [uid for uid in selectors.member_ids(team=team) if uid != team.captain_id]


def test_captain_removes_a_member():
    team = TeamFactory(players=2)
    removed, kept = _players(team)
    services.member_remove(actor_id=team.captain_id, team_id=team.pk, user_id=removed)
    assert selectors.member_ids(team=team) == (team.captain_id, kept)
    assert Membership.objects.get(user_id=removed).left_reason == "removed"
    assert last_event(team.pk).data == {
        "team_id": team.pk,
        "user_id": removed,
        "removed_by_id": team.captain_id,
    }
    entry = AuditEntry.objects.get(action="team.member_removed")
    assert entry.data == {"user_id": removed, "as_staff": False}


def test_the_captain_cannot_be_removed_and_strangers_are_not_found_on_the_roster():
    team = TeamFactory(players=1)
    with pytest.raises(errors.CannotRemoveCaptain):
        services.member_remove(
            actor_id=UserFactory(is_staff=True).pk, team_id=team.pk, user_id=team.captain_id
        )
    with pytest.raises(errors.MemberNotFound):
        services.member_remove(actor_id=team.captain_id, team_id=team.pk, user_id=UserFactory().pk)
    assert len(selectors.member_ids(team=team)) == 2


def test_only_the_captain_or_staff_remove_members():
    team = TeamFactory(players=2)
    first, second = _players(team)
    with pytest.raises(PermissionDenied):
        services.member_remove(actor_id=first, team_id=team.pk, user_id=second)
    services.member_remove(actor_id=UserFactory(is_staff=True).pk, team_id=team.pk, user_id=second)
    assert selectors.member_ids(team=team) == (team.captain_id, first)
    assert AuditEntry.objects.get(action="team.member_removed").data["as_staff"] is True


def test_a_member_leaves_and_is_free_to_join_another_team_of_the_game():
    team = TeamFactory(players=1)
    (player,) = _players(team)
    services.member_leave(actor_id=player, team_id=team.pk)
    assert selectors.member_ids(team=team) == (team.captain_id,)
    assert last_event(team.pk).data == {"team_id": team.pk, "user_id": player}
    assert not AuditEntry.objects.filter(action__startswith="team.").exists()
    services.team_create(actor_id=player, game_id=team.game_id, name="Solo Project")


def test_the_captain_must_transfer_before_leaving_teammates():
    team = TeamFactory(players=1)
    with pytest.raises(errors.CaptainMustTransfer):
        services.member_leave(actor_id=team.captain_id, team_id=team.pk)
    assert team.captain_id in selectors.member_ids(team=team)


def test_the_last_member_leaving_disbands_the_team():
    team = TeamFactory()
    services.member_leave(actor_id=team.captain_id, team_id=team.pk)
    team.refresh_from_db()
    assert not team.is_active
    assert event_names(team.pk) == ["team.member_left", "team.disbanded"]
    # The final roster is kept for history.
    assert selectors.member_ids(team=team) == (team.captain_id,)


def test_strangers_cannot_leave_a_team_they_are_not_on():
    team = TeamFactory()
    with pytest.raises(PermissionDenied) as excinfo:
        services.member_leave(actor_id=UserFactory().pk, team_id=team.pk)
    assert excinfo.value.data["role"] == "player"


def test_captaincy_passes_to_a_member_and_the_old_captain_stays():
    team = TeamFactory(players=1)
    old = team.captain_id
    (new,) = _players(team)
    services.captain_transfer(actor_id=old, team_id=team.pk, user_id=new)
    team.refresh_from_db()
    assert team.captain_id == new
    assert selectors.member_ids(team=team) == (new, old)
    assert last_event(team.pk).data == {
        "team_id": team.pk,
        "from_user_id": old,
        "to_user_id": new,
        "by_user_id": old,
    }
    assert AuditEntry.objects.get(action="team.captain_transferred").actor_id == old
    # The old captain is now an ordinary member and may leave.
    services.member_leave(actor_id=old, team_id=team.pk)
    assert selectors.member_ids(team=team) == (new,)


def test_captaincy_goes_only_to_a_current_member_other_than_the_captain():
    team = TeamFactory()
    with pytest.raises(errors.MemberNotFound):
        services.captain_transfer(
            actor_id=team.captain_id, team_id=team.pk, user_id=UserFactory().pk
        )
    with pytest.raises(errors.AlreadyCaptain):
        services.captain_transfer(
            actor_id=team.captain_id, team_id=team.pk, user_id=team.captain_id
        )


def test_members_cannot_take_the_captaincy_but_staff_can_hand_it_over():
    team = TeamFactory(players=1)
    (player,) = _players(team)
    with pytest.raises(PermissionDenied):
        services.captain_transfer(actor_id=player, team_id=team.pk, user_id=player)
    staff = UserFactory(is_staff=True)
    services.captain_transfer(actor_id=staff.pk, team_id=team.pk, user_id=player)
    team.refresh_from_db()
    assert team.captain_id == player
    assert AuditEntry.objects.get(action="team.captain_transferred").data["as_staff"] is True
