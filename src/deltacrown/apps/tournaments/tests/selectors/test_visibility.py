"""Who may know a tournament exists: every visibility and state against every kind of viewer."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from deltacrown.apps.tournaments import selectors, services
from deltacrown.apps.tournaments.tests.factories import TournamentFactory, UserFactory

pytestmark = pytest.mark.django_db

TOKEN = "invite-" + "x" * 32


@pytest.fixture
def people():
    owner, co_organizer, moderator = UserFactory(), UserFactory(), UserFactory()
    return {
        "owner": owner,
        "co_organizer": co_organizer,
        "moderator": moderator,
        "stranger": UserFactory(),
        "anonymous": AnonymousUser(),
        "admin": UserFactory(is_staff=True),
    }


def _tournament(people, *, deleted=False, **fields):
    tournament = TournamentFactory(organizer=people["owner"], **fields)
    for role in ("co_organizer", "moderator"):
        services.tournament_staff_add(
            actor=people["owner"], tournament_id=tournament.pk, user_id=people[role].pk, role=role
        )
    if deleted:
        services.tournament_delete(actor=people["owner"], tournament_id=tournament.pk)
        tournament.refresh_from_db()
    return tournament


EVERYONE = {"owner", "co_organizer", "moderator", "stranger", "anonymous", "admin"}
STAFF = {"owner", "co_organizer", "moderator", "admin"}


@pytest.mark.parametrize(
    ("fields", "invite", "who_sees"),
    [
        ({}, None, EVERYONE),
        ({"visibility": "unlisted"}, None, EVERYONE),
        ({"visibility": "private", "invite_token": TOKEN}, None, STAFF),
        ({"visibility": "private", "invite_token": TOKEN}, TOKEN, EVERYONE),
        ({"visibility": "private", "invite_token": TOKEN}, "guess", STAFF),
        ({"status": "draft"}, None, STAFF),
        ({"status": "draft", "visibility": "private", "invite_token": TOKEN}, TOKEN, STAFF),
        ({"deleted": True}, None, set()),
    ],
)
def test_visibility_matrix(people, fields, invite, who_sees):
    tournament = _tournament(people, **fields)
    seen = {name for name, user in people.items() if selectors.can_view(tournament, user, invite)}
    assert seen == who_sees


@pytest.mark.parametrize(
    ("q", "terms"),
    [
        (None, []),
        ("", []),
        ("  Valorant   OPEN ", ["valorant", "open"]),
        ("crown's cup: 2031!", ["crown", "s", "cup", "2031"]),
        ("a & b | !c <-> 'd':*", ["a", "b", "c", "d"]),
        ("snake_case", ["snake", "case"]),
        ("Турнир", ["турнир"]),
        ("one one two", ["one", "two"]),
        (" ".join(f"w{i}" for i in range(20)), [f"w{i}" for i in range(8)]),
    ],
)
def test_search_terms_keep_only_words(q, terms):
    assert selectors.search_terms(q) == terms
