"""Competition app, services layer: the bridge between the engine and the stored rows.

The engine is pure: it takes a stage value and returns a new one with what changed
(``deltacrown.engine.Update``). This module loads a stage row's engine state, and stores what
an operation returned — the new engine state, every created or changed match with its slots,
the participants eliminated or reinstated, the standings — and publishes ``match.ready`` and
``match.completed``. It decides the platform state of each changed match from the engine's
(``waiting`` → scheduled, ``ready`` → ready unless it is being played, ``completed`` →
completed/forfeit, ``bye`` → completed, ``void`` → cancelled).

Every function here expects the caller to hold the tournament's ledger lock.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from deltacrown import engine
from deltacrown.apps.competition.data import (
    MATCH_COMPLETED,
    MATCH_READY,
    PARTICIPANT_ELIMINATED,
    MatchStatus,
    ParticipantStatus,
    ReportStatus,
)
from deltacrown.apps.competition.models import (
    Match,
    MatchSlot,
    Participant,
    ResultReport,
    Round,
    Stage,
)
from deltacrown.apps.competition.services.common import record
from deltacrown.engine.serialize import match_to_dict
from deltacrown.engine.standings import placement_points

E = engine.MatchStatus
M = MatchStatus
_BEING_PLAYED = frozenset({M.LIVE, M.PENDING_RESULT, M.DISPUTED})


def load(stage: Stage) -> engine.Stage:
    """The engine stage stored on ``stage``."""
    return engine.stage_from_dict(stage.engine)


def pid(participant_id: int | None) -> str | None:
    """The engine's name of a participant (its id as text)."""
    return None if participant_id is None else str(participant_id)


def from_pid(name: str | None) -> int | None:
    """The participant id of an engine name."""
    return None if name is None else int(name)


# --- round names and match lengths ------------------------------------------------------------

_GROUP_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _group_label(group: str) -> str:
    number = int(group.split("-", 1)[1])
    return f"Group {_GROUP_LETTERS[number - 1] if number <= 26 else number}"


@dataclass
class _Shape:
    """The last round of each elimination bracket (per group), for naming rounds."""

    last: dict[tuple[str, str], int] = field(default_factory=dict)

    @classmethod
    def of(cls, matches: Iterable[engine.Match]) -> _Shape:
        shape = cls()
        for match in matches:
            if match.bracket:
                key = (match.group, match.bracket)
                shape.last[key] = max(shape.last.get(key, 0), match.round)
        return shape


def round_name(match: engine.Match, shape: _Shape) -> str:
    """The display name of the match's round: "Semi-finals", "Losers round 3", "Grand final"."""
    if match.group.startswith("group-"):
        return f"{_group_label(match.group)} round {match.round}"
    if match.bracket == "winners":
        from_end = shape.last.get((match.group, "winners"), match.round) - match.round
        double = (match.group, "losers") in shape.last
        named = {0: "final", 1: "semi-finals", 2: "quarter-finals"}.get(from_end)
        if named:
            text = f"winners {named}" if double else named
        else:
            text = f"winners round {match.round}" if double else f"round {match.round}"
    elif match.bracket == "losers":
        last = shape.last.get((match.group, "losers"), match.round)
        text = "losers final" if match.round == last else f"losers round {match.round}"
    elif match.bracket == "grand_final":
        text = "grand final" if match.round == 1 else "grand final reset"
    elif match.bracket == "third_place":
        text = "third-place match"
    else:
        text = f"round {match.round}"
    if match.group == "playoffs":
        return f"Playoffs {text}"
    return text[0].upper() + text[1:]


def best_of_for(plan: Mapping[str, Any], default: int, match: engine.Match, shape: _Shape) -> int:
    """The match length for ``match`` from the stage's best-of plan (see docs/competition.md)."""
    rounds: Mapping[str, int] = plan.get("rounds", {}) or {}
    base = int(plan.get("default") or default)
    for key in (f"{match.bracket}:{match.round}", f"{match.group}:{match.round}"):
        if not key.startswith(":") and key in rounds:
            return int(rounds[key])
    names: list[str] = []
    if match.bracket == "winners":
        from_end = shape.last.get((match.group, "winners"), match.round) - match.round
        names.append({0: "final", 1: "semi_final", 2: "quarter_final"}.get(from_end, ""))
    elif match.bracket == "losers":
        if match.round == shape.last.get((match.group, "losers"), match.round):
            names.append("losers_final")
    elif match.bracket in ("grand_final", "third_place"):
        names.append(match.bracket)
    for name in names:
        if name and name in rounds:
            return int(rounds[name])
    return base


# --- storing an engine stage ------------------------------------------------------------------


@dataclass
class Applied:
    """What storing an update did, for the caller's response and follow-ups."""

    ready: list[int] = field(default_factory=list)
    completed: list[int] = field(default_factory=list)
    eliminated: list[int] = field(default_factory=list)
    finished: bool = False


class StageWriter:
    """Stores engine matches of one stage as rows (rounds created as they appear)."""

    def __init__(self, stage: Stage, *, default_best_of: int, now: datetime) -> None:
        self.stage = stage
        self.default_best_of = default_best_of
        self.now = now
        self.rounds: dict[tuple[str, str, int], Round] = {
            (r.group, r.bracket, r.number): r for r in stage.rounds.all()
        }
        self.rows: dict[str, Match] = {m.key: m for m in stage.matches.all()}
        self.participants: dict[int, Participant] = {
            p.pk: p for p in Participant.objects.filter(tournament_id=stage.tournament_id)
        }

    def _round(self, match: engine.Match, shape: _Shape) -> Round:
        key = (match.group, match.bracket, match.round)
        found = self.rounds.get(key)
        if found is None:
            found = Round.objects.create(
                stage=self.stage,
                group=match.group,
                bracket=match.bracket,
                number=match.round,
                name=round_name(match, shape),
                best_of=best_of_for(self.stage.best_of, self.default_best_of, match, shape),
            )
            self.rounds[key] = found
        return found

    def write(
        self,
        engine_stage: engine.Stage,
        matches: Iterable[engine.Match],
        *,
        overrides: Mapping[str, MatchStatus] | None = None,
        actor: int | None = None,
    ) -> Applied:
        """Store ``matches`` (new versions of engine matches) and publish what they mean."""
        overrides = overrides or {}
        shape = _Shape.of(engine_stage.matches.values())
        positions = {key: index for index, key in enumerate(engine_stage.matches)}
        applied = Applied()
        tournament_id = self.stage.tournament_id
        for match in matches:
            row = self.rows.get(match.id)
            created = row is None
            before_status = None if created else M(row.status)
            before_engine = None if created else row.engine_status
            before_participants = None if created else self._slot_ids(row)
            if created:
                rnd = self._round(match, shape)
                row = Match(
                    tournament_id=tournament_id,
                    stage=self.stage,
                    round=rnd,
                    key=match.id,
                    best_of=rnd.best_of,
                )
                self.rows[match.id] = row
            participants = [from_pid(p) for p in match.participants]
            status = self._status(match, before_status, before_participants, participants)
            status = overrides.get(match.id, status)
            data = match_to_dict(match)
            row.position = positions.get(match.id, len(positions))
            row.group = match.group
            row.bracket = match.bracket
            row.round_number = match.round
            row.number = match.number
            row.engine_status = match.status.value
            row.is_bye = match.status is E.BYE
            row.sources = data["sources"]
            row.winner_to = data["winner_to"]
            row.loser_to = data["loser_to"]
            row.result = data["result"]
            row.winner_id = from_pid(match.winner)
            row.loser_id = from_pid(match.loser)
            result = match.result
            if isinstance(result, engine.Result):
                row.outcome = result.outcome.value if result.outcome else ""
                row.scores = list(result.scores or [])
            elif isinstance(result, engine.LobbyResult):
                row.outcome = "lobby"
                row.scores = _lobby_points(engine_stage, match, result)
            else:
                row.outcome = ""
                row.scores = []
            if status is not before_status:
                if status in (M.COMPLETED, M.FORFEIT, M.CANCELLED) and row.completed_at is None:
                    row.completed_at = self.now
                if status in (M.READY, M.SCHEDULED):
                    row.completed_at = None
                    row.started_at = None if status is M.SCHEDULED else row.started_at
            row.version += 1
            row.updated_at = self.now
            row.status = status.value
            row.save()
            if created or before_participants != participants:
                self._write_slots(row, participants, created=created)
                if not created and before_status in _BEING_PLAYED:
                    supersede_open_reports(row, now=self.now)
            decided = match.status is E.COMPLETED
            if decided and (before_engine != E.COMPLETED.value or match.id in overrides):
                applied.completed.append(row.pk)
                record(
                    tournament_id,
                    MATCH_COMPLETED,
                    {
                        "match_id": row.pk,
                        "stage_id": self.stage.pk,
                        "key": row.key,
                        "status": row.status,
                        "outcome": row.outcome,
                        "winner_id": row.winner_id,
                        "loser_id": row.loser_id,
                        "participant_ids": participants,
                        "scores": list(row.scores),
                        "correction": before_engine == E.COMPLETED.value,
                    },
                    actor=actor,
                    match_id=row.pk,
                    audited=False,
                )
            if status is M.READY and before_status is not M.READY:
                applied.ready.append(row.pk)
                record(
                    tournament_id,
                    MATCH_READY,
                    {
                        "match_id": row.pk,
                        "stage_id": self.stage.pk,
                        "key": row.key,
                        "participant_ids": participants,
                    },
                    actor=actor,
                    match_id=row.pk,
                    audited=False,
                )
        return applied

    def _status(
        self,
        match: engine.Match,
        before: MatchStatus | None,
        before_participants: list[int | None] | None,
        participants: list[int | None],
    ) -> MatchStatus:
        status = match.status
        if status is E.WAITING:
            return M.SCHEDULED
        if status is E.READY:
            if before in _BEING_PLAYED and before_participants == participants:
                return before
            return M.READY
        if status is E.BYE:
            return M.COMPLETED
        if status is E.VOID:
            return M.CANCELLED
        result = match.result
        if isinstance(result, engine.Result) and result.outcome in (
            engine.Outcome.FORFEIT,
            engine.Outcome.DOUBLE_FORFEIT,
        ):
            return M.FORFEIT
        return M.COMPLETED

    def _slot_ids(self, row: Match) -> list[int | None]:
        return [s.participant_id for s in row.slots.all().order_by("slot")]

    def _write_slots(self, row: Match, participants: list[int | None], *, created: bool) -> None:
        if created:
            MatchSlot.objects.bulk_create(
                [
                    MatchSlot(match=row, slot=index, participant_id=participant)
                    for index, participant in enumerate(participants)
                ]
            )
            return
        existing = {s.slot: s for s in row.slots.all()}
        for index, participant in enumerate(participants):
            slot = existing.get(index)
            if slot is None:
                MatchSlot.objects.create(match=row, slot=index, participant_id=participant)
            elif slot.participant_id != participant:
                slot.participant_id = participant
                slot.save(update_fields=["participant"])

    def participants_out(
        self, eliminated: Iterable[str], reinstated: Iterable[str], *, actor: int | None
    ) -> list[int]:
        """Mark eliminated participants (and put reinstated ones back); returns the ids out."""
        out: list[int] = []
        for name in eliminated:
            participant = self.participants.get(int(name))
            if participant is None or participant.status != ParticipantStatus.ACTIVE:
                continue
            participant.status = ParticipantStatus.ELIMINATED
            participant.updated_at = self.now
            participant.save(update_fields=["status", "updated_at"])
            out.append(participant.pk)
            record(
                self.stage.tournament_id,
                PARTICIPANT_ELIMINATED,
                {"participant_id": participant.pk, "stage_id": self.stage.pk},
                actor=actor,
                audited=False,
            )
        for name in reinstated:
            participant = self.participants.get(int(name))
            if participant is not None and participant.status == ParticipantStatus.ELIMINATED:
                participant.status = ParticipantStatus.ACTIVE
                participant.updated_at = self.now
                participant.save(update_fields=["status", "updated_at"])
        return out


def _lobby_points(
    engine_stage: engine.Stage, match: engine.Match, result: engine.LobbyResult
) -> list[int]:
    """Points of each slot of a lobby (the engine's placement points plus kills), aligned
    with the slots."""
    config = engine_stage.config
    points: list[int] = []
    for participant in match.participants:
        if participant is None or participant not in result.placements:
            points.append(0)
            continue
        place = result.placements.index(participant) + 1
        kills = result.kills_of(participant) * config.kill_points
        points.append(placement_points(config, place) + kills)
    return points


def supersede_open_reports(match: Match, *, now: datetime) -> int:
    """Close the match's waiting or disputed submissions (a correction moved its sides, an
    organizer decided, or a replay was ordered); returns how many."""
    return ResultReport.objects.filter(
        match=match, status__in=[ReportStatus.PENDING, ReportStatus.DISPUTED]
    ).update(status=ReportStatus.SUPERSEDED, decided_at=now)


def supersede_open_reports_except(match: Match, *, keep: int, now: datetime) -> int:
    """``supersede_open_reports`` for every open submission but ``keep`` (a new decision)."""
    return (
        ResultReport.objects.filter(
            match=match, status__in=[ReportStatus.PENDING, ReportStatus.DISPUTED]
        )
        .exclude(pk=keep)
        .update(status=ReportStatus.SUPERSEDED, decided_at=now)
    )


def store(
    stage: Stage,
    update: engine.Update,
    *,
    default_best_of: int,
    now: datetime,
    actor: int | None,
    overrides: Mapping[str, MatchStatus] | None = None,
) -> Applied:
    """Store an engine ``update`` of ``stage``: its state, its changed matches, standings and
    eliminations. The caller holds the ledger lock and decides what a finished stage leads to.
    """
    writer = StageWriter(stage, default_best_of=default_best_of, now=now)
    applied = writer.write(update.stage, update.changed, overrides=overrides, actor=actor)
    applied.eliminated = writer.participants_out(update.eliminated, update.reinstated, actor=actor)
    applied.finished = update.finished
    stage.engine = engine.stage_to_dict(update.stage)
    stage.standings = standings_to_dict(update.stage)
    stage.version += 1
    stage.save(update_fields=["engine", "standings", "version"])
    return applied


def standings_to_dict(engine_stage: engine.Stage) -> dict[str, Any]:
    """The stage's standings as stored and served: rows with rank, participant id, status,
    numbers and the criterion that decided each place; per group too for group stages."""

    def rows(table: engine.Standings) -> list[dict[str, Any]]:
        return [
            {
                "rank": row.rank,
                "participant_id": int(row.participant),
                "status": row.status.value,
                "stats": {k: _number(v) for k, v in row.stats.items()},
                "decided_by": row.decided_by,
            }
            for row in table.rows
        ]

    overall = engine.standings(engine_stage)
    data: dict[str, Any] = {
        "final": overall.final,
        "criteria": list(overall.criteria),
        "rows": rows(overall),
    }
    if (
        engine_stage.groups
        and len(engine_stage.groups) > 0
        and engine_stage.format
        in (
            engine.Format.ROUND_ROBIN,
            engine.Format.GROUPS_PLAYOFFS,
            engine.Format.SWISS,
        )
    ):
        groups = []
        for index in range(1, len(engine_stage.groups) + 1):
            label = f"group-{index}"
            try:
                table = engine.standings(engine_stage, group=label)
            except engine.EngineError:
                continue
            groups.append({"group": label, "final": table.final, "rows": rows(table)})
        if len(groups) > 1 or engine_stage.format is engine.Format.GROUPS_PLAYOFFS:
            data["groups"] = groups
    return data


def _number(value: Any) -> Any:
    # Buchholz and similar tiebreakers can be fractional; the API shows them as they are.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
