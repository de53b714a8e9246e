"""The tournaments public interface other apps rely on: refs, roles, the player hook, the demo."""

from __future__ import annotations

import pytest

from deltacrown.apps.tournaments import api, services
from deltacrown.apps.tournaments.data import (
    EntryFeeKind,
    ParticipantKind,
    TournamentRef,
    TournamentStatus,
    Visibility,
)
from deltacrown.apps.tournaments.errors import TournamentNotFound
from deltacrown.apps.tournaments.models import Tournament, TournamentTemplate
from deltacrown.apps.tournaments.tests.factories import UserFactory, create_tournament
from deltacrown.kernel import permissions

pytestmark = pytest.mark.django_db

S = TournamentStatus


def test_tournament_get_returns_what_registration_needs():
    organizer = UserFactory()
    tournament = create_tournament(
        organizer,
        S.REGISTRATION_OPEN,
        entry_fee={"kind": "external", "amount": 250, "currency": "BDT"},
        waitlist_promotion_on_close=True,
    )
    ref = api.tournament_get(tournament.pk)
    assert isinstance(ref, TournamentRef)
    assert ref == TournamentRef(
        id=tournament.pk,
        slug=tournament.slug,
        name="Spring Cup",
        game_id=tournament.game_id,
        status=S.REGISTRATION_OPEN,
        participant_kind=ParticipantKind.TEAM,
        team_size=5,
        capacity=16,
        entry_fee_kind=EntryFeeKind.EXTERNAL,
        entry_fee_amount=250,
        currency="BDT",
        registration_opens_at=tournament.registration_opens_at,
        registration_closes_at=tournament.registration_closes_at,
        check_in_opens_at=tournament.check_in_opens_at,
        starts_at=tournament.starts_at,
        visibility=Visibility.PUBLIC,
        organizer_id=organizer.pk,
        waitlist_promotion_on_close=True,
    )
    assert ref.has_entry_fee
    assert api.tournament_refs([tournament.pk, 999_999]) == {tournament.pk: ref}


def test_deleted_and_unknown_tournaments_are_not_found():
    organizer = UserFactory()
    tournament = create_tournament(organizer)
    services.tournament_delete(actor=organizer, tournament_id=tournament.pk)
    for tournament_id in (tournament.pk, 999_999):
        with pytest.raises(TournamentNotFound) as missing:
            api.tournament_get(tournament_id)
        assert missing.value.http_status == 404
    assert api.tournament_refs([tournament.pk]) == {}


def test_tournament_get_for_applies_the_visibility_rules():
    organizer, stranger = UserFactory(), UserFactory()
    draft = create_tournament(organizer)
    private = create_tournament(organizer, S.PUBLISHED, visibility="private")
    assert api.tournament_get_for(organizer, draft.pk).id == draft.pk
    with pytest.raises(TournamentNotFound):
        api.tournament_get_for(stranger, draft.pk)
    with pytest.raises(TournamentNotFound):
        api.tournament_get_for(None, private.pk)
    token = Tournament.objects.get(pk=private.pk).invite_token
    assert api.tournament_get_for(stranger, private.pk, invite_token=token).id == private.pk


def test_roles_of_owner_co_organizer_and_moderator():
    owner, co_organizer, moderator, stranger = (UserFactory() for _ in range(4))
    tournament = create_tournament(owner)
    for user, role in ((co_organizer, "co_organizer"), (moderator, "moderator")):
        services.tournament_staff_add(
            actor=owner, tournament_id=tournament.pk, user_id=user.pk, role=role
        )
    table = {
        user.pk: (
            api.is_organizer(user.pk, tournament.pk),
            api.is_staff_of(user.pk, tournament.pk),
        )
        for user in (owner, co_organizer, moderator, stranger)
    }
    assert table == {
        owner.pk: (True, True),
        co_organizer.pk: (True, True),
        moderator.pk: (False, True),
        stranger.pk: (False, False),
    }


def test_the_kernel_asks_this_app_about_tournament_roles():
    owner, moderator = UserFactory(), UserFactory()
    tournament = create_tournament(owner)
    services.tournament_staff_add(
        actor=owner, tournament_id=tournament.pk, user_id=moderator.pk, role="moderator"
    )
    assert "tournament" in permissions.registered_object_types()
    assert permissions.has_role(owner, "organizer", "tournament", tournament.pk)
    assert permissions.has_role(moderator, "moderator", "tournament", tournament.pk)
    assert not permissions.has_role(moderator, "organizer", "tournament", tournament.pk)
    assert permissions.has_role(
        UserFactory(is_staff=True), "organizer", "tournament", tournament.pk
    )
    assert not permissions.has_role(owner, "organizer", "tournament", "not-an-id")


def test_players_plugged_in_by_another_app_see_private_tournaments():
    organizer, player, other = UserFactory(), UserFactory(), UserFactory()
    tournament = create_tournament(organizer, S.PUBLISHED, visibility="private")
    remove = api.register_player_check(
        lambda user_id, tournament_id: (user_id, tournament_id) == (player.pk, tournament.pk)
    )
    try:
        assert api.tournament_get_for(player, tournament.pk).id == tournament.pk
        assert permissions.has_role(player, "player", "tournament", tournament.pk)
        with pytest.raises(TournamentNotFound):
            api.tournament_get_for(other, tournament.pk)
    finally:
        remove()
    with pytest.raises(TournamentNotFound):
        api.tournament_get_for(player, tournament.pk)


def test_a_failing_player_check_denies_instead_of_breaking_the_read():
    organizer, player = UserFactory(), UserFactory()
    tournament = create_tournament(organizer, S.PUBLISHED, visibility="private")

    def broken(user_id: int, tournament_id: int) -> bool:
        raise RuntimeError("registrations are unavailable")

    remove = api.register_player_check(broken)
    try:
        with pytest.raises(TournamentNotFound):
            api.tournament_get_for(player, tournament.pk)
    finally:
        remove()


def test_the_demo_is_created_once():
    first = api.seed_demo()
    assert first.created == 5
    statuses = dict(Tournament.objects.values_list("slug", "status"))
    assert statuses == {
        "deltacrown-valorant-open": S.REGISTRATION_OPEN,
        "efootball-weekend-cup": S.PUBLISHED,
        "free-fire-squad-showdown": S.DRAFT,
        # Left in its past registration window for the registrations demo to fill.
        "efootball-night-cup": S.REGISTRATION_OPEN,
        "efootball-sprint-cup": S.REGISTRATION_OPEN,
    }
    assert first.slugs == (
        "deltacrown-valorant-open",
        "efootball-weekend-cup",
        "free-fire-squad-showdown",
        "efootball-night-cup",
        "efootball-sprint-cup",
    )
    template = TournamentTemplate.objects.get(pk=first.template_id)
    assert template.scope == "global"
    second = api.seed_demo()
    assert (second.created, second.slugs, second.template_id) == (0, first.slugs, template.pk)
    assert Tournament.objects.count() == 5
    # The next call moves them on to check-in, which the Night Cup's schedule says is open now
    # and the Sprint Cup's says was open before its start, an hour or two ago.
    assert Tournament.objects.get(slug="efootball-night-cup").status == S.CHECK_IN
    assert Tournament.objects.get(slug="efootball-sprint-cup").status == S.CHECK_IN
    # One more call takes the Sprint Cup live at its start; the Night Cup stays checking in.
    api.seed_demo()
    assert Tournament.objects.get(slug="efootball-sprint-cup").status == S.LIVE
    assert Tournament.objects.get(slug="efootball-night-cup").status == S.CHECK_IN


def test_tournament_refs_carry_enums_not_raw_strings():
    from deltacrown.apps.tournaments import api
    from deltacrown.apps.tournaments.data import ParticipantKind, TournamentStatus
    from deltacrown.apps.tournaments.tests.factories import TournamentFactory

    ref = api.tournament_get(TournamentFactory().pk)
    assert type(ref.participant_kind) is ParticipantKind
    assert type(ref.status) is TournamentStatus
