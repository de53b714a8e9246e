"""Competition services: a tournament played from generation to champion, and the rules a
result must follow on the way."""

from __future__ import annotations

import pytest

from deltacrown.apps.competition import services
from deltacrown.apps.competition.errors import (
    CorrectionBlocked,
    InvalidResult,
    NotInMatch,
    OwnResult,
    StageLocked,
    StaleScoreUpdate,
)
from deltacrown.apps.competition.models import CompetitionLedger, Match, Participant, Stage
from deltacrown.apps.competition.tests.factories import (
    event_names,
    events_named,
    frozen_play,
    live_tournament,
    user,
)
from deltacrown.apps.tournaments import api as tournaments

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _playing_time():
    with frozen_play() as frozen:
        yield frozen


def _match(tournament_id: int, key: str) -> Match:
    return Match.objects.get(tournament_id=tournament_id, key=key)


def _player_of(match: Match, slot: int, by_participant: dict[int, object]) -> object:
    participant_id = match.slots.get(slot=slot).participant_id
    return by_participant[participant_id]


def _players(tournament_id: int, entrants: list) -> dict[int, object]:
    rows = Participant.objects.filter(tournament_id=tournament_id).order_by("registration_id")
    return {row.pk: entrants[index] for index, row in enumerate(rows)}


def test_four_players_play_single_elimination_to_a_champion(django_capture_on_commit_callbacks):
    tournament, players = live_tournament(4)
    organizer = tournament.organizer
    stage = services.stage_generate(actor=organizer, tournament_id=tournament.pk)
    assert stage.status == "generated"
    by_participant = _players(tournament.pk, players)
    semis = list(Match.objects.filter(stage=stage, key__startswith="W1").order_by("number"))
    assert [m.status for m in semis] == ["ready", "ready"]

    for semi in semis:
        home = _player_of(semi, 0, by_participant)
        away = _player_of(semi, 1, by_participant)
        services.result_submit(actor=home, match_id=semi.pk, data={"scores": [2, 1]})
        semi.refresh_from_db()
        assert semi.status == "pending_result"
        with pytest.raises(OwnResult):
            services.result_confirm(actor=home, match_id=semi.pk)
        services.result_confirm(actor=away, match_id=semi.pk)
        semi.refresh_from_db()
        assert semi.status == "completed"
        assert semi.winner_id == semi.slots.get(slot=0).participant_id

    final = _match(tournament.pk, "W2.1")
    assert final.status == "ready"
    home = _player_of(final, 0, by_participant)
    away = _player_of(final, 1, by_participant)
    services.result_submit(actor=away, match_id=final.pk, data={"scores": [0, 3]})
    with django_capture_on_commit_callbacks(execute=True):
        services.result_confirm(actor=home, match_id=final.pk)

    stage.refresh_from_db()
    assert stage.status == "completed"
    ledger = CompetitionLedger.objects.get(tournament_id=tournament.pk)
    champion = final.slots.get(slot=1).participant_id
    assert ledger.placements[0] == {"participant_id": champion, "place": 1}
    assert [p["place"] for p in ledger.placements] == [1, 2, 3, 3]
    assert ledger.requires_review is False
    assert tournaments.tournament_get(tournament.pk).status == "completed"
    completed = events_named(tournament.pk, "tournament.completed")
    assert completed[-1]["placements"][0] == {"participant_id": champion, "place": 1}
    names = event_names(tournament.pk)
    for name in ("stage.generated", "match.ready", "match.result_submitted", "match.completed"):
        assert name in names


def test_regeneration_is_refused_once_a_match_has_started():
    tournament, _ = live_tournament(6)
    organizer = tournament.organizer
    first = services.stage_generate(
        actor=organizer, tournament_id=tournament.pk, seeding="random", rng_seed=7
    )
    assert first.seeding["rng_seed"] == 7
    again = services.stage_generate(
        actor=organizer, tournament_id=tournament.pk, seeding="random", rng_seed=7
    )
    assert again.pk == first.pk
    ready = Match.objects.filter(stage=first, status="ready").first()
    services.match_start(actor=organizer, match_id=ready.pk)
    with pytest.raises(StageLocked):
        services.stage_generate(actor=organizer, tournament_id=tournament.pk)


def test_a_stranger_cannot_report_and_results_must_fit_the_best_of():
    tournament, players = live_tournament(
        4,
        stage_plan=[
            {
                "name": "Cup",
                "format": "single_elimination",
                "options": {},
                "best_of": {"default": 3},
            }
        ],
    )
    stage = services.stage_generate(actor=tournament.organizer, tournament_id=tournament.pk)
    semi = Match.objects.filter(stage=stage, key="W1.1").get()
    assert semi.best_of == 3
    with pytest.raises(NotInMatch):
        services.result_submit(actor=user(), match_id=semi.pk, data={"scores": [2, 0]})
    by_participant = _players(tournament.pk, players)
    home = _player_of(semi, 0, by_participant)
    with pytest.raises(InvalidResult):
        services.result_submit(actor=home, match_id=semi.pk, data={"scores": [1, 0]})
    with pytest.raises(InvalidResult):
        services.result_submit(
            actor=home,
            match_id=semi.pk,
            data={"games": [{"scores": [3, 1]}, {"scores": [2, 0]}, {"scores": [1, 0]}]},
        )
    services.result_submit(
        actor=home,
        match_id=semi.pk,
        data={"games": [{"scores": [3, 1]}, {"scores": [0, 2]}, {"scores": [1, 1], "winner": 0}]},
    )
    semi.refresh_from_db()
    assert semi.status == "pending_result"


def test_live_scores_only_move_forward():
    tournament, _ = live_tournament(4)
    organizer = tournament.organizer
    stage = services.stage_generate(actor=organizer, tournament_id=tournament.pk)
    match = Match.objects.filter(stage=stage, key="W1.1").get()
    services.match_start(actor=organizer, match_id=match.pk)
    services.match_score_update(actor=organizer, match_id=match.pk, seq=2, scores=[1, 0])
    with pytest.raises(StaleScoreUpdate):
        services.match_score_update(actor=organizer, match_id=match.pk, seq=1, scores=[0, 0])
    match.refresh_from_db()
    assert match.live_scores == [1, 0]
    assert match.score_seq == 2
    assert "match.score_updated" in event_names(tournament.pk)


def test_a_correction_is_refused_once_the_next_match_was_played():
    tournament, _ = live_tournament(4)
    organizer = tournament.organizer
    stage = services.stage_generate(actor=organizer, tournament_id=tournament.pk)
    semi1 = _match(tournament.pk, "W1.1")
    semi2 = _match(tournament.pk, "W1.2")
    services.result_override(actor=organizer, match_id=semi1.pk, data={"scores": [1, 0]})
    services.result_override(actor=organizer, match_id=semi2.pk, data={"scores": [1, 0]})
    # Correcting a semi-final before the final is played re-fills the final.
    services.result_override(actor=organizer, match_id=semi1.pk, data={"scores": [0, 1]})
    final = _match(tournament.pk, "W2.1")
    semi1.refresh_from_db()
    assert final.slots.get(slot=0).participant_id == semi1.slots.get(slot=1).participant_id
    services.result_override(actor=organizer, match_id=final.pk, data={"scores": [1, 0]})
    with pytest.raises(CorrectionBlocked):
        services.result_override(actor=organizer, match_id=semi1.pk, data={"scores": [1, 0]})
    assert Stage.objects.get(pk=stage.pk).status == "completed"


def test_a_conflicting_submission_opens_a_dispute_resolved_by_a_replay():
    tournament, players = live_tournament(4)
    organizer = tournament.organizer
    stage = services.stage_generate(actor=organizer, tournament_id=tournament.pk)
    by_participant = _players(tournament.pk, players)
    match = Match.objects.filter(stage=stage, key="W1.1").get()
    home = _player_of(match, 0, by_participant)
    away = _player_of(match, 1, by_participant)
    services.result_submit(actor=home, match_id=match.pk, data={"scores": [3, 0]})
    services.result_submit(actor=away, match_id=match.pk, data={"scores": [0, 3]})
    match.refresh_from_db()
    assert match.status == "disputed"
    dispute = match.disputes.get()
    services.dispute_comment(actor=home, dispute_id=dispute.pk, body="We won 3-0, see the clip.")
    services.dispute_resolve(actor=organizer, dispute_id=dispute.pk, resolution="replay")
    match.refresh_from_db()
    assert match.status == "ready"
    services.result_submit(actor=home, match_id=match.pk, data={"scores": [1, 0]})
    services.result_confirm(actor=away, match_id=match.pk)
    match.refresh_from_db()
    assert match.status == "completed"
    assert "dispute.resolved" in event_names(tournament.pk)
