"""Competition app, services layer: the demo's competitions, played as they would have been.

Each demo tournament the tournaments demo has just taken live (its past replayed up to its
start by the tournaments and registrations demos) is played through the same services as real
use, with the platform clock frozen at the moment each step would have happened: check-in
closes at the start, the organizer draws the bracket a few minutes later, announces the
kick-offs and starts each match; the home side (a team's captain) reports each result and the
other side confirms it. The script follows the format of the tournament's first stage:

- double elimination, the cup shown live: the winners bracket's first two rounds and the first
  losers match are over; one match is being played, with a live score; in another the result
  has just been reported and waits for the opponent (it confirms itself after the usual delay,
  as any result does); the winners final is ready and scheduled, the rest waits for its players.
- round robin, the league played two days ago: every match, a few draws among them, one round
  every twenty minutes; the leader clinches the title with a draw on the last matchday.
- battle royale, played yesterday: four matches in one lobby, each reported with its finishing
  order and kills by the winning squad and confirmed by the runner-up.
- Swiss, being played now: two rounds are over, and of the third two matches are over, one is
  being played with a live score and one kicks off shortly after seeding.

The league and the battle royale are over: their placements are recorded and they complete at
the moment of their last confirmation, as they would have then.

Only a tournament the demo has just taken live is played: live, no stage yet, and check-in
still open. Check-in closes on the commit of whatever took a tournament live (the registrations
app reacts to ``tournament.live``), so a tournament that went live earlier, by the scheduler or
an organizer, has it closed and is left alone, as is one whose bracket exists, and one whose
entrants are not those of its script (a demo account changed by hand): it stays live without
a bracket.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count

from deltacrown.apps.accounts import api as accounts
from deltacrown.apps.competition.models import Match, Participant, Stage
from deltacrown.apps.competition.services.completion import tournament_finish
from deltacrown.apps.competition.services.generation import stage_generate
from deltacrown.apps.competition.services.matches import (
    match_score_update,
    match_start,
    matches_schedule,
)
from deltacrown.apps.competition.services.results import result_confirm, result_submit
from deltacrown.apps.registrations import api as registrations
from deltacrown.apps.teams import api as teams
from deltacrown.apps.tournaments import api as tournaments
from deltacrown.apps.tournaments.data import Actor, TournamentStatus
from deltacrown.kernel import clock
from deltacrown.kernel.errors import DomainError

logger = logging.getLogger("deltacrown.competition")

# When the organizer draws the bracket, after the start (and the close of check-in).
_DRAW_AFTER_START = timedelta(minutes=2)
# How long an eFootball or EA FC game takes, from kick-off to the reported score, and how long
# the opponent takes to confirm it.
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


# --- the cup shown live: double elimination ---------------------------------------------------

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

# --- the league: round robin, six players ------------------------------------------------------

# One matchday every twenty minutes, the first a few minutes after the start.
_LEAGUE_FIRST_KICK_OFF = timedelta(minutes=5)
_LEAGUE_MATCHDAY_GAP = timedelta(minutes=20)
# The goals (home, away) of every match. The first seed leads from the first matchday and
# clinches the title with a draw against the third on the last one.
_LEAGUE_GOALS: dict[str, tuple[int, int]] = {
    "R1.1": (3, 1),
    "R1.2": (2, 2),
    "R1.3": (1, 0),
    "R2.1": (1, 2),
    "R2.2": (2, 3),
    "R2.3": (2, 1),
    "R3.1": (1, 1),
    "R3.2": (0, 2),
    "R3.3": (1, 4),
    "R4.1": (2, 3),
    "R4.2": (2, 0),
    "R4.3": (2, 2),
    "R5.1": (2, 2),
    "R5.2": (4, 1),
    "R5.3": (1, 2),
}

# --- the battle royale: eight squads, one lobby, four matches ----------------------------------

_LOBBY_FIRST_KICK_OFF = timedelta(minutes=10)
_LOBBY_GAP = timedelta(minutes=30)
# From the drop to the last squad standing, and until another captain confirms the result.
_LOBBY_LENGTH = timedelta(minutes=22)
_LOBBY_CONFIRM_DELAY = timedelta(minutes=3)
# Each match: the finishing order as seats of the lobby (its sides, best seed first), and the
# kills of each squad in that order. Thirty-two players: at most thirty-one kills a match.
_LOBBY_RESULTS: tuple[tuple[tuple[int, ...], tuple[int, ...]], ...] = (
    ((2, 0, 5, 1, 7, 3, 6, 4), (8, 5, 6, 3, 2, 1, 1, 0)),
    ((0, 3, 2, 5, 1, 4, 7, 6), (10, 4, 5, 2, 3, 1, 0, 1)),
    ((5, 2, 0, 4, 3, 1, 6, 7), (7, 6, 4, 3, 3, 2, 1, 0)),
    ((1, 0, 4, 2, 6, 5, 3, 7), (9, 7, 3, 4, 2, 2, 1, 1)),
)

# --- the Swiss stage: eight duos, three rounds, the third being played -------------------------

# Kick-offs are announced this long before.
_ANNOUNCED_BEFORE = timedelta(minutes=10)
# A wingman match, first to nine rounds: about half an hour with the pauses.
_WINGMAN_LENGTH = timedelta(minutes=25)
# Round 1 after the start; round 2 and the current round this long before seeding (on the
# five minutes), after a break.
_SWISS_FIRST_KICK_OFF = timedelta(minutes=15)
_SWISS_SECOND_KICK_OFF = timedelta(minutes=85)
_SWISS_CURRENT_KICK_OFF = timedelta(minutes=30)
# The scores (rounds won) of the matches of the rounds played, by match number.
_SWISS_PLAYED: tuple[tuple[tuple[int, int], ...], ...] = (
    ((9, 4), (6, 9), (9, 7), (9, 2)),
    ((9, 5), (3, 9), (11, 9), (7, 9)),
)
# The current round: the matches over (number: score), the one being played (its number and
# its score after each update so far) and the one kicking off after seeding.
_SWISS_CURRENT_PLAYED: dict[int, tuple[int, int]] = {2: (9, 7), 4: (4, 9)}
_SWISS_LIVE_NUMBER = 1
_SWISS_LIVE_SCORES: tuple[tuple[int, int], ...] = ((2, 1), (3, 3), (5, 4), (6, 5))
_SWISS_NEXT_NUMBER = 3
_SWISS_NEXT_KICK_OFF = timedelta(minutes=15)


def _games(goals: tuple[int, int], shootout: int | None = None) -> dict[str, Any]:
    game: dict[str, Any] = {"scores": list(goals)}
    if shootout is not None:
        game["winner"] = shootout
    return {"games": [game]}


def _actor(participant_id: int) -> Actor:
    """The player acting for the participant: the solo player, or the team's captain."""
    participant = Participant.objects.get(pk=participant_id)
    if participant.team_id is not None:
        return accounts.user_get(teams.team_get(participant.team_id).captain_id)
    return accounts.user_get(participant.user_id)


def _sides(match: Match) -> list[int]:
    """The participant of each side of the match, in slot order."""
    return list(match.slots.order_by("slot").values_list("participant_id", flat=True))


def _side(match: Match, slot: int) -> Actor:
    """The player acting for the match's side in ``slot``."""
    return _actor(match.slots.get(slot=slot).participant_id)


def _match(stage: Stage, key: str) -> Match:
    return Match.objects.get(stage=stage, key=key)


def _in_order(stage: Stage, *, round_number: int | None = None) -> list[Match]:
    """The stage's matches (of one round) by round and number."""
    matches = Match.objects.filter(stage=stage)
    if round_number is not None:
        matches = matches.filter(round_number=round_number)
    return list(matches.order_by("round_number", "number"))


def _announce(organizer: Actor, stage: Stage, at: datetime, kick_offs: dict[int, datetime]) -> None:
    """The organizer announces the kick-off of each match (by id) at ``at``."""
    with clock.frozen(at):
        matches_schedule(
            actor=organizer, tournament_id=stage.tournament_id, items=list(kick_offs.items())
        )


def _play_out(
    organizer: Actor,
    match: Match,
    kick_off: datetime,
    result: dict[str, Any],
    *,
    length: timedelta,
    confirm_after: timedelta,
    reporter: Actor | None = None,
    confirmer: Actor | None = None,
) -> datetime:
    """Play ``match`` from ``kick_off``: started by the organizer, ``result`` reported by
    ``reporter`` (the home side) after ``length`` and confirmed by ``confirmer`` (the away
    side) after ``confirm_after``. Returns the moment of the confirmation."""
    with clock.frozen(kick_off) as moment:
        match_start(actor=organizer, match_id=match.pk)
        moment.advance(length)
        result_submit(actor=reporter or _side(match, 0), match_id=match.pk, data=result)
        moment.advance(confirm_after)
        result_confirm(actor=confirmer or _side(match, 1), match_id=match.pk)
        return moment.at


def _play_live(
    organizer: Actor,
    match: Match,
    kick_off: datetime,
    scores: Sequence[tuple[int, int]],
    *,
    until: datetime,
) -> None:
    """Start ``match`` at ``kick_off`` and post its live ``scores``, evenly spread until
    ``until`` (the seeding)."""
    with clock.frozen(kick_off) as moment:
        match_start(actor=organizer, match_id=match.pk)
        step = (until - kick_off) / (len(scores) + 1)
        for seq, score in enumerate(scores, start=1):
            moment.advance(step)
            match_score_update(
                actor=organizer, match_id=match.pk, seq=seq, scores=list(score), game=1
            )


def _finish(tournament_id: int, at: datetime) -> None:
    """Record the placements and complete the tournament at ``at``, its last confirmation.

    The last result has this done after its transaction commits, which for the demo would be
    at the real time of seeding (and never inside a test's transaction); done now, it happens
    when it would have, and the later run finds it done.
    """
    with clock.frozen(at):
        tournament_finish(tournament_id)


def _play_cup(organizer: Actor, stage: Stage, starts_at: datetime) -> None:
    """Play the cup shown live up to now (see the module)."""
    now = clock.now().replace(second=0, microsecond=0)
    kick_offs = {_match(stage, p.key).pk: starts_at + p.kick_off for p in _PLAYED}
    kick_offs |= {
        _match(stage, _REPORTED_KEY).pk: now - _REPORTED_KICK_OFF,
        _match(stage, _LIVE_KEY).pk: now - _LIVE_KICK_OFF,
        _match(stage, _NEXT_KEY).pk: _rounded(now + _NEXT_KICK_OFF),
    }
    _announce(organizer, stage, starts_at + _DRAW_AFTER_START, kick_offs)
    for played in _PLAYED:
        _play_out(
            organizer,
            _match(stage, played.key),
            starts_at + played.kick_off,
            _games(played.goals, played.shootout),
            length=_GAME_LENGTH,
            confirm_after=_CONFIRM_DELAY,
        )

    reported = _match(stage, _REPORTED_KEY)
    with clock.frozen(now - _REPORTED_KICK_OFF):
        match_start(actor=organizer, match_id=reported.pk)
    # Reported at the real time of seeding, so it waits the full confirmation delay.
    result_submit(actor=_side(reported, 0), match_id=reported.pk, data=_games(_REPORTED_GOALS))

    _play_live(organizer, _match(stage, _LIVE_KEY), now - _LIVE_KICK_OFF, _LIVE_SCORES, until=now)


def _play_league(organizer: Actor, stage: Stage, starts_at: datetime) -> None:
    """Play every match of the league, matchday by matchday, and complete it."""
    matches = _in_order(stage)
    kick_offs = {
        m.pk: starts_at + _LEAGUE_FIRST_KICK_OFF + (m.round_number - 1) * _LEAGUE_MATCHDAY_GAP
        for m in matches
    }
    _announce(organizer, stage, starts_at + _DRAW_AFTER_START, kick_offs)
    last = starts_at
    for match in matches:
        last = _play_out(
            organizer,
            match,
            kick_offs[match.pk],
            _games(_LEAGUE_GOALS[match.key]),
            length=_GAME_LENGTH,
            confirm_after=_CONFIRM_DELAY,
        )
    _finish(stage.tournament_id, last)


def _play_lobbies(organizer: Actor, stage: Stage, starts_at: datetime) -> None:
    """Play the battle royale's lobbies one after the other, and complete it."""
    lobbies = _in_order(stage)
    kick_offs = {
        lobby.pk: starts_at + _LOBBY_FIRST_KICK_OFF + index * _LOBBY_GAP
        for index, lobby in enumerate(lobbies)
    }
    _announce(organizer, stage, starts_at + _DRAW_AFTER_START, kick_offs)
    last = starts_at
    for lobby, (order, kills) in zip(lobbies, _LOBBY_RESULTS, strict=True):
        seats = _sides(lobby)
        placements = [seats[seat] for seat in order]
        last = _play_out(
            organizer,
            lobby,
            kick_offs[lobby.pk],
            {"placements": placements, "kills": list(kills)},
            length=_LOBBY_LENGTH,
            confirm_after=_LOBBY_CONFIRM_DELAY,
            reporter=_actor(placements[0]),
            confirmer=_actor(placements[1]),
        )
    _finish(stage.tournament_id, last)


def _play_swiss(organizer: Actor, stage: Stage, starts_at: datetime) -> None:
    """Play the Swiss stage's first rounds and part of the current one (see the module).

    Each round is paired by the engine once the one before is decided, so its matches are
    announced and played only then.
    """
    now = clock.now().replace(second=0, microsecond=0)
    kick_offs = (starts_at + _SWISS_FIRST_KICK_OFF, _on_the_five(now - _SWISS_SECOND_KICK_OFF))
    for number, (scores, kick_off) in enumerate(
        zip(_SWISS_PLAYED, kick_offs, strict=True), start=1
    ):
        matches = _in_order(stage, round_number=number)
        _announce(
            organizer,
            stage,
            kick_off - _ANNOUNCED_BEFORE,
            dict.fromkeys((m.pk for m in matches), kick_off),
        )
        for match, score in zip(matches, scores, strict=True):
            _play_out(
                organizer,
                match,
                kick_off,
                _games(score),
                length=_WINGMAN_LENGTH,
                confirm_after=_CONFIRM_DELAY,
            )

    current = {m.number: m for m in _in_order(stage, round_number=len(_SWISS_PLAYED) + 1)}
    kick_off = _on_the_five(now - _SWISS_CURRENT_KICK_OFF)
    announced = {m.pk: kick_off for m in current.values()}
    announced[current[_SWISS_NEXT_NUMBER].pk] = _rounded(now + _SWISS_NEXT_KICK_OFF)
    _announce(organizer, stage, kick_off - _ANNOUNCED_BEFORE, announced)
    for number, score in _SWISS_CURRENT_PLAYED.items():
        _play_out(
            organizer,
            current[number],
            kick_off,
            _games(score),
            length=_WINGMAN_LENGTH,
            confirm_after=_CONFIRM_DELAY,
        )
    _play_live(organizer, current[_SWISS_LIVE_NUMBER], kick_off, _SWISS_LIVE_SCORES, until=now)


#: How each format is played, and by how many entrants (the script's shape).
_SCRIPTS: dict[str, tuple[Callable[[Actor, Stage, datetime], None], int]] = {
    "double_elimination": (_play_cup, 8),
    "round_robin": (_play_league, 6),
    "battle_royale": (_play_lobbies, 8),
    "swiss": (_play_swiss, 8),
}


def _rounded(moment: datetime) -> datetime:
    """``moment`` rounded up to the next five minutes, as kick-off times are announced."""
    extra = -moment.minute % 5 or 5
    return moment.replace(second=0, microsecond=0) + timedelta(minutes=extra)


def _on_the_five(moment: datetime) -> datetime:
    """``moment`` rounded down to five minutes, as kick-off times are announced."""
    return moment.replace(minute=moment.minute - moment.minute % 5, second=0, microsecond=0)


def _just_taken_live(tournament_id: int, starts_at: datetime) -> bool:
    """Whether the tournament's check-in was still open (it closes here, at the start, as it
    would have when the tournament went live): the sign of a start the demo replayed."""
    with clock.frozen(starts_at):
        closure = registrations.checkin_close(tournament_id)
    return closure is not None and not closure.already_closed


def demo_seed(*, tournament_ids: Sequence[int]) -> dict[str, int]:
    """Play each demo tournament just taken live among ``tournament_ids`` as far as its
    script goes (see the module); leave every other one alone. Returns the demo tournaments'
    matches by state. Idempotent."""
    for tournament_id in tournament_ids:
        tournament = tournaments.tournament_get(tournament_id)
        if tournament.status is not TournamentStatus.LIVE:
            continue
        if Stage.objects.filter(tournament_id=tournament_id).exists():
            continue
        script = _SCRIPTS.get(tournaments.stage_plan(tournament_id)[0]["format"])
        if script is None:
            continue
        play, entrants = script
        if not _just_taken_live(tournament_id, tournament.starts_at):
            continue
        checked_in = len(registrations.checked_in_participants(tournament_id))
        if checked_in != entrants:
            logger.warning(
                "demo competition skipped",
                extra={"tournament_id": tournament_id, "participants": checked_in},
            )
            continue
        organizer = accounts.user_get(tournament.organizer_id)
        try:
            with transaction.atomic():
                with clock.frozen(tournament.starts_at + _DRAW_AFTER_START):
                    stage = stage_generate(actor=organizer, tournament_id=tournament_id)
                play(organizer, stage, tournament.starts_at)
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
