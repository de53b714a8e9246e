"""Engine layer, data model: the frozen values a stage is made of.

A ``Stage`` is everything needed to continue a competition: its configuration, the participants
in seed order and every match with its sources, links and result. Everything here is an immutable
value with plain fields (strings, ints, tuples, read-only mappings), so a caller can store it
(see ``serialize``), reload it and apply results one at a time; operations return new values
and never modify their arguments.

Participants are identified by strings chosen by the caller (the platform uses registration
ids, the command line uses seed numbers). Match ids are stable strings derived from the
structure (``W1.3`` is the third match of winners-bracket round 1), so they can be stored as keys.
"""

from __future__ import annotations

from collections.abc import ItemsView, Iterator, Mapping, ValuesView
from dataclasses import dataclass, field, fields
from enum import StrEnum
from functools import cached_property
from types import MappingProxyType
from typing import Any

from deltacrown.engine.errors import InvalidConfiguration, UnknownMatch


class Format(StrEnum):
    """The competition formats the engine runs."""

    SINGLE_ELIMINATION = "single_elimination"
    DOUBLE_ELIMINATION = "double_elimination"
    ROUND_ROBIN = "round_robin"
    SWISS = "swiss"
    GROUPS_PLAYOFFS = "groups_playoffs"
    BATTLE_ROYALE = "battle_royale"


class MatchStatus(StrEnum):
    """Where a match stands.

    ``waiting``: a participant is not known yet. ``ready``: every participant is known and the
    match can be played. ``completed``: a result is recorded. ``bye``: one participant and
    nobody to play; they advance without playing. ``void``: nobody to play (two byes met, or
    the reset grand final was not needed); nothing happens.
    """

    WAITING = "waiting"
    READY = "ready"
    COMPLETED = "completed"
    BYE = "bye"
    VOID = "void"


DECIDED = frozenset({MatchStatus.COMPLETED, MatchStatus.BYE, MatchStatus.VOID})
# Module names for the members read in hot paths (an enum class attribute lookup is slower).
_COMPLETED = MatchStatus.COMPLETED
_BYE = MatchStatus.BYE


class Outcome(StrEnum):
    """How a two-sided match ended."""

    WIN = "win"
    DRAW = "draw"
    FORFEIT = "forfeit"
    DOUBLE_FORFEIT = "double_forfeit"


class GrandFinal(StrEnum):
    """How a double-elimination stage ends.

    ``none``: no grand final, the bracket winners are 1st and 2nd. ``simple``: one match.
    ``reset``: a second match is played only if the losers-bracket finalist wins the first.
    """

    NONE = "none"
    SIMPLE = "simple"
    RESET = "reset"


class SourceKind(StrEnum):
    """Where the participant of a match slot comes from."""

    SEED = "seed"
    BYE = "bye"
    WINNER = "winner"
    LOSER = "loser"
    QUALIFIER = "qualifier"
    RESET = "reset"


class ParticipantStatus(StrEnum):
    """A participant's state in the stage, as standings show it."""

    COMPETING = "competing"
    FINISHED = "finished"
    ELIMINATED = "eliminated"
    WITHDRAWN = "withdrawn"
    DISQUALIFIED = "disqualified"


@dataclass(frozen=True, slots=True)
class Source:
    """Where a slot's participant comes from.

    ``seed``: the participant with seed ``number``. ``bye``: nobody. ``winner`` / ``loser``:
    the winner or loser of ``match``. ``qualifier``: the participant ranked ``number`` in
    ``group`` once that group is finished. ``reset``: side ``number`` (1 or 2) of the grand
    final ``match``, present only if that final needs a reset.
    """

    kind: SourceKind
    match: str | None = None
    group: str | None = None
    number: int | None = None


@dataclass(frozen=True, slots=True)
class Link:
    """A destination: slot ``slot`` (0-based) of match ``match``."""

    match: str
    slot: int


@dataclass(frozen=True, slots=True)
class Result:
    """The result of a two-sided match.

    Build one with the constructors: ``Result.win("p1", scores=(2, 1))``,
    ``Result.from_scores(2, 1)``, ``Result.draw()``, ``Result.forfeit(loser="p2")``,
    ``Result.double_forfeit()``. The engine completes ``winner`` and ``loser`` when it records
    the result. ``scores`` are aligned with the match's slots. ``auto`` marks results the engine
    recorded itself (a withdrawn participant's forfeit).
    """

    outcome: Outcome | None = None
    winner: str | None = None
    loser: str | None = None
    scores: tuple[int, ...] | None = None
    auto: bool = False

    @classmethod
    def win(cls, winner: str, *, scores: tuple[int, ...] | None = None) -> Result:
        """``winner`` won (scores optional, aligned with the match's slots)."""
        return cls(Outcome.WIN, winner=winner, scores=scores)

    @classmethod
    def from_scores(cls, *scores: int) -> Result:
        """The scores decide: the higher score wins, equal scores are a draw."""
        return cls(None, scores=tuple(scores))

    @classmethod
    def draw(cls, *, scores: tuple[int, ...] | None = None) -> Result:
        """A draw (only where the format allows draws)."""
        return cls(Outcome.DRAW, scores=scores)

    @classmethod
    def forfeit(cls, *, loser: str | None = None, winner: str | None = None) -> Result:
        """One side forfeits: name the side that forfeits (``loser``) or the other one."""
        return cls(Outcome.FORFEIT, winner=winner, loser=loser)

    @classmethod
    def double_forfeit(cls) -> Result:
        """Neither side shows up or both forfeit: nobody wins; in elimination both are out."""
        return cls(Outcome.DOUBLE_FORFEIT)


@dataclass(frozen=True, slots=True)
class LobbyResult:
    """The result of a battle-royale lobby: finishing order (1st first) and kills per player.

    ``kills`` is aligned with ``placements``; empty means no kills recorded.
    """

    placements: tuple[str, ...]
    kills: tuple[int, ...] = ()

    def kills_of(self, participant: str) -> int:
        """Kills recorded for ``participant`` (0 if none were recorded)."""
        if not self.kills:
            return 0
        return self.kills[self.placements.index(participant)]


@dataclass(frozen=True, slots=True)
class Match:
    """One match (or battle-royale lobby) of a stage.

    ``group`` is the part of the stage it belongs to (``winners``, ``losers``, ``grand_final``,
    ``third_place``, ``swiss``, ``group-<n>``, ``playoffs`` or ``lobby``); ``bracket`` is the
    elimination bracket part for elimination matches (also inside ``playoffs``), else empty.
    ``participants`` has one entry per slot; ``None`` is an empty slot (not known yet while the
    match is ``waiting``; nobody, for a bye or a void match). ``sources`` says where each slot's
    participant comes from (empty when the engine pairs participants directly: round robin,
    Swiss, lobbies). ``winner_to`` / ``loser_to`` say where the winner and the loser go next.
    """

    id: str
    group: str
    round: int
    number: int
    participants: tuple[str | None, ...]
    status: MatchStatus
    sources: tuple[Source, ...] = ()
    winner_to: Link | None = None
    loser_to: Link | None = None
    result: Result | LobbyResult | None = None
    bracket: str = ""

    @property
    def decided(self) -> bool:
        """True once nothing more can happen in this match (completed, bye or void)."""
        return self.status in DECIDED

    @property
    def winner(self) -> str | None:
        """Who won (the sole participant of a bye); None for draws, lobbies and open matches."""
        status = self.status
        if status is _COMPLETED:
            result = self.result
            return result.winner if isinstance(result, Result) else None
        if status is _BYE:
            for participant in self.participants:
                if participant is not None:
                    return participant
        return None

    @property
    def loser(self) -> str | None:
        """Who lost a completed two-sided match; None otherwise."""
        if self.status is _COMPLETED and isinstance(self.result, Result):
            return self.result.loser
        return None

    @property
    def present(self) -> tuple[str, ...]:
        """The participants actually in the match (empty slots left out)."""
        return tuple(p for p in self.participants if p is not None)


@dataclass(frozen=True, slots=True)
class StageConfig:
    """What kind of stage to build. Options that do not apply to the format are ignored.

    Elimination: ``seed_ordering`` (how seeds are placed in the first round), ``third_place``,
    ``grand_final`` and ``loser_orderings`` (how each winners-bracket round's losers drop into
    the losers bracket; empty: the engine's defaults). Round robin: ``cycles`` and ``groups``
    (seeds distributed by ``group_ordering``). Swiss: ``rounds`` (default ceil(log2 N)).
    Round robin and Swiss: ``allow_draws`` and ``points`` (win, draw, loss). Groups then
    playoffs: ``groups``, ``group_format`` (round robin or Swiss), ``advance`` (top K per group)
    and ``playoff_format`` (single or double elimination, using the elimination options).
    Battle royale: ``lobby_size``, ``rounds`` (default 3), ``placement_points`` (points for
    1st, 2nd, ...; later places score 0) and ``kill_points``.
    """

    format: Format
    seed_ordering: str = "standard"
    third_place: bool = False
    grand_final: GrandFinal = GrandFinal.SIMPLE
    loser_orderings: tuple[str, ...] = ()
    cycles: int = 1
    groups: int = 1
    group_ordering: str = "snake"
    rounds: int | None = None
    allow_draws: bool = True
    points: tuple[int, int, int] = (3, 1, 0)
    group_format: Format = Format.ROUND_ROBIN
    advance: int = 2
    playoff_format: Format = Format.SINGLE_ELIMINATION
    lobby_size: int = 8
    placement_points: tuple[int, ...] = (12, 9, 7, 5, 4, 3, 2, 1)
    kill_points: int = 1

    def __post_init__(self) -> None:
        # Accept plain strings and lists (from JSON, the command line) and store enums and
        # tuples, so equal configurations compare equal however they were written.
        for name, kind in (
            ("format", Format),
            ("grand_final", GrandFinal),
            ("group_format", Format),
            ("playoff_format", Format),
        ):
            value = getattr(self, name)
            try:
                object.__setattr__(self, name, kind(value))
            except ValueError:
                known = ", ".join(member.value for member in kind)
                raise InvalidConfiguration(
                    f"Unknown {name.replace('_', ' ')} {value!r}; known: {known}.", option=name
                ) from None
        for name in ("loser_orderings", "points", "placement_points"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        # Wrong types would otherwise surface as TypeErrors deep inside a format.
        for name, kinds in _OPTION_TYPES.items():
            value = getattr(self, name)
            if (isinstance(value, bool) and bool not in kinds) or not isinstance(value, kinds):
                raise InvalidConfiguration(
                    f"Option {name} has the wrong type ({type(value).__name__}).", option=name
                )


_OPTION_TYPES: dict[str, tuple[type, ...]] = {
    "seed_ordering": (str,),
    "third_place": (bool,),
    "cycles": (int,),
    "groups": (int,),
    "group_ordering": (str,),
    "rounds": (int, type(None)),
    "allow_draws": (bool,),
    "advance": (int,),
    "lobby_size": (int,),
    "kill_points": (int,),
}


def _slot_setters(cls: type) -> tuple[Any, ...]:
    return tuple(getattr(cls, f.name).__set__ for f in fields(cls))


(
    _set_id,
    _set_group,
    _set_round,
    _set_number,
    _set_participants,
    _set_status,
    _set_sources,
    _set_winner_to,
    _set_loser_to,
    _set_result,
    _set_bracket,
) = _slot_setters(Match)


def new_match(
    id: str,
    group: str,
    round: int,
    number: int,
    participants: tuple[str | None, ...],
    status: MatchStatus,
    sources: tuple[Source, ...],
    winner_to: Link | None,
    loser_to: Link | None,
    result: Result | LobbyResult | None,
    bracket: str,
) -> Match:
    """``Match(...)`` with every field given in order, about twice as fast.

    A frozen dataclass's constructor sets each field through ``object.__setattr__``; building
    stages and applying results create a match version per slot change, so this sets the
    slots directly instead. The result is an ordinary, equal ``Match``.
    """
    match = object.__new__(Match)
    _set_id(match, id)
    _set_group(match, group)
    _set_round(match, round)
    _set_number(match, number)
    _set_participants(match, participants)
    _set_status(match, status)
    _set_sources(match, sources)
    _set_winner_to(match, winner_to)
    _set_loser_to(match, loser_to)
    _set_result(match, result)
    _set_bracket(match, bracket)
    return match


_set_kind, _set_source_match, _set_source_group, _set_source_number = _slot_setters(Source)


def new_source(kind: SourceKind, match: str) -> Source:
    """``Source(kind, match)`` for a winner or loser link, set directly (see ``new_match``)."""
    source = object.__new__(Source)
    _set_kind(source, kind)
    _set_source_match(source, match)
    _set_source_group(source, None)
    _set_source_number(source, None)
    return source


_set_outcome, _set_winner, _set_loser, _set_scores, _set_auto = _slot_setters(Result)


def new_result(
    outcome: Outcome,
    winner: str | None,
    loser: str | None,
    scores: tuple[int, ...] | None,
    auto: bool,
) -> Result:
    """``Result(...)`` with every field given in order, set directly (see ``new_match``)."""
    result = object.__new__(Result)
    _set_outcome(result, outcome)
    _set_winner(result, winner)
    _set_loser(result, loser)
    _set_scores(result, scores)
    _set_auto(result, auto)
    return result


class MatchTable(Mapping[str, Match]):
    """The matches of a stage by id, read-only, in structure order.

    Stored as a shared base table plus a small table of newer versions, so that each
    operation on a stage costs what it changes rather than a copy of every match: a new stage
    shares the base with the previous one, and the layers are merged once the newer versions
    pile up. Behaves like any read-only mapping (and compares equal to a dict with the same
    items).
    """

    __slots__ = ("_base", "_delta")

    def __init__(self, base: Mapping[str, Match], delta: dict[str, Match] | None = None) -> None:
        self._base: dict[str, Match] = base if type(base) is dict else dict(base)
        self._delta: dict[str, Match] = {} if delta is None else delta

    def __getitem__(self, match_id: str) -> Match:
        match = self._delta.get(match_id)
        return self._base[match_id] if match is None else match

    def get(self, match_id: str, default: Match | None = None) -> Match | None:  # type: ignore[override]
        match = self._delta.get(match_id)
        if match is None:
            return self._base.get(match_id, default)
        return match

    def __contains__(self, match_id: object) -> bool:
        return match_id in self._base or match_id in self._delta

    def __iter__(self) -> Iterator[str]:
        yield from self._base
        base = self._base
        for match_id in self._delta:
            if match_id not in base:
                yield match_id

    def __len__(self) -> int:
        base = self._base
        return len(base) + sum(1 for match_id in self._delta if match_id not in base)

    def __repr__(self) -> str:
        return f"MatchTable({len(self)} matches)"

    def values(self) -> ValuesView[Match]:  # type: ignore[override]
        if not self._delta:
            return self._base.values()
        return super().values()

    def items(self) -> ItemsView[str, Match]:  # type: ignore[override]
        if not self._delta:
            return self._base.items()
        return super().items()

    def draft(self) -> MatchTable:
        """A private copy for an operation to write its new versions into (through
        ``_delta``); the base stays shared and is never written."""
        return MatchTable(self._base, dict(self._delta))

    def compacted(self) -> MatchTable:
        """This table, with the layers merged if the newer versions have piled up."""
        if len(self._delta) <= max(64, len(self._base) // 16):
            return self
        merged = self._base.copy()
        merged.update(self._delta)
        return MatchTable(merged)


@dataclass(frozen=True)
class Stage:
    """The whole state of one stage: configuration, participants in seed order, matches.

    ``matches`` is ordered by structure (round by round, bracket by bracket). ``groups`` lists
    each group's participants (round robin, Swiss and groups stages). ``withdrawn`` maps a
    participant who left after the start to ``withdrawn`` or ``disqualified``. ``seeding``
    records how the seed order was made (method and RNG seed), so it can be reproduced.
    """

    config: StageConfig
    participants: tuple[str, ...]
    matches: Mapping[str, Match]
    groups: tuple[tuple[str, ...], ...] = ()
    withdrawn: Mapping[str, str] = field(default_factory=dict)
    seeding: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Read-only views: a Stage is a value, and sharing it must not let anyone change it.
        if not isinstance(self.matches, MatchTable):
            object.__setattr__(self, "matches", MatchTable(dict(self.matches)))
        for name in ("withdrawn", "seeding"):
            value = getattr(self, name)
            if not isinstance(value, MappingProxyType):
                object.__setattr__(self, name, MappingProxyType(dict(value)))

    @classmethod
    def successor(
        cls,
        previous: Stage,
        matches: MatchTable,
        withdrawn: Mapping[str, str],
        derived: Mapping[str, Any],
    ) -> Stage:
        """The next version of ``previous`` (used by operations, with already-frozen parts).

        ``derived`` pre-fills cached values the operation already knows. Skips the checks of
        the constructor, which would only find the parts already in their final form.
        """
        stage = object.__new__(cls)
        stage.__dict__.update(
            config=previous.config,
            participants=previous.participants,
            matches=matches,
            groups=previous.groups,
            withdrawn=withdrawn,
            seeding=previous.seeding,
            **derived,
        )
        return stage

    @property
    def format(self) -> Format:
        """The stage's format."""
        return self.config.format

    def match(self, match_id: str) -> Match:
        """The match with this id (``UnknownMatch`` if there is none)."""
        try:
            return self.matches[match_id]
        except KeyError:
            raise UnknownMatch(f"No match {match_id!r} in this stage.", match=match_id) from None

    def seed_of(self, participant: str) -> int:
        """The 1-based seed of ``participant``."""
        return self._seeds[participant]

    def iter_matches(self, *, group: str | None = None) -> Iterator[Match]:
        """Matches in structure order, optionally only those of one group."""
        for match in self.matches.values():
            if group is None or match.group == group:
                yield match

    @property
    def ready(self) -> tuple[str, ...]:
        """Ids of the matches that can be played now, in structure order."""
        return tuple(m.id for m in self.matches.values() if m.status is MatchStatus.READY)

    @property
    def finished(self) -> bool:
        """True once every match is decided.

        Swiss rounds are paired as soon as the previous round is decided, so no open match
        also means no round is left to pair.
        """
        return self._open == 0

    @cached_property
    def _open(self) -> int:
        return sum(self._open_groups.values())

    @cached_property
    def _open_groups(self) -> dict[str, int]:
        # Undecided matches per group. Operations hand the next version its counts, so this
        # scan runs only for a stage that was just built or loaded.
        counts: dict[str, int] = {}
        for match in self.matches.values():
            counts.setdefault(match.group, 0)
            if match.status not in DECIDED:
                counts[match.group] += 1
        return counts

    @cached_property
    def _dependents(self) -> dict[str, tuple[str, ...]]:
        # Which matches read a slot from each match (or from each group's ranking), so a
        # change is pushed to exactly the matches that depend on it.
        feeds: dict[str, list[str]] = {}
        for match in self.matches.values():
            for source in match.sources:
                key = source.match if source.match is not None else source.group
                if key is None:
                    continue
                targets = feeds.setdefault(key, [])
                if not targets or targets[-1] != match.id:
                    targets.append(match.id)
        return {key: tuple(targets) for key, targets in feeds.items()}

    @cached_property
    def _seeds(self) -> dict[str, int]:
        return {p: i + 1 for i, p in enumerate(self.participants)}


@dataclass(frozen=True, slots=True)
class Advance:
    """``participant`` was placed into slot ``slot`` of match ``match``."""

    participant: str
    match: str
    slot: int


@dataclass(frozen=True, slots=True)
class Update:
    """What one operation changed.

    ``stage`` is the new stage. ``changed`` holds the new version of every match that was
    created or changed (what a caller persists). ``ready`` lists matches that became playable,
    ``advanced`` who was placed where (byes advance automatically), ``eliminated`` who is now
    out, ``reinstated`` who is back in after a correction, ``finished`` whether the stage is over.
    """

    stage: Stage
    changed: tuple[Match, ...]
    ready: tuple[str, ...]
    advanced: tuple[Advance, ...]
    eliminated: tuple[str, ...]
    reinstated: tuple[str, ...]
    finished: bool
