"""Tournament templates: saving a configuration, reusing it with overrides, and who sees it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from deltacrown.apps.tournaments import selectors, services
from deltacrown.apps.tournaments.data import template_stream, tournament_stream
from deltacrown.apps.tournaments.errors import OwnerRequired, TemplateNotFound
from deltacrown.apps.tournaments.models import TournamentTemplate
from deltacrown.apps.tournaments.tests.factories import (
    UserFactory,
    create_tournament,
    schedule,
)
from deltacrown.kernel import clock, events
from deltacrown.kernel.errors import PermissionDenied, ValidationFailed

pytestmark = pytest.mark.django_db

FIELDS = [{"key": "discord", "label": "Discord", "kind": "text", "required": True}]


def _template(owner=None, scope="private", **overrides):
    owner = owner or UserFactory()
    tournament = create_tournament(
        owner,
        name="Weekly Cup",
        capacity=32,
        prize={
            "pool": 10_000,
            "currency": "EUR",
            "distribution": {"kind": "percent", "places": [70, 30]},
        },
        stage_plan=[{"format": "double_elimination", "options": {"grand_final": "reset"}}],
        registration_fields=FIELDS,
        **overrides,
    )
    return services.template_create(
        actor=owner, tournament_id=tournament.pk, name="Weekly", scope=scope
    )


def test_a_template_keeps_the_configuration_but_not_the_dates():
    template = _template(schedule=schedule(check_in_opens_before=45))
    assert template.config["name"] == "Weekly Cup"
    assert template.config["prize"]["distribution"] == {"kind": "percent", "places": [70, 30]}
    assert template.config["schedule"] == {"check_in_opens_before": 45}
    assert template.config["registration_fields"][0]["key"] == "discord"
    assert (template.usage_count, template.last_used_at) == (0, None)
    created = events.events_after(template_stream(template.pk), 0)[0]
    assert (created.name, created.data["scope"]) == ("tournament_template.created", "private")


def test_a_tournament_from_a_template_deep_merges_the_overrides():
    template = _template()
    owner = template.owner
    at = datetime(2031, 5, 1, 9, tzinfo=UTC)
    with clock.frozen(at):
        tournament = services.tournament_create_from_template(
            actor=owner,
            template_id=template.pk,
            overrides={
                "name": "Weekly Cup #2",
                "prize": {"pool": 20_000},
                "stage_plan": [{"format": "single_elimination"}],
                "schedule": {
                    "registration_opens_at": at + timedelta(days=1),
                    "registration_closes_at": at + timedelta(days=2),
                    "starts_at": at + timedelta(days=3),
                },
            },
        )
    assert tournament.name == "Weekly Cup #2"
    assert tournament.capacity == 32  # from the template
    # Objects merge key by key: the currency and split stay, the pool changes.
    assert (tournament.prize_pool, tournament.prize_currency) == (20_000, "EUR")
    assert tournament.prize_distribution == {"kind": "percent", "places": [70, 30]}
    # Lists are replaced, not merged.
    assert [s["format"] for s in tournament.stage_plan] == ["single_elimination"]
    assert tournament.check_in_opens_before == 30
    assert [s.key for s in selectors.registration_field_specs(tournament_id=tournament.pk)] == [
        "discord"
    ]
    template.refresh_from_db()
    assert (template.usage_count, template.last_used_at) == (1, at)
    used = events.events_after(template_stream(template.pk), 0)[-1]
    assert (used.name, used.data["tournament_id"]) == ("tournament_template.used", tournament.pk)
    created = events.events_after(tournament_stream(tournament.pk), 0)[0]
    assert (created.name, created.data["template_id"]) == ("tournament.created", template.pk)


def test_each_use_counts():
    template = _template()
    for _ in range(3):
        services.tournament_create_from_template(
            actor=template.owner, template_id=template.pk, overrides={"schedule": schedule()}
        )
    template.refresh_from_db()
    assert template.usage_count == 3


def test_a_template_use_without_dates_names_the_missing_fields_and_counts_nothing():
    template = _template()
    with pytest.raises(ValidationFailed) as refused:
        services.tournament_create_from_template(
            actor=template.owner, template_id=template.pk, overrides={}
        )
    assert {e["field"] for e in refused.value.errors} == {
        "schedule.registration_opens_at",
        "schedule.registration_closes_at",
        "schedule.starts_at",
    }
    template.refresh_from_db()
    assert template.usage_count == 0


def test_private_templates_are_their_creators_alone():
    template = _template()
    stranger = UserFactory()
    with pytest.raises(TemplateNotFound):
        selectors.template_get_visible(viewer=stranger, template_id=template.pk)
    with pytest.raises(TemplateNotFound):
        services.tournament_create_from_template(
            actor=stranger, template_id=template.pk, overrides={"schedule": schedule()}
        )
    assert list(selectors.template_list(viewer=stranger)) == []


def test_organization_templates_are_shared_with_the_creators_co_organizers():
    owner, colleague, stranger = UserFactory(), UserFactory(), UserFactory()
    template = _template(owner, scope="organization")
    other_tournament = create_tournament(owner)
    services.tournament_staff_add(
        actor=owner, tournament_id=other_tournament.pk, user_id=colleague.pk, role="co_organizer"
    )
    assert list(selectors.template_list(viewer=colleague)) == [template]
    assert list(selectors.template_list(viewer=stranger)) == []
    tournament = services.tournament_create_from_template(
        actor=colleague, template_id=template.pk, overrides={"schedule": schedule()}
    )
    assert tournament.organizer_id == colleague.pk
    # Seeing is not owning: only the creator changes or deletes it.
    with pytest.raises(OwnerRequired):
        services.template_update(actor=colleague, template_id=template.pk, name="Ours")
    with pytest.raises(OwnerRequired):
        services.template_delete(actor=colleague, template_id=template.pk)


def test_global_templates_are_made_and_changed_by_staff_and_seen_by_everyone():
    with pytest.raises(PermissionDenied) as refused:
        _template(scope="global")
    assert refused.value.code == "admin_required"
    staff = UserFactory(is_staff=True)
    template = _template(staff, scope="global")
    anyone = UserFactory()
    assert list(selectors.template_list(viewer=anyone)) == [template]
    own = _template(anyone)
    with pytest.raises(PermissionDenied):
        services.template_update(actor=anyone, template_id=own.pk, scope="global")
    with pytest.raises(PermissionDenied):
        services.template_delete(actor=anyone, template_id=template.pk)
    services.template_update(actor=staff, template_id=template.pk, description="Official format")
    assert TournamentTemplate.objects.get(pk=template.pk).description == "Official format"


def test_the_creator_renames_rescopes_and_deletes_a_template():
    template = _template()
    owner = template.owner
    services.template_update(
        actor=owner, template_id=template.pk, name="Weekly (EU)", scope="organization"
    )
    template.refresh_from_db()
    assert (template.name, template.scope) == ("Weekly (EU)", "organization")
    updated = events.events_after(template_stream(template.pk), 0)[-1]
    assert updated.data["fields"] == ["name", "scope"]
    services.template_delete(actor=owner, template_id=template.pk)
    assert not TournamentTemplate.objects.filter(pk=template.pk).exists()
    assert events.events_after(template_stream(template.pk), 0)[-1].name == (
        "tournament_template.deleted"
    )


def test_only_organizers_of_a_tournament_save_it_as_a_template():
    owner, moderator = UserFactory(), UserFactory()
    tournament = create_tournament(owner)
    services.tournament_staff_add(
        actor=owner, tournament_id=tournament.pk, user_id=moderator.pk, role="moderator"
    )
    with pytest.raises(PermissionDenied):
        services.template_create(actor=moderator, tournament_id=tournament.pk, name="Copy")
    assert not TournamentTemplate.objects.exists()


def test_template_names_are_checked():
    owner = UserFactory()
    tournament = create_tournament(owner)
    with pytest.raises(ValidationFailed) as refused:
        services.template_create(actor=owner, tournament_id=tournament.pk, name="  ")
    assert refused.value.errors[0]["field"] == "name"
