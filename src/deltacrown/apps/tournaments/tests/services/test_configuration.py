"""Validation of a tournament's configuration: stage plan, sizes, schedule, fees and prizes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from deltacrown.apps.tournaments import services
from deltacrown.apps.tournaments.models import Tournament
from deltacrown.apps.tournaments.tests.factories import (
    BR_GAME,
    SOLO_GAME,
    UserFactory,
    config,
    schedule,
)
from deltacrown.kernel import clock
from deltacrown.kernel.errors import ValidationFailed

pytestmark = pytest.mark.django_db

NOW = datetime(2031, 1, 10, 12, tzinfo=UTC)


def _refused(**overrides) -> dict[str, str]:
    """The field errors (field -> code) of creating a tournament with ``overrides``."""
    count = Tournament.objects.count()
    with clock.frozen(NOW), pytest.raises(ValidationFailed) as refused:
        services.tournament_create(actor=UserFactory(), config=config(**overrides))
    assert Tournament.objects.count() == count
    return {e["field"]: e["code"] for e in refused.value.errors}


def _created(**overrides) -> Tournament:
    with clock.frozen(NOW):
        return services.tournament_create(actor=UserFactory(), config=config(**overrides))


# --- stage plan --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stage_plan", "field", "code"),
    [
        ([{"format": "knockout"}], "stage_plan.0.format", "unknown_format"),
        ([{"format": "battle_royale"}], "stage_plan.0.format", "format_not_for_game"),
        (
            [{"format": "single_elimination", "options": {"best_of": 3}}],
            "stage_plan.0.options.best_of",
            "unknown_option",
        ),
        (
            [{"format": "single_elimination", "options": {"third_place": "yes"}}],
            "stage_plan.0.options.third_place",
            "invalid_type",
        ),
        (
            [{"format": "round_robin", "options": {"cycles": True}}],
            "stage_plan.0.options.cycles",
            "invalid_type",
        ),
        (
            [{"format": "round_robin", "options": {"groups": 9}}],
            "stage_plan.0.options.groups",
            "invalid_stage_configuration",
        ),
        (
            [{"format": "single_elimination", "options": {"seed_ordering": "sideways"}}],
            "stage_plan.0",
            "invalid_stage_configuration",
        ),
        (
            [{"format": "double_elimination", "options": {"grand_final": "twice"}}],
            "stage_plan.0.options.grand_final",
            "invalid_stage_configuration",
        ),
        (
            [{"format": "swiss"}, {"format": "single_elimination"}],
            "stage_plan.1.participants",
            "out_of_range",
        ),
        (
            [{"format": "swiss"}, {"format": "single_elimination", "participants": 32}],
            "stage_plan.1.participants",
            "out_of_range",
        ),
        (
            [{"format": "swiss", "participants": 8}],
            "stage_plan.0.participants",
            "first_stage",
        ),
        ([], "stage_plan", "too_short"),
    ],
)
def test_stage_plans_the_engine_cannot_run_are_refused(stage_plan, field, code):
    assert _refused(stage_plan=stage_plan)[field] == code


def test_a_multi_stage_plan_is_checked_stage_by_stage_and_stored():
    tournament = _created(
        stage_plan=[
            {"name": "Swiss", "format": "swiss", "options": {"rounds": 4}},
            {
                "name": "Playoffs",
                "format": "double_elimination",
                "options": {"grand_final": "reset"},
                "participants": 8,
            },
        ]
    )
    assert tournament.format == "swiss"
    assert tournament.stage_plan == [
        {"name": "Swiss", "format": "swiss", "options": {"rounds": 4}},
        {
            "name": "Playoffs",
            "format": "double_elimination",
            "options": {"grand_final": "reset"},
            "participants": 8,
        },
    ]


def test_a_second_stage_is_checked_with_the_participants_it_receives():
    # Double elimination needs at least 3 entrants: 2 qualifiers cannot play one.
    errors = _refused(
        stage_plan=[
            {"format": "round_robin"},
            {"format": "double_elimination", "participants": 2},
        ]
    )
    assert errors == {"stage_plan.1": "invalid_stage_configuration"}


def test_battle_royale_games_take_the_battle_royale_format():
    assert _refused(game=BR_GAME, stage_plan=[{"format": "single_elimination"}]) == {
        "stage_plan.0.format": "format_not_for_game"
    }
    tournament = _created(
        game=BR_GAME,
        stage_plan=[{"format": "battle_royale", "options": {"lobby_size": 12, "rounds": 3}}],
    )
    assert tournament.team_size == 4


# --- participants --------------------------------------------------------------------------------


def test_team_size_defaults_to_the_games_and_may_be_smaller_but_not_larger():
    assert _created().team_size == 5
    assert _created(team_size=2).team_size == 2
    assert _refused(team_size=6) == {"team_size": "out_of_range"}
    assert _refused(team_size=1) == {"team_size": "out_of_range"}


def test_team_tournaments_need_a_team_game():
    assert _refused(game=SOLO_GAME) == {"participant_kind": "team_game_required"}


def test_solo_tournaments_have_team_size_one():
    assert _created(game=SOLO_GAME, participant_kind="solo").team_size == 1
    assert _created(participant_kind="solo").team_size == 1  # a 1v1 event in a team game
    assert _refused(participant_kind="solo", team_size=3) == {"team_size": "solo"}


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"game": "tetris"}, "game", "unknown_game"),
        ({"capacity": 1}, "capacity", "greater_than_equal"),
        ({"capacity": 5000}, "capacity", "less_than_equal"),
        ({"name": "   "}, "name", "value_error"),
        ({"name": "two\nlines"}, "name", "value_error"),
        ({"region": "atlantis"}, "region", "enum"),
        ({"visibility": "secret"}, "visibility", "enum"),
        ({"surprise": True}, "surprise", "extra_forbidden"),
    ],
)
def test_basic_fields_are_checked(overrides, field, code):
    assert _refused(**overrides)[field] == code


# --- schedule ------------------------------------------------------------------------------------


def test_registration_must_close_after_it_opens():
    errors = _refused(
        schedule=schedule(
            NOW,
            registration_opens_at=NOW + timedelta(days=3),
            registration_closes_at=NOW + timedelta(days=2),
        )
    )
    assert errors == {"schedule.registration_closes_at": "before_opening"}


def test_registration_must_close_before_check_in_opens():
    start = NOW + timedelta(days=7)
    errors = _refused(
        schedule=schedule(
            NOW,
            registration_closes_at=start - timedelta(minutes=20),
            check_in_opens_before=30,
            starts_at=start,
        )
    )
    assert errors == {"schedule.registration_closes_at": "after_check_in"}


def test_registration_may_close_exactly_when_check_in_opens():
    start = NOW + timedelta(days=7)
    tournament = _created(
        schedule=schedule(
            NOW,
            registration_closes_at=start - timedelta(minutes=45),
            check_in_opens_before=45,
            starts_at=start,
        )
    )
    assert tournament.check_in_opens_at == start - timedelta(minutes=45)


def test_check_in_opens_thirty_minutes_before_start_unless_told_otherwise():
    start = NOW + timedelta(days=7)
    plan = schedule(NOW, starts_at=start)
    del plan["check_in_opens_before"]
    tournament = _created(schedule=plan)
    assert tournament.check_in_opens_before == 30
    assert tournament.check_in_opens_at == start - timedelta(minutes=30)


def test_a_new_tournament_must_close_registration_and_start_in_the_future():
    errors = _refused(
        schedule=schedule(
            NOW - timedelta(days=10),
        )
    )
    assert errors == {
        "schedule.registration_closes_at": "in_past",
        "schedule.starts_at": "in_past",
    }


def test_registration_may_already_be_open_when_a_tournament_is_created():
    tournament = _created(schedule=schedule(NOW, registration_opens_at=NOW - timedelta(hours=1)))
    assert tournament.registration_opens_at == NOW - timedelta(hours=1)


def test_times_without_a_time_zone_are_refused():
    errors = _refused(schedule=schedule(NOW, starts_at=datetime(2031, 2, 1, 12)))
    assert errors == {"schedule.starts_at": "timezone_aware"}


def test_check_in_window_is_bounded():
    assert _refused(schedule=schedule(NOW, check_in_opens_before=2)) == {
        "schedule.check_in_opens_before": "greater_than_equal"
    }


# --- entry fee and prizes -----------------------------------------------------------------------


def test_an_external_entry_fee_has_an_amount_and_a_currency():
    tournament = _created(entry_fee={"kind": "external", "amount": 500, "currency": "eur"})
    assert (tournament.entry_fee_kind, tournament.entry_fee_amount) == ("external", 500)
    assert tournament.entry_fee_currency == "EUR"


@pytest.mark.parametrize(
    ("fee", "errors"),
    [
        ({"kind": "external", "currency": "EUR"}, {"entry_fee.amount": "required"}),
        ({"kind": "external", "amount": 500}, {"entry_fee.currency": "invalid_currency"}),
        (
            {"kind": "external", "amount": 500, "currency": "XYZ"},
            {"entry_fee.currency": "invalid_currency"},
        ),
        ({"kind": "none", "amount": 500}, {"entry_fee.amount": "not_applicable"}),
        ({"kind": "coins", "amount": 5}, {"entry_fee.kind": "enum"}),
        (
            {"kind": "external", "amount": -1, "currency": "EUR"},
            {"entry_fee.amount": "greater_than_equal"},
        ),
    ],
)
def test_inconsistent_entry_fees_are_refused(fee, errors):
    assert _refused(entry_fee=fee) == errors


def test_a_prize_pool_with_a_percentage_split_is_stored():
    tournament = _created(
        prize={
            "pool": 100_000,
            "currency": "usd",
            "distribution": {"kind": "percent", "places": [50, 30, 20]},
        }
    )
    assert (tournament.prize_pool, tournament.prize_currency) == (100_000, "USD")
    assert tournament.prize_distribution == {"kind": "percent", "places": [50, 30, 20]}


@pytest.mark.parametrize(
    ("prize", "errors"),
    [
        (
            {
                "pool": 1000,
                "currency": "USD",
                "distribution": {"kind": "percent", "places": [60, 50]},
            },
            {"prize.distribution.places": "over_100_percent"},
        ),
        (
            {
                "pool": 1000,
                "currency": "USD",
                "distribution": {"kind": "fixed", "places": [800, 300]},
            },
            {"prize.distribution.places": "over_pool"},
        ),
        (
            {
                "pool": 1000,
                "currency": "USD",
                "distribution": {"kind": "fixed", "places": [500, 0]},
            },
            {"prize.distribution.places": "not_positive"},
        ),
        (
            {
                "pool": 1000,
                "currency": "USD",
                "distribution": {"kind": "percent", "places": [1] * 17},
            },
            {"prize.distribution.places": "too_many_places"},
        ),
        ({"pool": 1000}, {"prize.currency": "invalid_currency"}),
    ],
)
def test_prize_splits_must_fit_the_pool(prize, errors):
    assert _refused(prize=prize) == errors


def test_fixed_prizes_may_leave_part_of_the_pool_unassigned():
    tournament = _created(
        prize={
            "pool": 1000,
            "currency": "EUR",
            "distribution": {"kind": "fixed", "places": [600, 300]},
        }
    )
    assert tournament.prize_distribution == {"kind": "fixed", "places": [600, 300]}


def test_every_problem_is_reported_at_once():
    errors = _refused(
        team_size=9,
        stage_plan=[{"format": "knockout"}],
        entry_fee={"kind": "external", "amount": 100, "currency": "???"},
        schedule=schedule(NOW - timedelta(days=30)),
    )
    assert set(errors) == {
        "team_size",
        "stage_plan.0.format",
        "entry_fee.currency",
        "schedule.registration_closes_at",
        "schedule.starts_at",
    }
