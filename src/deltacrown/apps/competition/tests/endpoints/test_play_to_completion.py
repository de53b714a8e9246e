"""Competition end to end, through the HTTP API only: whole tournaments played to a champion.

Every scenario starts from a live tournament with checked-in entrants, has the organizer draw
the first stage, then plays every match that becomes ready the way users do (one side reports,
the other confirms; sometimes the organizer overrides) by a rule whose outcome is known in
advance: the better seed (lower number) wins, and a battle-royale lobby finishes in seed order.
Then the final placements, the tournament's state and the ``tournament.completed`` event must be
exactly what that rule implies. Completing the tournament runs after the commit of the last
result, so the play runs inside ``django_capture_on_commit_callbacks(execute=True)``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from deltacrown.apps.competition.tests.endpoints.helpers import get, ok, post
from deltacrown.apps.competition.tests.factories import events_named, live_tournament

pytestmark = pytest.mark.django_db

#: The engine's default battle-royale placement points (1st, 2nd, ...; later places score 0).
PLACEMENT_POINTS = (12, 9, 7, 5, 4, 3, 2, 1)


class Cup:
    """One tournament seen through the API: who acts for each participant, their seeds, and
    the calls the players and the organizer make."""

    def __init__(self, tournament: Any, entrants: list[Any]) -> None:
        self.tournament = tournament
        self.id = tournament.pk
        self.public = Client()
        self._clients: dict[int, Client] = {}
        self.organizer = self.client_for(tournament.organizer)
        self._players = [e[1] if isinstance(e, tuple) else e for e in entrants]
        self.actor: dict[int, Any] = {}
        self.seed: dict[int, int] = {}

    def client_for(self, user: Any) -> Client:
        """A signed-in client per user, reused across calls."""
        if user.pk not in self._clients:
            client = Client()
            client.force_login(user)
            self._clients[user.pk] = client
        return self._clients[user.pk]

    def generate(self) -> dict[str, Any]:
        """The organizer draws the first stage; participants and their seeds are read back."""
        stage = ok(post(self.organizer, f"/tournaments/{self.id}/stages/generate", {}), 201)
        rows = self.participants()
        rows.sort(key=lambda row: row["registration_id"])
        for index, row in enumerate(rows):
            self.actor[row["id"]] = self._players[index]
            self.seed[row["id"]] = row["seed"]
        # Natural seeding: seed n is the n-th registration.
        assert [row["seed"] for row in rows] == list(range(1, len(rows) + 1))
        return stage

    def by_seed(self, seed: int) -> int:
        return next(pid for pid, s in self.seed.items() if s == seed)

    def participants(self) -> list[dict[str, Any]]:
        return ok(get(self.public, f"/tournaments/{self.id}/participants"))

    def side(self, pid: int) -> Client:
        """The client of the user acting for a participant (solo player or team captain)."""
        return self.client_for(self.actor[pid])

    def matches(self, **filters: Any) -> list[dict[str, Any]]:
        """Every match of the tournament (all pages), optionally filtered."""
        items: list[dict[str, Any]] = []
        params: dict[str, Any] = {"limit": 100, **filters}
        while True:
            page = ok(get(self.public, f"/tournaments/{self.id}/matches", **params))
            items += page["items"]
            if not page["next_cursor"]:
                return items
            params["cursor"] = page["next_cursor"]

    def match(self, match_id: int) -> dict[str, Any]:
        return ok(get(self.public, f"/matches/{match_id}"))

    def stage(self, stage_id: int) -> dict[str, Any]:
        return ok(get(self.public, f"/stages/{stage_id}"))

    def standings(self, stage_id: int) -> dict[str, Any]:
        return ok(get(self.public, f"/stages/{stage_id}/standings"))

    def results(self) -> dict[str, Any]:
        return ok(get(self.public, f"/tournaments/{self.id}/results"))

    def by_key(self) -> dict[str, dict[str, Any]]:
        return {m["key"]: m for m in self.matches()}

    # --- playing ----------------------------------------------------------------------------

    def pids(self, match: dict[str, Any]) -> list[int]:
        return [slot["participant_id"] for slot in match["slots"]]

    def favourite(self, match: dict[str, Any]) -> int:
        """The slot of the better seed: who wins by the rule."""
        first, second = self.pids(match)[:2]
        return 0 if self.seed[first] < self.seed[second] else 1

    @staticmethod
    def result_for(match: dict[str, Any], winner_slot: int) -> dict[str, Any]:
        """A result won by ``winner_slot``: the game's score in a best of one, game by game
        (the loser taking one game when it can) in a longer match."""
        if match["best_of"] == 1:
            return {"scores": [13, 7] if winner_slot == 0 else [7, 13]}
        won, lost = ([13, 9], [9, 13]) if winner_slot == 0 else ([9, 13], [13, 9])
        needed = match["best_of"] // 2 + 1
        return {"games": [{"scores": won}, {"scores": lost}] + [{"scores": won}] * (needed - 1)}

    def report_and_confirm(self, match: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
        """Slot 0 reports, slot 1 confirms; returns the decided match."""
        home, away = self.pids(match)[:2]
        pending = ok(post(self.side(home), f"/matches/{match['id']}/result", body))
        assert pending["status"] == "pending_result"
        assert pending["pending_report"]["participant_id"] == home
        return ok(post(self.side(away), f"/matches/{match['id']}/confirm"))

    def play(self, match: dict[str, Any], winner_slot: int | None = None) -> dict[str, Any]:
        """Play a two-sided match by the rule (or with the given winner)."""
        slot = self.favourite(match) if winner_slot is None else winner_slot
        decided = self.report_and_confirm(match, self.result_for(match, slot))
        assert decided["status"] == "completed"
        assert decided["winner_id"] == self.pids(match)[slot]
        return decided

    def play_all(self, decide: Callable[[dict[str, Any]], Any] | None = None) -> int:
        """Play every match that becomes ready until none is left; returns how many."""
        played = 0
        while ready := self.matches(status="ready"):
            for match in ready:
                (decide or self.play)(match)
                played += 1
        return played

    # --- the end ----------------------------------------------------------------------------

    def assert_completed_with(self, placements: list[tuple[int, int]]) -> dict[str, Any]:
        """The tournament is completed, and the results, the participants and the event log
        all carry exactly ``placements`` (participant id, place) in order."""
        results = self.results()
        assert results["completed_at"] is not None
        assert [(p["participant_id"], p["place"]) for p in results["placements"]] == placements
        tournament = ok(get(self.public, f"/tournaments/{self.id}"))
        assert tournament["status"] == "completed"
        (completed,) = events_named(self.id, "tournament.completed")
        assert [(p["participant_id"], p["place"]) for p in completed["placements"]] == placements
        placed = {row["id"]: row["placement"] for row in self.participants()}
        assert placed == dict(placements)
        return results


def _losers_of(matches: dict[str, dict[str, Any]], prefix: str) -> set[int]:
    return {m["loser_id"] for key, m in matches.items() if key.startswith(prefix)}


def test_sixteen_teams_play_double_elimination_through_a_bracket_reset(
    django_capture_on_commit_callbacks,
):
    tournament, teams = live_tournament(
        16,
        game="valorant",
        team=True,
        stage_plan=[
            {
                "name": "Playoffs",
                "format": "double_elimination",
                "options": {"grand_final": "reset"},
                "best_of": {"default": 1, "rounds": {"grand_final": 3}},
            }
        ],
    )
    cup = Cup(tournament, teams)
    bracket = cup.generate()
    seed = cup.by_seed
    first_round = {m["key"]: m for m in bracket["rounds"][0]["matches"]}
    assert {frozenset(cup.seed[p] for p in cup.pids(m)) for m in first_round.values()} == {
        frozenset(pair)
        for pair in ((1, 16), (8, 9), (4, 13), (5, 12), (2, 15), (7, 10), (3, 14), (6, 11))
    }
    by_pair = {frozenset(cup.seed[p] for p in cup.pids(m)): m for m in first_round.values()}
    mistaken, disputed, conceded = (by_pair[frozenset(p)] for p in ((1, 16), (8, 9), (4, 13)))

    with django_capture_on_commit_callbacks(execute=True):
        # Both sides of 1 v 16 agree on a result the wrong way round: 16 goes on, for now.
        wrong = cup.play(mistaken, winner_slot=1 - cup.favourite(mistaken))
        assert wrong["winner_id"] == seed(16)

        # 8 v 9: the sides report different winners, the organizer settles it for seed 8.
        home, away = cup.pids(disputed)[:2]
        right = cup.result_for(disputed, cup.favourite(disputed))
        ok(post(cup.side(home), f"/matches/{disputed['id']}/result", right))
        conflicting = cup.result_for(disputed, 1 - cup.favourite(disputed))
        held = ok(post(cup.side(away), f"/matches/{disputed['id']}/result", conflicting))
        assert held["status"] == "disputed"
        assert held["open_dispute_id"] is not None
        resolved = ok(
            post(
                cup.organizer,
                f"/disputes/{held['open_dispute_id']}/resolve",
                {"resolution": "result", "result": right, "note": "Checked the replay."},
            )
        )
        assert (resolved["status"], resolved["resolution"]) == ("resolved", "result")
        settled = cup.match(disputed["id"])
        assert (settled["status"], settled["winner_id"]) == ("completed", seed(8))

        # 13 concedes against 4.
        gone = ok(
            post(
                cup.side(seed(13)),
                f"/matches/{conceded['id']}/forfeit",
                {"participant_id": seed(13)},
            )
        )
        assert (gone["status"], gone["winner_id"], gone["loser_id"]) == (
            "forfeit",
            seed(4),
            seed(13),
        )

        for match in cup.matches(status="ready"):
            if match["key"].startswith("W1."):
                cup.play(match)

        # The organizer corrects 1 v 16 while the matches it feeds are still unplayed: seed 1
        # now waits in the next winners match and seed 16 drops to the losers bracket.
        next_win = wrong["winner_to"]["match_id"]
        next_loss = wrong["loser_to"]["match_id"]
        assert seed(16) in cup.pids(cup.match(next_win))
        assert seed(1) in cup.pids(cup.match(next_loss))
        corrected = ok(
            post(
                cup.organizer,
                f"/matches/{mistaken['id']}/override",
                cup.result_for(mistaken, cup.favourite(mistaken)),
            )
        )
        assert (corrected["status"], corrected["winner_id"]) == ("completed", seed(1))
        assert seed(1) in cup.pids(cup.match(next_win))
        assert seed(16) not in cup.pids(cup.match(next_win))
        assert seed(16) in cup.pids(cup.match(next_loss))
        assert seed(1) not in cup.pids(cup.match(next_loss))

        # The second wave (winners round 2, losers round 1) is played; correcting 1 v 16
        # again would change who played those matches, so it is refused.
        for match in cup.matches(status="ready"):
            cup.play(match)
        blocked = post(
            cup.organizer,
            f"/matches/{mistaken['id']}/override",
            cup.result_for(mistaken, 1 - cup.favourite(mistaken)),
        )
        assert blocked.status_code == 409, blocked.content
        assert blocked.json()["code"] == "correction_blocked"
        assert next_win in blocked.json()["blocked_by"]
        assert cup.match(mistaken["id"])["winner_id"] == seed(1)

        def decide(match: dict[str, Any]) -> Any:
            if match["key"] == "GF1":
                # The losers-bracket champion (side 2) takes the first final 2-1.
                assert cup.pids(match) == [seed(1), seed(2)]
                assert match["best_of"] == 3
                return cup.play(match, winner_slot=1)
            return cup.play(match)

        cup.play_all(decide)

    played = cup.by_key()
    gf1, gf2 = played["GF1"], played["GF2"]
    assert [g["scores"] for g in cup.match(gf1["id"])["games"]] == [[9, 13], [13, 9], [9, 13]]
    assert (gf1["status"], gf1["winner_id"], gf1["scores"]) == ("completed", seed(2), [1, 2])
    # The reset final was played and decided the title.
    assert sorted(cup.pids(gf2)) == sorted([seed(1), seed(2)])
    assert gf2["best_of"] == 3
    assert (gf2["status"], gf2["winner_id"], gf2["loser_id"]) == ("completed", seed(1), seed(2))
    assert len(cup.match(gf2["id"])["games"]) == 3
    assert sum(m["status"] in ("completed", "forfeit") for m in played.values()) == 31

    ninth, thirteenth = _losers_of(played, "L2."), _losers_of(played, "L1.")
    assert {cup.seed[p] for p in thirteenth} == {13, 14, 15, 16}
    assert {cup.seed[p] for p in ninth} == {9, 10, 11, 12}
    seventh, fifth = _losers_of(played, "L3."), _losers_of(played, "L4.")
    assert {cup.seed[p] for p in fifth | seventh} == {5, 6, 7, 8}
    results = cup.results()
    expected = [(seed(1), 1), (seed(2), 2), (seed(3), 3), (seed(4), 4)]
    rest = {(p["participant_id"], p["place"]) for p in results["placements"][4:]}
    assert rest == {
        *((p, 5) for p in fifth),
        *((p, 7) for p in seventh),
        *((p, 9) for p in ninth),
        *((p, 13) for p in thirteenth),
    }
    # The champion never won by forfeit: nothing to review.
    assert results["requires_review"] is False
    cup.assert_completed_with(
        expected + [(p["participant_id"], p["place"]) for p in results["placements"][4:]]
    )


def test_twelve_players_play_four_swiss_rounds_without_a_rematch(
    django_capture_on_commit_callbacks,
):
    tournament, players = live_tournament(
        12,
        game="efootball",
        stage_plan=[{"name": "Swiss", "format": "swiss", "options": {"rounds": 4}}],
    )
    cup = Cup(tournament, players)
    stage_id = cup.generate()["id"]

    with django_capture_on_commit_callbacks(execute=True):
        played = cup.play_all()

    assert played == 24
    stage = cup.stage(stage_id)
    assert [r["number"] for r in stage["rounds"]] == [1, 2, 3, 4]
    assert all(len(r["matches"]) == 6 for r in stage["rounds"])
    pairs = [frozenset(cup.pids(m)) for r in stage["rounds"] for m in r["matches"]]
    assert len(pairs) == len(set(pairs)) == 24
    standings = cup.standings(stage_id)
    assert standings["final"] is True
    # The best seed wins every game, so it is alone on top; the rest follow the standings.
    assert standings["rows"][0]["participant_id"] == cup.by_seed(1)
    assert standings["rows"][0]["rank"] == 1
    assert standings["rows"][1]["rank"] == 2
    cup.assert_completed_with([(row["participant_id"], row["rank"]) for row in standings["rows"]])


def test_twenty_four_squads_play_three_rounds_of_battle_royale_lobbies(
    django_capture_on_commit_callbacks,
):
    tournament, squads = live_tournament(
        24,
        game="freefire",
        team=True,
        stage_plan=[
            {
                "name": "Lobbies",
                "format": "battle_royale",
                "options": {"lobby_size": 8, "rounds": 3},
            }
        ],
    )
    cup = Cup(tournament, squads)
    stage_id = cup.generate()["id"]
    lobbies = cup.matches(status="ready")
    assert len(lobbies) == 9
    assert all(len(lobby["slots"]) == 8 for lobby in lobbies)
    assert sorted({lobby["round"] for lobby in lobbies}) == [1, 2, 3]

    def kills_of(pid: int) -> int:
        return cup.seed[pid] % 4

    points = dict.fromkeys(cup.seed, 0)
    kills = dict.fromkeys(cup.seed, 0)
    wins = dict.fromkeys(cup.seed, 0)
    with django_capture_on_commit_callbacks(execute=True):
        for index, lobby in enumerate(lobbies):
            order = sorted(cup.pids(lobby), key=cup.seed.__getitem__)
            body = {"placements": order, "kills": [kills_of(p) for p in order]}
            for place, pid in enumerate(order):
                points[pid] += PLACEMENT_POINTS[place] + kills_of(pid)
                kills[pid] += kills_of(pid)
            wins[order[0]] += 1
            if index % 2:
                decided = ok(post(cup.organizer, f"/matches/{lobby['id']}/override", body))
            else:
                # The lobby's last finisher reports, its winner confirms.
                ok(post(cup.side(order[-1]), f"/matches/{lobby['id']}/result", body))
                decided = ok(post(cup.side(order[0]), f"/matches/{lobby['id']}/confirm"))
            assert decided["status"] == "completed"
            assert decided["scores"] == [
                PLACEMENT_POINTS[order.index(pid)] + kills_of(pid) for pid in cup.pids(lobby)
            ]
        assert cup.matches(status="ready") == []

    ranking = sorted(cup.seed, key=lambda p: (-points[p], -kills[p], -wins[p], cup.seed[p]))
    champion = ranking[0]
    # Seed 3 wins each of its lobbies, as seed 1 does, and out-scores it on kills (3 a game
    # against 1): the title goes by points, not by seed.
    assert champion == cup.by_seed(3)
    assert points[champion] == 3 * 12 + 3 * 3 > points[ranking[1]]
    assert points[cup.by_seed(1)] == 3 * 12 + 3 * 1
    standings = cup.standings(stage_id)
    assert standings["final"] is True
    assert [row["participant_id"] for row in standings["rows"]] == ranking
    assert [row["stats"]["points"] for row in standings["rows"]] == [points[p] for p in ranking]
    results = cup.assert_completed_with(
        [(row["participant_id"], row["rank"]) for row in standings["rows"]]
    )
    assert results["placements"][0]["participant_id"] == champion


def test_eight_players_play_groups_then_playoffs_in_one_stage(
    django_capture_on_commit_callbacks,
):
    tournament, players = live_tournament(
        8,
        stage_plan=[
            {
                "name": "Groups and playoffs",
                "format": "groups_playoffs",
                "options": {"groups": 2, "advance": 2},
            }
        ],
    )
    cup = Cup(tournament, players)
    stage_id = cup.generate()["id"]

    with django_capture_on_commit_callbacks(execute=True):
        played = cup.play_all()

    # Two groups of four (6 games each), then semi-finals and a final.
    assert played == 12 + 3
    matches = cup.by_key()
    seed = cup.by_seed
    semis = {frozenset(cup.pids(m)) for k, m in matches.items() if k.startswith("P-W1.")}
    # Snake groups [1, 4, 5, 8] and [2, 3, 6, 7]: A1 v B2 and B1 v A2.
    assert semis == {frozenset({seed(1), seed(3)}), frozenset({seed(2), seed(4)})}
    standings = cup.standings(stage_id)
    assert standings["final"] is True
    results = cup.assert_completed_with(
        [(row["participant_id"], row["rank"]) for row in standings["rows"]]
    )
    top = [(p["participant_id"], p["place"]) for p in results["placements"][:4]]
    assert top[:2] == [(seed(1), 1), (seed(2), 2)]
    assert {pid for pid, _ in top[2:]} == {seed(3), seed(4)}
    assert {place for _, place in top[2:]} == {3}


def test_a_second_stage_is_built_from_the_first_stages_standings_and_played_out(
    django_capture_on_commit_callbacks,
):
    tournament, players = live_tournament(
        8,
        stage_plan=[
            {"name": "Groups", "format": "round_robin", "options": {"groups": 2}},
            {
                "name": "Playoffs",
                "format": "single_elimination",
                "options": {},
                "participants": 4,
            },
        ],
    )
    cup = Cup(tournament, players)
    first_id = cup.generate()["id"]
    seed = cup.by_seed

    with django_capture_on_commit_callbacks(execute=True):
        for match in cup.matches(status="ready", stage_id=first_id):
            cup.play(match)

        stages = ok(get(cup.public, f"/tournaments/{cup.id}/stages"))
        assert [(s["index"], s["status"]) for s in stages] == [(0, "completed"), (1, "generated")]
        first = cup.standings(first_id)
        assert first["final"] is True
        qualified = [row["participant_id"] for row in first["rows"][:4]]
        assert {cup.seed[p] for p in qualified} == {1, 2, 3, 4}
        second = cup.stage(stages[1]["id"])
        assert second["status"] == "generated"
        assert second["seeding"]["method"] == "previous_stage_rank"
        assert [p["id"] for p in sorted(second["participants"], key=lambda p: p["seed"])] == (
            qualified
        )
        out = {p["id"]: p["status"] for p in cup.participants()}
        assert {cup.seed[p] for p, status in out.items() if status == "eliminated"} == {
            5,
            6,
            7,
            8,
        }

        played = cup.play_all()

    assert played == 3
    final = cup.by_key()["W2.1"]
    assert (final["winner_id"], final["loser_id"]) == (seed(1), seed(2))
    results = cup.results()
    top = [(p["participant_id"], p["place"]) for p in results["placements"][:4]]
    assert top[:2] == [(seed(1), 1), (seed(2), 2)]
    assert sorted(top[2:]) == sorted([(seed(3), 3), (seed(4), 3)])
    # Those who went out in the groups follow, in the order of the groups' standings.
    assert [p["participant_id"] for p in results["placements"][4:]] == [
        row["participant_id"] for row in first["rows"][4:]
    ]
    assert all(p["place"] >= 5 for p in results["placements"][4:])
    cup.assert_completed_with([(p["participant_id"], p["place"]) for p in results["placements"]])
