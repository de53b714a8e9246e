"""Progression as a state machine: any mix of results, corrections and withdrawals keeps a
stage consistent (slots match their sources, counts match the matches, nothing is lost)."""

from __future__ import annotations

import random

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from deltacrown.engine import (
    CorrectionBlocked,
    MatchStatus,
    ParticipantStatus,
    Result,
    SourceKind,
    Stage,
    report,
    stage_from_json,
    stage_to_json,
    standings,
    withdraw,
)
from deltacrown.engine.simulate import random_result
from deltacrown.engine.tests.helpers import build

SETUPS = [
    {"format": "single_elimination", "third_place": True},
    {"format": "double_elimination", "grand_final": "reset"},
    {"format": "double_elimination", "grand_final": "none"},
    {"format": "groups_playoffs", "groups": 2, "advance": 2},
    {"format": "groups_playoffs", "groups": 2, "group_format": "swiss"},
    {"format": "groups_playoffs", "groups": 2, "playoff_format": "double_elimination"},
    {"format": "swiss"},
    {"format": "round_robin"},
]


class StageMachine(RuleBasedStateMachine):
    stage: Stage

    @initialize(setup=st.sampled_from(SETUPS), count=st.integers(4, 20))
    def create(self, setup, count):
        self.stage = build(count, **setup)

    @precondition(lambda self: bool(self.stage.ready))
    @rule(seed=st.integers(0, 2**16))
    def play_a_ready_match(self, seed):
        rng = random.Random(seed)
        match_id = rng.choice(self.stage.ready)
        result = random_result(rng, self.stage.config, self.stage.matches[match_id])
        update = report(self.stage, match_id, result)
        assert update.stage.matches[match_id].status is MatchStatus.COMPLETED
        assert all(update.stage.matches[m].status is MatchStatus.READY for m in update.ready)
        self.stage = update.stage

    @precondition(lambda self: bool(self.stage.ready))
    @rule(seed=st.integers(0, 2**16), both=st.booleans())
    def forfeit_a_ready_match(self, seed, both):
        match_id = random.Random(seed).choice(self.stage.ready)
        match = self.stage.matches[match_id]
        if match.group == "lobby":
            return
        result = Result.double_forfeit() if both else Result.forfeit(loser=match.participants[1])
        update = report(self.stage, match_id, result)
        assert update.stage.matches[match_id].winner == (None if both else match.participants[0])
        self.stage = update.stage

    @rule(seed=st.integers(0, 2**16))
    def correct_a_played_match(self, seed):
        played = [
            m.id
            for m in self.stage.iter_matches()
            if m.status is MatchStatus.COMPLETED and not getattr(m.result, "auto", False)
        ]
        if not played:
            return
        rng = random.Random(seed)
        match_id = rng.choice(played)
        result = random_result(rng, self.stage.config, self.stage.matches[match_id])
        try:
            self.stage = report(self.stage, match_id, result).stage
        except CorrectionBlocked as refused:
            blocked = self.stage.matches[refused.data["match"]]
            assert blocked.status is MatchStatus.COMPLETED

    @rule(seed=st.integers(0, 2**16), disqualify=st.booleans())
    def withdraw_someone(self, seed, disqualify):
        still_in = [p for p in self.stage.participants if p not in self.stage.withdrawn]
        if len(still_in) <= 2:
            return
        participant = random.Random(seed).choice(still_in)
        self.stage = withdraw(self.stage, participant, disqualified=disqualify).stage
        assert not any(participant in self.stage.matches[m].participants for m in self.stage.ready)

    @invariant()
    def slots_match_their_sources(self):
        for match in self.stage.iter_matches():
            for slot, source in enumerate(match.sources):
                if source.kind not in (SourceKind.WINNER, SourceKind.LOSER):
                    continue
                feeder = self.stage.matches[source.match]
                expected = (
                    (feeder.winner if source.kind is SourceKind.WINNER else feeder.loser)
                    if feeder.decided
                    else None
                )
                assert match.participants[slot] == expected, (match.id, slot)

    @invariant()
    def ready_matches_are_playable_and_nobody_is_double_booked(self):
        booked: dict[tuple[str, str, int], set[str]] = {}
        for match in self.stage.iter_matches():
            if match.status is MatchStatus.READY:
                assert len(set(match.present)) == len(match.participants)
                assert not set(match.present) & set(self.stage.withdrawn)
            seen = booked.setdefault((match.group, match.bracket, match.round), set())
            assert not seen & set(match.present), match.id
            seen |= set(match.present)

    @invariant()
    def finished_means_nothing_left_and_reloads_identically(self):
        assert self.stage.finished == all(m.decided for m in self.stage.iter_matches())
        loaded = stage_from_json(stage_to_json(self.stage))
        assert loaded == self.stage
        assert loaded.finished == self.stage.finished

    @invariant()
    def standings_rank_everyone_and_knocked_out_players_have_no_open_match(self):
        table = standings(self.stage)
        assert sorted(r.participant for r in table.rows) == sorted(self.stage.participants)
        out = {r.participant for r in table.rows if r.status is ParticipantStatus.ELIMINATED}
        for match in self.stage.iter_matches():
            if not match.decided:
                assert not out & set(match.present), match.id


StageMachine.TestCase.settings = settings(max_examples=40, stateful_step_count=25, deadline=None)
test_progression_state_machine = StageMachine.TestCase
