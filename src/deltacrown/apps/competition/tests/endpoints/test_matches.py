"""Playing matches through the API: reporting and confirming results, live scores, match
details for the staff, and the match lists a player and a spectator see."""

from __future__ import annotations

import pytest
from django.test import Client

from deltacrown.apps.competition.tests.endpoints.helpers import (
    generate,
    get,
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
def cup():
    """A live 4-player single-elimination cup with its bracket drawn."""
    tournament, players = live_tournament(4)
    bracket = generate(tournament)
    return tournament, matches_of(bracket), participants_by_user(tournament, players)


def test_a_side_reports_the_result_and_the_other_side_confirms_it(cup):
    _, matches, by_participant = cup
    semi = matches["W1.1"]
    home, away = sides(semi, by_participant)

    reported = ok(post(signed_in(home), f"/matches/{semi['id']}/result", {"scores": [2, 0]}))

    assert reported["status"] == "pending_result"
    assert reported["pending_report"]["participant_id"] == semi["slots"][0]["participant_id"]
    assert reported["pending_report"]["payload"] == {"kind": "scores", "scores": [2, 0]}
    own = post(signed_in(home), f"/matches/{semi['id']}/confirm")
    assert own.status_code == 409
    assert own.json()["code"] == "own_result"

    confirmed = ok(post(signed_in(away), f"/matches/{semi['id']}/confirm"))

    assert confirmed["status"] == "completed"
    assert confirmed["scores"] == [2, 0]
    assert confirmed["winner_id"] == semi["slots"][0]["participant_id"]
    assert confirmed["pending_report"] is None
    final = ok(get(Client(), f"/matches/{semi['winner_to']['match_id']}"))
    assert final["slots"][semi["winner_to"]["slot"]]["participant_id"] == confirmed["winner_id"]


def test_a_result_given_game_by_game_is_kept_per_game(cup):
    _, matches, by_participant = cup
    semi = matches["W1.2"]
    home, away = sides(semi, by_participant)

    post(signed_in(home), f"/matches/{semi['id']}/result", {"games": [{"scores": [1, 3]}]})
    done = ok(post(signed_in(away), f"/matches/{semi['id']}/confirm"))

    assert done["winner_id"] == semi["slots"][1]["participant_id"]
    assert [(g["number"], g["scores"], g["winner_slot"]) for g in done["games"]] == [(1, [1, 3], 1)]


def test_a_stranger_cannot_report_a_result(cup):
    _, matches, _ = cup

    response = post(
        signed_in(user()), f"/matches/{matches['W1.1']['id']}/result", {"scores": [2, 0]}
    )

    assert response.status_code == 403
    assert response.json()["code"] == "not_in_match"


def test_a_result_in_two_forms_at_once_is_refused(cup):
    _, matches, by_participant = cup
    semi = matches["W1.1"]
    home, _ = sides(semi, by_participant)

    response = post(
        signed_in(home), f"/matches/{semi['id']}/result", {"scores": [2, 0], "winner_id": 1}
    )

    assert response.status_code == 422
    assert response.json()["code"] == "invalid_result"
    assert response.json()["errors"][0]["code"] == "one_form"


def test_live_scores_must_arrive_in_order(cup):
    tournament, matches, _ = cup
    organizer = signed_in(tournament.organizer)
    match_id = matches["W1.1"]["id"]
    ok(post(organizer, f"/matches/{match_id}/start"))

    first = ok(post(organizer, f"/matches/{match_id}/score", {"seq": 2, "scores": [1, 0]}))
    stale = post(organizer, f"/matches/{match_id}/score", {"seq": 2, "scores": [0, 1]})

    assert (first["live_scores"], first["score_seq"]) == ([1, 0], 2)
    assert stale.status_code == 409
    assert stale.json()["code"] == "stale_score_update"
    assert stale.json()["score_seq"] == 2
    assert ok(get(Client(), f"/matches/{match_id}"))["live_scores"] == [1, 0]


def test_staff_change_only_the_fields_they_send_and_lobby_details_stay_with_the_players(cup):
    tournament, matches, by_participant = cup
    organizer = signed_in(tournament.organizer)
    semi = matches["W1.1"]
    path = f"/matches/{semi['id']}"
    home, _ = sides(semi, by_participant)

    changed = ok(
        organizer.patch(
            f"/api/v1{path}",
            {"stream_url": "https://stream.example/cup", "station": {"lobby": "Ab12"}},
            content_type="application/json",
        )
    )
    again = ok(organizer.patch(f"/api/v1{path}", {"best_of": 3}, content_type="application/json"))

    assert changed["stream_url"] == "https://stream.example/cup"
    assert (again["best_of"], again["stream_url"]) == (3, "https://stream.example/cup")
    assert ok(get(signed_in(home), path))["station"] == {"lobby": "Ab12"}
    assert ok(get(Client(), path))["station"] == {}
    assert ok(get(signed_in(user()), path))["station"] == {}
    refused = signed_in(home).patch(
        f"/api/v1{path}", {"best_of": 5}, content_type="application/json"
    )
    assert refused.status_code == 403


def test_organizers_schedule_many_matches_at_once(cup):
    tournament, matches, _ = cup
    items = [
        {"match_id": matches["W1.1"]["id"], "scheduled_at": "2031-06-01T19:00:00Z"},
        {"match_id": matches["W1.2"]["id"], "scheduled_at": "2031-06-01T19:30:00Z"},
    ]

    done = ok(
        post(
            signed_in(tournament.organizer),
            f"/tournaments/{tournament.pk}/matches/schedule",
            {"items": items},
        )
    )

    assert done == {"changed": 2}
    assert ok(get(Client(), f"/matches/{matches['W1.2']['id']}"))["scheduled_at"].startswith(
        "2031-06-01T19:30:00"
    )


def test_a_player_lists_their_own_matches_and_a_spectator_filters_by_state(cup):
    tournament, matches, by_participant = cup
    semi = matches["W1.2"]
    home, _ = sides(semi, by_participant)
    path = f"/tournaments/{tournament.pk}/matches"

    mine = ok(get(signed_in(home), path, mine="true"))
    ready = ok(get(Client(), path, status="ready"))
    first_page = ok(get(Client(), path, limit=2))
    second_page = ok(get(Client(), path, limit=2, cursor=first_page["next_cursor"]))

    assert [m["key"] for m in mine["items"]] == ["W1.2"]
    assert {m["key"] for m in ready["items"]} == {"W1.1", "W1.2"}
    keys = [m["key"] for m in first_page["items"] + second_page["items"]]
    assert sorted(keys) == ["W1.1", "W1.2", "W2.1"]
    assert second_page["next_cursor"] is None
    assert get(Client(), path, mine="true").status_code == 401


def test_a_side_concedes_and_the_other_advances(cup):
    _, matches, by_participant = cup
    semi = matches["W1.1"]
    home, _ = sides(semi, by_participant)
    conceding = semi["slots"][0]["participant_id"]

    done = ok(
        post(signed_in(home), f"/matches/{semi['id']}/forfeit", {"participant_id": conceding})
    )

    assert done["status"] == "forfeit"
    assert done["winner_id"] == semi["slots"][1]["participant_id"]


def test_an_organizer_disqualifies_a_participant_whose_match_is_forfeited(cup):
    tournament, matches, _ = cup
    semi = matches["W1.1"]
    out = semi["slots"][0]["participant_id"]

    participant = ok(
        post(
            signed_in(tournament.organizer),
            f"/tournaments/{tournament.pk}/participants/{out}/withdraw",
            {"disqualify": True, "reason": "cheating"},
        )
    )

    assert (participant["status"], participant["status_reason"]) == ("disqualified", "cheating")
    assert (
        ok(get(Client(), f"/matches/{semi['id']}"))["winner_id"]
        == semi["slots"][1]["participant_id"]
    )
