"""The Django admin pages for the competition: matches and disputes by state, read-only."""

from __future__ import annotations

import pytest

from deltacrown.apps.competition.tests.endpoints.helpers import (
    generate,
    matches_of,
    ok,
    participants_by_user,
    post,
    sides,
    signed_in,
)
from deltacrown.apps.competition.tests.factories import live_tournament, user

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client():
    return signed_in(user(is_staff=True, is_superuser=True))


def test_the_admin_shows_matches_by_state(admin_client):
    tournament, _ = live_tournament(4)
    matches = matches_of(generate(tournament))

    ready = admin_client.get("/admin/competition/match/?status__exact=ready")
    waiting = admin_client.get("/admin/competition/match/?status__exact=scheduled")

    assert ready.status_code == 200
    assert {m.pk for m in ready.context["cl"].result_list} == {
        matches["W1.1"]["id"],
        matches["W1.2"]["id"],
    }
    assert [m.pk for m in waiting.context["cl"].result_list] == [matches["W2.1"]["id"]]
    detail = admin_client.get(f"/admin/competition/match/{matches['W1.1']['id']}/change/")
    assert detail.status_code == 200
    assert b"Save" not in detail.content  # read-only: changes go through the services


def test_the_admin_shows_disputes_with_their_thread(admin_client):
    tournament, players = live_tournament(4)
    semi = matches_of(generate(tournament))["W1.1"]
    home, away = sides(semi, participants_by_user(tournament, players))
    ok(post(signed_in(home), f"/matches/{semi['id']}/result", {"scores": [2, 0]}))
    dispute = ok(post(signed_in(away), f"/matches/{semi['id']}/disputes", {"reason": "No."}), 201)
    signed_in(home).post(f"/api/v1/disputes/{dispute['id']}/comments", {"body": "It was 2-0."})

    listed = admin_client.get("/admin/competition/dispute/?status__exact=open")
    detail = admin_client.get(f"/admin/competition/dispute/{dispute['id']}/change/")

    assert [d.pk for d in listed.context["cl"].result_list] == [dispute["id"]]
    assert detail.status_code == 200
    assert b"It was 2-0." in detail.content
    assert (
        admin_client.get("/admin/competition/dispute/?status__exact=resolved")
        .context["cl"]
        .result_count
        == 0
    )


def test_admin_pages_refuse_adding_and_deleting(admin_client):
    tournament, _ = live_tournament(2)
    match_id = matches_of(generate(tournament))["W1.1"]["id"]

    assert admin_client.get("/admin/competition/match/add/").status_code == 403
    assert admin_client.get("/admin/competition/dispute/add/").status_code == 403
    assert admin_client.get(f"/admin/competition/match/{match_id}/delete/").status_code == 403
