"""Drawing and reading brackets through the API: seeding methods, regeneration until the first
match starts, the bracket in one response, standings, and who may see them."""

from __future__ import annotations

import pytest
from django.apps import apps as django_apps
from django.test import Client

from deltacrown.apps.competition.tests.endpoints.helpers import (
    generate,
    get,
    make_private,
    matches_of,
    ok,
    post,
    signed_in,
)
from deltacrown.apps.competition.tests.factories import live_tournament, user

pytestmark = pytest.mark.django_db


def _registration_ids(tournament) -> list[int]:
    """The checked-in registrations in registration order (participants exist only once the
    first stage is drawn)."""
    registrations = django_apps.get_model("registrations", "Registration").objects
    return list(
        registrations.filter(tournament=tournament).order_by("arrival").values_list("pk", flat=True)
    )


def _seed_order(bracket) -> list[int]:
    return [p["id"] for p in sorted(bracket["participants"], key=lambda p: p["seed"])]


def test_natural_seeding_draws_in_registration_order_and_pairs_top_against_bottom():
    tournament, _ = live_tournament(8)

    bracket = generate(tournament)

    assert bracket["status"] == "generated"
    assert bracket["seeding"]["method"] == "natural"
    participants = ok(get(Client(), f"/tournaments/{tournament.pk}/participants"))
    by_registration = sorted(participants, key=lambda p: p["registration_id"])
    assert [p["seed"] for p in by_registration] == list(range(1, 9))
    assert [r["name"] for r in bracket["rounds"]] == ["Quarter-finals", "Semi-finals", "Final"]
    first = matches_of(bracket)["W1.1"]
    seeds = {p["id"]: p["seed"] for p in bracket["participants"]}
    assert sorted(seeds[s["participant_id"]] for s in first["slots"]) == [1, 8]
    assert {s["source"] for s in first["slots"]} == {"Seed 1", "Seed 8"}


def test_random_seeding_records_its_seed_and_the_same_seed_redraws_the_same_bracket():
    tournament, _ = live_tournament(8)

    drawn = generate(tournament, seeding="random")
    seed = drawn["seeding"]["rng_seed"]
    again = generate(tournament, seeding="random", rng_seed=seed)

    assert isinstance(seed, int)
    assert again["seeding"] == {"method": "random", "rng_seed": seed, "order": []}
    assert _seed_order(again) == _seed_order(drawn)


def test_manual_seeding_follows_the_organizers_order():
    tournament, _ = live_tournament(4)
    order = list(reversed(_registration_ids(tournament)))

    bracket = generate(tournament, seeding="manual", order=order)

    participants = ok(get(Client(), f"/tournaments/{tournament.pk}/participants"))
    seed_of = {p["registration_id"]: p["seed"] for p in participants}
    assert [seed_of[r] for r in order] == [1, 2, 3, 4]
    assert bracket["seeding"]["order"] == order


def test_manual_seeding_that_leaves_someone_out_is_refused():
    tournament, _ = live_tournament(4)
    order = _registration_ids(tournament)[:3]

    response = post(
        signed_in(tournament.organizer),
        f"/tournaments/{tournament.pk}/stages/generate",
        {"seeding": "manual", "order": order},
    )

    assert response.status_code == 422
    assert response.json()["code"] == "invalid_seeding"


def test_the_draw_can_be_regenerated_until_a_match_starts_then_it_is_locked():
    tournament, _ = live_tournament(4)
    organizer = signed_in(tournament.organizer)
    first = generate(tournament)
    second = generate(
        tournament, seeding="manual", order=list(reversed(_registration_ids(tournament)))
    )
    assert second["id"] == first["id"]
    assert _seed_order(second) == list(reversed(_seed_order(first)))
    opening = matches_of(second)["W1.1"]

    ok(post(organizer, f"/matches/{opening['id']}/start"))
    response = post(organizer, f"/tournaments/{tournament.pk}/stages/generate", {})

    assert response.status_code == 409
    assert response.json()["code"] == "stage_locked"
    stages = ok(get(organizer, f"/tournaments/{tournament.pk}/stages"))
    assert [(s["status"], s["locked_at"] is not None) for s in stages] == [("running", True)]


def test_only_an_organizer_generates_the_stage():
    tournament, players = live_tournament(4)

    response = post(signed_in(players[0]), f"/tournaments/{tournament.pk}/stages/generate", {})

    assert response.status_code == 403
    assert response.json()["code"] == "role_required"


def test_the_bracket_links_every_match_to_where_its_winner_goes():
    tournament, _ = live_tournament(
        4,
        stage_plan=[
            {
                "name": "Playoffs",
                "format": "double_elimination",
                "options": {"grand_final": "simple"},
            }
        ],
    )
    bracket = ok(get(Client(), f"/stages/{generate(tournament)['id']}"))

    matches = matches_of(bracket)
    ids = {m["id"]: key for key, m in matches.items()}
    for key, match in matches.items():
        for link in (match["winner_to"], match["loser_to"]):
            if link is not None:
                assert ids[link["match_id"]] == link["key"], key
    semi = matches["W1.1"]
    assert semi["winner_to"]["key"] == "W2.1"
    assert semi["loser_to"]["key"].startswith("L")
    final = matches["W2.1"]
    assert {s["source"] for s in final["slots"]} == {"Winner of W1.1", "Winner of W1.2"}
    assert all(s["participant_id"] is None for s in final["slots"])
    brackets = [r["bracket"] for r in bracket["rounds"]]
    assert brackets == sorted(brackets, key=["winners", "losers", "grand_final"].index)
    for rnd in bracket["rounds"]:
        assert [m["number"] for m in rnd["matches"]] == sorted(m["number"] for m in rnd["matches"])


def test_a_64_player_bracket_is_read_in_a_bounded_number_of_queries(
    django_assert_max_num_queries,
):
    tournament, _ = live_tournament(64)
    stage_id = generate(tournament)["id"]
    client = Client()

    with django_assert_max_num_queries(8):
        response = client.get(f"/api/v1/stages/{stage_id}")

    bracket = ok(response)
    assert len(bracket["participants"]) == 64
    assert [len(r["matches"]) for r in bracket["rounds"]] == [32, 16, 8, 4, 2, 1]


def test_standings_name_every_participant():
    tournament, _ = live_tournament(4)
    stage_id = generate(tournament)["id"]

    standings = ok(get(Client(), f"/stages/{stage_id}/standings"))

    participants = ok(get(Client(), f"/tournaments/{tournament.pk}/participants"))
    assert standings["stage_id"] == stage_id
    assert standings["final"] is False
    assert {(r["participant_id"], r["name"]) for r in standings["rows"]} == {
        (p["id"], p["name"]) for p in participants
    }


def test_a_private_tournaments_competition_is_hidden_from_strangers_and_visitors():
    tournament, players = live_tournament(4)
    make_private(tournament)
    stage_id = generate(tournament)["id"]
    stranger = signed_in(user())

    for client in (stranger, Client()):
        for path, code in (
            (f"/stages/{stage_id}", "stage_not_found"),
            (f"/stages/{stage_id}/standings", "stage_not_found"),
            (f"/tournaments/{tournament.pk}/stages", "tournament_not_found"),
            (f"/tournaments/{tournament.pk}/participants", "tournament_not_found"),
            (f"/tournaments/{tournament.pk}/matches", "tournament_not_found"),
            (f"/tournaments/{tournament.pk}/results", "tournament_not_found"),
        ):
            response = get(client, path)
            assert response.status_code == 404, path
            assert response.json()["code"] == code, path
    assert ok(get(signed_in(players[0]), f"/stages/{stage_id}"))["id"] == stage_id


def test_participants_show_public_names_and_no_rosters():
    tournament, _ = live_tournament(2, game="valorant", team=True)
    generate(tournament)

    rows = ok(get(Client(), f"/tournaments/{tournament.pk}/participants"))

    assert [row["name"] for row in rows] == [
        f"Team {tournament.slug.rsplit('-', 1)[1]}-1",
        f"Team {tournament.slug.rsplit('-', 1)[1]}-2",
    ]
    assert all(row["team_id"] and row["user_id"] is None for row in rows)
    assert all(
        set(row)
        == {
            "id",
            "registration_id",
            "team_id",
            "user_id",
            "name",
            "seed",
            "status",
            "status_reason",
            "placement",
        }
        for row in rows
    )
