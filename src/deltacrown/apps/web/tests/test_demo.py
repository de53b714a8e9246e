"""The demo seeding: everything a newcomer needs, created once, safe to run again."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils.module_loading import autodiscover_modules
from huey.contrib.djhuey import HUEY

from deltacrown.apps.web import demo
from deltacrown.kernel import clock
from deltacrown.kernel.models import Event

pytestmark = pytest.mark.django_db


def test_demo_creates_the_admin_and_players_once(settings):
    first = demo.seed()
    assert first.created_players == len(demo.DEMO_PLAYERS)
    users = get_user_model().objects
    admin = users.get(username=settings.DEMO_ADMIN_USERNAME)
    assert admin.is_superuser
    assert admin.check_password(settings.DEMO_ADMIN_PASSWORD)
    player = users.get(username="aurora")
    assert (player.display_name, player.country) == ("Aurora", "NO")
    assert player.check_password(demo.DEMO_PLAYER_PASSWORD)

    assert len(first.team_ids) >= 2
    assert len(first.tournament_slugs) >= 3
    assert first.registrations_by_state.get("confirmed", 0) >= 2

    again = demo.seed()
    assert again.created_players == 0
    assert users.count() == len(demo.DEMO_PLAYERS) + 1
    assert again.team_ids == first.team_ids
    assert again.tournament_slugs == first.tournament_slugs
    assert again.registrations_by_state == first.registrations_by_state


def test_demo_players_can_sign_in_through_the_api(client):
    demo.seed()
    response = client.post(
        "/api/v1/auth/token",
        {"username": "blitz", "password": demo.DEMO_PLAYER_PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200
    token = response.json()["access_token"]
    me = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert me["display_name"] == "Blitz"


def test_demo_command_prints_the_urls_and_credentials(capsys, settings):
    call_command("demo")
    out = capsys.readouterr().out
    assert f"{settings.PUBLIC_URL}/api/v1/docs" in out
    assert f"{settings.DEMO_ADMIN_USERNAME} / {settings.DEMO_ADMIN_PASSWORD}" in out
    assert demo.DEMO_PLAYER_PASSWORD in out
    assert "1 live" in out
    assert "1 pending_result" in out


def test_the_demo_tournaments_are_listed_publicly(client):
    summary = demo.seed()
    listed = client.get("/api/v1/tournaments?limit=100").json()["items"]
    assert {t["slug"] for t in listed} & set(summary.tournament_slugs)


# --- the tournament shown checking in ---------------------------------------------------------


def _admin_headers(client, settings) -> dict[str, str]:
    response = client.post(
        "/api/v1/auth/token",
        {"username": settings.DEMO_ADMIN_USERNAME, "password": settings.DEMO_ADMIN_PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200
    return {"HTTP_AUTHORIZATION": f"Bearer {response.json()['access_token']}"}


def _player_headers(client, username: str) -> dict[str, str]:
    response = client.post(
        "/api/v1/auth/token",
        {"username": username, "password": demo.DEMO_PLAYER_PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200
    return {"HTTP_AUTHORIZATION": f"Bearer {response.json()['access_token']}"}


def _checking_in(client) -> dict:
    listed = client.get("/api/v1/tournaments?limit=100").json()["items"]
    found = [t for t in listed if t["status"] == "check_in" and t["participant_kind"] == "solo"]
    assert found, "no solo tournament is checking in"
    return found[0]


def _registrations(client, headers: dict[str, str], tournament_id: int) -> list[dict]:
    response = client.get(f"/api/v1/tournaments/{tournament_id}/registrations?limit=100", **headers)
    assert response.status_code == 200
    return response.json()["items"]


def _run_periodic_tasks() -> None:
    """What the task consumer's scheduler does each minute: run every periodic task due now."""
    autodiscover_modules("tasks")
    for task in HUEY.read_periodic(clock.now()):
        HUEY.execute(task)


def test_demo_shows_a_solo_tournament_checking_in_with_a_waitlist(client, settings):
    demo.seed()
    tournament = _checking_in(client)
    assert tournament["capacity"] == 8
    assert tournament["entry_fee"]["kind"] == "none"
    now = clock.now()
    schedule = tournament["schedule"]
    assert datetime.fromisoformat(schedule["check_in_opens_at"]) <= now
    # Check-in stays open for a while after seeding.
    assert datetime.fromisoformat(schedule["starts_at"]) >= now + timedelta(hours=1)

    registrations = _registrations(client, _admin_headers(client, settings), tournament["id"])
    confirmed = [r for r in registrations if r["state"] == "confirmed"]
    waitlisted = [r for r in registrations if r["state"] == "waitlisted"]
    assert len(confirmed) == 8
    assert {r["checked_in"] for r in confirmed} == {True, False}
    assert len(waitlisted) == len(demo.DEMO_PLAYERS) - 8
    assert [r["waitlist_position"] for r in waitlisted] == list(range(1, len(waitlisted) + 1))
    # Everyone registered inside the registration window, which is over.
    opens_at = datetime.fromisoformat(schedule["registration_opens_at"])
    closes_at = datetime.fromisoformat(schedule["registration_closes_at"])
    assert all(
        opens_at <= datetime.fromisoformat(r["created_at"]) < closes_at for r in registrations
    )

    # A demo player who has not checked in yet can do it now.
    waiting = next(r for r in confirmed if not r["checked_in"])
    username = get_user_model().objects.get(pk=waiting["user_id"]).username
    response = client.post(
        f"/api/v1/registrations/{waiting['id']}/check-in", **_player_headers(client, username)
    )
    assert response.status_code == 200
    assert response.json()["checked_in"] is True


def test_seeding_again_creates_nothing_new(client, settings):
    demo.seed()
    tournament = _checking_in(client)
    headers = _admin_headers(client, settings)
    registrations = _registrations(client, headers, tournament["id"])
    listed = client.get("/api/v1/tournaments?limit=100").json()["items"]
    events = Event.objects.count()

    demo.seed()

    assert client.get("/api/v1/tournaments?limit=100").json()["items"] == listed
    assert _registrations(client, headers, tournament["id"]) == registrations
    assert Event.objects.count() == events


def test_the_periodic_tasks_right_after_seeding_keep_check_in_open(client, settings):
    demo.seed()
    tournament = _checking_in(client)
    headers = _admin_headers(client, settings)
    registrations = _registrations(client, headers, tournament["id"])

    _run_periodic_tasks()

    assert _checking_in(client)["id"] == tournament["id"]
    assert _registrations(client, headers, tournament["id"]) == registrations


def test_a_later_run_leaves_the_demo_tournament_alone_once_time_moved_on(client, settings):
    demo.seed()
    tournament = _checking_in(client)
    headers = _admin_headers(client, settings)
    registrations = _registrations(client, headers, tournament["id"])
    events = Event.objects.count()

    with clock.frozen(clock.now() + timedelta(days=1)):
        demo.seed()

    assert _checking_in(client)["id"] == tournament["id"]
    assert _registrations(client, headers, tournament["id"]) == registrations
    assert Event.objects.count() == events


def test_no_shows_give_their_places_to_the_waitlist_when_the_demo_tournament_starts(
    client, settings
):
    demo.seed()
    tournament = _checking_in(client)
    headers = _admin_headers(client, settings)
    before = _registrations(client, headers, tournament["id"])
    checked_in = {r["id"] for r in before if r["checked_in"]}
    no_shows = {r["id"] for r in before if r["state"] == "confirmed" and not r["checked_in"]}
    head_of_waitlist = {
        r["id"] for r in before if r["state"] == "waitlisted" and r["waitlist_position"] <= 4
    }
    assert len(no_shows) == 4

    starts_at = datetime.fromisoformat(tournament["schedule"]["starts_at"])
    with clock.frozen(starts_at + timedelta(minutes=1)):
        _run_periodic_tasks()

    after = {r["id"]: r for r in _registrations(client, headers, tournament["id"])}
    assert {i for i, r in after.items() if r["state"] == "dropped"} == no_shows
    playing = {i for i, r in after.items() if r["state"] == "confirmed" and r["checked_in"]}
    assert playing == checked_in | head_of_waitlist


# --- the tournament shown live ----------------------------------------------------------------


def _live(client) -> dict:
    listed = client.get("/api/v1/tournaments?limit=100").json()["items"]
    found = [t for t in listed if t["status"] == "live"]
    assert len(found) == 1, "exactly one demo tournament is live"
    return found[0]


def _matches(client, tournament_id: int) -> list[dict]:
    response = client.get(f"/api/v1/tournaments/{tournament_id}/matches?limit=100")
    assert response.status_code == 200
    return response.json()["items"]


def _one(matches: list[dict], status: str) -> dict:
    found = [m for m in matches if m["status"] == status]
    assert len(found) == 1, f"expected one {status} match, found {len(found)}"
    return found[0]


def _username_of(client, tournament_id: int, participant_id: int) -> str:
    participants = client.get(f"/api/v1/tournaments/{tournament_id}/participants").json()
    user_id = next(p["user_id"] for p in participants if p["id"] == participant_id)
    return get_user_model().objects.get(pk=user_id).username


def test_demo_shows_a_solo_double_elimination_being_played(client, settings):
    summary = demo.seed()
    tournament = _live(client)
    assert (tournament["participant_kind"], tournament["capacity"]) == ("solo", 8)
    starts_at = datetime.fromisoformat(tournament["schedule"]["starts_at"])
    now = clock.now()
    # It started an hour or two before seeding (a little more if seeding straddled an hour).
    assert now - timedelta(hours=2, minutes=5) <= starts_at <= now - timedelta(hours=1)

    # Every confirmed player checked in inside the check-in window, before the start.
    registrations = _registrations(client, _admin_headers(client, settings), tournament["id"])
    confirmed = [r for r in registrations if r["state"] == "confirmed"]
    assert len(confirmed) == 8
    assert all(r["checked_in"] for r in confirmed)
    check_in_opens_at = datetime.fromisoformat(tournament["schedule"]["check_in_opens_at"])
    assert all(
        check_in_opens_at <= datetime.fromisoformat(r["checked_in_at"]) < starts_at
        for r in confirmed
    )

    stages = client.get(f"/api/v1/tournaments/{tournament['id']}/stages").json()
    assert [(s["format"], s["status"]) for s in stages] == [("double_elimination", "running")]
    stage = client.get(f"/api/v1/stages/{stages[0]['id']}").json()
    assert stage["seeding"]["method"] == "natural"
    assert len(stage["participants"]) == 8
    assert stage["options"]["grand_final"] == "reset"
    grand_finals = [m for r in stage["rounds"] for m in r["matches"] if m["key"] in ("GF1", "GF2")]
    assert [m["best_of"] for m in grand_finals] == [3, 3]

    matches = _matches(client, tournament["id"])
    completed = [m for m in matches if m["status"] == "completed"]
    assert len(completed) >= 4
    for match in completed:
        assert match["winner_id"] in {s["participant_id"] for s in match["slots"]}
        assert len(match["games"]) == 1
        assert len(match["games"][0]["scores"]) == 2
        assert starts_at < datetime.fromisoformat(match["completed_at"]) < now
    live = _one(matches, "live")
    assert live["live_scores"]
    assert live["score_seq"] >= 1
    pending = _one(matches, "pending_result")
    assert datetime.fromisoformat(pending["pending_report"]["auto_confirm_at"]) > now
    rest = {m["status"] for m in matches} - {"completed", "live", "pending_result"}
    assert rest == {"ready", "scheduled"}
    assert summary.matches_by_state == {
        status: sum(1 for m in matches if m["status"] == status)
        for status in {m["status"] for m in matches}
    }


def test_the_opponent_can_confirm_the_demo_result_waiting_for_confirmation(client):
    demo.seed()
    tournament = _live(client)
    pending = _one(_matches(client, tournament["id"]), "pending_result")
    reporter = pending["pending_report"]["participant_id"]
    opponent = next(
        s["participant_id"] for s in pending["slots"] if s["participant_id"] != reporter
    )
    headers = _player_headers(client, _username_of(client, tournament["id"], opponent))

    response = client.post(f"/api/v1/matches/{pending['id']}/confirm", **headers)

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "completed"
    assert body["winner_id"] in (reporter, opponent)
    assert body["games"]


def test_the_demo_result_waiting_for_confirmation_confirms_itself_after_the_delay(client):
    demo.seed()
    tournament = _live(client)
    pending = _one(_matches(client, tournament["id"]), "pending_result")

    _run_periodic_tasks()
    assert _one(_matches(client, tournament["id"]), "pending_result")["id"] == pending["id"]

    auto_confirm_at = datetime.fromisoformat(pending["pending_report"]["auto_confirm_at"])
    with clock.frozen(auto_confirm_at + timedelta(minutes=1)):
        _run_periodic_tasks()
    after = client.get(f"/api/v1/matches/{pending['id']}").json()
    assert after["status"] == "completed"


def test_the_demo_organizer_keeps_scoring_the_live_match(client, settings):
    demo.seed()
    tournament = _live(client)
    live = _one(_matches(client, tournament["id"]), "live")
    headers = _admin_headers(client, settings)

    response = client.post(
        f"/api/v1/matches/{live['id']}/score",
        {"seq": live["score_seq"] + 1, "scores": [2, 1], "game": 1},
        content_type="application/json",
        **headers,
    )

    assert response.status_code == 200
    assert response.json()["live_scores"] == [2, 1]


def test_seeding_again_leaves_the_live_demo_tournament_as_it_is(client):
    demo.seed()
    tournament = _live(client)
    matches = _matches(client, tournament["id"])
    events = Event.objects.count()

    again = demo.seed()
    with clock.frozen(clock.now() + timedelta(days=1)):
        demo.seed()

    assert _matches(client, tournament["id"]) == matches
    assert Event.objects.count() == events
    assert sum(again.matches_by_state.values()) == len(matches)
