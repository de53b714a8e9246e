"""Engine layer, standings: live and final rankings for every format, with their reasons.

Participants are ranked by a cascade of criteria: everyone is sorted by the first criterion,
participants still level are compared by the next one, and so on; a criterion such as
head-to-head is computed only among the participants it has to separate. Each row keeps the
values it was compared on, so any two participants can be compared afterwards and the
criterion that separated them named (``Standings.compare``). Participants equal on every
criterion share a rank (1, 2, 3, 3, 5, ...).

Criteria per format (``docs/engine.md`` has the details):
- elimination: placement tier (how far they got), then still in (live standings only);
- round robin: points, head-to-head, score difference, score for, seed;
- Swiss: points, Buchholz, Sonneborn-Berger, head-to-head, seed;
- battle royale: points, kills, round wins, best placement, seed;
- groups then playoffs: reached the playoffs, playoff placement, group rank.
A disqualified participant is ranked below everyone else in every format.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from deltacrown.engine.errors import InvalidConfiguration, UnknownParticipant
from deltacrown.engine.formats.double_elim import double_tiers
from deltacrown.engine.formats.elimination import Tiers, knocked_out, loser_tier
from deltacrown.engine.formats.single_elim import single_tiers
from deltacrown.engine.model import (
    Format,
    LobbyResult,
    Match,
    MatchStatus,
    Outcome,
    ParticipantStatus,
    Result,
    Stage,
    StageConfig,
)

Number = int | float
# A criterion: its name, a function giving each participant of a tied group a value, and
# whether a higher value ranks higher.
Criterion = tuple[str, Callable[[list[str]], Mapping[str, Number]], bool]

LOWER_IS_BETTER = frozenset({"disqualified", "group_rank", "best_placement", "seed"})
DISQUALIFIED = "disqualified"


@dataclass(frozen=True, slots=True)
class Standing:
    """One row: rank (shared when level on every criterion), status, numbers, reasons.

    ``decided_by`` names the criterion that put this row below the previous one (None for the
    first row and for a shared rank). ``keys`` are the (criterion, value) pairs compared.
    """

    rank: int
    participant: str
    status: ParticipantStatus
    stats: Mapping[str, Number]
    decided_by: str | None
    keys: tuple[tuple[str, Number], ...]


@dataclass(frozen=True, slots=True)
class Comparison:
    """Why ``ahead`` is ranked above ``behind``: the first ``criterion`` on which they differ
    and their ``values`` on it (ahead's first). When level, ``tied`` and no criterion."""

    ahead: str
    behind: str
    criterion: str | None
    values: tuple[Number, Number] | None

    @property
    def tied(self) -> bool:
        """True when no criterion separates the two (they share a rank)."""
        return self.criterion is None


@dataclass(frozen=True)
class Standings:
    """A ranking of every participant of a stage (or of one group)."""

    final: bool
    rows: tuple[Standing, ...]
    criteria: tuple[str, ...]
    _by_participant: Mapping[str, Standing] = field(
        init=False, default_factory=dict, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        index = {row.participant: row for row in self.rows}
        object.__setattr__(self, "_by_participant", MappingProxyType(index))

    def row(self, participant: str) -> Standing:
        """The row of ``participant``."""
        try:
            return self._by_participant[participant]
        except KeyError:
            raise UnknownParticipant("That participant is not in these standings.") from None

    def compare(self, a: str, b: str) -> Comparison:
        """Which of ``a`` and ``b`` is ranked higher, and the criterion that decided it."""
        row_a, row_b = self.row(a), self.row(b)
        if (row_b.rank, self.rows.index(row_b)) < (row_a.rank, self.rows.index(row_a)):
            row_a, row_b = row_b, row_a
        for (name, value_a), (_, value_b) in zip(row_a.keys, row_b.keys, strict=False):
            if value_a != value_b:
                return Comparison(row_a.participant, row_b.participant, name, (value_a, value_b))
        return Comparison(row_a.participant, row_b.participant, None, None)


# --- the cascade ------------------------------------------------------------------------------


def _cascade(
    members: Sequence[str], criteria: Sequence[Criterion]
) -> list[tuple[str, tuple[tuple[str, Number], ...]]]:
    """Order ``members`` by ``criteria``; members are given in seed order, which is kept
    among participants level on every criterion."""
    keys: dict[str, list[tuple[str, Number]]] = {p: [] for p in members}
    ordered: list[str] = []

    def split(group: list[str], level: int) -> None:
        if level == len(criteria) or len(group) == 1:
            ordered.extend(group)
            return
        name, values_of, higher = criteria[level]
        values = values_of(group)
        buckets: dict[Number, list[str]] = {}
        for participant in group:
            value = values[participant]
            keys[participant].append((name, value))
            buckets.setdefault(value, []).append(participant)
        for value in sorted(buckets, reverse=higher):
            split(buckets[value], level + 1)

    split(list(members), 0)
    return [(p, tuple(keys[p])) for p in ordered]


def _rows(
    ordered: list[tuple[str, tuple[tuple[str, Number], ...]]],
    status: Callable[[str], ParticipantStatus],
    stats: Callable[[str], Mapping[str, Number]],
) -> tuple[Standing, ...]:
    rows: list[Standing] = []
    previous: tuple[tuple[str, Number], ...] | None = None
    for position, (participant, keys) in enumerate(ordered, start=1):
        decided_by = None
        rank = position
        if previous is not None:
            decided_by = next(
                (name for (name, a), (_, b) in zip(previous, keys, strict=False) if a != b),
                None,
            )
            if decided_by is None:
                rank = rows[-1].rank
        rows.append(
            Standing(
                rank=rank,
                participant=participant,
                status=status(participant),
                stats=MappingProxyType(dict(stats(participant))),
                decided_by=decided_by,
                keys=keys,
            )
        )
        previous = keys
    return tuple(rows)


def _constant(value: Number) -> Callable[[list[str]], Mapping[str, Number]]:
    return lambda group: dict.fromkeys(group, value)


def _lookup(table: Mapping[str, Number]) -> Callable[[list[str]], Mapping[str, Number]]:
    return lambda group: {p: table[p] for p in group}


# --- head-to-head records (round robin and Swiss) ---------------------------------------------


@dataclass
class Record:
    """A participant's record in a round-robin or Swiss group."""

    played: int = 0
    wins: int = 0
    draws: int = 0
    losses: int = 0
    byes: int = 0
    points: int = 0
    score_for: int = 0
    score_against: int = 0
    # (opponent, points earned, outcome for me: 1 win, 0 draw, -1 loss) per game played.
    games: list[tuple[str, int, int]] = field(default_factory=list)


def records(
    matches: Iterable[Match], members: Iterable[str], points: tuple[int, int, int]
) -> dict[str, Record]:
    """Records of ``members`` from the decided matches among ``matches``."""
    win, draw, loss = points
    table = {p: Record() for p in members}
    for match in matches:
        if match.status is MatchStatus.BYE and len(match.participants) == 1:
            player = table.get(match.participants[0] or "")
            if player is not None:
                player.byes += 1
                player.wins += 1
                player.points += win
            continue
        result = match.result
        if match.status is not MatchStatus.COMPLETED or not isinstance(result, Result):
            continue
        a, b = match.participants
        if a not in table or b not in table:
            continue
        sides = ((a, b, 0), (b, a, 1))
        for me, opponent, slot in sides:
            record = table[me]
            record.played += 1
            if result.scores is not None:
                record.score_for += result.scores[slot]
                record.score_against += result.scores[1 - slot]
            if result.outcome is Outcome.DRAW:
                record.draws += 1
                record.points += draw
                record.games.append((opponent, draw, 0))
            elif result.winner == me:
                record.wins += 1
                record.points += win
                record.games.append((opponent, win, 1))
            else:
                record.losses += 1
                record.points += loss
                record.games.append((opponent, loss, -1))
    return table


def _head_to_head(table: Mapping[str, Record]) -> Callable[[list[str]], Mapping[str, Number]]:
    def values(group: list[str]) -> dict[str, Number]:
        inside = set(group)
        return {
            p: sum(earned for opponent, earned, _ in table[p].games if opponent in inside)
            for p in group
        }

    return values


def _table_stats(record: Record, extra: Mapping[str, Number] | None = None) -> dict[str, Number]:
    stats: dict[str, Number] = {
        "played": record.played,
        "wins": record.wins,
        "draws": record.draws,
        "losses": record.losses,
        "points": record.points,
        "score_for": record.score_for,
        "score_against": record.score_against,
        "score_difference": record.score_for - record.score_against,
    }
    if record.byes:
        stats["byes"] = record.byes
    stats.update(extra or {})
    return stats


def _round_robin_criteria(table: Mapping[str, Record], seeds: Mapping[str, int]) -> list[Criterion]:
    return [
        ("points", _lookup({p: r.points for p, r in table.items()}), True),
        ("head_to_head", _head_to_head(table), True),
        (
            "score_difference",
            _lookup({p: r.score_for - r.score_against for p, r in table.items()}),
            True,
        ),
        ("score_for", _lookup({p: r.score_for for p, r in table.items()}), True),
        ("seed", _lookup({p: seeds[p] for p in table}), False),
    ]


def _swiss_numbers(table: Mapping[str, Record]) -> dict[str, dict[str, Number]]:
    numbers: dict[str, dict[str, Number]] = {}
    for participant, record in table.items():
        buchholz = sum(table[o].points for o, _, _ in record.games if o in table)
        # Sonneborn-Berger: opponents' points, in full for a win and half for a draw.
        doubled = sum(
            table[o].points * (2 if outcome == 1 else 1)
            for o, _, outcome in record.games
            if outcome >= 0 and o in table
        )
        numbers[participant] = {
            "buchholz": buchholz,
            "sonneborn_berger": doubled // 2 if doubled % 2 == 0 else doubled / 2,
        }
    return numbers


def _swiss_criteria(
    table: Mapping[str, Record],
    numbers: Mapping[str, Mapping[str, Number]],
    seeds: Mapping[str, int],
) -> list[Criterion]:
    return [
        ("points", _lookup({p: r.points for p, r in table.items()}), True),
        ("buchholz", _lookup({p: n["buchholz"] for p, n in numbers.items()}), True),
        ("sonneborn_berger", _lookup({p: n["sonneborn_berger"] for p, n in numbers.items()}), True),
        ("head_to_head", _head_to_head(table), True),
        ("seed", _lookup({p: seeds[p] for p in table}), False),
    ]


def group_ranking(
    config: StageConfig,
    group_format: Format,
    matches: Iterable[Match],
    members: Sequence[str],
    seeds: Mapping[str, int],
) -> list[str]:
    """The sporting order of one round-robin or Swiss group (no disqualification criterion):
    what decides who qualifies from a group."""
    table = records(matches, members, config.points)
    if group_format is Format.SWISS:
        criteria = _swiss_criteria(table, _swiss_numbers(table), seeds)
    else:
        criteria = _round_robin_criteria(table, seeds)
    return [p for p, _ in _cascade(sorted(members, key=seeds.__getitem__), criteria)]


# --- per format -------------------------------------------------------------------------------


class _Context:
    """What every format's standings need from the stage."""

    def __init__(self, stage: Stage) -> None:
        self.stage = stage
        self.seeds = stage._seeds
        self.final = stage.finished

    def dq(self) -> Criterion:
        withdrawn = self.stage.withdrawn
        return (
            DISQUALIFIED,
            lambda group: {p: 1 if withdrawn.get(p) == DISQUALIFIED else 0 for p in group},
            False,
        )

    def status(self, out: Iterable[str] = ()) -> Callable[[str], ParticipantStatus]:
        knocked = set(out)
        withdrawn = self.stage.withdrawn
        finished = self.final

        def status_of(participant: str) -> ParticipantStatus:
            if participant in withdrawn:
                return ParticipantStatus(withdrawn[participant])
            if participant in knocked:
                return ParticipantStatus.ELIMINATED
            return ParticipantStatus.FINISHED if finished else ParticipantStatus.COMPETING

        return status_of

    def seeded(self, members: Iterable[str]) -> list[str]:
        return sorted(members, key=self.seeds.__getitem__)


@dataclass
class _Progress:
    tier: int = 0
    alive: int = 0
    wins: int = 0
    losses: int = 0
    out: bool = False


def _elimination_progress(
    stage: Stage, matches: Sequence[Match], tiers: Tiers
) -> dict[str, _Progress]:
    table = {m.id: m for m in matches}
    progress: dict[str, _Progress] = {}
    open_match: dict[str, Match] = {}
    out_match: dict[str, Match] = {}
    last_won: dict[str, Match] = {}
    for match in matches:
        for participant in match.present:
            progress.setdefault(participant, _Progress())
        if not match.decided:
            for participant in match.present:
                open_match[participant] = match
            continue
        winner = match.winner
        if winner is not None and tiers[match.id][1] is not None:
            last_won[winner] = match
        if match.status is MatchStatus.COMPLETED and isinstance(match.result, Result):
            if winner is not None:
                progress[winner].wins += 1
            for participant in match.present:
                if participant != winner:
                    progress[participant].losses += 1
        has_reset = bool(stage._dependents.get(match.id))
        for participant in knocked_out(match, has_reset=has_reset):
            out_match[participant] = match
    for participant, item in progress.items():
        if participant in out_match:
            item.tier = loser_tier(table, tiers, out_match[participant])
            item.out = True
        elif participant in open_match:
            item.tier = loser_tier(table, tiers, open_match[participant])
            item.alive = 1
        elif participant in last_won:
            item.tier = tiers[last_won[participant].id][1] or 0
    return progress


def _elimination_criteria(ctx: _Context, progress: Mapping[str, _Progress]) -> list[Criterion]:
    criteria = [
        ctx.dq(),
        ("placement", _lookup({p: item.tier for p, item in progress.items()}), True),
    ]
    if not ctx.final:
        criteria.append(
            ("still_in", _lookup({p: item.alive for p, item in progress.items()}), True)
        )
    return criteria


def _elimination(ctx: _Context, tiers_of: Callable[[Iterable[Match]], Tiers]) -> Standings:
    matches = list(ctx.stage.matches.values())
    progress = _elimination_progress(ctx.stage, matches, tiers_of(matches))
    criteria = _elimination_criteria(ctx, progress)
    ordered = _cascade(ctx.seeded(progress), criteria)
    rows = _rows(
        ordered,
        ctx.status(p for p, item in progress.items() if item.out),
        lambda p: {"wins": progress[p].wins, "losses": progress[p].losses},
    )
    return Standings(ctx.final, rows, tuple(c[0] for c in criteria))


def _table_group(ctx: _Context, label: str, members: Sequence[str], swiss: bool) -> Standings:
    config = ctx.stage.config
    matches = [m for m in ctx.stage.matches.values() if m.group == label]
    table = records(matches, members, config.points)
    numbers = _swiss_numbers(table) if swiss else {}
    if swiss:
        criteria = [ctx.dq(), *_swiss_criteria(table, numbers, ctx.seeds)]
    else:
        criteria = [ctx.dq(), *_round_robin_criteria(table, ctx.seeds)]
    ordered = _cascade(ctx.seeded(members), criteria)
    rows = _rows(ordered, ctx.status(), lambda p: _table_stats(table[p], numbers.get(p)))
    final = ctx.final or not any(not m.decided for m in matches)
    return Standings(final, rows, tuple(c[0] for c in criteria))


def _group_labels(stage: Stage) -> list[str]:
    if stage.format is Format.SWISS:
        return ["swiss"]
    return [f"group-{n}" for n in range(1, len(stage.groups) + 1)]


def _groups_overall(ctx: _Context, swiss: bool) -> Standings:
    tables = [
        _table_group(ctx, label, members, swiss)
        for label, members in zip(_group_labels(ctx.stage), ctx.stage.groups, strict=True)
    ]
    if len(tables) == 1:
        return Standings(ctx.final, tables[0].rows, tables[0].criteria)
    group_rank = {row.participant: row.rank for table in tables for row in table.rows}
    stats = {row.participant: row.stats for table in tables for row in table.rows}
    criteria: list[Criterion] = [
        ctx.dq(),
        ("group_rank", _lookup(group_rank), False),
        ("points", _lookup({p: s["points"] for p, s in stats.items()}), True),
        ("score_difference", _lookup({p: s["score_difference"] for p, s in stats.items()}), True),
        ("score_for", _lookup({p: s["score_for"] for p, s in stats.items()}), True),
        ("seed", _lookup(ctx.seeds), False),
    ]
    ordered = _cascade(ctx.seeded(group_rank), criteria)
    rows = _rows(
        ordered,
        ctx.status(),
        lambda p: {**stats[p], "group_rank": group_rank[p]},
    )
    return Standings(ctx.final, rows, tuple(c[0] for c in criteria))


def _battle_royale(ctx: _Context) -> Standings:
    config = ctx.stage.config
    totals = {
        p: {"lobbies": 0, "points": 0, "kills": 0, "round_wins": 0, "best_placement": 0}
        for p in ctx.stage.participants
    }
    for match in ctx.stage.matches.values():
        result = match.result
        if match.status is not MatchStatus.COMPLETED or not isinstance(result, LobbyResult):
            continue
        for place, participant in enumerate(result.placements, start=1):
            row = totals[participant]
            kills = result.kills_of(participant)
            row["lobbies"] += 1
            row["kills"] += kills
            row["points"] += placement_points(config, place) + kills * config.kill_points
            row["round_wins"] += 1 if place == 1 else 0
            best = row["best_placement"]
            row["best_placement"] = place if best == 0 else min(best, place)
    # Never having placed ranks below any placement.
    best_placement = {
        p: row["best_placement"] or len(ctx.stage.participants) + 1 for p, row in totals.items()
    }
    criteria: list[Criterion] = [
        ctx.dq(),
        ("points", _lookup({p: r["points"] for p, r in totals.items()}), True),
        ("kills", _lookup({p: r["kills"] for p, r in totals.items()}), True),
        ("round_wins", _lookup({p: r["round_wins"] for p, r in totals.items()}), True),
        ("best_placement", _lookup(best_placement), False),
        ("seed", _lookup(ctx.seeds), False),
    ]
    ordered = _cascade(list(ctx.stage.participants), criteria)
    rows = _rows(ordered, ctx.status(), lambda p: totals[p])
    return Standings(ctx.final, rows, tuple(c[0] for c in criteria))


def placement_points(config: StageConfig, place: int) -> int:
    """Points for finishing ``place`` (1-based) in a lobby."""
    table = config.placement_points
    return table[place - 1] if place <= len(table) else 0


def _groups_playoffs(ctx: _Context) -> Standings:
    stage = ctx.stage
    config = stage.config
    playoffs = [m for m in stage.matches.values() if m.group == "playoffs"]
    tiers_of = double_tiers if config.playoff_format is Format.DOUBLE_ELIMINATION else single_tiers
    progress = _elimination_progress(stage, playoffs, tiers_of(playoffs))
    swiss = config.group_format is Format.SWISS
    group_tables = [
        _table_group(ctx, f"group-{n}", members, swiss)
        for n, members in enumerate(stage.groups, start=1)
    ]
    group_rank = {row.participant: row.rank for table in group_tables for row in table.rows}
    group_stats = {row.participant: row.stats for table in group_tables for row in table.rows}
    out = {p for p, item in progress.items() if item.out}
    for table in group_tables:
        if table.final:
            out |= {row.participant for row in table.rows if row.participant not in progress}
    criteria: list[Criterion] = [
        ctx.dq(),
        ("playoffs", lambda group: {p: 1 if p in progress else 0 for p in group}, True),
        (
            "placement",
            lambda group: {p: progress[p].tier if p in progress else 0 for p in group},
            True,
        ),
    ]
    if not ctx.final:
        criteria.append(("still_in", lambda group: {p: 0 if p in out else 1 for p in group}, True))
    criteria.append(
        (
            "group_rank",
            lambda group: {p: 0 if p in progress else group_rank[p] for p in group},
            False,
        )
    )
    ordered = _cascade(list(stage.participants), criteria)

    def stats(participant: str) -> dict[str, Number]:
        numbers = dict(group_stats[participant])
        numbers["group_rank"] = group_rank[participant]
        if participant in progress:
            numbers["playoff_wins"] = progress[participant].wins
            numbers["playoff_losses"] = progress[participant].losses
        return numbers

    rows = _rows(ordered, ctx.status(out), stats)
    return Standings(ctx.final, rows, tuple(c[0] for c in criteria))


def standings(stage: Stage, *, group: str | None = None) -> Standings:
    """Live (or, once the stage is finished, final) standings of the whole stage.

    With ``group`` (``group-<n>`` or ``swiss``), the table of that group alone; only stages
    with groups have them.
    """
    ctx = _Context(stage)
    fmt = stage.format
    if group is not None:
        labels = dict(zip(_group_labels(stage), stage.groups, strict=False))
        if group not in labels or fmt not in (
            Format.ROUND_ROBIN,
            Format.SWISS,
            Format.GROUPS_PLAYOFFS,
        ):
            raise InvalidConfiguration(f"This stage has no group {group!r}.", group=group)
        swiss = fmt is Format.SWISS or (
            fmt is Format.GROUPS_PLAYOFFS and stage.config.group_format is Format.SWISS
        )
        return _table_group(ctx, group, labels[group], swiss)
    if fmt is Format.SINGLE_ELIMINATION:
        return _elimination(ctx, single_tiers)
    if fmt is Format.DOUBLE_ELIMINATION:
        return _elimination(ctx, double_tiers)
    if fmt is Format.ROUND_ROBIN:
        return _groups_overall(ctx, swiss=False)
    if fmt is Format.SWISS:
        return _groups_overall(ctx, swiss=True)
    if fmt is Format.BATTLE_ROYALE:
        return _battle_royale(ctx)
    return _groups_playoffs(ctx)
