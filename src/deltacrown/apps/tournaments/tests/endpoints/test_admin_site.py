"""Django admin for tournaments: browsable with filters; changes go through the services."""

from __future__ import annotations

import pytest
from django.urls import reverse

from deltacrown.apps.tournaments.data import tournament_stream
from deltacrown.apps.tournaments.models import Tournament
from deltacrown.apps.tournaments.tests.factories import UserFactory, create_tournament, signed_in
from deltacrown.kernel import events

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client():
    return signed_in(UserFactory(is_staff=True, is_superuser=True))


def test_the_tournament_list_searches_and_filters(admin_client):
    organizer = UserFactory()
    create_tournament(organizer, name="Needle Cup")
    create_tournament(organizer, "published", name="Haystack Cup")
    url = reverse("admin:tournaments_tournament_changelist")
    found = admin_client.get(url, {"q": "Needle"})
    assert found.status_code == 200
    assert b"Needle Cup" in found.content
    assert b"Haystack Cup" not in found.content
    published = admin_client.get(url, {"status__exact": "published"})
    assert b"Haystack Cup" in published.content
    assert b"Needle Cup" not in published.content
    assert admin_client.get(url, {"deleted": "no"}).status_code == 200


def test_the_change_page_shows_the_tournament_without_its_invite_secret(admin_client):
    tournament = create_tournament(UserFactory(), "published", visibility="private")
    page = admin_client.get(reverse("admin:tournaments_tournament_change", args=[tournament.pk]))
    assert page.status_code == 200
    assert tournament.invite_token.encode() not in page.content


def test_featuring_from_the_admin_is_published_like_any_change(admin_client):
    tournament = create_tournament(UserFactory(), "published")
    response = admin_client.post(
        reverse("admin:tournaments_tournament_changelist"),
        {"action": "feature", "_selected_action": [tournament.pk]},
    )
    assert response.status_code == 302
    assert Tournament.objects.get(pk=tournament.pk).featured
    last = events.events_after(tournament_stream(tournament.pk), 0)[-1]
    assert (last.name, last.data["fields"]) == ("tournament.updated", ["featured"])


def test_cancelling_from_the_admin_uses_the_lifecycle(admin_client):
    live = create_tournament(UserFactory(), "live")
    done = create_tournament(UserFactory(), "completed")
    admin_client.post(
        reverse("admin:tournaments_tournament_changelist"),
        {"action": "cancel", "_selected_action": [live.pk, done.pk]},
    )
    statuses = dict(Tournament.objects.values_list("pk", "status"))
    assert statuses == {live.pk: "cancelled", done.pk: "completed"}


def test_the_template_and_staff_lists_load(admin_client):
    for name in ("tournamenttemplate", "tournamentstaff"):
        assert admin_client.get(reverse(f"admin:tournaments_{name}_changelist")).status_code == 200
