"""Sanctions over HTTP: who may sanction where, the window rules (and the database's own check),
replay safety, revocation, the moderators' lists and the sanctioned user's own view."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction

from deltacrown.apps.moderation import api
from deltacrown.apps.moderation.data import SanctionKind
from deltacrown.apps.moderation.models import Sanction
from deltacrown.apps.moderation.tests.factories import (
    StaffFactory,
    TournamentFactory,
    UserFactory,
    get,
    post,
    sanction,
    signed_in,
    staff,
)
from deltacrown.kernel import clock, events
from deltacrown.kernel.models import AuditEntry

pytestmark = pytest.mark.django_db


def _body(user, **extra):
    return {"user_id": user.pk, "kind": "ban", "reason_code": "cheating", **extra}


def _moderated_tournament(**extra):
    tournament = TournamentFactory(**extra)
    moderator = StaffFactory(tournament=tournament).user
    return tournament, moderator


def test_staff_ban_a_player_globally_and_it_is_audited_and_published():
    admin, player = staff(), UserFactory()
    response = post(signed_in(admin), "/moderation/sanctions", _body(player, note="Aimbot."))
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["user_id"] == player.pk
    assert (created["kind"], created["tournament_id"], created["state"]) == ("ban", None, "active")
    assert created["ends_at"] is None
    assert created["note"] == "Aimbot."
    assert created["created_by_id"] == admin.pk

    entry = AuditEntry.objects.get(action="sanction.created")
    assert (entry.actor_id, entry.target_type, entry.target_id) == (
        admin.pk,
        "sanction",
        str(created["id"]),
    )
    assert entry.data["user_id"] == player.pk
    (event,) = events.events_after(f"moderation:user:{player.pk}", 0)
    assert (event.name, event.data["sanction_id"], event.data["kind"]) == (
        "sanction.created",
        created["id"],
        "ban",
    )
    assert "note" not in event.data
    assert "note" not in entry.data


def test_a_tournament_moderator_sanctions_only_within_their_tournament():
    tournament, moderator = _moderated_tournament()
    other = TournamentFactory()
    player = UserFactory()
    as_moderator = signed_in(moderator)

    scoped = post(as_moderator, "/moderation/sanctions", _body(player, tournament_id=tournament.pk))
    elsewhere = post(as_moderator, "/moderation/sanctions", _body(player, tournament_id=other.pk))
    globally = post(as_moderator, "/moderation/sanctions", _body(player))

    assert scoped.status_code == 201
    assert scoped.json()["tournament_id"] == tournament.pk
    assert (elsewhere.status_code, elsewhere.json()["code"]) == (403, "role_required")
    assert (globally.status_code, globally.json()["code"]) == (403, "admin_required")


def test_a_tournament_the_caller_may_not_see_answers_404():
    hidden = TournamentFactory(visibility="private", invite_token="moderation-hidden")
    response = post(
        signed_in(UserFactory()),
        "/moderation/sanctions",
        _body(UserFactory(), tournament_id=hidden.pk),
    )
    assert (response.status_code, response.json()["code"]) == (404, "tournament_not_found")


def test_players_cannot_sanction_and_anonymous_callers_must_sign_in():
    player, victim = UserFactory(), UserFactory()
    response = post(signed_in(player), "/moderation/sanctions", _body(victim))
    assert (response.status_code, response.json()["code"]) == (403, "admin_required")
    from django.test import Client

    assert post(Client(), "/moderation/sanctions", _body(victim)).status_code == 401
    assert not Sanction.objects.exists()


def test_a_sanction_ends_after_it_starts_and_not_in_the_past():
    as_admin, player = signed_in(staff()), UserFactory()
    now = clock.now()
    backwards = post(
        as_admin,
        "/moderation/sanctions",
        _body(
            player,
            starts_at=(now + timedelta(days=2)).isoformat(),
            ends_at=(now + timedelta(days=1)).isoformat(),
        ),
    )
    over = post(
        as_admin,
        "/moderation/sanctions",
        _body(
            player,
            starts_at=(now - timedelta(days=2)).isoformat(),
            ends_at=(now - timedelta(minutes=1)).isoformat(),
        ),
    )
    unknown_user = post(as_admin, "/moderation/sanctions", {**_body(player), "user_id": 999_999})
    bad_reason = post(as_admin, "/moderation/sanctions", _body(player, reason_code="vibes"))

    assert backwards.status_code == 422
    assert backwards.json()["errors"][0]["code"] == "before_start"
    assert over.json()["errors"][0]["code"] == "in_the_past"
    assert (unknown_user.status_code, unknown_user.json()["code"]) == (404, "user_not_found")
    assert bad_reason.status_code == 422
    assert not Sanction.objects.exists()


def test_the_database_itself_refuses_a_sanction_ending_before_it_starts():
    player, admin = UserFactory(), staff()
    now = clock.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        Sanction.objects.create(
            user=player,
            kind="ban",
            reason_code="cheating",
            starts_at=now,
            ends_at=now,
            created_by=admin,
            created_at=now,
        )


def test_creation_is_replay_safe_over_http_and_for_service_callers():
    admin, player = staff(), UserFactory()
    as_admin = signed_in(admin)
    headers = {"HTTP_IDEMPOTENCY_KEY": "ban-player-once"}
    first = post(as_admin, "/moderation/sanctions", _body(player), **headers)
    again = post(as_admin, "/moderation/sanctions", _body(player), **headers)
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert again["Idempotent-Replayed"] == "true"

    # The key is on the row too: a service-level retry (or one after the middleware forgot the
    # key) gets the same sanction, and the key cannot be reused for another one.
    replay = api.sanction_create(
        actor=admin,
        user_id=player.pk,
        kind="ban",
        reason_code="cheating",
        idempotency_key="ban-player-once",
    )
    assert replay.id == first.json()["id"]
    from deltacrown.kernel.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as reused:
        api.sanction_create(
            actor=admin,
            user_id=player.pk,
            kind="mute",
            reason_code="spam",
            idempotency_key="ban-player-once",
        )
    assert reused.value.code == "idempotency_key_reused"
    assert Sanction.objects.count() == 1


def test_revoking_records_who_and_why_and_refuses_a_second_time():
    tournament, moderator = _moderated_tournament()
    player = UserFactory()
    given = sanction(player, SanctionKind.SUSPEND, tournament=tournament)
    as_moderator = signed_in(moderator)

    revoked = post(
        as_moderator, f"/moderation/sanctions/{given.pk}/revoke", {"reason": "Wrong player"}
    )
    twice = post(as_moderator, f"/moderation/sanctions/{given.pk}/revoke", {"reason": "Again"})

    assert revoked.status_code == 200, revoked.content
    body = revoked.json()
    assert (body["state"], body["revoked_by_id"], body["revoke_reason"]) == (
        "revoked",
        moderator.pk,
        "Wrong player",
    )
    assert (twice.status_code, twice.json()["code"]) == (409, "sanction_already_revoked")
    assert AuditEntry.objects.filter(action="sanction.revoked", actor_id=moderator.pk).count() == 1


def test_sanctions_the_caller_may_not_moderate_do_not_exist_for_them():
    _, moderator = _moderated_tournament()
    player = UserFactory()
    global_ban = sanction(player)
    elsewhere = sanction(player, tournament=TournamentFactory())
    as_moderator = signed_in(moderator)
    for sanction_id in (global_ban.pk, elsewhere.pk):
        seen = get(as_moderator, f"/moderation/sanctions/{sanction_id}")
        revoke = post(as_moderator, f"/moderation/sanctions/{sanction_id}/revoke", {"reason": "x"})
        assert (seen.status_code, seen.json()["code"]) == (404, "sanction_not_found")
        assert revoke.status_code == 404
    assert get(signed_in(player), f"/moderation/sanctions/{global_ban.pk}").status_code == 404


def test_moderators_list_their_tournament_with_filters_and_cursor_pages():
    tournament, moderator = _moderated_tournament()
    players = [UserFactory() for _ in range(3)]
    for player in players:
        sanction(player, SanctionKind.MUTE, tournament=tournament)
    revoked = sanction(players[0], SanctionKind.BAN, tournament=tournament)
    api.sanction_revoke(actor=staff(), sanction_id=revoked.pk, reason="Mistake")
    sanction(players[0], SanctionKind.BAN)  # global: not theirs
    as_moderator = signed_in(moderator)

    first = get(as_moderator, "/moderation/sanctions", tournament_id=tournament.pk, limit=2)
    assert first.status_code == 200, first.content
    second = get(
        as_moderator,
        "/moderation/sanctions",
        tournament_id=tournament.pk,
        limit=2,
        cursor=first.json()["next_cursor"],
    )
    ids = [s["id"] for s in first.json()["items"] + second.json()["items"]]
    assert len(ids) == 4
    assert ids == sorted(ids, reverse=True)
    assert second.json()["next_cursor"] is None
    muted = get(
        as_moderator, "/moderation/sanctions", tournament_id=tournament.pk, kind="mute"
    ).json()["items"]
    assert len(muted) == 3
    active = get(
        as_moderator, "/moderation/sanctions", tournament_id=tournament.pk, state="active"
    ).json()["items"]
    assert revoked.pk not in [s["id"] for s in active]
    assert len(active) == 3
    everything = get(as_moderator, "/moderation/sanctions")
    assert (everything.status_code, everything.json()["code"]) == (403, "admin_required")

    as_admin = signed_in(staff())
    global_only = get(as_admin, "/moderation/sanctions", scope="global").json()["items"]
    assert [s["kind"] for s in global_only] == ["ban"]
    of_player = get(as_admin, "/moderation/sanctions", user_id=players[0].pk).json()["items"]
    assert len(of_player) == 3


def test_the_sanctioned_user_sees_their_sanctions_but_never_the_note_or_the_moderator():
    player = UserFactory()
    given = sanction(
        player,
        SanctionKind.MUTE,
        reason_code="spam",
        note="Suspected alt of user 17.",
        ends_at=clock.now() + timedelta(days=3),
    )
    sanction(UserFactory())  # someone else's
    response = get(signed_in(player), "/me/sanctions")
    assert response.status_code == 200
    (mine,) = response.json()["items"]
    assert mine["id"] == given.pk
    assert (mine["kind"], mine["reason_code"], mine["state"]) == ("mute", "spam", "active")
    assert mine["reason"].startswith("Spam")
    assert "note" not in mine
    assert "created_by_id" not in mine
    assert b"alt of user" not in response.content


def test_moderators_read_the_effective_policy_of_a_player():
    tournament, moderator = _moderated_tournament()
    player = UserFactory()
    scoped = sanction(player, SanctionKind.SUSPEND, tournament=tournament)
    path = f"/moderation/users/{player.pk}/policy"

    here = get(signed_in(moderator), path, tournament_id=tournament.pk)
    anywhere = get(signed_in(staff()), path)
    stranger = get(signed_in(UserFactory()), path)

    assert here.status_code == 200, here.content
    blocked = {b["action"]: b for b in here.json()["blocked"]}
    assert set(blocked) == {
        "ws.connect",
        "ws.message",
        "registration.create",
        "checkin",
        "result.report",
        "team.invite",
    }
    assert blocked["checkin"] == {
        "action": "checkin",
        "sanction_id": scoped.pk,
        "kind": "suspend",
        "reason_code": "suspended",
        "enforced": True,
    }
    assert anywhere.json()["blocked"] == []  # a tournament's sanction does not apply globally
    assert (stranger.status_code, stranger.json()["code"]) == (403, "admin_required")


def test_the_reason_catalogue_is_served():
    response = get(signed_in(UserFactory()), "/moderation/reasons")
    codes = [reason["code"] for reason in response.json()]
    assert "cheating" in codes
    assert "other" in codes
    assert all(reason["description"] for reason in response.json())
