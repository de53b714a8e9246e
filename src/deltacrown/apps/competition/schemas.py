"""Competition app, HTTP schemas: request bodies and response shapes of the competition API.

Responses are read from the rows the selectors load (slots, participants, games, the waiting
result and the open dispute come with them). A bracket is one response: the stage, its
participants in seed order and its rounds, each with its matches, every match with where its
sides come from and where its winner and loser go (as match ids), so a client draws it without
another request. Participants show public names and ids only, never member lists or emails.
"""

from datetime import datetime
from typing import Any

from ninja import Field, Schema

from deltacrown.apps.competition.data import (
    BULK_SCHEDULE_MAX,
    REASON_MAX_LENGTH,
    DisputeResolution,
    DisputeStatus,
    MatchStatus,
    ParticipantStatus,
    SeedingMethod,
    StageStatus,
)
from deltacrown.apps.competition.selectors import source_label

# --- requests ---------------------------------------------------------------------------------


class StageGenerateIn(Schema):
    seeding: SeedingMethod = Field(SeedingMethod.NATURAL, description="How to seed the draw")
    rng_seed: int | None = Field(
        None, ge=0, description="random: reproduce a draw (a new seed is drawn and recorded)"
    )
    order: list[int] | None = Field(
        None, max_length=4096, description="manual: every registration id once, best first"
    )
    ratings: dict[int, float] | None = Field(
        None, description="rating: registration id to rating, highest seeded first"
    )


class ParticipantWithdrawIn(Schema):
    disqualify: bool = Field(False, description="Disqualify (ranked last) rather than withdraw")
    reason: str = Field("", max_length=64, description="A short reason code")


class MatchPatchIn(Schema):
    scheduled_at: datetime | None = Field(None, description="null: not scheduled")
    stream_url: str = Field(
        None, max_length=500, pattern=r"^(https?://\S+)?$", description="Empty: no stream"
    )
    station: dict[str, Any] = Field(
        None, description="Lobby or station details (JSON, at most 4 KB); only the sides see it"
    )
    coordinator_id: int | None = Field(
        None, description="A moderator or organizer of the tournament; null: nobody"
    )
    best_of: int = Field(None, ge=1, le=9, description="Only before the match is played")


class ScheduleItemIn(Schema):
    match_id: int
    scheduled_at: datetime | None


class MatchScheduleIn(Schema):
    items: list[ScheduleItemIn] = Field(..., min_length=1, max_length=BULK_SCHEDULE_MAX)


class MatchScheduleOut(Schema):
    changed: int = Field(description="Matches whose time changed")


class ScoreUpdateIn(Schema):
    seq: int = Field(..., ge=1, description="Must be above the last update's")
    scores: list[int] = Field(..., min_length=1, max_length=128, description="One per slot")
    game: int | None = Field(None, ge=1, description="The game being played")


class MatchGameIn(Schema):
    scores: list[int] = Field(..., max_length=2, description="The game's score per side")
    winner: int | None = Field(None, ge=0, le=1, description="Slot that won a drawn game")


class ResultIn(Schema):
    """Exactly one form: ``games``, ``scores``, ``winner_id``, ``forfeit_id``,
    ``double_forfeit`` or ``placements`` (battle-royale lobbies, with optional ``kills``)."""

    games: list[MatchGameIn] | None = Field(None, max_length=32)
    scores: list[int] | None = Field(None, max_length=128)
    winner_id: int | None = None
    forfeit_id: int | None = Field(None, description="The side that forfeits")
    double_forfeit: bool | None = None
    placements: list[int] | None = Field(None, max_length=128, description="1st first")
    kills: list[int] | None = Field(None, max_length=128)


class ForfeitIn(Schema):
    participant_id: int | None = Field(None, description="The side that forfeits")
    double: bool = Field(False, description="Neither side played (staff)")


class DisputeOpenIn(Schema):
    reason: str = Field(..., max_length=REASON_MAX_LENGTH)


class DisputeResolveIn(Schema):
    resolution: DisputeResolution
    result: ResultIn | None = Field(None, description="resolution=result: the result to apply")
    participant_id: int | None = Field(None, description="resolution=disqualify: the side")
    note: str = Field("", max_length=REASON_MAX_LENGTH)


# --- responses --------------------------------------------------------------------------------


class StageSummaryOut(Schema):
    id: int
    index: int
    name: str
    format: str
    status: StageStatus
    size: int
    generated_at: datetime | None
    locked_at: datetime | None
    completed_at: datetime | None


class SlotOut(Schema):
    slot: int = Field(description="0-based side (or lobby seat)")
    participant_id: int | None
    name: str | None
    source: str | None = Field(description='Where the side comes from: "Winner of W1.2", ...')


class LinkOut(Schema):
    match_id: int | None
    key: str
    slot: int


def _link(obj: Any, link: dict[str, Any] | None) -> dict[str, Any] | None:
    if not link:
        return None
    key = str(link.get("match"))
    ids = getattr(obj, "link_ids", {}) or {}
    return {"match_id": ids.get(key), "key": key, "slot": int(link.get("slot", 0))}


class MatchSummaryOut(Schema):
    id: int
    key: str
    group: str
    bracket: str
    round: int
    number: int
    status: MatchStatus
    best_of: int
    is_bye: bool
    slots: list[SlotOut]
    scores: list[int | float]
    outcome: str
    winner_id: int | None
    loser_id: int | None
    winner_to: LinkOut | None
    loser_to: LinkOut | None
    scheduled_at: datetime | None
    live_scores: list[int]
    score_seq: int

    @staticmethod
    def resolve_round(obj: Any) -> int:
        return obj.round_number

    @staticmethod
    def resolve_slots(obj: Any) -> list[dict[str, Any]]:
        sources = obj.sources or []
        return [
            {
                "slot": slot.slot,
                "participant_id": slot.participant_id,
                "name": slot.participant.name if slot.participant is not None else None,
                "source": _source(sources, slot.slot),
            }
            for slot in obj.slots.all()
        ]

    @staticmethod
    def resolve_winner_to(obj: Any) -> dict[str, Any] | None:
        return _link(obj, obj.winner_to)

    @staticmethod
    def resolve_loser_to(obj: Any) -> dict[str, Any] | None:
        return _link(obj, obj.loser_to)


def _source(sources: list[dict[str, Any]], slot: int) -> str | None:
    return source_label(sources[slot]) if slot < len(sources) else None


class MatchGameOut(Schema):
    number: int
    scores: list[int | float]
    winner_slot: int | None
    placements: list[int]
    kills: list[int]


class PendingReportOut(Schema):
    id: int
    participant_id: int | None = Field(description="The side that submitted")
    payload: dict[str, Any] = Field(description="What the submission claims")
    created_at: datetime
    auto_confirm_at: datetime | None


class MatchOut(MatchSummaryOut):
    tournament_id: int
    stage_id: int
    round_id: int
    round_name: str
    stream_url: str
    station: dict[str, Any] = Field(description="Lobby details; empty unless you take part")
    coordinator_id: int | None
    started_at: datetime | None
    completed_at: datetime | None
    games: list[MatchGameOut]
    pending_report: PendingReportOut | None
    open_dispute_id: int | None
    version: int

    @staticmethod
    def resolve_round_name(obj: Any) -> str:
        return obj.round.name

    @staticmethod
    def resolve_station(obj: Any) -> dict[str, Any]:
        return dict(obj.station or {}) if getattr(obj, "station_visible", False) else {}

    @staticmethod
    def resolve_games(obj: Any) -> list[Any]:
        return list(obj.games.all())

    @staticmethod
    def resolve_pending_report(obj: Any) -> Any:
        pending = getattr(obj, "pending_reports", None) or []
        return pending[0] if pending else None

    @staticmethod
    def resolve_open_dispute_id(obj: Any) -> int | None:
        open_disputes = getattr(obj, "open_disputes", None) or []
        return open_disputes[0].pk if open_disputes else None


class MatchPage(Schema):
    items: list[MatchOut]
    next_cursor: str | None = Field(None, description="Pass as ?cursor= for the next page")


class RoundOut(Schema):
    id: int
    group: str
    bracket: str
    number: int
    name: str
    best_of: int
    matches: list[MatchSummaryOut]

    @staticmethod
    def resolve_matches(obj: Any) -> list[Any]:
        return obj.bracket_matches


class StageParticipantOut(Schema):
    id: int
    name: str
    seed: int = Field(description="Seed in this stage (1 = top)")
    status: ParticipantStatus

    @staticmethod
    def resolve_seed(obj: Any) -> int:
        return obj.stage_seed


class StageOut(Schema):
    id: int
    tournament_id: int
    index: int
    name: str
    format: str
    options: dict[str, Any]
    best_of: dict[str, Any]
    status: StageStatus
    seeding: dict[str, Any] = Field(description="method, rng_seed, order: enough to redraw")
    generated_at: datetime | None
    locked_at: datetime | None
    completed_at: datetime | None
    participants: list[StageParticipantOut]
    rounds: list[RoundOut]
    standings: dict[str, Any]

    @staticmethod
    def resolve_participants(obj: Any) -> list[Any]:
        return obj.bracket_participants

    @staticmethod
    def resolve_rounds(obj: Any) -> list[Any]:
        return obj.bracket_rounds


class StandingRowOut(Schema):
    rank: int
    participant_id: int
    name: str
    status: str
    stats: dict[str, Any]
    decided_by: str | None = Field(None, description="The criterion that decided this place")


class GroupStandingsOut(Schema):
    group: str
    final: bool
    rows: list[StandingRowOut]


class StandingsOut(Schema):
    stage_id: int
    final: bool = Field(description="Every match is decided")
    criteria: list[str]
    rows: list[StandingRowOut]
    groups: list[GroupStandingsOut] | None


class ParticipantOut(Schema):
    id: int
    registration_id: int
    team_id: int | None
    user_id: int | None
    name: str
    seed: int
    status: ParticipantStatus
    status_reason: str
    placement: int | None


class CommentOut(Schema):
    id: int
    role: str = Field(description="staff or participant")
    participant_id: int | None
    author_id: int
    body: str
    has_evidence: bool
    evidence_content_type: str
    created_at: datetime

    @staticmethod
    def resolve_has_evidence(obj: Any) -> bool:
        return bool(obj.evidence_file)


class DisputeOut(Schema):
    id: int
    match_id: int
    tournament_id: int
    report_id: int
    participant_id: int = Field(description="The side that disputes")
    reason: str
    status: DisputeStatus
    resolution: str
    resolution_note: str
    created_at: datetime
    resolved_at: datetime | None
    comments: list[CommentOut]

    @staticmethod
    def resolve_tournament_id(obj: Any) -> int:
        return obj.match.tournament_id

    @staticmethod
    def resolve_comments(obj: Any) -> list[Any]:
        return list(obj.comments.all())


class PlacementOut(Schema):
    participant_id: int
    place: int = Field(description="1 = champion; tied participants share a place")
    name: str


class ResultsOut(Schema):
    completed_at: datetime | None = Field(description="null while the competition runs")
    requires_review: bool = Field(description="The champion's path includes a forfeit")
    placements: list[PlacementOut]
    explanation: list[dict[str, Any]] = Field(description="Why each tie was broken")
