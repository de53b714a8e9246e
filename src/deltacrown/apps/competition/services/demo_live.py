"""Competition app, services layer: the demo tournament played on, one small step at a time.

After ``make run`` the demo's live tournament keeps moving, so a newcomer watching its stream
sees live updates at once. Each step is what its organizer and players would do next, through
the same services as real use: the live match's score moves on by a goal (by a game in a
longer series); once its final whistle has gone the home side reports the result; a result
waiting for confirmation is confirmed by the other side (a disputed one is settled by the
organizer with the first claim); with nothing being played the organizer starts the next ready
match. When the last match is decided the tournament completes and the steps stop.

Scores are drawn from a generator seeded by the match and its score sequence, so every worker
computing a step agrees on it. A step runs under the tournament's ledger lock and does nothing
when a match of the tournament changed less than ``min_gap`` ago: a step queued twice (several
task schedulers, a retried delivery) moves the tournament on once.
"""

from __future__ import annotations

import logging
import random
from datetime import timedelta
from enum import StrEnum
from typing import Any

from django.db import transaction
from django.db.models import Max, QuerySet

from deltacrown.apps.accounts import api as accounts
from deltacrown.apps.competition.data import MatchStatus, ReportStatus, StageStatus
from deltacrown.apps.competition.models import Match, Participant, ResultReport, Stage
from deltacrown.apps.competition.services.common import ledger_lock
from deltacrown.apps.competition.services.matches import match_score_update, match_start
from deltacrown.apps.competition.services.results import (
    result_confirm,
    result_override,
    result_submit,
)
from deltacrown.apps.tournaments import api as tournaments
from deltacrown.apps.tournaments.data import Actor, TournamentStatus
from deltacrown.kernel import clock
from deltacrown.kernel.errors import DomainError

logger = logging.getLogger("deltacrown.competition")

M = MatchStatus
# Goals in a demo game: a few, so a game lasts several steps without looking unlikely.
_FEWEST_GOALS = 3
_MOST_GOALS = 6


class DemoStep(StrEnum):
    """What one step of the demo did (or why it did nothing)."""

    SCORED = "scored"
    REPORTED = "reported"
    CONFIRMED = "confirmed"
    OVERRIDDEN = "overridden"
    STARTED = "started"
    #: Nothing to do now (the tournament waits for something outside the demo).
    IDLE = "idle"
    #: Another step ran less than ``min_gap`` ago.
    SKIPPED = "skipped"
    #: The tournament is not live (any more) or not organized by the demo organizer.
    FINISHED = "finished"
    #: A rule refused the step (logged); the next step tries again.
    REFUSED = "refused"


def demo_live_tournament(*, organizer_id: int, name: str) -> int | None:
    """The live tournament named ``name`` that ``organizer_id`` organizes and whose bracket is
    being played (the oldest, if there are several), or None."""
    playing = (
        Stage.objects.filter(status=StageStatus.RUNNING)
        .order_by("tournament_id")
        .values_list("tournament_id", flat=True)
        .distinct()
    )
    refs = tournaments.tournament_refs(playing)
    for tournament_id in sorted(refs):
        ref = refs[tournament_id]
        if (
            ref.organizer_id == organizer_id
            and ref.name == name
            and ref.status is TournamentStatus.LIVE
        ):
            return tournament_id
    return None


def demo_step(*, tournament_id: int, organizer_id: int, min_gap: timedelta) -> DemoStep:
    """Take the demo tournament's next step as its organizer and players (see the module).

    Does nothing unless the tournament is live and organized by ``organizer_id``. Takes the
    tournament's ledger lock first, so concurrent steps queue and the later one sees the
    earlier one's change (and skips it when it is fresher than ``min_gap``).
    """
    try:
        with transaction.atomic():
            ledger_lock(tournament_id)
            tournament = tournaments.tournament_get(tournament_id)
            if (
                tournament.status is not TournamentStatus.LIVE
                or tournament.organizer_id != organizer_id
            ):
                return DemoStep.FINISHED
            matches = Match.objects.filter(tournament_id=tournament_id)
            last_change = matches.aggregate(last=Max("updated_at"))["last"]
            if last_change is not None and clock.now() - last_change < min_gap:
                return DemoStep.SKIPPED
            step = _next_step(accounts.user_get(organizer_id), matches)
    except DomainError as exc:
        # A rule the demo did not expect (a moderation gate, a newcomer's action in between)
        # refuses this step only; the tournament is as it was and the next step looks again.
        logger.warning(
            "demo step refused", extra={"tournament_id": tournament_id, "code": exc.code}
        )
        return DemoStep.REFUSED
    logger.debug("demo step", extra={"tournament_id": tournament_id, "step": step.value})
    return step


def _next_step(organizer: Actor, matches: QuerySet[Match]) -> DemoStep:
    in_order = matches.order_by("stage__index", "position", "id")
    live = in_order.filter(status=M.LIVE).first()
    if live is not None:
        return _play_on(organizer, live)
    waiting = (
        ResultReport.objects.filter(
            match__in=matches, status__in=[ReportStatus.PENDING, ReportStatus.DISPUTED]
        )
        .order_by("created_at", "id")
        .first()
    )
    if waiting is not None:
        return _settle(organizer, waiting)
    ready = in_order.filter(status=M.READY).first()
    if ready is not None:
        match_start(actor=organizer, match_id=ready.pk)
        return DemoStep.STARTED
    return DemoStep.IDLE


def _play_on(organizer: Actor, match: Match) -> DemoStep:
    """The live match's next score update, or its result once the game (series) is over."""
    scores = [int(s) for s in match.live_scores] or [0] * match.slots.count()
    if len(scores) != 2:
        # Only one-against-one matches are scripted; anything else is left to the humans.
        return DemoStep.IDLE
    series = match.best_of > 1
    if _over(match, scores, series=series):
        home = _player(match, 0)
        claim = {"scores": scores} if series else {"games": [_final_game(match, scores)]}
        if home is None:
            result_override(actor=organizer, match_id=match.pk, data=claim)
            return DemoStep.OVERRIDDEN
        result_submit(actor=home, match_id=match.pk, data=claim)
        return DemoStep.REPORTED
    seq = match.score_seq + 1
    scorer = _rng(match.pk, seq).randrange(2)
    scores[scorer] += 1
    match_score_update(
        actor=organizer,
        match_id=match.pk,
        seq=seq,
        scores=scores,
        # In a series the score counts games won, so no single game is being scored.
        game=None if series else 1,
    )
    return DemoStep.SCORED


def _over(match: Match, scores: list[int], *, series: bool) -> bool:
    if series:
        return max(scores) > match.best_of // 2
    goals = _rng(match.pk).randint(_FEWEST_GOALS, _MOST_GOALS)
    return sum(scores) >= goals


def _final_game(match: Match, scores: list[int]) -> dict[str, Any]:
    game: dict[str, Any] = {"scores": scores}
    if scores[0] == scores[1]:
        # A drawn game is settled on penalties.
        game["winner"] = _rng(match.pk, "penalties").randrange(2)
    return game


def _settle(organizer: Actor, report: ResultReport) -> DemoStep:
    """The other side confirms a waiting result; the organizer settles a disputed one."""
    match = report.match
    if report.status == ReportStatus.DISPUTED:
        result_override(actor=organizer, match_id=match.pk, data=_as_request(report.payload))
        return DemoStep.OVERRIDDEN
    sides = match.slots.order_by("slot").values_list("participant_id", flat=True)
    other = next((p for p in sides if p is not None and p != report.participant_id), None)
    player = _player_of(other) if other is not None else None
    result_confirm(actor=player or organizer, match_id=match.pk)
    return DemoStep.CONFIRMED


def _as_request(payload: dict[str, Any]) -> dict[str, Any]:
    """A stored claim back in the form a request gives it (see ``claims.normalize``)."""
    kind = payload.get("kind")
    if kind == "winner":
        return {"winner_id": payload["winner_id"]}
    if kind == "forfeit":
        return {"forfeit_id": payload["loser_id"]}
    if kind == "double_forfeit":
        return {"double_forfeit": True}
    if kind == "lobby":
        return {"placements": payload["placements"], "kills": payload.get("kills") or []}
    return {key: value for key, value in payload.items() if key != "kind"}


def _player(match: Match, slot: int) -> Actor | None:
    """The solo player in ``slot`` of the match (None for a team or an empty slot)."""
    participant_id = match.slots.filter(slot=slot).values_list("participant_id", flat=True).first()
    return _player_of(participant_id) if participant_id is not None else None


def _player_of(participant_id: int) -> Actor | None:
    """The participant's player when it is a solo entry (None for a team)."""
    user_id = (
        Participant.objects.filter(pk=participant_id).values_list("user_id", flat=True).first()
    )
    return accounts.user_get(user_id) if user_id is not None else None


def _rng(*parts: object) -> random.Random:
    """A generator every worker seeds alike for the same match and moment of play."""
    # Not for secrets: scripted demo scores only.
    return random.Random(":".join(str(p) for p in ("demo-live", *parts)))  # noqa: S311
