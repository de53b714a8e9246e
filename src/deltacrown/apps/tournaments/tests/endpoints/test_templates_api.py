"""Tournament templates over HTTP: saving, listing, using, changing and deleting them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from deltacrown.apps.tournaments.models import TournamentTemplate
from deltacrown.apps.tournaments.tests.factories import (
    API,
    UserFactory,
    create_tournament,
    signed_in,
)
from deltacrown.kernel import clock

pytestmark = pytest.mark.django_db


def _save(client: Client, tournament_id: int, **body):
    return client.post(
        f"{API}/templates",
        {"tournament_id": tournament_id, "name": "Cup format", **body},
        content_type="application/json",
    )


def test_an_organizer_saves_lists_and_uses_a_template():
    owner = UserFactory()
    client = signed_in(owner)
    tournament = create_tournament(owner, capacity=8)
    saved = _save(client, tournament.pk, description="Eight teams")
    assert saved.status_code == 201
    template = saved.json()
    assert (template["game"], template["scope"], template["usage_count"]) == (
        "valorant",
        "private",
        0,
    )
    assert template["config"]["capacity"] == 8
    assert [t["id"] for t in client.get(f"{API}/templates").json()["items"]] == [template["id"]]

    now = clock.now()
    used = client.post(
        f"{API}/templates/{template['id']}/tournaments",
        {
            "overrides": {
                "name": "Cup #2",
                "schedule": {
                    "registration_opens_at": (now + timedelta(days=1)).isoformat(),
                    "registration_closes_at": (now + timedelta(days=2)).isoformat(),
                    "starts_at": (now + timedelta(days=3)).isoformat(),
                },
            }
        },
        content_type="application/json",
    )
    assert used.status_code == 201
    assert (used.json()["name"], used.json()["capacity"], used.json()["status"]) == (
        "Cup #2",
        8,
        "draft",
    )
    assert client.get(f"{API}/templates/{template['id']}").json()["usage_count"] == 1


def test_a_template_use_with_bad_overrides_names_the_fields():
    owner = UserFactory()
    client = signed_in(owner)
    template_id = _save(client, create_tournament(owner).pk).json()["id"]
    response = client.post(
        f"{API}/templates/{template_id}/tournaments",
        {"overrides": {"capacity": "many"}},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "capacity" in {e["field"] for e in response.json()["errors"]}


def test_strangers_neither_see_nor_change_private_templates():
    owner = UserFactory()
    template_id = _save(signed_in(owner), create_tournament(owner).pk).json()["id"]
    stranger = signed_in(UserFactory())
    assert stranger.get(f"{API}/templates/{template_id}").status_code == 404
    assert (
        stranger.patch(
            f"{API}/templates/{template_id}", {"name": "Mine"}, content_type="application/json"
        ).status_code
        == 404
    )
    assert stranger.delete(f"{API}/templates/{template_id}").status_code == 404
    assert (
        stranger.post(
            f"{API}/templates/{template_id}/tournaments", {}, content_type="application/json"
        ).status_code
        == 404
    )
    assert stranger.get(f"{API}/templates").json()["items"] == []


def test_saving_someone_elses_tournament_is_refused():
    public = create_tournament(UserFactory(), "published")
    draft = create_tournament(UserFactory())
    stranger = signed_in(UserFactory())
    assert _save(stranger, public.pk).status_code == 403
    assert _save(stranger, draft.pk).status_code == 404
    assert not TournamentTemplate.objects.exists()


def test_global_templates_need_platform_staff():
    owner = UserFactory()
    response = _save(signed_in(owner), create_tournament(owner).pk, scope="global")
    assert (response.status_code, response.json()["code"]) == (403, "admin_required")


def test_the_creator_renames_and_deletes_a_template():
    owner = UserFactory()
    client = signed_in(owner)
    template_id = _save(client, create_tournament(owner).pk).json()["id"]
    renamed = client.patch(
        f"{API}/templates/{template_id}",
        {"name": "Renamed", "scope": "organization"},
        content_type="application/json",
    )
    assert (renamed.json()["name"], renamed.json()["scope"]) == ("Renamed", "organization")
    assert client.delete(f"{API}/templates/{template_id}").status_code == 204
    assert client.get(f"{API}/templates/{template_id}").status_code == 404


def test_templates_need_a_signed_in_caller():
    assert Client().get(f"{API}/templates").status_code == 401
