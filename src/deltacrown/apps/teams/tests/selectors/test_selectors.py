"""Reads: team lists, rosters, role answers for the kernel, and the public interface."""

from __future__ import annotations

import pytest

from deltacrown.apps.teams import api, selectors, services
from deltacrown.apps.teams.data import TeamRef
from deltacrown.apps.teams.tests.factories import TeamFactory, UserFactory, game_id, user
from deltacrown.kernel import permissions
from deltacrown.kernel.errors import NotFound
from deltacrown.kernel.permissions import Role

pytestmark = pytest.mark.django_db


def test_team_list_filters_by_game_name_and_member_and_hides_disbanded_teams():
    alpha = TeamFactory(name="Alpha Wolves", players=2)
    beta = TeamFactory(name="Beta Wolves", game_id=game_id("cs2"))
    gone = TeamFactory(name="Gone Wolves")
    services.team_disband(actor_id=gone.captain_id, team_id=gone.pk)

    assert set(selectors.team_list()) == {alpha, beta}
    assert list(selectors.team_list(game_id=game_id("cs2"))) == [beta]
    assert set(selectors.team_list(q="wolves")) == {alpha, beta}
    assert list(selectors.team_list(q="ALPHA")) == [alpha]
    player = selectors.member_ids(team=alpha)[1]
    assert list(selectors.team_list(member_id=player)) == [alpha]
    assert selectors.team_list().get(pk=alpha.pk).member_count == 3


def test_roles_on_teams_answer_the_kernel():
    team = TeamFactory(players=1)
    player = selectors.member_ids(team=team)[1]
    stranger, staff = UserFactory(), UserFactory(is_staff=True)
    captain = team.captain

    assert permissions.has_role(captain, Role.CAPTAIN, "team", team.pk)
    assert permissions.has_role(captain, Role.PLAYER, "team", team.pk)
    assert not permissions.has_role(user(player), Role.CAPTAIN, "team", team.pk)
    assert permissions.has_role(user(player), Role.PLAYER, "team", team.pk)
    assert not permissions.has_role(stranger, Role.PLAYER, "team", team.pk)
    assert not permissions.has_role(captain, Role.ORGANIZER, "team", team.pk)
    assert permissions.has_role(staff, Role.CAPTAIN, "team", team.pk)

    services.team_disband(actor_id=captain.pk, team_id=team.pk)
    assert not permissions.has_role(captain, Role.CAPTAIN, "team", team.pk)
    assert not permissions.has_role(captain, Role.PLAYER, "team", team.pk)


def test_api_team_get_returns_the_roster_captain_first():
    team = TeamFactory(name="Vanguard", tag="VG", players=2)
    ref = api.team_get(team.pk)
    assert isinstance(ref, TeamRef)
    assert ref == TeamRef(
        id=team.pk,
        name="Vanguard",
        tag="VG",
        game_id=team.game_id,
        captain_id=team.captain_id,
        member_ids=ref.member_ids,
        is_active=True,
    )
    assert ref.member_ids[0] == team.captain_id
    assert len(ref.member_ids) == 3
    assert api.member_ids(team.pk) == ref.member_ids
    assert api.team_refs([team.pk, 999_999]) == {team.pk: ref}


def test_api_keeps_a_disbanded_teams_final_roster():
    team = TeamFactory(players=1)
    roster = api.member_ids(team.pk)
    services.team_disband(actor_id=team.captain_id, team_id=team.pk)
    ref = api.team_get(team.pk)
    assert not ref.is_active
    assert ref.member_ids == roster
    assert api.team_refs([team.pk])[team.pk] == ref
    assert not api.is_captain(team.captain_id, team.pk)


def test_api_is_captain_and_user_team_id():
    team = TeamFactory(players=1)
    player = api.member_ids(team.pk)[1]
    assert api.is_captain(team.captain_id, team.pk)
    assert not api.is_captain(player, team.pk)
    assert api.user_team_id(player, team.game_id) == team.pk
    assert api.user_team_id(player, game_id("cs2")) is None


def test_api_team_get_of_an_unknown_team_is_not_found():
    with pytest.raises(NotFound) as excinfo:
        api.team_get(123_456)
    assert excinfo.value.code == "team_not_found"


def test_seed_demo_builds_the_demo_teams_once():
    players = [UserFactory().pk for _ in range(6)]
    first = api.seed_demo(players)
    assert len(first) == len(api.DEMO_TEAMS)
    refs = [api.team_get(team_id) for team_id in first]
    assert [ref.name for ref in refs] == [name for name, _ in api.DEMO_TEAMS]
    assert [ref.member_ids for ref in refs] == [tuple(players[:3]), tuple(players[3:])]
    assert [ref.captain_id for ref in refs] == [players[0], players[3]]

    assert api.seed_demo(players) == first
    assert [api.team_get(team_id) for team_id in first] == refs
