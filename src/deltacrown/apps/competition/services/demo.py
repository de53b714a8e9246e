"""Competition app, services layer: the competition in progress a newcomer sees after ``make run``.

The demo tournament shown live (its past replayed by the tournaments and registrations demos up
to its start, an hour or two before seeding) is played through the same services as real use,
with the platform clock frozen at the moment each step would have happened: check-in closes at
the start, the organizer draws the bracket a few minutes later and starts the matches, the home
side reports each result game by game and the away side confirms it. The winners bracket's
first two rounds and the first losers match are over; one match is being played, with a live
score; in another the result has just been reported and waits for the opponent (it confirms
itself after the usual delay, as any result does); the winners final is ready and scheduled,
and the rest of the bracket waits for its players.

Only a tournament the demo has just taken live is played: live, no stage yet, and check-in
still open. Check-in closes on the commit of whatever took a tournament live (the registrations
app reacts to ``tournament.live``), so a tournament that went live earlier, by the scheduler or
an organizer, has it closed and is left alone, as is one whose bracket exists.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count

from deltacrown.apps.accounts import api as accounts
from deltacrown.apps.competition.models import Match, Participant, Stage
from deltacrown.apps.competition.services.generation import stage_generate
from deltacrown.apps.competition.services.matches import (
    match_score_update,
    match_start,
    matches_schedule,
)
from deltacrown.apps.competition.services.results import result_confirm, result_submit
from deltacrown.apps.registrations import api as registrations
from deltacrown.apps.tournaments import api as tournaments
from deltacrown.apps.tournaments.data import Actor, TournamentStatus
from deltacrown.kernel import clock
from deltacrown.kernel.errors import DomainError

logger = logging.getLogger("deltacrown.competition")

# When the organizer draws the bracket, after the start (and the close of check-in).
_DRAW_AFTER_START = timedelta(minutes=2)
# How long an eFootball game takes, from kick-off to the reported score, and how long the
# opponent takes to confirm it.
_GAME_LENGTH = timedelta(minutes=14)
_CONFIRM_DELAY = timedelta(minutes=2)


@dataclass(frozen=True)
class _Played:
    """A match played to the end: kick-off after the start, and the goals of its one game;
    ``shootout`` names the slot that won a drawn game on penalties."""

    key: str
    kick_off: timedelta
    goals: tuple[int, int]
    shootout: int | None = None


# Winners round 1, then winners round 2 and the first losers match.
_PLAYED: tuple[_Played, ...] = (
    _Played("W1.1", timedelta(minutes=5), (3, 1)),
    _Played("W1.2", timedelta(minutes=5), (2, 2), shootout=1),
    _Played("W1.3", timedelta(minutes=5), (0, 2)),
    _Played("W1.4", timedelta(minutes=5), (4, 3)),
    _Played("W2.1", timedelta(minutes=25), (1, 0)),
    _Played("W2.2", timedelta(minutes=25), (2, 1)),
    _Played("L1.1", timedelta(minutes=25), (2, 3)),
)
# Played before seeding (kick-off this long before it); the home side reports the result as
# the demo is seeded.
_REPORTED_KEY = "L1.2"
_REPORTED_KICK_OFF = timedelta(minutes=20)
_REPORTED_GOALS = (2, 0)
# Kicked off before seeding and being played now: its live score so far, one update a few
# minutes apart.
_LIVE_KEY = "L2.1"
_LIVE_KICK_OFF = timedelta(minutes=12)
_LIVE_SCORES: tuple[tuple[int, int], ...] = ((1, 0), (1, 1))
# The winners final, ready to be played next: its kick-off after seeding.
_NEXT_KEY = "W3.1"
_NEXT_KICK_OFF = timedelta(minutes=20)


def _games(goals: tuple[int, int], shootout: int | None) -> dict[str, Any]:
    game: dict[str, Any] = {"scores": list(goals)}
    if shootout is not None:
        game["winner"] = shootout
    return {"games": [game]}


def _side(match: Match, slot: int) -> Actor:
    """The player acting for the match's side in ``slot``."""
    participant_id = match.slots.get(slot=slot).participant_id
    return accounts.user_get(Participant.objects.get(pk=participant_id).user_id)


def _match(stage: Stage, key: str) -> Match:
    return Match.objects.get(stage=stage, key=key)


def _play(organizer: Actor, stage: Stage, starts_at: datetime) -> None:
    """Play the demo's matches at the times they would have been played."""
    now = clock.now().replace(second=0, microsecond=0)
    kick_offs = [(_match(stage, p.key).pk, starts_at + p.kick_off) for p in _PLAYED]
    kick_offs += [
        (_match(stage, _REPORTED_KEY).pk, now - _REPORTED_KICK_OFF),
        (_match(stage, _LIVE_KEY).pk, now - _LIVE_KICK_OFF),
        (_match(stage, _NEXT_KEY).pk, _rounded(now + _NEXT_KICK_OFF)),
    ]
    with clock.frozen(starts_at + _DRAW_AFTER_START):
        matches_schedule(actor=organizer, tournament_id=stage.tournament_id, items=kick_offs)
    for played in _PLAYED:
        match = _match(stage, played.key)
        with clock.frozen(starts_at + played.kick_off) as moment:
            match_start(actor=organizer, match_id=match.pk)
            moment.advance(_GAME_LENGTH)
            result_submit(
                actor=_side(match, 0),
                match_id=match.pk,
                data=_games(played.goals, played.shootout),
            )
            moment.advance(_CONFIRM_DELAY)
            result_confirm(actor=_side(match, 1), match_id=match.pk)

    reported = _match(stage, _REPORTED_KEY)
    with clock.frozen(now - _REPORTED_KICK_OFF):
        match_start(actor=organizer, match_id=reported.pk)
    # Reported at the real time of seeding, so it waits the full confirmation delay.
    result_submit(
        actor=_side(reported, 0), match_id=reported.pk, data=_games(_REPORTED_GOALS, None)
    )

    live = _match(stage, _LIVE_KEY)
    with clock.frozen(now - _LIVE_KICK_OFF) as moment:
        match_start(actor=organizer, match_id=live.pk)
        step = _LIVE_KICK_OFF / (len(_LIVE_SCORES) + 1)
        for seq, scores in enumerate(_LIVE_SCORES, start=1):
            moment.advance(step)
            match_score_update(
                actor=organizer, match_id=live.pk, seq=seq, scores=list(scores), game=1
            )


def _rounded(moment: datetime) -> datetime:
    """``moment`` rounded up to the next five minutes, as kick-off times are announced."""
    extra = -moment.minute % 5 or 5
    return moment.replace(second=0, microsecond=0) + timedelta(minutes=extra)


def _just_taken_live(tournament_id: int, starts_at: datetime) -> bool:
    """Whether the tournament's check-in was still open (it closes here, at the start, as it
    would have when the tournament went live): the sign of a start the demo replayed."""
    with clock.frozen(starts_at):
        closure = registrations.checkin_close(tournament_id)
    return closure is not None and not closure.already_closed


def demo_seed(*, tournament_ids: Sequence[int]) -> dict[str, int]:
    """Play the demo tournament just taken live among ``tournament_ids`` part of the way (see
    the module); leave every other one alone. Returns the demo tournaments' matches by state.
    Idempotent."""
    for tournament_id in tournament_ids:
        tournament = tournaments.tournament_get(tournament_id)
        if tournament.status is not TournamentStatus.LIVE:
            continue
        if Stage.objects.filter(tournament_id=tournament_id).exists():
            continue
        if not _just_taken_live(tournament_id, tournament.starts_at):
            continue
        organizer = accounts.user_get(tournament.organizer_id)
        try:
            with transaction.atomic():
                with clock.frozen(tournament.starts_at + _DRAW_AFTER_START):
                    stage = stage_generate(actor=organizer, tournament_id=tournament_id)
                _play(organizer, stage, tournament.starts_at)
        except DomainError as exc:
            # A rule the demo did not expect (a moderation gate, a changed plan) stops this
            # tournament's play, not the rest of the demo; it stays live with no bracket.
            logger.warning(
                "demo competition skipped",
                extra={"tournament_id": tournament_id, "code": exc.code},
            )
    rows = (
        Match.objects.filter(tournament_id__in=tournament_ids)
        .order_by()
        .values_list("status")
        .annotate(count=Count("pk"))
    )
    return dict(rows)
