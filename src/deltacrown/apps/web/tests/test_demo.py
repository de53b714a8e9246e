"""The demo seeding: everything a newcomer needs, created once, safe to run again."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.utils.module_loading import autodiscover_modules
from huey.contrib.djhuey import HUEY

from deltacrown.apps.web import demo, live
from deltacrown.apps.web.pages.player import my_matches
from deltacrown.apps.web.tests import demo_api
from deltacrown.apps.web.tests.helpers import text_of
from deltacrown.kernel import clock
from deltacrown.kernel.models import Event

# Every test starts from the demo, seeded once for the module.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_summary")]


def test_demo_creates_the_admin_and_players_once(demo_summary, settings):
    first = demo_summary
    assert first.created_players == len(demo.DEMO_PLAYERS) + len(demo.DEMO_CHALLENGERS)
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
    assert users.count() == len(demo.DEMO_PLAYERS) + len(demo.DEMO_CHALLENGERS) + 1
    challenger = users.get(username="apex")
    assert (challenger.display_name, challenger.country) == ("Apex", "PL")
    assert challenger.email.endswith(demo.DEMO_EMAIL_DOMAIN)
    assert again.team_ids == first.team_ids
    assert again.tournament_slugs == first.tournament_slugs
    assert again.registrations_by_state == first.registrations_by_state


def test_demo_players_can_sign_in_through_the_api(client):
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
    # The cup's match and the Swiss stage's are being played; the cup's result waits.
    assert "2 live" in out
    assert "1 pending_result" in out


def test_the_demo_tournaments_are_listed_publicly(demo_summary, client):
    summary = demo_summary
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
    tournament = _checking_in(client)
    headers = _admin_headers(client, settings)
    registrations = _registrations(client, headers, tournament["id"])

    _run_periodic_tasks()

    assert _checking_in(client)["id"] == tournament["id"]
    assert _registrations(client, headers, tournament["id"]) == registrations


def test_a_later_run_leaves_the_demo_tournament_alone_once_time_moved_on(client, settings):
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


LIVE_CUP = "efootball-sprint-cup"


def _live(client) -> dict:
    return demo_api.tournament(client, LIVE_CUP)


def _listed(client, summary: demo.DemoSummary) -> list[str]:
    """The demo tournaments anyone may see (all but the draft), by slug."""
    listed = {t["slug"] for t in client.get("/api/v1/tournaments?limit=100").json()["items"]}
    return [slug for slug in summary.tournament_slugs if slug in listed]


def _one(matches: list[dict], status: str) -> dict:
    found = [m for m in matches if m["status"] == status]
    assert len(found) == 1, f"expected one {status} match, found {len(found)}"
    return found[0]


def _username_of(client, tournament_id: int, participant_id: int) -> str:
    participants = client.get(f"/api/v1/tournaments/{tournament_id}/participants").json()
    user_id = next(p["user_id"] for p in participants if p["id"] == participant_id)
    return get_user_model().objects.get(pk=user_id).username


def test_demo_shows_a_solo_double_elimination_being_played(demo_summary, client, settings):
    summary = demo_summary
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

    matches = demo_api.matches(client, tournament["id"])
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
    listed = _listed(client, summary)
    every_match = [m for slug in listed for m in demo_api.matches_of(client, slug)]
    assert summary.matches_by_state == dict(Counter(m["status"] for m in every_match))


def test_the_opponent_can_confirm_the_demo_result_waiting_for_confirmation(client):
    tournament = _live(client)
    pending = _one(demo_api.matches(client, tournament["id"]), "pending_result")
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
    tournament = _live(client)
    pending = _one(demo_api.matches(client, tournament["id"]), "pending_result")

    _run_periodic_tasks()
    assert _one(demo_api.matches(client, tournament["id"]), "pending_result")["id"] == pending["id"]

    auto_confirm_at = datetime.fromisoformat(pending["pending_report"]["auto_confirm_at"])
    with clock.frozen(auto_confirm_at + timedelta(minutes=1)):
        _run_periodic_tasks()
    after = client.get(f"/api/v1/matches/{pending['id']}").json()
    assert after["status"] == "completed"


def test_the_demo_organizer_keeps_scoring_the_live_match(client, settings):
    tournament = _live(client)
    live = _one(demo_api.matches(client, tournament["id"]), "live")
    headers = _admin_headers(client, settings)

    response = client.post(
        f"/api/v1/matches/{live['id']}/score",
        {"seq": live["score_seq"] + 1, "scores": [2, 1], "game": 1},
        content_type="application/json",
        **headers,
    )

    assert response.status_code == 200
    assert response.json()["live_scores"] == [2, 1]


def test_seeding_again_leaves_the_demo_competitions_as_they_are(demo_summary, client):
    first = demo_summary
    matches = {slug: demo_api.matches_of(client, slug) for slug in _listed(client, first)}
    events = Event.objects.count()

    again = demo.seed()
    with clock.frozen(clock.now() + timedelta(days=1)):
        demo.seed()

    assert {slug: demo_api.matches_of(client, slug) for slug in _listed(client, first)} == matches
    assert Event.objects.count() == events
    assert again == replace(first, created_players=0)


# --- the other formats: a league and a battle royale played, a Swiss stage being played -------

LEAGUE = "ea-fc-invitational-league"
BATTLE_ROYALE = "free-fire-booyah-clash"
SWISS = "cs2-wingman-swiss"


def _stage(client, tournament_id: int) -> dict:
    stages = client.get(f"/api/v1/tournaments/{tournament_id}/stages").json()
    assert len(stages) == 1
    return client.get(f"/api/v1/stages/{stages[0]['id']}").json()


def _checked_in_before_the_start(client, settings, tournament: dict, entrants: int) -> None:
    """Every entrant registered in the registration window and checked in before the start."""
    registrations = _registrations(client, _admin_headers(client, settings), tournament["id"])
    assert len(registrations) == entrants
    schedule = {
        k: datetime.fromisoformat(v)
        for k, v in tournament["schedule"].items()
        if k != "check_in_opens_before"
    }
    for registration in registrations:
        assert registration["state"] == "confirmed"
        created_at = datetime.fromisoformat(registration["created_at"])
        assert schedule["registration_opens_at"] <= created_at < schedule["registration_closes_at"]
        checked_in_at = datetime.fromisoformat(registration["checked_in_at"])
        assert schedule["check_in_opens_at"] <= checked_in_at < schedule["starts_at"]


def test_demo_shows_a_league_played_to_the_end_with_its_champion(demo_summary, client, settings):
    summary = demo_summary
    assert LEAGUE in summary.tournament_slugs
    league = demo_api.tournament(client, LEAGUE)
    assert (league["game"]["slug"], league["participant_kind"]) == ("eafc", "solo")
    assert (league["status"], league["format"]) == ("completed", "round_robin")
    starts_at = datetime.fromisoformat(league["schedule"]["starts_at"])
    assert starts_at < clock.now() - timedelta(days=1)
    _checked_in_before_the_start(client, settings, league, 6)

    stage = _stage(client, league["id"])
    assert (stage["format"], stage["status"]) == ("round_robin", "completed")
    assert len(stage["participants"]) == 6
    matches = demo_api.matches(client, league["id"])
    assert len(matches) == 15  # everyone against everyone once
    assert {m["status"] for m in matches} == {"completed"}
    goals = [m["games"][0]["scores"] for m in matches]
    assert all(len(g) == 2 and max(g) <= 5 for g in goals)
    assert any(a == b for a, b in goals)  # draws happen in a league
    last = max(datetime.fromisoformat(m["completed_at"]) for m in matches)
    assert all(starts_at < datetime.fromisoformat(m["started_at"]) for m in matches)

    results = demo_api.results(client, league["id"])
    # The placements are recorded when the last result was confirmed, not when seeding.
    assert datetime.fromisoformat(results["completed_at"]) == last
    assert datetime.fromisoformat(league["completed_at"]) == last
    assert [p["place"] for p in results["placements"]] == [1, 2, 3, 4, 5, 6]
    table = stage["standings"]["rows"]
    champion = results["placements"][0]
    assert champion["participant_id"] == table[0]["participant_id"]
    assert table[0]["stats"]["points"] > table[1]["stats"]["points"]
    completed = Event.objects.filter(
        stream=f"tournament:{league['id']}", name="tournament.completed"
    )
    assert completed.count() == 1
    assert completed.get().data["placements"][0]["participant_id"] == champion["participant_id"]


def test_demo_shows_a_battle_royale_played_to_the_end(client, settings):
    clash = demo_api.tournament(client, BATTLE_ROYALE)
    assert (clash["game"]["slug"], clash["participant_kind"], clash["team_size"]) == (
        "freefire",
        "team",
        4,
    )
    assert (clash["status"], clash["format"]) == ("completed", "battle_royale")
    _checked_in_before_the_start(client, settings, clash, 8)

    stage = _stage(client, clash["id"])
    assert stage["status"] == "completed"
    lobbies = demo_api.matches(client, clash["id"])
    assert [m["key"] for m in lobbies] == ["BR1.1", "BR2.1", "BR3.1", "BR4.1"]
    for lobby in lobbies:
        assert lobby["status"] == "completed"
        assert len(lobby["slots"]) == 8
        game = lobby["games"][0]
        assert sorted(game["placements"]) == sorted(s["participant_id"] for s in lobby["slots"])
        assert len(game["kills"]) == 8
        assert sum(game["kills"]) <= 4 * 8 - 1  # squads of four: one survivor at least

    results = demo_api.results(client, clash["id"])
    assert [p["place"] for p in results["placements"]] == list(range(1, 9))
    points = [row["stats"]["points"] for row in stage["standings"]["rows"]]
    assert points == sorted(points, reverse=True)
    assert (
        results["placements"][0]["participant_id"]
        == stage["standings"]["rows"][0]["participant_id"]
    )


def test_demo_shows_a_swiss_stage_being_played(client, settings):
    swiss = demo_api.tournament(client, SWISS)
    assert (swiss["game"]["slug"], swiss["participant_kind"], swiss["team_size"]) == (
        "cs2",
        "team",
        2,
    )
    assert (swiss["status"], swiss["format"]) == ("live", "swiss")
    _checked_in_before_the_start(client, settings, swiss, 8)

    stage = _stage(client, swiss["id"])
    assert (stage["format"], stage["status"]) == ("swiss", "running")
    now = clock.now()
    matches = demo_api.matches(client, swiss["id"])
    by_round = {r: [m for m in matches if m["round"] == r] for r in (1, 2, 3)}
    assert len(matches) == 12
    for played in (*by_round[1], *by_round[2]):
        assert played["status"] == "completed"
        assert max(played["games"][0]["scores"]) >= 9  # first to nine rounds
        assert datetime.fromisoformat(played["completed_at"]) < now
    # Round 3 pairs teams with the same record, and nobody meets the same team twice.
    wins = Counter(m["winner_id"] for m in (*by_round[1], *by_round[2]))
    current = by_round[3]
    for match in current:
        home, away = (s["participant_id"] for s in match["slots"])
        assert wins[home] == wins[away]
    assert len({frozenset(s["participant_id"] for s in m["slots"]) for m in matches}) == 12
    assert sorted(m["status"] for m in current) == ["completed", "completed", "live", "ready"]
    playing = _one(current, "live")
    assert playing["live_scores"]
    assert playing["score_seq"] >= 1
    assert datetime.fromisoformat(playing["started_at"]) < now
    upcoming = _one(current, "ready")
    assert datetime.fromisoformat(upcoming["scheduled_at"]) > now
    assert demo_api.results(client, swiss["id"])["placements"] == []


def test_the_pages_show_the_finished_tournaments_and_a_bracket_of_every_format():
    text = text_of(Client().get("/").content.decode())
    recent = text[text.index("Recent results") :]
    assert "Free Fire Booyah Clash" in recent
    assert "EA FC Invitational League" in recent
    # The latest first.
    assert recent.index("Free Fire Booyah Clash") < recent.index("EA FC Invitational League")
    overview = text_of(Client().get(f"/tournaments/{LEAGUE}/").content.decode())
    assert "Final standings" in overview

    for slug, drawn in (
        (LEAGUE, "Pts"),
        (BATTLE_ROYALE, "Lobbies"),
        (SWISS, "Swiss rounds"),
        (LIVE_CUP, "Losers bracket"),
    ):
        page = Client().get(f"/tournaments/{slug}/bracket/")
        assert page.status_code == 200
        assert drawn in text_of(page.content.decode())


def test_the_next_match_of_a_main_demo_player_is_always_the_live_cup_s(demo_summary):
    summary = demo_summary
    users = get_user_model().objects
    nexts = [
        my_matches(users.get(username=username).pk).next_match
        for username in summary.player_usernames
    ]
    # Some play on in the cup; the others have nothing left to play.
    assert {n.tournament.slug for n in nexts if n is not None} == {LIVE_CUP}


def test_the_live_ticks_play_the_cup_and_leave_the_swiss_stage_alone(client, settings):
    settings.DEMO_LIVE = True
    listed = client.get("/api/v1/tournaments?limit=100").json()["items"]
    playing = {t["slug"]: t["format"] for t in listed if t["status"] == "live"}
    assert playing == {LIVE_CUP: "double_elimination", SWISS: "swiss"}
    swiss = demo_api.matches_of(client, SWISS)
    assert live.demo_cup().tournament_id == _live(client)["id"]

    with clock.frozen(clock.now() + live.TICK_INTERVAL):
        assert live.tick() == "scored"

    assert demo_api.matches_of(client, SWISS) == swiss
