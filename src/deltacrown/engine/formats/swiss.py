"""Engine layer, formats: Swiss system.

Each round is paired when the previous one is decided. Participants are ranked by points, then
seed; within each score group the top half meets the bottom half (1 v 5, 2 v 6, ... in a group
of eight); when a group is odd its lowest player floats down into the next group. Nobody meets
the same opponent twice: when the preferred pairing would repeat a match, the search tries the
next opponents in the same order of preference and backtracks as needed. With an odd number of
players, the lowest-ranked player who has not had a bye gets one; a bye counts as a win. Sides
are balanced: the player who has played more on side 1 takes side 2.

The number of rounds defaults to ceil(log2 N) (per group inside a groups stage) and is capped at
max(ceil(log2 N), N // 2); below that cap a pairing without a rematch always exists, and the
pairing always finds one. Ids: ``S<round>.<n>`` (``G<g>-S<round>.<n>``
inside a groups stage); the bye is the last match of its round.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence

from deltacrown.engine.formats.base import Rules, require
from deltacrown.engine.formats.round_robin import validate_points
from deltacrown.engine.model import Match, MatchStatus, Outcome, Result, StageConfig
from deltacrown.engine.progression import Work

# Pairing is a search; this bounds its work per round. When it runs out (late rounds of long
# events), a greedy pairing with partner swaps takes over, which always finds a rematch-free
# pairing below the round cap. Only withdrawals can leave no rematch-free pairing at all; the
# round is then paired allowing rematches rather than stopping the stage.
SEARCH_BUDGET = 20_000


def default_rounds(count: int) -> int:
    """ceil(log2 N) rounds, at least one."""
    return max(1, math.ceil(math.log2(count))) if count > 1 else 1


def max_rounds(count: int) -> int:
    """The most rounds a Swiss of ``count`` players may have."""
    return max(default_rounds(count), count // 2)


class History:
    """What the pairing needs to know about the rounds played so far in one Swiss group."""

    def __init__(self, members: Sequence[str]) -> None:
        self.points = dict.fromkeys(members, 0)
        self.opponents: dict[str, set[str]] = {p: set() for p in members}
        self.byes = dict.fromkeys(members, 0)
        self.balance = dict.fromkeys(members, 0)  # games on side 1 minus games on side 2
        self.last_side: dict[str, int] = {}
        self.rounds = 0

    def add(self, match: Match, points: tuple[int, int, int]) -> None:
        """Count one match of the group."""
        win, draw, loss = points
        self.rounds = max(self.rounds, match.round)
        if match.status is MatchStatus.BYE:
            player = match.present[0]
            self.byes[player] += 1
            self.points[player] += win
            return
        a, b = match.participants
        if a is None or b is None:
            return
        self.opponents[a].add(b)
        self.opponents[b].add(a)
        self.balance[a] += 1
        self.balance[b] -= 1
        self.last_side[a], self.last_side[b] = 0, 1
        result = match.result
        if match.status is not MatchStatus.COMPLETED or not isinstance(result, Result):
            return
        if result.outcome is Outcome.DRAW:
            self.points[a] += draw
            self.points[b] += draw
        elif result.outcome is Outcome.DOUBLE_FORFEIT:
            self.points[a] += loss
            self.points[b] += loss
        elif result.winner is not None and result.loser is not None:
            self.points[result.winner] += win
            self.points[result.loser] += loss


def _preferences(rem: tuple[int, ...], score: Sequence[int], left: dict[int, int]) -> Iterator[int]:
    """Positions in ``rem`` of the opponents for rem[0], most preferred first.

    The top half of rem[0]'s score group meets the bottom half in order; then the player who
    would float; then the rest of the top half; then everyone below. ``left`` counts the
    unpaired players of each score group. Lazy: usually the first candidate fits.
    """
    size = left[score[rem[0]]]
    if size == 1:
        yield from range(1, len(rem))
        return
    half = size // 2
    yield from range(half, size)
    yield from range(half - 1, 0, -1)
    yield from range(size, len(rem))


def _left(order: Sequence[int], score: Sequence[int]) -> dict[int, int]:
    left: dict[int, int] = {}
    for player in order:
        left[score[player]] = left.get(score[player], 0) + 1
    return left


def _search(
    order: tuple[int, ...],
    score: Sequence[int],
    played: Sequence[set[int]],
    *,
    allow_rematch: bool,
    budget: list[int],
) -> list[tuple[int, int]] | None:
    """The most preferred pairing of ``order`` (player indices best first) by depth-first
    search, or None if there is none (or the shared ``budget`` of steps runs out)."""
    left = _left(order, score)  # kept in step with the search
    failed: set[tuple[int, ...]] = set()
    frames: list[tuple[tuple[int, ...], Iterator[int]]] = []
    pairs: list[tuple[int, int]] = []
    remaining = order
    while True:
        if not remaining:
            return pairs
        if remaining not in failed:
            frames.append((remaining, _preferences(remaining, score, left)))
        while frames:
            rem, options = frames[-1]
            if len(pairs) == len(frames):
                # The previous choice of this frame led nowhere: undo it.
                a, b = pairs.pop()
                left[score[a]] += 1
                left[score[b]] += 1
            player = rem[0]
            for position in options:
                budget[0] -= 1
                if budget[0] < 0:
                    return None
                if allow_rematch or rem[position] not in played[player]:
                    break
            else:
                failed.add(rem)
                frames.pop()
                continue
            opponent = rem[position]
            pairs.append((player, opponent))
            left[score[player]] -= 1
            left[score[opponent]] -= 1
            remaining = rem[1:position] + rem[position + 1 :]
            break
        else:
            return None


def _greedy(
    order: tuple[int, ...], score: Sequence[int], played: Sequence[set[int]]
) -> list[tuple[int, int]] | None:
    """A rematch-free pairing without search: everyone takes their most preferred free
    opponent; players left over are fitted in by swapping partners with an existing pair.

    Used when the search runs out of budget (many rounds, big groups). When nobody has played
    more than half of the field, two left-over players u and v always find a pair (x, y) with
    u-x and v-y both new, so this cannot fail below the round cap.
    """
    left = _left(order, score)
    pairs: list[tuple[int, int]] = []
    stuck: list[int] = []
    rem = order
    while rem:
        player = rem[0]
        for position in _preferences(rem, score, left):
            if rem[position] not in played[player]:
                break
        else:
            stuck.append(player)
            left[score[player]] -= 1
            rem = rem[1:]
            continue
        opponent = rem[position]
        pairs.append((player, opponent))
        left[score[player]] -= 1
        left[score[opponent]] -= 1
        rem = rem[1:position] + rem[position + 1 :]
    while stuck:
        # First pair left-over players who may meet; then swap one pair apart for two who may not.
        for u in list(stuck):
            if u not in stuck:
                continue
            partner = next((w for w in stuck if w != u and w not in played[u]), None)
            if partner is not None:
                stuck.remove(u)
                stuck.remove(partner)
                pairs.append((u, partner))
        if not stuck:
            break
        u, v = stuck.pop(), stuck.pop()
        for index, (x, y) in enumerate(pairs):
            if x not in played[u] and y not in played[v]:
                pairs[index] = (x, u)
                pairs.append((y, v))
                break
            if y not in played[u] and x not in played[v]:
                pairs[index] = (y, u)
                pairs.append((x, v))
                break
        else:
            return None
    rank = {player: i for i, player in enumerate(order)}
    pairs = [(a, b) if rank[a] < rank[b] else (b, a) for a, b in pairs]
    return sorted(pairs, key=lambda pair: rank[pair[0]])


def pair_round(ranked: Sequence[str], history: History) -> tuple[list[tuple[str, str]], str | None]:
    """Pairs (higher-ranked first) and the bye for the next round of ``ranked`` players."""
    index = {p: i for i, p in enumerate(ranked)}
    score = [history.points[p] for p in ranked]
    played = [{index[o] for o in history.opponents[p] if o in index} for p in ranked]
    everyone = tuple(range(len(ranked)))
    bye_order: list[int | None] = [None]
    if len(ranked) % 2:
        # The lowest-ranked player without a bye first; if everyone has had one, the fewest.
        bye_order = sorted(everyone, key=lambda i: (history.byes[ranked[i]], -i))
    budget = [SEARCH_BUDGET]
    attempts = (
        lambda order: _search(order, score, played, allow_rematch=False, budget=budget),
        lambda order: _greedy(order, score, played),
        lambda order: _search(order, score, played, allow_rematch=True, budget=[len(order)]),
    )
    for attempt in attempts:
        for bye in bye_order:
            found = attempt(tuple(i for i in everyone if i != bye))
            if found is not None:
                pairs = [(ranked[a], ranked[b]) for a, b in found]
                return pairs, None if bye is None else ranked[bye]
    raise AssertionError("pairing with rematches allowed always succeeds")  # pragma: no cover


def assign_sides(a: str, b: str, history: History, rnd: int) -> tuple[str, str]:
    """Side 1 goes to whoever has played less on side 1 (then: was on side 2 last time)."""
    if history.balance[a] != history.balance[b]:
        return (a, b) if history.balance[a] < history.balance[b] else (b, a)
    last_a, last_b = history.last_side.get(a), history.last_side.get(b)
    if last_a is not None and last_b is not None and last_a != last_b:
        return (a, b) if last_a == 1 else (b, a)
    return (a, b) if rnd % 2 else (b, a)


def next_round(
    work_matches: Sequence[Match],
    members: Sequence[str],
    *,
    withdrawn: set[str] | frozenset[str],
    seeds: dict[str, int],
    points: tuple[int, int, int],
    label: str,
    prefix: str,
) -> list[Match]:
    """The matches of the next round of one Swiss group, from the matches played so far."""
    history = History(members)
    for match in work_matches:
        history.add(match, points)
    active = [p for p in members if p not in withdrawn]
    if len(active) < 2:
        return []
    ranked = sorted(active, key=lambda p: (-history.points[p], seeds[p]))
    rnd = history.rounds + 1
    pairs, bye = pair_round(ranked, history)
    matches = []
    for number, (a, b) in enumerate(pairs, start=1):
        matches.append(
            Match(
                id=f"{prefix}S{rnd}.{number}",
                group=label,
                round=rnd,
                number=number,
                participants=assign_sides(a, b, history, rnd),
                status=MatchStatus.READY,
            )
        )
    if bye is not None:
        matches.append(
            Match(
                id=f"{prefix}S{rnd}.{len(pairs) + 1}",
                group=label,
                round=rnd,
                number=len(pairs) + 1,
                participants=(bye,),
                status=MatchStatus.BYE,
            )
        )
    return matches


def swiss_rounds(config: StageConfig, size: int) -> int:
    """The number of rounds for a Swiss group of ``size`` players: the configured number, or
    ceil(log2 size) for each group on its own."""
    return config.rounds or default_rounds(size)


def validate_swiss(config: StageConfig, group_sizes: Sequence[int]) -> None:
    """Check the Swiss options for groups of these sizes."""
    smallest = min(group_sizes)
    require(smallest >= 2, "A Swiss needs at least 2 players.", participants=smallest)
    for size in sorted(set(group_sizes)):
        rounds = swiss_rounds(config, size)
        cap = max_rounds(size)
        require(
            1 <= rounds <= cap,
            f"A Swiss of {size} players can have 1 to {cap} rounds without rematches; "
            "use round robin for more.",
            rounds=rounds,
        )
    validate_points(config)


def advance_group(work: Work, match: Match, *, members: Sequence[str], prefix: str) -> None:
    """Pair the next round of ``match``'s Swiss group if its current round is now decided."""
    label = match.group
    if work.open_groups.get(label, 0) or f"{prefix}S{match.round + 1}.1" in work.matches:
        return
    if match.round >= swiss_rounds(work.config, len(members)):
        return
    played = [m for m in work.matches.values() if m.group == label]
    for new in next_round(
        played,
        members,
        withdrawn=frozenset(work.withdrawn),
        seeds=work.stage._seeds,
        points=work.config.points,
        label=label,
        prefix=prefix,
    ):
        work.put(new)


class Swiss(Rules):
    """Swiss system: R rounds paired by score groups, no rematches, byes count as wins."""

    def validate(self, config: StageConfig, count: int) -> None:
        validate_swiss(config, [count])

    def build(
        self, config: StageConfig, participants: tuple[str, ...]
    ) -> tuple[list[Match], tuple[tuple[str, ...], ...]]:
        seeds = {p: i + 1 for i, p in enumerate(participants)}
        first = next_round(
            [],
            participants,
            withdrawn=frozenset(),
            seeds=seeds,
            points=config.points,
            label="swiss",
            prefix="",
        )
        return first, (participants,)

    def allows_draw(self, config: StageConfig, match: Match) -> bool:
        return config.allow_draws

    def after_decided(self, work: Work, old: Match, new: Match) -> None:
        advance_group(work, new, members=work.stage.participants, prefix="")
