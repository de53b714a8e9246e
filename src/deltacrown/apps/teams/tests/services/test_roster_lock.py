"""The roster lock: while a higher app says so, no roster change goes through."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from deltacrown.apps.teams import api, errors, selectors, services
from deltacrown.apps.teams.models import Invitation
from deltacrown.apps.teams.tests.factories import InvitationFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def locked() -> Iterator[set[int]]:
    """Team ids whose roster is locked as if their tournament were live."""
    team_ids: set[int] = set()

    def check(team_id: int) -> str | None:
        return "tournament 42 is live" if team_id in team_ids else None

    unregister = api.register_roster_lock_check(check)
    yield team_ids
    unregister()


def _changes(team) -> dict[str, Callable[[], object]]:
    player = selectors.member_ids(team=team)[1]
    invitation = InvitationFactory(team=team)
    return {
        "invite": lambda: services.invitation_create(
            actor_id=team.captain_id, team_id=team.pk, user_id=UserFactory().pk
        ),
        "accept": lambda: services.invitation_accept(
            actor_id=invitation.user_id, invitation_id=invitation.pk
        ),
        "remove": lambda: services.member_remove(
            actor_id=team.captain_id, team_id=team.pk, user_id=player
        ),
        "leave": lambda: services.member_leave(actor_id=player, team_id=team.pk),
        "transfer": lambda: services.captain_transfer(
            actor_id=team.captain_id, team_id=team.pk, user_id=player
        ),
        "disband": lambda: services.team_disband(actor_id=team.captain_id, team_id=team.pk),
    }


@pytest.mark.parametrize("change", ["invite", "accept", "remove", "leave", "transfer", "disband"])
def test_a_locked_roster_refuses_every_roster_change(locked, change):
    team = TeamFactory(players=1)
    attempt = _changes(team)[change]
    roster = selectors.member_ids(team=team)
    locked.add(team.pk)
    with pytest.raises(errors.RosterLocked) as excinfo:
        attempt()
    assert excinfo.value.data == {"reason": "tournament 42 is live"}
    assert "tournament 42 is live" in excinfo.value.detail
    team.refresh_from_db()
    assert team.is_active
    assert selectors.member_ids(team=team) == roster
    # Once the tournament is over, the same change goes through.
    locked.discard(team.pk)
    attempt()


def test_a_lock_on_one_team_leaves_other_teams_free(locked):
    team, other = TeamFactory(), TeamFactory()
    locked.add(team.pk)
    services.invitation_create(
        actor_id=other.captain_id, team_id=other.pk, user_id=UserFactory().pk
    )
    assert Invitation.objects.filter(team=other).count() == 1


def test_renaming_declining_and_revoking_are_not_roster_changes(locked):
    team = TeamFactory()
    declined, revoked = InvitationFactory(team=team), InvitationFactory(team=team)
    locked.add(team.pk)
    services.team_update(actor_id=team.captain_id, team_id=team.pk, name="Still Allowed")
    services.invitation_decline(actor_id=declined.user_id, invitation_id=declined.pk)
    services.invitation_revoke(actor_id=team.captain_id, team_id=team.pk, invitation_id=revoked.pk)
    assert sorted(Invitation.objects.values_list("status", flat=True)) == ["declined", "revoked"]


def test_a_removed_check_no_longer_locks():
    team = TeamFactory()
    unregister = api.register_roster_lock_check(lambda team_id: "tournament 7 is checking in")
    with pytest.raises(errors.RosterLocked):
        services.team_disband(actor_id=team.captain_id, team_id=team.pk)
    unregister()
    services.team_disband(actor_id=team.captain_id, team_id=team.pk)
