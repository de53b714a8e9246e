"""Creating, editing and deleting tournaments; their staff and invite links."""

from __future__ import annotations

from datetime import timedelta

import pytest

from deltacrown.apps.tournaments import selectors, services
from deltacrown.apps.tournaments.data import TournamentStatus, tournament_stream
from deltacrown.apps.tournaments.errors import (
    InviteNotPrivate,
    OwnerRequired,
    StaffIsOwner,
    StaffMemberNotFound,
    TournamentFieldLocked,
    TournamentNotDeletable,
    TournamentNotFound,
)
from deltacrown.apps.tournaments.models import Tournament, TournamentStaff
from deltacrown.apps.tournaments.tests.factories import (
    SOLO_GAME,
    UserFactory,
    config,
    create_tournament,
)
from deltacrown.kernel import clock, events
from deltacrown.kernel.errors import NotFound, PermissionDenied, ValidationFailed
from deltacrown.kernel.models import AuditEntry

pytestmark = pytest.mark.django_db

S = TournamentStatus


def _last_event(tournament_id: int):
    return events.events_after(tournament_stream(tournament_id), 0)[-1]


# --- creating ------------------------------------------------------------------------------------


def test_a_new_tournament_is_a_draft_owned_by_its_creator_and_announced():
    organizer = UserFactory()
    tournament = services.tournament_create(actor=organizer, config=config(name="Night Cup"))
    assert (tournament.status, tournament.organizer_id) == (S.DRAFT, organizer.pk)
    assert tournament.slug == "night-cup"
    created = _last_event(tournament.pk)
    assert (created.name, created.data) == (
        "tournament.created",
        {
            "tournament_id": tournament.pk,
            "game_id": tournament.game_id,
            "organizer_id": organizer.pk,
        },
    )
    audit = AuditEntry.objects.get(action="tournament.created")
    assert (audit.actor_id, audit.target_id) == (organizer.pk, str(tournament.pk))


def test_slugs_are_unique_and_never_change():
    organizer = UserFactory()
    first = services.tournament_create(actor=organizer, config=config(name="Night Cup"))
    second = services.tournament_create(actor=organizer, config=config(name="Night  Cup!"))
    third = services.tournament_create(actor=organizer, config=config(name="Турнир"))
    assert (first.slug, second.slug, third.slug) == ("night-cup", "night-cup-2", "tournament")
    services.tournament_update(actor=organizer, tournament_id=first.pk, changes={"name": "Day"})
    assert Tournament.objects.get(pk=first.pk).slug == "night-cup"


def test_only_platform_staff_create_official_or_featured_tournaments():
    with pytest.raises(PermissionDenied) as refused:
        services.tournament_create(actor=UserFactory(), config=config(), official=True)
    assert refused.value.code == "admin_required"
    staff = UserFactory(is_staff=True)
    tournament = services.tournament_create(
        actor=staff, config=config(), official=True, featured=True
    )
    assert tournament.official
    assert tournament.featured


def test_a_private_tournament_gets_an_invite_token():
    tournament = create_tournament(UserFactory(), visibility="private")
    assert len(tournament.invite_token) >= 32
    assert create_tournament(UserFactory()).invite_token == ""


# --- editing -------------------------------------------------------------------------------------


def test_an_edit_merges_nested_settings_and_lists_what_changed():
    organizer = UserFactory()
    tournament = create_tournament(organizer, prize={"pool": 1000, "currency": "EUR"})
    start = tournament.starts_at
    services.tournament_update(
        actor=organizer,
        tournament_id=tournament.pk,
        changes={"schedule": {"check_in_opens_before": 60}, "prize": {"pool": 2000}},
    )
    stored = Tournament.objects.get(pk=tournament.pk)
    assert (stored.prize_pool, stored.prize_currency) == (2000, "EUR")
    assert stored.starts_at == start
    assert stored.check_in_opens_at == start - timedelta(minutes=60)
    updated = _last_event(tournament.pk)
    assert updated.name == "tournament.updated"
    assert updated.data["fields"] == ["prize", "schedule.check_in_opens_before"]


def test_an_edit_that_changes_nothing_publishes_nothing():
    organizer = UserFactory()
    tournament = create_tournament(organizer)
    before = events.stream_head(tournament_stream(tournament.pk))
    services.tournament_update(
        actor=organizer, tournament_id=tournament.pk, changes={"name": tournament.name}
    )
    assert events.stream_head(tournament_stream(tournament.pk)) == before


def test_an_invalid_edit_changes_nothing():
    organizer = UserFactory()
    tournament = create_tournament(organizer)
    with pytest.raises(ValidationFailed) as refused:
        services.tournament_update(
            actor=organizer,
            tournament_id=tournament.pk,
            changes={
                "capacity": 64,
                "stage_plan": [{"format": "round_robin", "options": {"groups": 40}}],
            },
        )
    assert refused.value.errors[0]["field"] == "stage_plan.0.options.groups"
    assert Tournament.objects.get(pk=tournament.pk).capacity == 16


def test_switching_game_and_kind_takes_the_new_games_team_size():
    organizer = UserFactory()
    tournament = create_tournament(organizer)
    services.tournament_update(
        actor=organizer,
        tournament_id=tournament.pk,
        changes={"game": SOLO_GAME, "participant_kind": "solo"},
    )
    stored = Tournament.objects.get(pk=tournament.pk)
    assert (stored.participant_kind, stored.team_size) == ("solo", 1)


def test_moving_the_start_into_the_past_is_refused():
    organizer = UserFactory()
    tournament = create_tournament(organizer)
    with pytest.raises(ValidationFailed) as refused:
        services.tournament_update(
            actor=organizer,
            tournament_id=tournament.pk,
            changes={
                "schedule": {
                    "registration_opens_at": clock.now() - timedelta(days=3),
                    "registration_closes_at": clock.now() - timedelta(days=2),
                    "starts_at": clock.now() - timedelta(days=1),
                }
            },
        )
    assert {e["field"] for e in refused.value.errors} == {
        "schedule.registration_closes_at",
        "schedule.starts_at",
    }


@pytest.mark.parametrize(
    ("status", "changes", "locked"),
    [
        (S.REGISTRATION_OPEN, lambda t: {"team_size": 3}, ["team_size"]),
        (
            S.REGISTRATION_OPEN,
            lambda t: {"entry_fee": {"kind": "external", "amount": 100, "currency": "EUR"}},
            ["entry_fee"],
        ),
        (S.REGISTRATION_OPEN, lambda t: {"capacity": 8}, ["capacity"]),
        (
            S.REGISTRATION_CLOSED,
            lambda t: {
                "schedule": {
                    "registration_closes_at": t.registration_closes_at + timedelta(hours=1)
                }
            },
            ["schedule.registration_closes_at"],
        ),
        (S.CHECK_IN, lambda t: {"capacity": 32}, ["capacity"]),
        (S.LIVE, lambda t: {"prize": {"pool": 5000, "currency": "USD"}}, ["prize"]),
        (S.LIVE, lambda t: {"region": "oceania"}, ["region"]),
        (S.COMPLETED, lambda t: {"name": "Renamed"}, ["name"]),
        (S.CANCELLED, lambda t: {"visibility": "unlisted"}, ["visibility"]),
    ],
)
def test_settings_lock_as_the_tournament_advances(status, changes, locked):
    organizer = UserFactory()
    tournament = create_tournament(organizer, status)
    with pytest.raises(TournamentFieldLocked) as refused:
        services.tournament_update(
            actor=organizer, tournament_id=tournament.pk, changes=changes(tournament)
        )
    assert refused.value.data["fields"] == locked
    assert refused.value.data["state"] == status.value
    assert Tournament.objects.get(pk=tournament.pk).updated_at == tournament.updated_at


@pytest.mark.parametrize(
    ("status", "changes"),
    [
        (S.PUBLISHED, {"team_size": 3, "capacity": 8}),
        (S.REGISTRATION_OPEN, {"capacity": 32, "description": "More room."}),
        (S.CHECK_IN, {"stage_plan": [{"format": "double_elimination"}]}),
        (S.LIVE, {"name": "Grand Final Day", "rules": "Updated."}),
        (S.COMPLETED, {"description": "Congratulations to the winners."}),
    ],
)
def test_what_is_still_open_can_change(status, changes):
    organizer = UserFactory()
    tournament = create_tournament(organizer, status)
    services.tournament_update(actor=organizer, tournament_id=tournament.pk, changes=changes)
    stored = Tournament.objects.get(pk=tournament.pk)
    for name, value in changes.items():
        if name != "stage_plan":
            assert getattr(stored, name) == value
    assert _last_event(tournament.pk).name == "tournament.updated"


def test_making_a_tournament_private_creates_an_invite_and_public_drops_it():
    organizer = UserFactory()
    tournament = create_tournament(organizer)
    services.tournament_update(
        actor=organizer, tournament_id=tournament.pk, changes={"visibility": "private"}
    )
    token = Tournament.objects.get(pk=tournament.pk).invite_token
    assert token
    services.tournament_update(
        actor=organizer, tournament_id=tournament.pk, changes={"visibility": "public"}
    )
    assert Tournament.objects.get(pk=tournament.pk).invite_token == ""


def test_official_and_featured_are_changed_by_platform_staff_only():
    organizer = UserFactory()
    tournament = create_tournament(organizer, S.PUBLISHED)
    with pytest.raises(PermissionDenied) as refused:
        services.tournament_update(
            actor=organizer, tournament_id=tournament.pk, changes={"featured": True}
        )
    assert refused.value.code == "admin_required"
    staff = UserFactory(is_staff=True)
    services.tournament_update(
        actor=staff, tournament_id=tournament.pk, changes={"featured": True, "official": True}
    )
    stored = Tournament.objects.get(pk=tournament.pk)
    assert stored.featured
    assert stored.official
    assert _last_event(tournament.pk).data["fields"] == ["featured", "official"]
    assert AuditEntry.objects.filter(action="tournament.updated", actor_id=staff.pk).exists()


def test_unknown_settings_are_refused():
    organizer = UserFactory()
    tournament = create_tournament(organizer)
    with pytest.raises(ValidationFailed) as refused:
        services.tournament_update(
            actor=organizer, tournament_id=tournament.pk, changes={"status": "live"}
        )
    assert refused.value.errors[0]["field"] == "status"


# --- who may edit -------------------------------------------------------------------------------


def _with_staff(status=S.PUBLISHED, **overrides):
    owner, co_organizer, moderator = UserFactory(), UserFactory(), UserFactory()
    tournament = create_tournament(owner, status, **overrides)
    for user, role in ((co_organizer, "co_organizer"), (moderator, "moderator")):
        services.tournament_staff_add(
            actor=owner, tournament_id=tournament.pk, user_id=user.pk, role=role
        )
    return tournament, owner, co_organizer, moderator


def test_a_co_organizer_edits_and_moves_the_tournament():
    tournament, _, co_organizer, _ = _with_staff()
    services.tournament_update(
        actor=co_organizer, tournament_id=tournament.pk, changes={"name": "Co-run Cup"}
    )
    services.tournament_transition(
        actor=co_organizer, tournament_id=tournament.pk, to=S.REGISTRATION_OPEN
    )
    stored = Tournament.objects.get(pk=tournament.pk)
    assert (stored.name, stored.status) == ("Co-run Cup", S.REGISTRATION_OPEN)


def test_a_moderator_may_not_change_settings():
    tournament, _, _, moderator = _with_staff(S.DRAFT)
    with pytest.raises(PermissionDenied) as refused:
        services.tournament_update(
            actor=moderator, tournament_id=tournament.pk, changes={"name": "Mine now"}
        )
    assert (refused.value.code, refused.value.data["role"]) == ("role_required", "organizer")


def test_a_stranger_gets_403_on_a_public_tournament_and_404_on_a_draft_or_private_one():
    stranger = UserFactory()
    public = create_tournament(UserFactory(), S.PUBLISHED)
    draft = create_tournament(UserFactory())
    private = create_tournament(UserFactory(), S.PUBLISHED, visibility="private")
    with pytest.raises(PermissionDenied):
        services.tournament_update(actor=stranger, tournament_id=public.pk, changes={"name": "x"})
    for hidden in (draft, private):
        with pytest.raises(TournamentNotFound):
            services.tournament_update(
                actor=stranger, tournament_id=hidden.pk, changes={"name": "x"}
            )
        with pytest.raises(TournamentNotFound):
            services.tournament_transition(actor=stranger, tournament_id=hidden.pk, to=S.CANCELLED)


# --- deleting ------------------------------------------------------------------------------------


def test_the_owner_deletes_a_tournament_before_it_goes_live():
    owner = UserFactory()
    tournament = create_tournament(owner, S.REGISTRATION_OPEN)
    services.tournament_delete(actor=owner, tournament_id=tournament.pk)
    assert Tournament.objects.get(pk=tournament.pk).deleted_at is not None
    assert _last_event(tournament.pk).name == "tournament.deleted"
    with pytest.raises(TournamentNotFound):
        selectors.tournament_get_visible(viewer=owner, tournament_id=tournament.pk)
    with pytest.raises(TournamentNotFound):
        services.tournament_update(actor=owner, tournament_id=tournament.pk, changes={})


@pytest.mark.parametrize("status", [S.LIVE, S.COMPLETED])
def test_a_tournament_that_went_live_cannot_be_deleted(status):
    owner = UserFactory()
    tournament = create_tournament(owner, status)
    with pytest.raises(TournamentNotDeletable):
        services.tournament_delete(actor=owner, tournament_id=tournament.pk)


def test_a_tournament_cancelled_while_live_cannot_be_deleted():
    owner = UserFactory()
    tournament = create_tournament(owner, S.LIVE)
    services.tournament_transition(actor=owner, tournament_id=tournament.pk, to=S.CANCELLED)
    with pytest.raises(TournamentNotDeletable):
        services.tournament_delete(actor=owner, tournament_id=tournament.pk)


def test_only_the_owner_deletes():
    tournament, _, co_organizer, _ = _with_staff()
    with pytest.raises(OwnerRequired):
        services.tournament_delete(actor=co_organizer, tournament_id=tournament.pk)
    assert Tournament.objects.get(pk=tournament.pk).deleted_at is None


# --- staff -------------------------------------------------------------------------------------


def test_the_owner_appoints_and_removes_staff_and_each_change_is_announced():
    tournament, owner, co_organizer, moderator = _with_staff()
    assert set(TournamentStaff.objects.values_list("user_id", "role")) == {
        (co_organizer.pk, "co_organizer"),
        (moderator.pk, "moderator"),
    }
    services.tournament_staff_add(
        actor=owner, tournament_id=tournament.pk, user_id=moderator.pk, role="co_organizer"
    )
    assert TournamentStaff.objects.get(user=moderator).role == "co_organizer"
    services.tournament_staff_remove(actor=owner, tournament_id=tournament.pk, user_id=moderator.pk)
    names = [e.name for e in events.events_after(tournament_stream(tournament.pk), 0)]
    assert names.count("tournament.staff_added") == 3
    assert names[-1] == "tournament.staff_removed"
    assert _last_event(tournament.pk).data == {
        "tournament_id": tournament.pk,
        "user_id": moderator.pk,
        "role": "co_organizer",
    }


def test_giving_the_same_role_again_changes_nothing():
    tournament, owner, co_organizer, _ = _with_staff()
    head = events.stream_head(tournament_stream(tournament.pk))
    services.tournament_staff_add(
        actor=owner, tournament_id=tournament.pk, user_id=co_organizer.pk, role="co_organizer"
    )
    assert events.stream_head(tournament_stream(tournament.pk)) == head


def test_co_organizers_cannot_manage_staff_but_members_may_leave():
    tournament, _, co_organizer, moderator = _with_staff()
    with pytest.raises(OwnerRequired):
        services.tournament_staff_add(
            actor=co_organizer,
            tournament_id=tournament.pk,
            user_id=UserFactory().pk,
            role="moderator",
        )
    with pytest.raises(OwnerRequired):
        services.tournament_staff_remove(
            actor=co_organizer, tournament_id=tournament.pk, user_id=moderator.pk
        )
    services.tournament_staff_remove(
        actor=moderator, tournament_id=tournament.pk, user_id=moderator.pk
    )
    assert not TournamentStaff.objects.filter(user=moderator).exists()


def test_staff_must_be_an_existing_user_other_than_the_owner():
    tournament, owner, _, _ = _with_staff()
    with pytest.raises(NotFound) as unknown:
        services.tournament_staff_add(
            actor=owner, tournament_id=tournament.pk, user_id=999_999, role="moderator"
        )
    assert unknown.value.code == "user_not_found"
    with pytest.raises(StaffIsOwner):
        services.tournament_staff_add(
            actor=owner, tournament_id=tournament.pk, user_id=owner.pk, role="moderator"
        )
    with pytest.raises(StaffMemberNotFound):
        services.tournament_staff_remove(
            actor=owner, tournament_id=tournament.pk, user_id=UserFactory().pk
        )


# --- invite links --------------------------------------------------------------------------------


def test_rotating_the_invite_token_retires_the_old_link():
    owner, guest = UserFactory(), UserFactory()
    tournament = create_tournament(owner, S.PUBLISHED, visibility="private")
    old = tournament.invite_token
    assert selectors.tournament_get_visible(
        viewer=guest, tournament_id=tournament.pk, invite_token=old
    )
    new = services.tournament_invite_rotate(actor=owner, tournament_id=tournament.pk)
    assert new != old
    with pytest.raises(TournamentNotFound):
        selectors.tournament_get_visible(
            viewer=guest, tournament_id=tournament.pk, invite_token=old
        )
    assert selectors.tournament_get_visible(
        viewer=guest, tournament_id=tournament.pk, invite_token=new
    )
    rotated = _last_event(tournament.pk)
    assert rotated.name == "tournament.invite_rotated"
    assert rotated.data == {"tournament_id": tournament.pk}  # the secret never enters the log


def test_only_private_tournaments_have_an_invite_to_rotate():
    owner = UserFactory()
    tournament = create_tournament(owner)
    with pytest.raises(InviteNotPrivate):
        services.tournament_invite_rotate(actor=owner, tournament_id=tournament.pk)
