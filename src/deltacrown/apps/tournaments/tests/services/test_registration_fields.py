"""Custom registration fields: their definitions, the lock at opening, and answer checking."""

from __future__ import annotations

import pytest

from deltacrown.apps.tournaments import api, services
from deltacrown.apps.tournaments.data import FieldKind, tournament_stream
from deltacrown.apps.tournaments.errors import RegistrationFieldsLocked, TournamentNotFound
from deltacrown.apps.tournaments.tests.factories import UserFactory, create_tournament
from deltacrown.kernel import events
from deltacrown.kernel.errors import PermissionDenied, ValidationFailed

pytestmark = pytest.mark.django_db

FIELDS = [
    {
        "key": "discord",
        "label": "Discord handle",
        "kind": "text",
        "required": True,
        "max_length": 32,
    },
    {"key": "age", "label": "Age", "kind": "number", "min": 13, "max": 99},
    {"key": "role", "label": "Main role", "kind": "dropdown", "choices": ["duelist", "support"]},
    {"key": "vod", "label": "Highlight video", "kind": "url"},
    {"key": "rules", "label": "I accept the rules", "kind": "toggle", "required": True},
    {"key": "stream", "label": "I will stream", "kind": "toggle"},
    {"key": "born", "label": "Birthday", "kind": "date", "min": "1950-01-01", "max": "2015-12-31"},
    {"key": "logo", "label": "Team logo", "kind": "media"},
]


@pytest.fixture
def tournament():
    organizer = UserFactory()
    tournament = create_tournament(organizer, registration_fields=FIELDS)
    tournament.test_organizer = organizer
    return tournament


def test_fields_given_at_creation_are_kept_in_order(tournament):
    specs = api.registration_fields(tournament.pk)
    assert [(s.key, s.kind) for s in specs] == [(f["key"], FieldKind(f["kind"])) for f in FIELDS]
    assert specs[0].max_length == 32
    assert specs[2].choices == ("duelist", "support")
    assert (specs[6].min, specs[6].max) == ("1950-01-01", "2015-12-31")


def test_organizers_replace_the_fields_until_registration_opens(tournament):
    organizer = tournament.test_organizer
    services.registration_fields_set(
        actor=organizer,
        tournament_id=tournament.pk,
        fields=[{"key": "nick", "label": "Nickname", "kind": "text"}],
    )
    assert [s.key for s in api.registration_fields(tournament.pk)] == ["nick"]
    assert events.events_after(tournament_stream(tournament.pk), 0)[-1].name == (
        "tournament.registration_fields_updated"
    )
    services.tournament_transition(actor=organizer, tournament_id=tournament.pk, to="published")
    services.tournament_transition(
        actor=organizer, tournament_id=tournament.pk, to="registration_open"
    )
    with pytest.raises(RegistrationFieldsLocked):
        services.registration_fields_set(actor=organizer, tournament_id=tournament.pk, fields=[])
    assert [s.key for s in api.registration_fields(tournament.pk)] == ["nick"]


def test_moderators_cannot_change_the_fields(tournament):
    moderator = UserFactory()
    services.tournament_staff_add(
        actor=tournament.test_organizer,
        tournament_id=tournament.pk,
        user_id=moderator.pk,
        role="moderator",
    )
    with pytest.raises(PermissionDenied):
        services.registration_fields_set(actor=moderator, tournament_id=tournament.pk, fields=[])


@pytest.mark.parametrize(
    ("field", "where", "code"),
    [
        (
            {"key": "x", "label": "X", "kind": "dropdown"},
            "registration_fields.0.choices",
            "required",
        ),
        (
            {"key": "x", "label": "X", "kind": "dropdown", "choices": ["a", "a"]},
            "registration_fields.0.choices",
            "invalid",
        ),
        (
            {"key": "x", "label": "X", "kind": "number", "min": 5, "max": 1},
            "registration_fields.0.max",
            "below_min",
        ),
        (
            {"key": "x", "label": "X", "kind": "number", "min": "low"},
            "registration_fields.0.min",
            "invalid_type",
        ),
        (
            {"key": "x", "label": "X", "kind": "date", "max": "31/12/2020"},
            "registration_fields.0.max",
            "invalid_type",
        ),
        (
            {"key": "x", "label": "X", "kind": "url", "max_length": 10},
            "registration_fields.0.max_length",
            "not_applicable",
        ),
        (
            {"key": "x", "label": "X", "kind": "text", "choices": ["a"]},
            "registration_fields.0.choices",
            "not_applicable",
        ),
        (
            {"key": "Bad Key", "label": "X", "kind": "text"},
            "registration_fields.0.key",
            "string_pattern_mismatch",
        ),
        ({"key": "x", "label": "X", "kind": "colour"}, "registration_fields.0.kind", "enum"),
    ],
)
def test_invalid_field_definitions_are_refused(tournament, field, where, code):
    with pytest.raises(ValidationFailed) as refused:
        services.registration_fields_set(
            actor=tournament.test_organizer, tournament_id=tournament.pk, fields=[field]
        )
    assert {e["field"]: e["code"] for e in refused.value.errors}[where] == code
    assert len(api.registration_fields(tournament.pk)) == len(FIELDS)


def test_field_keys_are_unique(tournament):
    with pytest.raises(ValidationFailed) as refused:
        services.registration_fields_set(
            actor=tournament.test_organizer,
            tournament_id=tournament.pk,
            fields=[{"key": "a", "label": "A", "kind": "text"}] * 2,
        )
    assert refused.value.errors[0]["field"] == "registration_fields.1.key"


# --- answers -------------------------------------------------------------------------------------

VALID = {
    "discord": "  ace#0001 ",
    "age": "21",
    "role": "support",
    "vod": "https://example.com/clip",
    "rules": True,
    "born": "2001-04-05",
    "logo": "uploads/2031/logo-1.png",
}


def test_valid_answers_come_back_normalised_with_every_key(tournament):
    assert api.answers_validate(tournament.pk, VALID) == {
        "discord": "ace#0001",
        "age": 21,
        "role": "support",
        "vod": "https://example.com/clip",
        "rules": True,
        "stream": False,
        "born": "2001-04-05",
        "logo": "uploads/2031/logo-1.png",
    }


def test_optional_answers_may_be_left_out(tournament):
    answers = api.answers_validate(tournament.pk, {"discord": "ace", "rules": True})
    assert answers["age"] is None
    assert answers["role"] is None
    assert answers["stream"] is False


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"discord": None}, "required"),
        ({"discord": "   "}, "required"),
        ({"discord": "x" * 33}, "too_long"),
        ({"discord": 42}, "invalid_type"),
        ({"age": 12}, "out_of_range"),
        ({"age": 100.5}, "out_of_range"),
        ({"age": "twenty"}, "invalid_type"),
        ({"age": True}, "invalid_type"),
        ({"role": "tank"}, "invalid_choice"),
        ({"vod": "ftp://example.com/clip"}, "invalid_url"),
        ({"vod": "not a link"}, "invalid_url"),
        ({"rules": False}, "must_accept"),
        ({"rules": "yes"}, "invalid_type"),
        ({"born": "2020-01-01"}, "out_of_range"),
        ({"born": "05/04/2001"}, "invalid_date"),
        ({"born": "20010405"}, "invalid_date"),
        ({"logo": "../../etc/passwd"}, "invalid_reference"),
        ({"logo": "/absolute/path.png"}, "invalid_reference"),
        ({"nickname": "ace"}, "unknown_field"),
    ],
)
def test_invalid_answers_name_the_field_and_the_problem(tournament, changes, code):
    with pytest.raises(ValidationFailed) as refused:
        api.answers_validate(tournament.pk, {**VALID, **changes})
    key = next(iter(changes))
    assert {e["field"]: e["code"] for e in refused.value.errors} == {f"answers.{key}": code}


def test_answers_for_a_tournament_without_fields_must_be_empty():
    tournament = create_tournament(UserFactory())
    assert api.answers_validate(tournament.pk, {}) == {}
    with pytest.raises(ValidationFailed):
        api.answers_validate(tournament.pk, {"anything": 1})


def test_answers_for_an_unknown_tournament_are_a_404():
    with pytest.raises(TournamentNotFound):
        api.answers_validate(999_999, {})
