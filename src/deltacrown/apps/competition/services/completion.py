"""Competition app, services layer: winner determination when the last stage finishes.

Final placements come from the last stage's standings (tied participants share a place); those
who went out in an earlier stage follow, in the order of that stage's standings. The ledger
keeps the placements, an explanation of every tiebreaker that separated two neighbours, and
``requires_review`` when the champion's path includes a forfeit (a walkover title is worth a
look before prizes go out). Then the tournament moves to ``completed`` and
``tournament.completed`` carries the placements (ids only).

Idempotent: running it again after the tournament completed changes nothing. It runs after the
commit of the result that finished the last stage, and a periodic task retries tournaments
whose last stage finished without a recorded completion (a crash between the two).
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from deltacrown import engine
from deltacrown.apps.competition.data import ParticipantStatus, StageStatus
from deltacrown.apps.competition.models import CompetitionLedger, Match, Participant, Stage
from deltacrown.apps.competition.services import bridge
from deltacrown.apps.competition.services.common import ledger_lock
from deltacrown.apps.tournaments import api as tournaments
from deltacrown.apps.tournaments.data import TournamentStatus
from deltacrown.kernel import clock

logger = logging.getLogger("deltacrown.competition")

_FORFEITS = ("forfeit", "double_forfeit")


def placements_of(stages: list[Stage]) -> list[dict[str, int]]:
    """Final placements over every stage: the last stage's ranks first, then those who went
    out earlier by their rank there. Tied participants share a place."""
    placed: list[dict[str, int]] = []
    seen: set[int] = set()
    offset = 0
    for stage in reversed(stages):
        rows = [r for r in stage.standings.get("rows", []) if r["participant_id"] not in seen]
        previous_rank = None
        place = offset
        for index, row in enumerate(rows):
            if row["rank"] != previous_rank:
                place = offset + index + 1
                previous_rank = row["rank"]
            placed.append({"participant_id": row["participant_id"], "place": place})
            seen.add(row["participant_id"])
        offset += len(rows)
    return placed


def explanation_of(stage: Stage) -> list[dict[str, Any]]:
    """Why each participant of the last stage is ranked below the one before: the criterion
    that separated them and both values (ties are listed with ``criterion`` None)."""
    engine_stage = bridge.load(stage)
    table = engine.standings(engine_stage)
    explained: list[dict[str, Any]] = []
    for ahead, behind in zip(table.rows, table.rows[1:], strict=False):
        comparison = table.compare(ahead.participant, behind.participant)
        explained.append(
            {
                "stage_id": stage.pk,
                "ahead": int(comparison.ahead),
                "behind": int(comparison.behind),
                "criterion": comparison.criterion,
                "values": list(comparison.values) if comparison.values else None,
            }
        )
    return explained


def _path_has_forfeit(tournament_id: int, champion: int) -> bool:
    return Match.objects.filter(
        tournament_id=tournament_id,
        slots__participant_id=champion,
        outcome__in=_FORFEITS,
    ).exists()


def tournament_finish(tournament_id: int) -> bool:
    """Record the placements and complete the tournament if its last stage has finished;
    returns whether it did (False when not finished yet or already done)."""
    now = clock.now()
    with transaction.atomic():
        ledger = ledger_lock(tournament_id)
        if ledger.completed_at is not None:
            return False
        stages = list(Stage.objects.filter(tournament_id=tournament_id).order_by("index"))
        if not stages or any(s.status != StageStatus.COMPLETED for s in stages):
            return False
        placements = placements_of(stages)
        explanation = explanation_of(stages[-1])
        champion = placements[0]["participant_id"] if placements else None
        review = champion is not None and _path_has_forfeit(tournament_id, champion)
        ledger.placements = placements
        ledger.explanation = _json_ready(explanation)
        ledger.requires_review = review
        ledger.completed_at = now
        ledger.save(update_fields=["placements", "explanation", "requires_review", "completed_at"])
        by_id = {p["participant_id"]: p["place"] for p in placements}
        for participant in Participant.objects.filter(tournament_id=tournament_id):
            participant.placement = by_id.get(participant.pk)
            if participant.status in (ParticipantStatus.ACTIVE, ParticipantStatus.ELIMINATED):
                participant.status = ParticipantStatus.FINISHED
            participant.updated_at = now
            participant.save(update_fields=["placement", "status", "updated_at"])
        tournament = tournaments.tournament_get(tournament_id)
        if tournament.status is TournamentStatus.LIVE:
            tournaments.tournament_complete(
                tournament_id,
                summary={"placements": placements, "requires_review": review},
            )
    logger.info(
        "tournament placements recorded",
        extra={"tournament_id": tournament_id, "requires_review": review},
    )
    return True


def tournaments_finish_due() -> int:
    """Finish every tournament whose stages are all completed but whose completion was not
    recorded (the periodic safety net); returns how many it finished."""
    finished = 0
    pending = (
        Stage.objects.filter(status=StageStatus.COMPLETED)
        .exclude(
            tournament_id__in=CompetitionLedger.objects.filter(completed_at__isnull=False).values(
                "tournament_id"
            )
        )
        .values_list("tournament_id", flat=True)
        .distinct()
    )
    for tournament_id in list(pending)[:200]:
        if tournament_finish(tournament_id):
            finished += 1
    return finished


def _json_ready(value: Any) -> Any:
    if isinstance(value, float):
        return int(value) if value.is_integer() else round(value, 6)
    if isinstance(value, list):
        return [_json_ready(v) for v in value]
    if isinstance(value, dict):
        return {k: _json_ready(v) for k, v in value.items()}
    return value
