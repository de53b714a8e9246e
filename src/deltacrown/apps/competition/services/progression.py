"""Competition app, services layer: applying results and withdrawals through the engine.

``apply_claim`` is the one place a match gets a result: it loads the stage's engine state,
records the result (or the correction) with ``deltacrown.engine.report``, stores what changed
(``bridge.store``), keeps the games played, locks the stage's draw, and when the stage finishes
builds the next stage or, after the last one, has the tournament's placements recorded.
``participant_withdraw`` drops or disqualifies a participant through ``engine.withdraw``.

Callers hold the tournament's ledger lock (``common.ledger_lock``).
"""

from __future__ import annotations

import logging
from datetime import datetime
from functools import partial
from typing import Any

from django.db import transaction

from deltacrown import engine
from deltacrown.apps.competition import errors
from deltacrown.apps.competition.data import (
    PARTICIPANT_WITHDRAWN,
    STAGE_COMPLETED,
    MatchStatus,
    ParticipantStatus,
    StageStatus,
)
from deltacrown.apps.competition.models import Match, MatchGame, Participant, Stage
from deltacrown.apps.competition.services import bridge, claims
from deltacrown.apps.competition.services.common import (
    actor_id,
    ledger_lock,
    record,
    require_organizer,
)
from deltacrown.apps.competition.services.generation import default_best_of, next_stage_generate
from deltacrown.apps.tournaments.data import Actor
from deltacrown.kernel import clock
from deltacrown.kernel.errors import ValidationFailed, field_error

logger = logging.getLogger("deltacrown.competition")


def lock_draw(stage: Stage, now: datetime) -> None:
    """A match of the stage is being played: from now on its draw cannot be regenerated."""
    if stage.status == StageStatus.GENERATED:
        stage.status = StageStatus.RUNNING
        stage.locked_at = now
        stage.save(update_fields=["status", "locked_at"])


def slot_ids(match: Match) -> list[int | None]:
    """The participant of each slot of the match."""
    return [slot.participant_id for slot in match.slots.all().order_by("slot")]


def decode(match: Match, claim: dict[str, Any]) -> claims.Decoded:
    """The engine result of ``claim`` for ``match`` (422 ``invalid_result`` if it does not
    fit)."""
    return claims.to_engine(
        claim,
        participants=slot_ids(match),
        best_of=match.best_of,
        lobby=match.group == "lobby",
    )


def apply_claim(
    match: Match,
    claim: dict[str, Any],
    *,
    actor: int | None,
    now: datetime,
    status: MatchStatus | None = None,
) -> bridge.Applied:
    """Record ``claim`` as the result of ``match`` (a correction if it has one) and store every
    consequence. ``status`` forces the match's platform state (``cancelled`` for an organizer's
    cancellation). 409 ``correction_blocked`` when a match downstream was already played."""
    decoded = decode(match, claim)
    stage = Stage.objects.get(pk=match.stage_id)
    later = Stage.objects.filter(tournament_id=stage.tournament_id, index__gt=stage.index).exclude(
        status=StageStatus.PENDING
    )
    if later.exists():
        raise errors.CorrectionBlocked(
            "The next stage was built from this stage's results; it can no longer change.",
            blocked_by=[],
        )
    current = bridge.load(stage)
    try:
        update = engine.report(current, match.key, decoded.result)
    except engine.CorrectionBlocked as exc:
        raise errors.CorrectionBlocked(
            "A match after this one has been played; correct that one first.",
            blocked_by=_blocked_ids(stage, exc),
        ) from None
    except engine.MatchNotReady:
        raise errors.InvalidMatchTransition(
            "Both sides of this match are not known yet.",
            state=match.status,
            allowed=[],
        ) from None
    except (engine.DrawNotAllowed, engine.InvalidResult, engine.ParticipantNotInMatch) as exc:
        raise errors.InvalidResult(
            exc.detail, errors=[field_error("result", exc.code, exc.detail)]
        ) from None
    overrides = {match.key: status} if status is not None else {match.key: _decided(decoded)}
    applied = bridge.store(
        stage,
        update,
        default_best_of=default_best_of(match.tournament_id),
        now=now,
        actor=actor,
        overrides=overrides,
    )
    MatchGame.objects.filter(match=match).delete()
    MatchGame.objects.bulk_create(
        [
            MatchGame(
                match=match,
                number=index + 1,
                scores=game.get("scores", []),
                winner_slot=game.get("winner"),
                placements=game.get("placements", []),
                kills=game.get("kills", []),
            )
            for index, game in enumerate(decoded.games)
        ]
    )
    lock_draw(stage, now)
    if applied.finished:
        stage_finish(stage, now=now, actor=actor)
    else:
        stage_reopen(stage)
    return applied


def _decided(decoded: claims.Decoded) -> MatchStatus:
    result = decoded.result
    if isinstance(result, engine.Result) and result.outcome in (
        engine.Outcome.FORFEIT,
        engine.Outcome.DOUBLE_FORFEIT,
    ):
        return MatchStatus.FORFEIT
    return MatchStatus.COMPLETED


def _blocked_ids(stage: Stage, exc: engine.EngineError) -> list[int]:
    keys = exc.data.get("match") or []
    if isinstance(keys, str):
        keys = [keys]
    return list(Match.objects.filter(stage=stage, key__in=list(keys)).values_list("pk", flat=True))


def stage_finish(stage: Stage, *, now: datetime, actor: int | None) -> None:
    """The stage's last match is decided: mark it, then build the next stage or, after the
    last one, record the tournament's placements once this transaction commits."""
    if stage.status != StageStatus.COMPLETED:
        stage.status = StageStatus.COMPLETED
        stage.completed_at = now
        stage.save(update_fields=["status", "completed_at"])
        record(
            stage.tournament_id,
            STAGE_COMPLETED,
            {"stage_id": stage.pk, "index": stage.index},
            actor=actor,
            audited=False,
        )
    next_stage_generate(stage, now=now, actor=actor)
    unfinished = Stage.objects.filter(tournament_id=stage.tournament_id).exclude(
        status=StageStatus.COMPLETED
    )
    if not unfinished.exists():
        # Completing the tournament takes the tournament's row lock and publishes on its
        # stream: done in its own transaction after this one, so the lock order (tournament
        # row before stream head) is the one the tournaments app uses.
        from deltacrown.apps.competition.services.completion import tournament_finish

        transaction.on_commit(partial(tournament_finish, stage.tournament_id), robust=True)


def stage_reopen(stage: Stage) -> None:
    """A correction made a finished stage undecided again."""
    if stage.status == StageStatus.COMPLETED:
        stage.status = StageStatus.RUNNING
        stage.completed_at = None
        stage.save(update_fields=["status", "completed_at"])


# --- withdrawals and disqualifications --------------------------------------------------------


def participant_withdraw(
    *,
    actor: Actor,
    tournament_id: int,
    participant_id: int,
    disqualify: bool = False,
    reason: str = "",
) -> Participant:
    """Drop (or disqualify) a participant after the start (organizers).

    Through the engine: their playable matches are forfeited now and later ones as they come
    up, Swiss and lobbies skip them, and the standings say why (a disqualified participant is
    ranked last). 409 ``participant_already_withdrawn`` when there is nothing more to do.
    """
    who = actor_id(actor)
    require_organizer(actor, tournament_id)
    now = clock.now()
    with transaction.atomic():
        ledger_lock(tournament_id)
        participant = withdraw_locked(
            tournament_id=tournament_id,
            participant_id=participant_id,
            disqualify=disqualify,
            reason=reason,
            actor=who,
            now=now,
        )
    return participant


def withdraw_locked(
    *,
    tournament_id: int,
    participant_id: int,
    disqualify: bool,
    reason: str,
    actor: int | None,
    now: datetime,
) -> Participant:
    """``participant_withdraw`` for a caller that holds the ledger lock (dispute resolution)."""
    if len(reason) > 64:
        raise ValidationFailed(
            errors=[field_error("reason", "too_long", "A reason code is at most 64 characters.")]
        )
    participant = (
        Participant.objects.select_for_update()
        .filter(pk=participant_id, tournament_id=tournament_id)
        .first()
    )
    if participant is None:
        raise errors.ParticipantNotFound("No such participant in this tournament.")
    target = ParticipantStatus.DISQUALIFIED if disqualify else ParticipantStatus.WITHDRAWN
    current = ParticipantStatus(participant.status)
    if current is ParticipantStatus.DISQUALIFIED or (
        current is ParticipantStatus.WITHDRAWN and not disqualify
    ):
        raise errors.AlreadyWithdrawn(
            f"The participant is already {current.value}.", status=current.value
        )
    stage = (
        Stage.objects.filter(
            tournament_id=tournament_id,
            status__in=[StageStatus.GENERATED, StageStatus.RUNNING],
        )
        .order_by("index")
        .first()
    )
    if stage is not None:
        current_stage = bridge.load(stage)
        if bridge.pid(participant.pk) in current_stage.participants:
            update = engine.withdraw(
                current_stage, bridge.pid(participant.pk), disqualified=disqualify
            )
            applied = bridge.store(
                stage,
                update,
                default_best_of=default_best_of(tournament_id),
                now=now,
                actor=actor,
            )
            lock_draw(stage, now)
            if applied.finished:
                stage_finish(stage, now=now, actor=actor)
    participant.status = target
    participant.status_reason = reason
    participant.updated_at = now
    participant.save(update_fields=["status", "status_reason", "updated_at"])
    record(
        tournament_id,
        PARTICIPANT_WITHDRAWN,
        {
            "participant_id": participant.pk,
            "disqualified": disqualify,
            "stage_id": stage.pk if stage else None,
        },
        actor=actor,
    )
    logger.info(
        "participant withdrawn",
        extra={"tournament_id": tournament_id, "participant_id": participant.pk},
    )
    return participant
