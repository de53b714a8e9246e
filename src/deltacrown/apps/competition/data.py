"""Competition app, data layer: the enums, value objects and event names other apps may use.

No Django import here: these types cross app boundaries (``api`` returns them) and are safe to
use in tasks, WebSocket consumers and the web pages alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

#: The object type of matches in the kernel's permission registry. Roles: ``organizer`` and
#: ``moderator`` (the tournament's staff; the match coordinator counts as a moderator of the
#: match), ``captain`` (the registrant of a solo entry, the captain of a team in the match),
#: ``player`` (everyone entered on a side of the match).
MATCH_OBJECT_TYPE = "match"

#: How long a submitted result waits for the other side before it confirms itself.
DEFAULT_AUTO_CONFIRM = timedelta(minutes=15)
#: The most matches one bulk schedule may name.
BULK_SCHEDULE_MAX = 500
#: Longest free texts.
REASON_MAX_LENGTH = 1000
COMMENT_MAX_LENGTH = 4000
#: Per-game scores above this are refused as typos (no map, round count or goal tally is higher).
SCORE_MAX = 999


class StageStatus(StrEnum):
    """Where a stage of the tournament's plan stands.

    ``pending``: not generated yet (a later stage waits for the earlier one). ``generated``:
    the bracket exists and may still be regenerated (no match has started). ``running``: a
    match has started; the draw is locked. ``completed``: every match is decided.
    """

    PENDING = "pending"
    GENERATED = "generated"
    RUNNING = "running"
    COMPLETED = "completed"


class MatchStatus(StrEnum):
    """Where a match stands (the platform's view; the engine keeps its own).

    ``scheduled``: a side is not known yet. ``ready``: both sides are known. ``live``: started.
    ``pending_result``: a result was submitted and waits for the other side. ``completed``:
    decided (also a bye, where one side advances without playing). ``disputed``: a side
    contests the submitted result. ``forfeit``: decided by forfeit (one side or both).
    ``cancelled``: will not be played (an organizer cancelled it, or nobody is left to play it).
    """

    SCHEDULED = "scheduled"
    READY = "ready"
    LIVE = "live"
    PENDING_RESULT = "pending_result"
    COMPLETED = "completed"
    DISPUTED = "disputed"
    FORFEIT = "forfeit"
    CANCELLED = "cancelled"


#: States in which the match is decided (the engine holds its result).
DECIDED_STATUSES: frozenset[MatchStatus] = frozenset(
    {MatchStatus.COMPLETED, MatchStatus.FORFEIT, MatchStatus.CANCELLED}
)
#: States in which the match can be played or reported.
OPEN_STATUSES: frozenset[MatchStatus] = frozenset(
    {MatchStatus.READY, MatchStatus.LIVE, MatchStatus.PENDING_RESULT, MatchStatus.DISPUTED}
)

#: The moves each state allows (409 ``invalid_match_transition`` lists them otherwise).
#: ``scheduled → ready`` and the moves back to ``scheduled`` happen as the bracket fills or a
#: correction empties a slot; the others are actions.
MATCH_TRANSITIONS: dict[MatchStatus, frozenset[MatchStatus]] = {
    MatchStatus.SCHEDULED: frozenset({MatchStatus.READY, MatchStatus.CANCELLED}),
    MatchStatus.READY: frozenset(
        {
            MatchStatus.SCHEDULED,
            MatchStatus.LIVE,
            MatchStatus.PENDING_RESULT,
            MatchStatus.COMPLETED,
            MatchStatus.FORFEIT,
            MatchStatus.CANCELLED,
        }
    ),
    MatchStatus.LIVE: frozenset(
        {
            MatchStatus.READY,
            MatchStatus.PENDING_RESULT,
            MatchStatus.COMPLETED,
            MatchStatus.FORFEIT,
            MatchStatus.CANCELLED,
        }
    ),
    MatchStatus.PENDING_RESULT: frozenset(
        {
            MatchStatus.READY,
            MatchStatus.PENDING_RESULT,
            MatchStatus.COMPLETED,
            MatchStatus.DISPUTED,
            MatchStatus.FORFEIT,
            MatchStatus.CANCELLED,
        }
    ),
    MatchStatus.DISPUTED: frozenset(
        {
            MatchStatus.READY,
            MatchStatus.COMPLETED,
            MatchStatus.FORFEIT,
            MatchStatus.CANCELLED,
        }
    ),
    # Decided matches change only by a correction (an organizer's override) or, when a
    # correction upstream empties one of their slots, back to waiting.
    MatchStatus.COMPLETED: frozenset(
        {MatchStatus.COMPLETED, MatchStatus.FORFEIT, MatchStatus.CANCELLED, MatchStatus.SCHEDULED}
    ),
    MatchStatus.FORFEIT: frozenset(
        {MatchStatus.COMPLETED, MatchStatus.FORFEIT, MatchStatus.CANCELLED, MatchStatus.SCHEDULED}
    ),
    MatchStatus.CANCELLED: frozenset(
        {MatchStatus.COMPLETED, MatchStatus.FORFEIT, MatchStatus.CANCELLED, MatchStatus.SCHEDULED}
    ),
}


class ParticipantStatus(StrEnum):
    """A participant's standing in the competition.

    ``active``: still playing. ``eliminated``: out by results. ``withdrawn``: dropped out
    after the start (remaining matches forfeited). ``disqualified``: removed by an organizer
    (ranked last). ``finished``: the last stage is over and a placement is recorded.
    """

    ACTIVE = "active"
    ELIMINATED = "eliminated"
    WITHDRAWN = "withdrawn"
    DISQUALIFIED = "disqualified"
    FINISHED = "finished"


class SeedingMethod(StrEnum):
    """How the first stage is seeded: ``natural`` (registration order), ``random`` (with a
    recorded RNG seed), ``manual`` (the organizer's order), ``rating`` (highest rating first)."""

    NATURAL = "natural"
    RANDOM = "random"
    MANUAL = "manual"
    RATING = "rating"


class ReportStatus(StrEnum):
    """A submitted result: ``pending`` (waits for the other side), ``confirmed`` (applied),
    ``disputed`` (contested), ``superseded`` (replaced by a later submission, an override or
    a replay)."""

    PENDING = "pending"
    CONFIRMED = "confirmed"
    DISPUTED = "disputed"
    SUPERSEDED = "superseded"


class DisputeStatus(StrEnum):
    """``open`` until an organizer resolves it; ``resolved`` after."""

    OPEN = "open"
    RESOLVED = "resolved"


class DisputeResolution(StrEnum):
    """How an organizer settled a dispute: ``result`` (a result they chose), ``replay`` (the
    match is played again), ``disqualify`` (a participant is removed from the stage)."""

    RESULT = "result"
    REPLAY = "replay"
    DISQUALIFY = "disqualify"


class ScoreKind(StrEnum):
    """What a game's per-game scores count (from the game's rules)."""

    MAPS = "maps"
    ROUNDS = "rounds"
    GOALS = "goals"
    BR_POINTS = "br_points"


# --- events (on ``tournament:<id>`` and, for match events, also on ``match:<id>``) ------------

STAGE_GENERATED = "stage.generated"
STAGE_COMPLETED = "stage.completed"
MATCH_READY = "match.ready"
MATCH_STARTED = "match.started"
MATCH_SCORE_UPDATED = "match.score_updated"
MATCH_RESULT_SUBMITTED = "match.result_submitted"
MATCH_COMPLETED = "match.completed"
MATCH_DISPUTED = "match.disputed"
MATCH_RESET = "match.reset"
MATCH_CANCELLED = "match.cancelled"
MATCH_UPDATED = "match.updated"
DISPUTE_RESOLVED = "dispute.resolved"
DISPUTE_COMMENTED = "dispute.commented"
PARTICIPANT_WITHDRAWN = "participant.withdrawn"
PARTICIPANT_ELIMINATED = "participant.eliminated"
TOURNAMENT_COMPLETED = "tournament.completed"


def tournament_stream(tournament_id: int) -> str:
    """The event stream of a tournament."""
    return f"tournament:{tournament_id}"


def match_stream(match_id: int) -> str:
    """The event stream of one match (its events are also on the tournament's stream)."""
    return f"match:{match_id}"


@dataclass(frozen=True)
class MatchRef:
    """A match as other apps see it (realtime snapshots, web pages): ids, state and score.

    ``participant_ids`` are competition participant ids per slot (None: not known yet or
    nobody); ``scores`` are aligned with them (empty before a result or a live score).
    """

    id: int
    tournament_id: int
    stage_id: int
    key: str
    status: MatchStatus
    participant_ids: tuple[int | None, ...]
    scores: tuple[int, ...]
    winner_id: int | None
    best_of: int
    score_seq: int


@dataclass(frozen=True)
class Placement:
    """A final placement: ``place`` 1 is the champion; tied participants share a place."""

    participant_id: int
    place: int


# --- read models for display (web pages): public names and numbers, never member lists --------


@dataclass(frozen=True)
class StageRef:
    """A stage of a tournament's plan: ``size`` participants enter it; ``pending`` stages are
    not generated yet (they have no rounds)."""

    id: int
    tournament_id: int
    index: int
    name: str
    format: str
    status: StageStatus
    size: int


@dataclass(frozen=True)
class SlotView:
    """One side of a match (or one seat of a lobby): who (``None``: not known yet, or nobody)
    and where they come from ("Seed 3", "Winner of W1.2", ...)."""

    participant_id: int | None
    name: str | None
    source: str | None


@dataclass(frozen=True)
class MatchView:
    """A match as a bracket or a list draws it. ``scores`` are the result's (aligned with
    ``slots``; lobby points for battle royale), ``live_scores`` the latest live score while
    it is played. ``winner_to_id``/``loser_to_id`` name the matches the winner and the loser
    go to (None: nowhere in this stage)."""

    id: int
    tournament_id: int
    stage_id: int
    round_id: int
    key: str
    group: str
    bracket: str
    round_number: int
    number: int
    status: MatchStatus
    best_of: int
    is_bye: bool
    slots: tuple[SlotView, ...]
    scores: tuple[int | float, ...]
    live_scores: tuple[int, ...]
    winner_id: int | None
    loser_id: int | None
    winner_to_id: int | None
    loser_to_id: int | None
    outcome: str
    scheduled_at: datetime | None

    @property
    def participant_ids(self) -> tuple[int, ...]:
        """The known participants of the match, in slot order."""
        return tuple(s.participant_id for s in self.slots if s.participant_id is not None)


@dataclass(frozen=True)
class RoundView:
    """A round of a stage (of one group or bracket) with its matches by number."""

    id: int
    group: str
    bracket: str
    number: int
    name: str
    best_of: int
    matches: tuple[MatchView, ...]


@dataclass(frozen=True)
class StandingRow:
    """One place of a standings table: ``stats`` are the format's numbers (wins, points,
    buchholz, kills, ...); ``decided_by`` names the criterion that broke a tie above it."""

    rank: int
    participant_id: int
    name: str
    status: str
    stats: dict[str, Any] = field(default_factory=dict)
    decided_by: str | None = None


@dataclass(frozen=True)
class GroupStandings:
    """The standings of one group of a group stage."""

    group: str
    final: bool
    rows: tuple[StandingRow, ...]


@dataclass(frozen=True)
class Standings:
    """A stage's standings (``final`` once every match is decided), overall and per group."""

    final: bool
    criteria: tuple[str, ...]
    rows: tuple[StandingRow, ...]
    groups: tuple[GroupStandings, ...] = ()


@dataclass(frozen=True)
class StageView:
    """Everything to draw a stage: its rounds in the engine's structure order (winners,
    losers, grand final, ...; groups before playoffs), then by number, and its standings."""

    stage: StageRef
    options: dict[str, Any]
    rounds: tuple[RoundView, ...]
    standings: Standings


@dataclass(frozen=True)
class ParticipantView:
    """A participant of a tournament's competition: its public name, first-stage seed,
    standing and final placement (None until the tournament is over)."""

    id: int
    registration_id: int
    team_id: int | None
    user_id: int | None
    name: str
    seed: int
    status: ParticipantStatus
    placement: int | None


@dataclass(frozen=True)
class GameView:
    """One game of a decided match: per-side scores, the winning slot (None: a draw), and for
    lobbies the placements (participant ids, 1st first) and kills."""

    number: int
    scores: tuple[int | float, ...]
    winner_slot: int | None
    placements: tuple[int, ...]
    kills: tuple[int, ...]


@dataclass(frozen=True)
class MatchDetail:
    """A match page: the match, its round's name, stream, timing, games, the result waiting
    for confirmation (who submitted it and what it claims) and the open dispute, if any."""

    match: MatchView
    round_name: str
    stage_name: str
    stage_format: str
    stream_url: str
    coordinator_id: int | None
    started_at: datetime | None
    completed_at: datetime | None
    games: tuple[GameView, ...]
    pending_report_by: int | None
    pending_report: dict[str, Any] | None
    auto_confirm_at: datetime | None
    open_dispute_id: int | None
    score_seq: int
