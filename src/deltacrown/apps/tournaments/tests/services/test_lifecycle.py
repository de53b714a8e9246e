"""The tournament lifecycle: organizer transitions, refused ones, and the clock's transitions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from deltacrown.apps.tournaments import services, tasks
from deltacrown.apps.tournaments.data import TRANSITIONS, TournamentStatus, tournament_stream
from deltacrown.apps.tournaments.errors import InvalidTransition, SchedulePassed
from deltacrown.apps.tournaments.models import Tournament
from deltacrown.apps.tournaments.tests.factories import UserFactory, create_tournament, schedule
from deltacrown.kernel import clock, events
from deltacrown.kernel.models import AuditEntry

pytestmark = pytest.mark.django_db

S = TournamentStatus
ALLOWED = [(current, target) for current in S for target in sorted(TRANSITIONS[current])]
REFUSED = [(current, target) for current in S for target in S if target not in TRANSITIONS[current]]


def _names(tournament_id: int) -> list[str]:
    return [e.name for e in events.events_after(tournament_stream(tournament_id), 0)]


@pytest.mark.parametrize(("current", "target"), ALLOWED, ids=lambda s: s.value)
def test_organizer_moves_a_tournament_along_every_allowed_transition(current, target):
    organizer = UserFactory()
    tournament = create_tournament(organizer, current)
    before = events.stream_head(tournament_stream(tournament.pk))[0]

    moved = services.tournament_transition(
        actor=organizer, tournament_id=tournament.pk, to=target.value
    )

    assert moved.status == target
    assert Tournament.objects.get(pk=tournament.pk).status == target
    published = events.events_after(tournament_stream(tournament.pk), before)
    assert [(e.name, e.data) for e in published] == [
        (
            f"tournament.{target.value}",
            {
                "tournament_id": tournament.pk,
                "from": current.value,
                "to": target.value,
                "scheduled": False,
            },
        )
    ]
    entry = AuditEntry.objects.filter(action=f"tournament.{target.value}").latest("id")
    assert (entry.actor_id, entry.target_id) == (organizer.pk, str(tournament.pk))


@pytest.mark.parametrize(("current", "target"), REFUSED, ids=lambda s: s.value)
def test_every_other_transition_is_refused_with_the_allowed_targets(current, target):
    organizer = UserFactory()
    tournament = create_tournament(organizer, current)
    published_before = _names(tournament.pk)

    with pytest.raises(InvalidTransition) as refused:
        services.tournament_transition(actor=organizer, tournament_id=tournament.pk, to=target)

    assert refused.value.http_status == 409
    assert refused.value.data["allowed"] == sorted(s.value for s in TRANSITIONS[current])
    assert Tournament.objects.get(pk=tournament.pk).status == current
    assert _names(tournament.pk) == published_before


def test_entering_a_state_stamps_when_it_happened():
    organizer = UserFactory()
    at = datetime(2031, 3, 1, 12, tzinfo=UTC)
    with clock.frozen(at):
        tournament = create_tournament(organizer, S.COMPLETED, schedule=schedule(at))
    assert (tournament.published_at, tournament.live_at, tournament.completed_at) == (at, at, at)
    assert tournament.cancelled_at is None


def test_a_tournament_whose_start_has_passed_cannot_be_published():
    organizer = UserFactory()
    at = datetime(2031, 3, 1, 12, tzinfo=UTC)
    with clock.frozen(at) as frozen:
        tournament = create_tournament(organizer, schedule=schedule(at))
        frozen.advance(timedelta(days=8))
        with pytest.raises(SchedulePassed):
            services.tournament_transition(
                actor=organizer, tournament_id=tournament.pk, to=S.PUBLISHED
            )
    assert Tournament.objects.get(pk=tournament.pk).status == S.DRAFT


# --- the clock ---------------------------------------------------------------------------------

START = datetime(2031, 6, 1, 18, tzinfo=UTC)


def _timed_tournament(organizer, status=S.PUBLISHED):
    """Registration opens 6 days and closes 1 day before START; check-in 30 min before."""
    with clock.frozen(START - timedelta(days=10)):
        return create_tournament(
            organizer,
            status,
            schedule={
                "registration_opens_at": START - timedelta(days=6),
                "registration_closes_at": START - timedelta(days=1),
                "check_in_opens_before": 30,
                "starts_at": START,
            },
        )


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (START - timedelta(days=6, seconds=1), S.PUBLISHED),
        (START - timedelta(days=6), S.REGISTRATION_OPEN),
        (START - timedelta(days=1), S.REGISTRATION_CLOSED),
        (START - timedelta(minutes=30), S.CHECK_IN),
        (START, S.LIVE),
    ],
)
def test_the_clock_moves_a_published_tournament_when_each_time_comes(moment, expected):
    tournament = _timed_tournament(UserFactory())
    with clock.frozen(moment):
        services.tournaments_advance_scheduled()
        assert Tournament.objects.get(pk=tournament.pk).status == expected
        # Running again at the same moment changes nothing and publishes nothing.
        published = _names(tournament.pk)
        assert services.tournaments_advance_scheduled() == 0
        assert _names(tournament.pk) == published


def test_scheduled_runs_step_through_the_lifecycle_once_each():
    tournament = _timed_tournament(UserFactory())
    with clock.frozen(START - timedelta(days=7)) as frozen:
        assert services.tournaments_advance_scheduled() == 0
        for step, state in [
            (timedelta(days=1), S.REGISTRATION_OPEN),
            (timedelta(days=5), S.REGISTRATION_CLOSED),
            (timedelta(hours=23, minutes=30), S.CHECK_IN),
            (timedelta(minutes=30), S.LIVE),
        ]:
            frozen.advance(step)
            assert services.tournaments_advance_scheduled() == 1
            assert services.tournaments_advance_scheduled() == 0
            assert Tournament.objects.get(pk=tournament.pk).status == state
    assert _names(tournament.pk)[-4:] == [
        "tournament.registration_open",
        "tournament.registration_closed",
        "tournament.check_in",
        "tournament.live",
    ]
    live = Tournament.objects.get(pk=tournament.pk)
    assert live.live_at == START


def test_a_late_run_catches_up_every_step_in_order():
    tournament = _timed_tournament(UserFactory())
    with clock.frozen(START + timedelta(minutes=5)):
        assert services.tournaments_advance_scheduled() == 4
        assert services.tournaments_advance_scheduled() == 0
    records = events.events_after(tournament_stream(tournament.pk), 0)
    assert [(r.data["from"], r.data["to"], r.data["scheduled"]) for r in records[-4:]] == [
        ("published", "registration_open", True),
        ("registration_open", "registration_closed", True),
        ("registration_closed", "check_in", True),
        ("check_in", "live", True),
    ]
    actors = set(
        AuditEntry.objects.filter(target_type="tournament", data__scheduled=True).values_list(
            "actor_id", flat=True
        )
    )
    assert actors == {None}


def test_the_clock_leaves_drafts_cancelled_and_deleted_tournaments_alone():
    organizer = UserFactory()
    draft = _timed_tournament(organizer, S.DRAFT)
    cancelled = _timed_tournament(organizer, S.CANCELLED)
    deleted = _timed_tournament(organizer)
    services.tournament_delete(actor=organizer, tournament_id=deleted.pk)
    with clock.frozen(START + timedelta(hours=1)):
        assert services.tournaments_advance_scheduled() == 0
    statuses = dict(Tournament.objects.values_list("pk", "status"))
    assert statuses == {draft.pk: S.DRAFT, cancelled.pk: S.CANCELLED, deleted.pk: S.PUBLISHED}


def test_the_clock_does_not_repeat_what_an_organizer_already_did():
    organizer = UserFactory()
    tournament = _timed_tournament(organizer)
    with clock.frozen(START - timedelta(days=5)):
        services.tournament_transition(
            actor=organizer, tournament_id=tournament.pk, to=S.REGISTRATION_OPEN
        )
        assert services.tournaments_advance_scheduled() == 0
    assert _names(tournament.pk).count("tournament.registration_open") == 1


def test_the_periodic_task_runs_the_scheduler():
    tournament = _timed_tournament(UserFactory())
    with clock.frozen(START - timedelta(days=3)):
        assert tasks.advance_tournaments.call_local() == 1
    assert Tournament.objects.get(pk=tournament.pk).status == S.REGISTRATION_OPEN
