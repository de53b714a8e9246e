"""The tournament endpoints as organizers, staff, players, strangers and visitors use them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from deltacrown.apps.tournaments import services
from deltacrown.apps.tournaments.data import TournamentStatus
from deltacrown.apps.tournaments.models import Tournament
from deltacrown.apps.tournaments.tests.factories import (
    API,
    UserFactory,
    config,
    create_tournament,
    signed_in,
)
from deltacrown.kernel import clock

pytestmark = pytest.mark.django_db

S = TournamentStatus


def _json(body: dict[str, Any]) -> dict[str, Any]:
    """``body`` with datetimes as ISO 8601 strings, as a client sends them."""
    out: dict[str, Any] = {}
    for key, value in body.items():
        if isinstance(value, dict):
            out[key] = _json(value)
        elif hasattr(value, "isoformat"):
            out[key] = value.isoformat()
        else:
            out[key] = value
    return out


def _post(client: Client, path: str, body: dict[str, Any] | None = None, **extra: Any):
    return client.post(f"{API}{path}", _json(body or {}), content_type="application/json", **extra)


def _patch(client: Client, path: str, body: dict[str, Any]):
    return client.patch(f"{API}{path}", _json(body), content_type="application/json")


def _staffed(status=S.PUBLISHED, **overrides):
    owner, co_organizer, moderator = UserFactory(), UserFactory(), UserFactory()
    tournament = create_tournament(owner, status, **overrides)
    for user, role in ((co_organizer, "co_organizer"), (moderator, "moderator")):
        services.tournament_staff_add(
            actor=owner, tournament_id=tournament.pk, user_id=user.pk, role=role
        )
    return tournament, owner, co_organizer, moderator


# --- creating ------------------------------------------------------------------------------------


def test_an_organizer_creates_a_tournament_and_sees_what_they_may_do_next():
    organizer = UserFactory()
    response = _post(signed_in(organizer), "", config(name="Lan Party"))
    assert response.status_code == 201
    body = response.json()
    assert body["slug"] == "lan-party"
    assert body["status"] == "draft"
    assert body["game"] == {"id": body["game"]["id"], "slug": "valorant", "name": "Valorant"}
    assert body["schedule"]["check_in_opens_before"] == 30
    assert body["viewer"] == {
        "roles": ["owner", "organizer", "moderator"],
        "can_edit": True,
        "allowed_transitions": ["cancelled", "published"],
    }
    assert Tournament.objects.get(pk=body["id"]).organizer_id == organizer.pk


def test_an_invalid_tournament_is_a_problem_listing_each_field():
    response = _post(
        signed_in(UserFactory()), "", config(capacity=1, stage_plan=[{"format": "knockout"}])
    )
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "validation_failed"
    assert "capacity" in {e["field"] for e in body["errors"]}


def test_creating_needs_a_signed_in_caller():
    response = _post(Client(), "", config())
    assert response.status_code == 401
    assert not Tournament.objects.exists()


def test_an_idempotency_key_creates_one_tournament_for_a_retried_request():
    client = signed_in(UserFactory())
    body = config()
    first = _post(client, "", body, HTTP_IDEMPOTENCY_KEY="create-1")
    again = _post(client, "", body, HTTP_IDEMPOTENCY_KEY="create-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert Tournament.objects.count() == 1


# --- reading -------------------------------------------------------------------------------------


def test_visitors_read_public_tournaments_by_id_and_slug():
    tournament = create_tournament(UserFactory(), S.PUBLISHED)
    anonymous = Client()
    by_id = anonymous.get(f"{API}/{tournament.pk}")
    by_slug = anonymous.get(f"{API}/by-slug/{tournament.slug}")
    assert by_id.status_code == by_slug.status_code == 200
    assert by_id.json() == by_slug.json()
    assert by_id.json()["viewer"] == {"roles": [], "can_edit": False, "allowed_transitions": []}
    assert by_id.json()["invite_token"] is None


def test_drafts_are_hidden_from_everyone_but_their_staff():
    tournament, owner, co_organizer, moderator = _staffed(S.DRAFT)
    for client in (Client(), signed_in(UserFactory())):
        response = client.get(f"{API}/{tournament.pk}")
        assert response.status_code == 404
        assert response.json()["code"] == "tournament_not_found"
    for user in (owner, co_organizer, moderator, UserFactory(is_staff=True)):
        assert signed_in(user).get(f"{API}/{tournament.pk}").status_code == 200


def test_private_tournaments_open_with_the_invite_token_only():
    tournament, owner, _, moderator = _staffed(S.PUBLISHED, visibility="private")
    token = Tournament.objects.get(pk=tournament.pk).invite_token
    stranger = signed_in(UserFactory())
    assert stranger.get(f"{API}/{tournament.pk}").status_code == 404
    assert stranger.get(f"{API}/{tournament.pk}", {"invite": "wrong"}).status_code == 404
    invited = stranger.get(f"{API}/{tournament.pk}", {"invite": token})
    assert invited.status_code == 200
    assert invited.json()["invite_token"] is None  # guests do not get the secret to pass on
    assert Client().get(f"{API}/by-slug/{tournament.slug}", {"invite": token}).status_code == 200
    assert signed_in(owner).get(f"{API}/{tournament.pk}").json()["invite_token"] == token
    assert signed_in(moderator).get(f"{API}/{tournament.pk}").json()["invite_token"] is None


def test_deleted_tournaments_are_gone_for_everyone():
    owner = UserFactory()
    tournament = create_tournament(owner, S.PUBLISHED)
    assert signed_in(owner).delete(f"{API}/{tournament.pk}").status_code == 204
    for client in (Client(), signed_in(owner), signed_in(UserFactory(is_staff=True))):
        assert client.get(f"{API}/{tournament.pk}").status_code == 404


# --- editing -------------------------------------------------------------------------------------


def test_organizers_edit_and_moderators_and_strangers_may_not():
    tournament, owner, co_organizer, moderator = _staffed()
    for user, name in ((owner, "By owner"), (co_organizer, "By co-organizer")):
        response = _patch(signed_in(user), f"/{tournament.pk}", {"name": name})
        assert response.status_code == 200
        assert response.json()["name"] == name
    refused = _patch(signed_in(moderator), f"/{tournament.pk}", {"name": "By moderator"})
    assert refused.status_code == 403
    assert (refused.json()["code"], refused.json()["role"]) == ("role_required", "organizer")
    stranger = _patch(signed_in(UserFactory()), f"/{tournament.pk}", {"name": "By stranger"})
    assert stranger.status_code == 403
    assert Tournament.objects.get(pk=tournament.pk).name == "By co-organizer"


def test_editing_a_draft_one_may_not_see_is_a_404():
    tournament = create_tournament(UserFactory())
    response = _patch(signed_in(UserFactory()), f"/{tournament.pk}", {"name": "Mine"})
    assert response.status_code == 404
    assert response.json()["code"] == "tournament_not_found"


def test_a_partial_schedule_edit_keeps_the_other_dates():
    owner = UserFactory()
    tournament = create_tournament(owner)
    new_start = tournament.starts_at + timedelta(days=1)
    response = _patch(signed_in(owner), f"/{tournament.pk}", {"schedule": {"starts_at": new_start}})
    assert response.status_code == 200
    schedule = response.json()["schedule"]
    assert schedule["registration_opens_at"] == tournament.registration_opens_at.isoformat()
    assert schedule["check_in_opens_at"] == (new_start - timedelta(minutes=30)).isoformat()


def test_a_locked_setting_is_a_409_naming_it():
    owner = UserFactory()
    tournament = create_tournament(owner, S.REGISTRATION_OPEN)
    response = _patch(signed_in(owner), f"/{tournament.pk}", {"team_size": 3})
    assert response.status_code == 409
    assert response.json()["code"] == "tournament_field_locked"
    assert response.json()["fields"] == ["team_size"]
    assert response.json()["state"] == "registration_open"


def test_unknown_fields_in_an_edit_are_refused():
    owner = UserFactory()
    tournament = create_tournament(owner)
    response = _patch(signed_in(owner), f"/{tournament.pk}", {"status": "live"})
    assert response.status_code == 422


def test_the_official_flag_is_for_platform_staff():
    owner = UserFactory()
    tournament = create_tournament(owner, S.PUBLISHED)
    assert _patch(signed_in(owner), f"/{tournament.pk}", {"official": True}).status_code == 403
    staff = signed_in(UserFactory(is_staff=True))
    assert _patch(staff, f"/{tournament.pk}", {"official": True}).json()["official"] is True


# --- lifecycle -----------------------------------------------------------------------------------


def test_a_transition_answers_with_the_new_state_and_the_next_choices():
    owner = UserFactory()
    tournament = create_tournament(owner)
    response = _post(signed_in(owner), f"/{tournament.pk}/transitions", {"to": "published"})
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "published"
    assert body["viewer"]["allowed_transitions"] == ["cancelled", "registration_open"]
    assert body["published_at"] is not None


def test_an_impossible_transition_is_a_409_listing_the_allowed_states():
    owner = UserFactory()
    tournament = create_tournament(owner)
    response = _post(signed_in(owner), f"/{tournament.pk}/transitions", {"to": "live"})
    assert response.status_code == 409
    body = response.json()
    assert (body["code"], body["allowed"]) == ("invalid_transition", ["cancelled", "published"])
    assert (body["status"], body["state"]) == (409, "draft")


def test_an_unknown_state_is_a_422():
    owner = UserFactory()
    tournament = create_tournament(owner)
    response = _post(signed_in(owner), f"/{tournament.pk}/transitions", {"to": "paused"})
    assert response.status_code == 422


def test_moderators_cannot_move_the_tournament():
    tournament, _, _, moderator = _staffed()
    response = _post(signed_in(moderator), f"/{tournament.pk}/transitions", {"to": "cancelled"})
    assert response.status_code == 403
    assert Tournament.objects.get(pk=tournament.pk).status == S.PUBLISHED


def test_deleting_is_for_the_owner_before_the_tournament_goes_live():
    tournament, owner, co_organizer, _ = _staffed(S.LIVE)
    assert signed_in(co_organizer).delete(f"{API}/{tournament.pk}").status_code == 403
    refused = signed_in(owner).delete(f"{API}/{tournament.pk}")
    assert (refused.status_code, refused.json()["code"]) == (409, "tournament_not_deletable")


# --- staff, invite, registration fields -----------------------------------------------------------


def test_the_staff_list_is_public_and_managed_by_the_owner():
    tournament, owner, co_organizer, moderator = _staffed()
    listed = Client().get(f"{API}/{tournament.pk}/staff").json()
    assert listed["owner_id"] == owner.pk
    assert [(m["user_id"], m["role"]) for m in listed["items"]] == [
        (co_organizer.pk, "co_organizer"),
        (moderator.pk, "moderator"),
    ]
    newcomer = UserFactory()
    as_co = _post(
        signed_in(co_organizer),
        f"/{tournament.pk}/staff",
        {"user_id": newcomer.pk, "role": "moderator"},
    )
    assert (as_co.status_code, as_co.json()["code"]) == (403, "owner_required")
    added = _post(
        signed_in(owner), f"/{tournament.pk}/staff", {"user_id": newcomer.pk, "role": "moderator"}
    )
    assert added.status_code == 201
    assert added.json()["user_id"] == newcomer.pk
    removed = signed_in(owner).delete(f"{API}/{tournament.pk}/staff/{newcomer.pk}")
    assert removed.status_code == 204
    missing = signed_in(owner).delete(f"{API}/{tournament.pk}/staff/{newcomer.pk}")
    assert missing.json()["code"] == "staff_member_not_found"


def test_the_invite_token_is_rotated_by_organizers():
    tournament, owner, _, moderator = _staffed(visibility="private")
    old = Tournament.objects.get(pk=tournament.pk).invite_token
    assert _post(signed_in(moderator), f"/{tournament.pk}/invite-token").status_code == 403
    rotated = _post(signed_in(owner), f"/{tournament.pk}/invite-token")
    assert rotated.status_code == 200
    new = rotated.json()["invite_token"]
    assert new != old
    assert Client().get(f"{API}/{tournament.pk}", {"invite": old}).status_code == 404
    assert Client().get(f"{API}/{tournament.pk}", {"invite": new}).status_code == 200


def test_registration_fields_are_read_by_visitors_and_replaced_by_organizers():
    owner = UserFactory()
    tournament = create_tournament(owner, S.PUBLISHED)
    fields = [
        {"key": "discord", "label": "Discord", "kind": "text", "required": True},
        {"key": "role", "label": "Role", "kind": "dropdown", "choices": ["igl", "entry"]},
        {"key": "age", "label": "Age", "kind": "number", "min": 16},
    ]
    put = signed_in(owner).put(
        f"{API}/{tournament.pk}/registration-fields",
        {"fields": fields},
        content_type="application/json",
    )
    assert put.status_code == 200
    shown = Client().get(f"{API}/{tournament.pk}/registration-fields").json()["fields"]
    assert [(f["key"], f["kind"], f["required"]) for f in shown] == [
        ("discord", "text", True),
        ("role", "dropdown", False),
        ("age", "number", False),
    ]
    assert shown[1]["choices"] == ["igl", "entry"]
    assert shown[2]["min"] == 16
    assert shown[0]["max_length"] == 500
    stranger = signed_in(UserFactory()).put(
        f"{API}/{tournament.pk}/registration-fields",
        {"fields": []},
        content_type="application/json",
    )
    assert stranger.status_code == 403


def test_registration_fields_freeze_when_registration_opens():
    owner = UserFactory()
    tournament = create_tournament(owner, S.REGISTRATION_OPEN)
    response = signed_in(owner).put(
        f"{API}/{tournament.pk}/registration-fields",
        {"fields": []},
        content_type="application/json",
    )
    assert (response.status_code, response.json()["code"]) == (409, "registration_fields_locked")


def test_reads_of_a_hidden_tournaments_parts_are_404s():
    tournament = create_tournament(UserFactory(), S.PUBLISHED, visibility="private")
    stranger = signed_in(UserFactory())
    for path in ("staff", "registration-fields"):
        assert stranger.get(f"{API}/{tournament.pk}/{path}").status_code == 404


def test_the_clock_and_the_api_agree_on_the_state():
    owner = UserFactory()
    tournament = create_tournament(owner, S.PUBLISHED)
    with clock.frozen(tournament.registration_opens_at):
        services.tournaments_advance_scheduled()
    assert Client().get(f"{API}/{tournament.pk}").json()["status"] == "registration_open"
