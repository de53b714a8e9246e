"""Engine layer, progression: recording results and withdrawals and propagating their effects.

Every operation works on a private copy of the stage's match table (``Work``), changes it, and
returns a new ``Stage`` plus what changed (``Update``); the given stage is never modified, so a
failed operation (an invalid result, a blocked correction) leaves nothing half-done.

Bracket matches are filled by *pulling*: each slot has a ``Source`` (a seed, the winner or loser
of another match, a group qualifier), and a slot's value is recomputed from its source whenever
that source changes. A correction therefore re-fills every downstream match that has not been
played, and is refused when it would change one that has.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING

from deltacrown.engine.errors import (
    AlreadyWithdrawn,
    CorrectionBlocked,
    DrawNotAllowed,
    InvalidResult,
    MatchNotReady,
    ParticipantNotInMatch,
    UnknownMatch,
    UnknownParticipant,
)
from deltacrown.engine.model import (
    DECIDED,
    Advance,
    LobbyResult,
    Match,
    MatchStatus,
    MatchTable,
    Outcome,
    Result,
    Source,
    SourceKind,
    Stage,
    Update,
    new_match,
    new_result,
)

if TYPE_CHECKING:
    from deltacrown.engine.formats.base import Rules

WITHDRAWN = "withdrawn"
DISQUALIFIED = "disqualified"

# Enum members bound to module names: reading ``MatchStatus.READY`` goes through the enum
# class each time, and these are read on every slot of every operation.
READY = MatchStatus.READY
WAITING = MatchStatus.WAITING
COMPLETED = MatchStatus.COMPLETED
BYE = MatchStatus.BYE
VOID = MatchStatus.VOID
WINNER = SourceKind.WINNER
LOSER = SourceKind.LOSER
WIN = Outcome.WIN
DRAW = Outcome.DRAW
FORFEIT = Outcome.FORFEIT
DOUBLE_FORFEIT = Outcome.DOUBLE_FORFEIT


class Work:
    """A private, mutable copy of a stage's state for the length of one operation."""

    def __init__(self, stage: Stage) -> None:
        # Imported here: the format rules import this module for the shared mechanics.
        from deltacrown.engine.formats import rules_for

        self.stage = stage
        self.config = stage.config
        self.rules: Rules = rules_for(stage.config.format)
        self.matches: MatchTable = stage.matches.draft()  # type: ignore[attr-defined]
        # The draft's two layers, read directly on the hot paths (a MatchTable lookup is a
        # Python-level call; these are plain dict lookups).
        self._delta = self.matches._delta
        self._base = self.matches._base
        # Copied on the first write (withdrawals are rare; results are not).
        self.withdrawn: Mapping[str, str] = stage.withdrawn
        self.dependents = stage._dependents
        self.open = stage._open
        self.open_groups = dict(stage._open_groups)
        self.memo: dict[object, object] = {}
        self._original: dict[str, Match | None] = {}
        self._ready: list[str] = []
        self._advanced: list[Advance] = []
        self._out: dict[str, int] = {}

    # --- recording changes ------------------------------------------------------------------

    def put(self, match: Match) -> None:
        """Store a new version of ``match`` (or a new match) and note what it changed.

        Callers store a version only when it differs from the current one.
        """
        match_id = match.id
        delta = self._delta
        old = delta.get(match_id)
        if old is None:
            old = self._base.get(match_id)
        original = self._original
        if match_id not in original:
            original[match_id] = old
        delta[match_id] = match
        status = match.status
        if old is None:
            # A new match (a Swiss round being paired): nothing to compare with.
            if status not in DECIDED:
                self._count_open(match.group, 1)
            if status is READY:
                self._ready.append(match_id)
            return
        old_status = old.status
        if old_status is not status:
            was_open = old_status not in DECIDED
            if was_open != (status not in DECIDED):
                self._count_open(match.group, -1 if was_open else 1)
            if status is READY:
                self._ready.append(match_id)
        if match.sources:
            # Sourced matches are two-sided.
            now, before = match.participants, old.participants
            if now != before:
                for slot in (0, 1):
                    if now[slot] is not None and now[slot] != before[slot]:
                        self._advanced.append(Advance(now[slot], match_id, slot))
        # Only a completed match knocks anyone out.
        if old_status is COMPLETED:
            for participant in self.rules.knocked_out(self, old):
                self.reinstate(participant)
        if status is COMPLETED:
            for participant in self.rules.knocked_out(self, match):
                self.eliminate(participant)

    def _count_open(self, group: str, step: int) -> None:
        self.open += step
        self.open_groups[group] = self.open_groups.get(group, 0) + step

    def set_withdrawn(self, participant: str, status: str) -> None:
        """Mark ``participant`` as withdrawn or disqualified."""
        self.withdrawn = {**self.withdrawn, participant: status}

    def eliminate(self, participant: str) -> None:
        """Note that ``participant`` is out of the stage."""
        self._out[participant] = self._out.get(participant, 0) + 1

    def reinstate(self, participant: str) -> None:
        """Note that an elimination of ``participant`` was undone by a correction."""
        self._out[participant] = self._out.get(participant, 0) - 1

    def commit(self) -> Update:
        """Freeze the working copy into the next stage and report what changed."""
        table = self.matches
        changed = tuple(table[match_id] for match_id in self._original)
        old_stage = self.stage
        withdrawn = self.withdrawn
        if not isinstance(withdrawn, MappingProxyType):
            withdrawn = MappingProxyType(withdrawn)
        # The structure (who feeds whom) never changes after creation, and the open-match
        # counts were kept up to date: hand them over instead of rescanning every match.
        derived = {
            "_dependents": self.dependents,
            "_open": self.open,
            "_open_groups": self.open_groups,
        }
        if "_seeds" in old_stage.__dict__:
            derived["_seeds"] = old_stage.__dict__["_seeds"]
        stage = Stage.successor(old_stage, table.compacted(), withdrawn, derived)
        ready: tuple[str, ...] = ()
        if self._ready:
            ready = tuple(dict.fromkeys(m for m in self._ready if table[m].status is READY))
        eliminated: tuple[str, ...] = ()
        reinstated: tuple[str, ...] = ()
        if self._out:
            eliminated = tuple(p for p, n in self._out.items() if n > 0)
            reinstated = tuple(p for p, n in self._out.items() if n < 0)
        return Update(
            stage=stage,
            changed=changed,
            ready=ready,
            advanced=tuple(self._advanced),
            eliminated=eliminated,
            reinstated=reinstated,
            finished=self.open == 0,
        )

    # --- bracket mechanics ------------------------------------------------------------------

    def slot_value(self, source: Source) -> tuple[bool, str | None]:
        """(resolved, participant) for a slot source; a resolved None is an empty slot."""
        kind = source.kind
        if kind is WINNER or kind is LOSER:
            feeder = self.matches[source.match]  # type: ignore[index]
            if not feeder.decided:
                return False, None
            return True, feeder.winner if kind is WINNER else feeder.loser
        if kind is SourceKind.SEED:
            return True, self.stage.participants[source.number - 1]  # type: ignore[operator]
        if kind is SourceKind.BYE:
            return True, None
        if kind is SourceKind.RESET:
            final = self.matches[source.match]  # type: ignore[index]
            if not final.decided:
                return False, None
            # The reset is played only when the losers-bracket finalist (side 2) won.
            if final.winner is not None and final.winner == final.participants[1]:
                return True, final.participants[source.number - 1]  # type: ignore[operator]
            return True, None
        return self.rules.qualifier(self, source.group or "", source.number or 0)

    def refresh(self, match_id: str) -> None:
        """Recompute a sourced match from its sources, and cascade if its outcome changed."""
        delta, base = self._delta, self._base
        old = delta.get(match_id) or base[match_id]
        sources = old.sources
        if not sources:
            return
        values = []
        resolved = True
        for source in sources:
            kind = source.kind
            # Winner and loser links are nearly every slot: resolve them inline.
            if kind is WINNER or kind is LOSER:
                feeder = delta.get(source.match) or base[source.match]  # type: ignore[index]
                if feeder.status in DECIDED:
                    values.append(feeder.winner if kind is WINNER else feeder.loser)
                else:
                    resolved = False
                    values.append(None)
                continue
            known, participant = self.slot_value(source)
            resolved = resolved and known
            values.append(participant)
        participants = tuple(values)
        result = old.result
        if not resolved or participants != old.participants:
            if isinstance(result, Result) and not result.auto:
                raise CorrectionBlocked(
                    f"This would change who plays in {match_id}, which has already been "
                    f"played; correct {match_id} first.",
                    match=match_id,
                )
            result = None
        # Sourced matches are two-sided: settle the status from the two slots.
        first, second = participants
        if not resolved:
            status = WAITING
        elif first is None or second is None:
            status = VOID if first is None and second is None else BYE
            result = None
        elif result is not None:
            status = COMPLETED
        else:
            result = self.auto_result(participants) if self.withdrawn else None
            status = READY if result is None else COMPLETED
        if status is old.status and result is old.result and participants == old.participants:
            return
        new = evolve(old, participants, status, result)
        self.put(new)
        self.cascade(old, new)

    def auto_result(self, participants: tuple[str | None, ...]) -> Result | None:
        """The forfeit a withdrawn participant gives in a two-sided match, if any."""
        withdrawn = self.withdrawn
        if not withdrawn:
            return None
        gone = [p for p in participants if p is not None and p in withdrawn]
        if not gone:
            return None
        if len(gone) == len(participants):
            return Result(DOUBLE_FORFEIT, auto=True)
        loser = gone[0]
        winner = next(p for p in participants if p is not None and p != loser)
        return Result(FORFEIT, winner=winner, loser=loser, auto=True)

    def cascade(self, old: Match, new: Match) -> None:
        """Refresh the matches fed by ``new`` if what it hands on changed; then let the rules
        react to the new outcome (rankings and pairings depend on scores too)."""
        # An undecided match hands nothing on, so filling one of its slots changes nothing
        # downstream; only a decision (or a changed decision) does.
        old_status, new_status = old.status, new.status
        is_decided = new_status in DECIDED
        if (old_status in DECIDED) != is_decided or (
            is_decided
            and (old.winner, old.loser, old.participants)
            != (new.winner, new.loser, new.participants)
        ):
            for target in self.dependents.get(new.id, ()):
                self.refresh(target)
        if old_status is not new_status or old.result != new.result:
            self.rules.after_decided(self, old, new)

    def refresh_all(self, match_ids: Iterable[str]) -> None:
        """Refresh the given sourced matches in order (used when a stage is first built)."""
        for match_id in match_ids:
            self.refresh(match_id)


def evolve(
    match: Match,
    participants: tuple[str | None, ...],
    status: MatchStatus,
    result: Result | LobbyResult | None,
) -> Match:
    """``match`` with new participants, status and result (``dataclasses.replace``, made fast:
    this is the most frequent allocation of every operation)."""
    return new_match(
        match.id,
        match.group,
        match.round,
        match.number,
        participants,
        status,
        match.sources,
        match.winner_to,
        match.loser_to,
        result,
        match.bracket,
    )


# --- results ----------------------------------------------------------------------------------


def _check_scores(scores: tuple[int, ...] | None, slots: int) -> tuple[int, ...] | None:
    if scores is None:
        return None
    scores = tuple(scores)
    if len(scores) != slots:
        raise InvalidResult(f"Give one score per side ({slots}), not {len(scores)}.")
    for score in scores:
        if isinstance(score, bool) or not isinstance(score, int) or score < 0:
            raise InvalidResult("Scores are whole numbers of zero or more.")
    return scores


def normalize_result(match: Match, result: Result, *, allow_draw: bool) -> Result:
    """Check ``result`` against ``match`` and complete it (winner, loser, outcome)."""
    a, b = match.participants
    if a is None or b is None:
        raise MatchNotReady(f"{match.id} does not have two participants.", match=match.id)
    scores = result.scores
    # The common case, scores only: checked and decided in one step.
    if (
        result.outcome is None
        and result.winner is None
        and result.loser is None
        and type(scores) is tuple
        and len(scores) == 2
        and type(scores[0]) is int
        and type(scores[1]) is int
        and scores[0] >= 0
        and scores[1] >= 0
        and scores[0] != scores[1]
    ):
        if scores[0] > scores[1]:
            return new_result(WIN, a, b, scores, False)
        return new_result(WIN, b, a, scores, False)
    scores = _check_scores(scores, 2)
    for named in (result.winner, result.loser):
        if named is not None and named not in (a, b):
            raise ParticipantNotInMatch(
                f"That participant does not play in {match.id}.", match=match.id
            )
    outcome = result.outcome
    winner, loser = result.winner, result.loser
    if outcome is None:
        if scores is None:
            raise InvalidResult("Give the scores, a winner, a draw or a forfeit.")
        if scores[0] == scores[1]:
            outcome = DRAW
        else:
            outcome = WIN
            winner = a if scores[0] > scores[1] else b
    if outcome is DRAW:
        if not allow_draw:
            raise DrawNotAllowed(f"{match.id} cannot end in a draw.", match=match.id)
        if winner is not None or loser is not None:
            raise InvalidResult("A draw has no winner or loser.")
        if scores is not None and scores[0] != scores[1]:
            raise InvalidResult("A draw needs equal scores.")
        return Result(DRAW, scores=scores)
    if outcome is DOUBLE_FORFEIT:
        if winner is not None or loser is not None:
            raise InvalidResult("A double forfeit has no winner or loser.")
        return Result(DOUBLE_FORFEIT, scores=scores)
    if winner is None and loser is None:
        raise InvalidResult("Name the winner (or, for a forfeit, the side that forfeits).")
    if winner is None:
        winner = b if loser == a else a
    if loser is None:
        loser = b if winner == a else a
    if winner == loser:
        raise InvalidResult("The winner and the loser must be different participants.")
    if scores is not None and outcome is WIN:
        mine, theirs = (scores[0], scores[1]) if winner == a else (scores[1], scores[0])
        if mine < theirs:
            raise InvalidResult("The winner cannot have the lower score.")
    return Result(outcome, winner=winner, loser=loser, scores=scores)


def record_two_sided(work: Work, match: Match, result: Result | LobbyResult) -> None:
    """Record (or correct) the result of a two-sided match and propagate it."""
    if match.status not in (READY, COMPLETED):
        raise MatchNotReady(
            f"{match.id} is {match.status.value}: it cannot take a result.",
            match=match.id,
            status=match.status.value,
        )
    if not isinstance(result, Result):
        raise InvalidResult(f"{match.id} is a two-sided match: give a Result, not placements.")
    normalized = normalize_result(
        match, result, allow_draw=work.rules.allows_draw(work.config, match)
    )
    if match.status is COMPLETED and match.result == normalized:
        return
    new = evolve(match, match.participants, COMPLETED, normalized)
    work.put(new)
    work.cascade(match, new)


def forfeit_withdrawn(work: Work, participant: str) -> None:
    """Forfeit every playable two-sided match of a participant who has left."""
    for match_id in list(work.matches):
        # Read the current version: forfeiting one match can settle others on the way.
        match = work.matches[match_id]
        if match.status is not READY or participant not in match.participants:
            continue
        if match.sources:
            work.refresh(match.id)
            continue
        new = evolve(match, match.participants, COMPLETED, work.auto_result(match.participants))
        work.put(new)
        work.cascade(match, new)


# --- public operations ------------------------------------------------------------------------


def report(stage: Stage, match_id: str, result: Result | LobbyResult) -> Update:
    """Record the result of a match (or correct it) and return what changed.

    Reporting a match that is already completed is a correction: matches downstream that have
    not been played are re-filled; if one has been played, ``CorrectionBlocked`` is raised.
    """
    work = Work(stage)
    work.rules.record(work, stage.match(match_id), result)
    return work.commit()


def report_many(stage: Stage, results: Iterable[tuple[str, Result | LobbyResult]]) -> Update:
    """Record several results, in order, as one operation.

    The outcome is the same as reporting them one by one, but atomic (if one is refused,
    none is recorded) and cheaper; the ``Update`` describes the combined change (``ready``
    lists the matches that became playable and still are).
    """
    work = Work(stage)
    delta, base = work._delta, work._base
    for match_id, result in results:
        match = delta.get(match_id) or base.get(match_id)
        if match is None:
            raise UnknownMatch(f"No match {match_id!r} in this stage.", match=match_id)
        work.rules.record(work, match, result)
    return work.commit()


def withdraw(stage: Stage, participant: str, *, disqualified: bool = False) -> Update:
    """Withdraw (or disqualify) a participant after the start.

    Their playable matches are forfeited now and later ones as they come up (elimination);
    they are no longer paired (Swiss) or placed in lobbies (battle royale); their remaining
    round-robin games count as forfeits. Standings show the status; a disqualified participant
    is ranked last. A withdrawn participant can still be disqualified.
    """
    if participant not in stage._seeds:
        raise UnknownParticipant("That participant is not in this stage.")
    current = stage.withdrawn.get(participant)
    if current == DISQUALIFIED or (current == WITHDRAWN and not disqualified):
        raise AlreadyWithdrawn(f"The participant is already {current}.", status=current)
    work = Work(stage)
    work.set_withdrawn(participant, DISQUALIFIED if disqualified else WITHDRAWN)
    work.rules.withdraw(work, participant)
    return work.commit()
