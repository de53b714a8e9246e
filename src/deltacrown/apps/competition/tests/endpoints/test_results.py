"""Final results through the API: nothing while the competition runs, the placements with
names once the final is confirmed, and the same through the app's public interface."""

from __future__ import annotations

import pytest
from django.test import Client

from deltacrown.apps.competition import api as competition
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
from deltacrown.apps.competition.tests.factories import live_tournament

pytestmark = pytest.mark.django_db


def _play(match, by_participant, scores):
    home, away = sides(match, by_participant)
    ok(post(signed_in(home), f"/matches/{match['id']}/result", {"scores": scores}))
    return ok(post(signed_in(away), f"/matches/{match['id']}/confirm"))


def test_four_players_play_to_a_champion_and_the_results_name_the_placements(
    django_capture_on_commit_callbacks,
):
    tournament, players = live_tournament(4)
    matches = matches_of(generate(tournament))
    by_participant = participants_by_user(tournament, players)
    path = f"/tournaments/{tournament.pk}/results"

    first = _play(matches["W1.1"], by_participant, [2, 0])
    second = _play(matches["W1.2"], by_participant, [0, 2])
    running = ok(get(Client(), path))
    assert running == {
        "completed_at": None,
        "requires_review": False,
        "placements": [],
        "explanation": [],
    }
    final = ok(get(Client(), f"/matches/{matches['W2.1']['id']}"))
    assert {s["participant_id"] for s in final["slots"]} == {
        first["winner_id"],
        second["winner_id"],
    }
    with django_capture_on_commit_callbacks(execute=True):
        decided = _play(final, by_participant, [3, 1])

    results = ok(get(Client(), path))

    names = {
        p["id"]: p["name"] for p in ok(get(Client(), f"/tournaments/{tournament.pk}/participants"))
    }
    assert results["completed_at"] is not None
    assert results["requires_review"] is False
    top = results["placements"][:2]
    assert [(p["participant_id"], p["place"]) for p in top] == [
        (decided["winner_id"], 1),
        (decided["loser_id"], 2),
    ]
    assert sorted(p["place"] for p in results["placements"][2:]) == [3, 3]
    assert all(p["name"] == names[p["participant_id"]] for p in results["placements"])
    assert [
        (p.participant_id, p.place) for p in competition.tournament_placements(tournament.pk)
    ] == [(p["participant_id"], p["place"]) for p in results["placements"]]
    ref = competition.match_get(final["id"])
    assert (ref.status, ref.winner_id, ref.scores) == ("completed", decided["winner_id"], (3, 1))
