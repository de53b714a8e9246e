"""Competition services: confirmation by time, forfeits and their review flag, cancellations,
disqualification through a dispute, and who may officiate."""

from __future__ import annotations

from datetime import timedelta

import pytest

from deltacrown.apps.competition import services
from deltacrown.apps.competition.errors import InvalidMatchTransition, NotInMatch
from deltacrown.apps.competition.models import CompetitionLedger, Match, Participant
from deltacrown.apps.competition.tests.factories import (
    event_names,
    frozen_play,
    live_tournament,
    user,
)
from deltacrown.kernel.errors import PermissionDenied, ValidationFailed

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def playing_time():
    with frozen_play() as frozen:
        yield frozen


def _sides(match: Match, players: list, tournament_id: int) -> tuple:
    order = list(
        Participant.objects.filter(tournament_id=tournament_id)
        .order_by("registration_id")
        .values_list("pk", flat=True)
    )
    home = match.slots.get(slot=0).participant_id
    away = match.slots.get(slot=1).participant_id
    return players[order.index(home)], players[order.index(away)]


def test_an_unanswered_result_confirms_itself_after_the_window(playing_time, settings):
    settings.RESULT_AUTO_CONFIRM_MINUTES = 15
    tournament, players = live_tournament(4)
    stage = services.stage_generate(actor=tournament.organizer, tournament_id=tournament.pk)
    match = Match.objects.get(stage=stage, key="W1.1")
    home, _ = _sides(match, players, tournament.pk)
    services.result_submit(actor=home, match_id=match.pk, data={"scores": [2, 0]})
    playing_time.advance(timedelta(minutes=14))
    assert services.results_auto_confirm() == 0
    playing_time.advance(timedelta(minutes=2))
    assert services.results_auto_confirm() == 1
    assert services.results_auto_confirm() == 0
    match.refresh_from_db()
    assert match.status == "completed"
    assert match.scores == [2, 0]


def test_a_title_won_through_a_forfeit_requires_review(django_capture_on_commit_callbacks):
    tournament, players = live_tournament(2)
    organizer = tournament.organizer
    stage = services.stage_generate(actor=organizer, tournament_id=tournament.pk)
    final = Match.objects.get(stage=stage, key="W1.1")
    home, away = _sides(final, players, tournament.pk)
    loser = final.slots.get(slot=1).participant_id
    with pytest.raises(NotInMatch):
        # A side may concede itself only.
        services.match_forfeit(actor=home, match_id=final.pk, participant_id=loser)
    with django_capture_on_commit_callbacks(execute=True):
        services.match_forfeit(actor=away, match_id=final.pk, participant_id=loser)
    final.refresh_from_db()
    assert final.status == "forfeit"
    ledger = CompetitionLedger.objects.get(tournament_id=tournament.pk)
    assert ledger.requires_review is True
    assert ledger.placements[0]["participant_id"] == final.slots.get(slot=0).participant_id


def test_a_cancelled_match_sends_nobody_forward():
    tournament, _ = live_tournament(4)
    organizer = tournament.organizer
    stage = services.stage_generate(actor=organizer, tournament_id=tournament.pk)
    semi = Match.objects.get(stage=stage, key="W1.1")
    services.match_cancel(actor=organizer, match_id=semi.pk)
    semi.refresh_from_db()
    assert semi.status == "cancelled"
    final = Match.objects.get(stage=stage, key="W2.1")
    assert final.slots.get(slot=0).participant_id is None
    with pytest.raises(InvalidMatchTransition):
        services.match_start(actor=organizer, match_id=semi.pk)
    assert "match.cancelled" in event_names(tournament.pk)


def test_a_dispute_resolved_by_disqualification_removes_the_cheater(
    django_capture_on_commit_callbacks,
):
    tournament, players = live_tournament(
        4, stage_plan=[{"name": "Swiss", "format": "swiss", "options": {"rounds": 2}}]
    )
    organizer = tournament.organizer
    stage = services.stage_generate(actor=organizer, tournament_id=tournament.pk)
    match = Match.objects.filter(stage=stage, status="ready").order_by("position").first()
    home, away = _sides(match, players, tournament.pk)
    services.result_submit(actor=home, match_id=match.pk, data={"scores": [3, 0]})
    dispute = services.dispute_open(actor=away, match_id=match.pk, reason="They used a macro.")
    cheater = match.slots.get(slot=0).participant_id
    with pytest.raises(ValidationFailed):
        services.dispute_resolve(
            actor=organizer, dispute_id=dispute.pk, resolution="disqualify", participant_id=999
        )
    services.dispute_resolve(
        actor=organizer,
        dispute_id=dispute.pk,
        resolution="disqualify",
        participant_id=cheater,
        note="Macro confirmed by the replay.",
    )
    match.refresh_from_db()
    assert match.status == "forfeit"
    assert match.winner_id == match.slots.get(slot=1).participant_id
    assert Participant.objects.get(pk=cheater).status == "disqualified"
    with django_capture_on_commit_callbacks(execute=True):
        for other in Match.objects.filter(stage=stage, status="ready").order_by("position"):
            services.result_override(actor=organizer, match_id=other.pk, data={"scores": [1, 0]})
        for other in Match.objects.filter(stage=stage, status="ready").order_by("position"):
            services.result_override(actor=organizer, match_id=other.pk, data={"scores": [1, 0]})
    stage.refresh_from_db()
    assert stage.standings["rows"][-1]["participant_id"] == cheater
    assert stage.standings["rows"][-1]["status"] == "disqualified"
    ledger = CompetitionLedger.objects.get(tournament_id=tournament.pk)
    assert ledger.placements[-1]["participant_id"] == cheater


def test_only_staff_or_the_coordinator_officiate():
    tournament, _ = live_tournament(4)
    organizer = tournament.organizer
    stage = services.stage_generate(actor=organizer, tournament_id=tournament.pk)
    match = Match.objects.get(stage=stage, key="W1.1")
    stranger = user()
    with pytest.raises(PermissionDenied):
        services.match_start(actor=stranger, match_id=match.pk)
    with pytest.raises(ValidationFailed):
        services.match_update(actor=organizer, match_id=match.pk, coordinator_id=stranger.pk)
    services.match_update(
        actor=organizer,
        match_id=match.pk,
        stream_url="https://twitch.tv/deltacrown",
        station={"lobby": "EU-1", "password": "cup"},
    )
    match.refresh_from_db()
    assert match.stream_url == "https://twitch.tv/deltacrown"
    assert match.station["lobby"] == "EU-1"


def test_match_roles_follow_the_sides_the_staff_and_the_coordinator():
    from deltacrown.kernel import permissions

    tournament, players = live_tournament(4)
    organizer = tournament.organizer
    stage = services.stage_generate(actor=organizer, tournament_id=tournament.pk)
    match = Match.objects.get(stage=stage, key="W1.1")
    home, away = _sides(match, players, tournament.pk)
    stranger = user()
    assert permissions.has_role(home, "captain", "match", match.pk)
    assert permissions.has_role(away, "player", "match", match.pk)
    assert not permissions.has_role(stranger, "player", "match", match.pk)
    assert permissions.has_role(organizer, "moderator", "match", match.pk)
    assert not permissions.has_role(home, "moderator", "match", match.pk)
    assert not permissions.has_role(home, "captain", "match", 10_000)
