"""Check-in over HTTP: its window, undo, organizer bulk check-in, the close when the
tournament goes live, and the roster lock it puts on teams."""

from __future__ import annotations

from datetime import timedelta

import pytest

from deltacrown.apps.registrations import api, tasks
from deltacrown.apps.registrations.tests.factories import (
    API,
    CHECK_IN_OPENS,
    DURING_CHECK_IN,
    START,
    StaffFactory,
    TeamFactory,
    TournamentFactory,
    UserFactory,
    events_named,
    leave,
    membership,
    post_json,
    registered,
    roster,
    set_status,
    signed_in,
)
from deltacrown.apps.tournaments.data import TournamentStatus
from deltacrown.kernel import audit, clock, gates
from deltacrown.kernel.gates import Decision

pytestmark = pytest.mark.django_db

S = TournamentStatus


def _check_in(user, registration_id):
    return post_json(signed_in(user), f"/registrations/{registration_id}/check-in")


def _undo(user, registration_id):
    return signed_in(user).delete(f"{API}/registrations/{registration_id}/check-in")


def _bulk(user, tournament, ids):
    return post_json(
        signed_in(user), f"/tournaments/{tournament.pk}/check-ins", {"registration_ids": ids}
    )


def _entered(count, **kwargs):
    """A tournament with ``count`` registrations made during registration, now checking in."""
    tournament = TournamentFactory(**kwargs)
    players = [UserFactory() for _ in range(count)]
    registrations = [registered(p, tournament) for p in players]
    set_status(tournament, S.CHECK_IN)
    return tournament, players, registrations


def _go_live(tournament, django_capture_on_commit_callbacks):
    """The organizer starts the tournament through the tournaments API."""
    with django_capture_on_commit_callbacks(execute=True):
        response = post_json(
            signed_in(tournament.organizer),
            f"/tournaments/{tournament.pk}/transitions",
            {"to": "live"},
        )
    assert response.status_code == 200, response.content


# --- the window -------------------------------------------------------------------------------


def test_a_player_checks_in_during_the_window_and_again_without_error():
    tournament, (player,), (registration,) = _entered(1)

    with clock.frozen(DURING_CHECK_IN):
        first = _check_in(player, registration["id"])
        second = _check_in(player, registration["id"])

    assert first.status_code == 200
    assert first.json()["checked_in"] is True
    assert first.json()["checked_in_at"] == DURING_CHECK_IN.isoformat()
    assert second.status_code == 200
    assert second.json()["checked_in_at"] == first.json()["checked_in_at"]
    assert events_named(tournament.pk, "checkin.checked_in") == [
        {
            "tournament_id": tournament.pk,
            "registration_id": registration["id"],
            "by_organizer": False,
        }
    ]


def test_check_in_before_it_opens_is_refused():
    tournament, (player,), (registration,) = _entered(1)

    with clock.frozen(CHECK_IN_OPENS - timedelta(minutes=1)):
        early = _check_in(player, registration["id"])
    set_status(tournament, S.REGISTRATION_CLOSED)
    with clock.frozen(DURING_CHECK_IN):
        not_yet_moved = _check_in(player, registration["id"])

    assert early.status_code == 409
    assert early.json()["code"] == "check_in_not_open"
    assert early.json()["opens_at"] == CHECK_IN_OPENS.isoformat()
    assert not_yet_moved.json()["code"] == "check_in_not_open"


def test_check_in_closes_at_the_start():
    _tournament, (player,), (registration,) = _entered(1)

    with clock.frozen(START):
        response = _check_in(player, registration["id"])

    assert response.status_code == 409
    assert response.json()["code"] == "check_in_closed"


def test_a_fee_registration_must_be_paid_to_check_in():
    _tournament, (player,), (registration,) = _entered(1, fee=500)

    with clock.frozen(DURING_CHECK_IN):
        response = _check_in(player, registration["id"])

    assert response.status_code == 409
    assert response.json()["code"] == "registration_not_confirmed"
    assert response.json()["state"] == "pending_payment"


def test_a_waitlisted_registration_cannot_check_in():
    _tournament, players, registrations = _entered(3, capacity=2)

    with clock.frozen(DURING_CHECK_IN):
        response = _check_in(players[2], registrations[2]["id"])

    assert response.json()["code"] == "registration_not_confirmed"


def test_strangers_and_team_players_cannot_check_a_registration_in():
    tournament = TournamentFactory(team=True)
    team = TeamFactory()
    registration = registered(team.captain, tournament, team_id=team.pk)
    set_status(tournament, S.CHECK_IN)

    with clock.frozen(DURING_CHECK_IN):
        stranger = _check_in(UserFactory(), registration["id"])
        player = _check_in(roster(team)[1], registration["id"])
        captain = _check_in(team.captain, registration["id"])

    assert stranger.status_code == 404
    assert player.status_code == 403
    assert captain.status_code == 200


def test_the_check_in_gate_can_refuse_a_player():
    _tournament, (player,), (registration,) = _entered(1)

    def policy(user_id, action, tournament_id):
        if action is gates.Action.CHECKIN:
            return Decision(allowed=False, reason_code="suspended")
        return gates.ALLOW

    previous = gates.register_policy(policy)
    try:
        with clock.frozen(DURING_CHECK_IN):
            response = _check_in(player, registration["id"])
    finally:
        gates.register_policy(previous)

    assert response.status_code == 403
    assert response.json()["code"] == "suspended"


def test_a_team_checks_in_with_the_roster_it_has_then():
    tournament = TournamentFactory(team=True)
    team = TeamFactory(players=5)
    registration = registered(team.captain, tournament, team_id=team.pk)
    substitute = roster(team)[-1]
    leave(team, substitute)
    newcomer = UserFactory()
    membership(team, newcomer)
    set_status(tournament, S.CHECK_IN)

    with clock.frozen(DURING_CHECK_IN):
        body = _check_in(team.captain, registration["id"]).json()

    active = {p["user_id"] for p in body["players"] if p["active"]}
    assert newcomer.pk in active
    assert substitute.pk not in active
    assert api.checked_in_participants(tournament.pk)[0].member_ids == tuple(
        u.pk for u in roster(team)
    )


# --- undo -------------------------------------------------------------------------------------


def test_a_player_undoes_a_check_in_within_fifteen_minutes_only():
    tournament, players, registrations = _entered(2)

    with clock.frozen(CHECK_IN_OPENS) as frozen:
        _check_in(players[0], registrations[0]["id"])
        _check_in(players[1], registrations[1]["id"])
        frozen.advance(timedelta(minutes=15))
        in_time = _undo(players[0], registrations[0]["id"])
        frozen.advance(timedelta(seconds=1))
        too_late = _undo(players[1], registrations[1]["id"])

    assert in_time.status_code == 200
    assert in_time.json()["checked_in"] is False
    assert too_late.status_code == 409
    assert too_late.json()["code"] == "check_in_undo_expired"
    assert [e["registration_id"] for e in events_named(tournament.pk, "checkin.undone")] == [
        registrations[0]["id"]
    ]


def test_an_organizer_undoes_a_check_in_at_any_time_before_the_close():
    tournament, (player,), (registration,) = _entered(1)

    with clock.frozen(CHECK_IN_OPENS) as frozen:
        _check_in(player, registration["id"])
        frozen.advance(timedelta(minutes=25))
        response = _undo(tournament.organizer, registration["id"])
        again = _undo(tournament.organizer, registration["id"])

    assert response.status_code == 200
    assert response.json()["checked_in"] is False
    assert again.status_code == 200
    assert events_named(tournament.pk, "checkin.undone")[0]["by_organizer"] is True
    assert audit.entries(action="checkin.undone").get().actor_id == tournament.organizer_id


# --- bulk -------------------------------------------------------------------------------------


def test_an_organizer_checks_in_many_registrations_at_once():
    tournament, players, registrations = _entered(4)
    ids = [r["id"] for r in registrations]

    with clock.frozen(DURING_CHECK_IN):
        _check_in(players[0], ids[0])
        response = _bulk(tournament.organizer, tournament, [ids[2], ids[0], ids[1], ids[2]])

    assert response.status_code == 200
    assert response.json() == {"checked_in": [ids[1], ids[2]], "already_checked_in": [ids[0]]}
    assert [p.registration_id for p in api.checked_in_participants(tournament.pk)] == ids[:3]
    entry = audit.entries(action="checkin.bulk").get()
    assert entry.data["registration_ids"] == [ids[1], ids[2]]


def test_bulk_check_in_is_all_or_nothing():
    tournament, _players, registrations = _entered(3, capacity=2)
    other = registered(UserFactory(), TournamentFactory())

    with clock.frozen(DURING_CHECK_IN):
        response = _bulk(
            tournament.organizer,
            tournament,
            [registrations[0]["id"], registrations[2]["id"], other["id"]],
        )

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "registration_ids.1",
            "code": "not_confirmed",
            "message": "This registration is waitlisted.",
        },
        {
            "field": "registration_ids.2",
            "code": "not_found",
            "message": "Not a registration of this tournament.",
        },
    ]
    assert api.checked_in_participants(tournament.pk) == []


def test_bulk_check_in_takes_at_most_two_hundred_registrations():
    tournament, _, _registrations = _entered(1)

    with clock.frozen(DURING_CHECK_IN):
        response = _bulk(tournament.organizer, tournament, list(range(1, 202)))

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "registration_ids"


def test_only_organizers_check_in_in_bulk():
    tournament, players, registrations = _entered(1)
    moderator = StaffFactory(tournament=tournament).user

    with clock.frozen(DURING_CHECK_IN):
        by_player = _bulk(players[0], tournament, [registrations[0]["id"]])
        by_moderator = _bulk(moderator, tournament, [registrations[0]["id"]])

    assert by_player.status_code == 403
    assert by_moderator.status_code == 403
    assert api.checked_in_participants(tournament.pk) == []


# --- closing ----------------------------------------------------------------------------------


def test_going_live_drops_the_no_shows(django_capture_on_commit_callbacks):
    tournament, players, registrations = _entered(3)
    with clock.frozen(DURING_CHECK_IN):
        _check_in(players[1], registrations[1]["id"])

    with clock.frozen(START):
        _go_live(tournament, django_capture_on_commit_callbacks)

    states = [
        signed_in(p).get(f"{API}/registrations/{r['id']}").json()["state"]
        for p, r in zip(players, registrations, strict=True)
    ]
    assert states == ["dropped", "confirmed", "dropped"]
    assert [e["registration_id"] for e in events_named(tournament.pk, "registration.dropped")] == [
        registrations[0]["id"],
        registrations[2]["id"],
    ]
    assert events_named(tournament.pk, "checkin.closed") == [
        {"tournament_id": tournament.pk, "checked_in": 1, "dropped": 2, "promoted": 0}
    ]
    assert [p.user_id for p in api.checked_in_participants(tournament.pk)] == [players[1].pk]


def test_the_waitlist_fills_the_freed_places_at_the_close_when_enabled(
    django_capture_on_commit_callbacks,
):
    tournament, players, registrations = _entered(5, capacity=2, waitlist_promotion_on_close=True)
    with clock.frozen(DURING_CHECK_IN):
        _check_in(players[0], registrations[0]["id"])

    with clock.frozen(START):
        _go_live(tournament, django_capture_on_commit_callbacks)

    participants = api.checked_in_participants(tournament.pk)
    assert [p.registration_id for p in participants] == [
        registrations[0]["id"],
        registrations[2]["id"],
    ]
    assert [p.seed for p in participants] == [1, 2]
    assert events_named(tournament.pk, "registration.promoted")[0]["at_close"] is True
    assert events_named(tournament.pk, "checkin.closed")[0]["promoted"] == 1
    last = signed_in(players[4]).get(f"{API}/registrations/{registrations[4]['id']}").json()
    assert (last["state"], last["waitlist_position"]) == ("waitlisted", 2)


def test_without_promotion_on_close_the_waitlist_stays(django_capture_on_commit_callbacks):
    tournament, players, registrations = _entered(3, capacity=2)
    with clock.frozen(DURING_CHECK_IN):
        _check_in(players[0], registrations[0]["id"])

    with clock.frozen(START):
        _go_live(tournament, django_capture_on_commit_callbacks)

    assert len(api.checked_in_participants(tournament.pk)) == 1
    assert events_named(tournament.pk, "registration.promoted") == []


def test_the_periodic_close_catches_a_tournament_past_its_start_once():
    tournament, _players, _registrations = _entered(2)

    with clock.frozen(START - timedelta(minutes=1)):
        assert tasks.close_due_check_ins.call_local() == 0
    with clock.frozen(START + timedelta(minutes=1)):
        assert tasks.close_due_check_ins.call_local() == 1
        assert tasks.close_due_check_ins.call_local() == 0
        assert api.checkin_close(tournament.pk).already_closed is True

    assert len(events_named(tournament.pk, "checkin.closed")) == 1
    assert len(events_named(tournament.pk, "registration.dropped")) == 2


def test_after_the_close_nobody_checks_in_any_more(django_capture_on_commit_callbacks):
    tournament, (_player,), (registration,) = _entered(1)
    with clock.frozen(START):
        _go_live(tournament, django_capture_on_commit_callbacks)
        response = _bulk(tournament.organizer, tournament, [registration["id"]])

    assert response.status_code == 409
    assert response.json()["code"] == "check_in_closed"


# --- the roster lock --------------------------------------------------------------------------


def test_a_team_s_roster_is_locked_while_its_tournament_checks_in():
    tournament = TournamentFactory(team=True)
    team = TeamFactory(players=4)
    registered(team.captain, tournament, team_id=team.pk)
    invitee = UserFactory()

    def invite():
        return post_json(
            signed_in(team.captain), f"/teams/{team.pk}/invitations", {"user_id": invitee.pk}
        )

    set_status(tournament, S.CHECK_IN)
    locked = invite()
    set_status(tournament, S.REGISTRATION_CLOSED)
    unlocked = invite()

    assert locked.status_code == 409
    assert locked.json()["code"] == "roster_locked"
    assert locked.json()["reason"] == f"tournament {tournament.pk} is checking in"
    assert unlocked.status_code == 201
