"""The hooks other apps consult: roles on registrations for ``kernel.permissions``, and the
player check that lets registered players read their private tournaments."""

from __future__ import annotations

import pytest

from deltacrown.apps.registrations.data import REGISTRATION_OBJECT_TYPE
from deltacrown.apps.registrations.tests.factories import (
    API,
    StaffFactory,
    TeamFactory,
    TournamentFactory,
    UserFactory,
    registered,
    roster,
    signed_in,
)
from deltacrown.apps.tournaments import api as tournaments
from deltacrown.kernel import permissions
from deltacrown.kernel.errors import NotFound
from deltacrown.kernel.permissions import Role

pytestmark = pytest.mark.django_db


def test_roles_on_a_registration_are_answered_for_the_kernel():
    tournament = TournamentFactory(team=True)
    team = TeamFactory()
    registration_id = registered(team.captain, tournament, team_id=team.pk)["id"]
    player = roster(team)[1]
    moderator = StaffFactory(tournament=tournament).user

    def holds(user, role):
        return permissions.has_role(user, role, REGISTRATION_OBJECT_TYPE, registration_id)

    assert holds(team.captain, Role.CAPTAIN)
    assert holds(player, Role.PLAYER)
    assert not holds(player, Role.CAPTAIN)
    assert holds(moderator, Role.MODERATOR)
    assert not holds(moderator, Role.ORGANIZER)
    assert holds(tournament.organizer, Role.ORGANIZER)
    assert not any(holds(UserFactory(), role) for role in Role)


def test_registered_players_may_read_their_private_tournament():
    tournament = TournamentFactory(visibility="private", invite_token="private-invite-token")
    player = UserFactory()
    registered(player, tournament, invite="private-invite-token")

    assert signed_in(player).get(f"{API}/tournaments/{tournament.pk}").status_code == 200
    assert tournaments.tournament_get_for(player, tournament.pk).id == tournament.pk
    with pytest.raises(NotFound):
        tournaments.tournament_get_for(UserFactory(), tournament.pk)
