"""Engine layer, formats: round robin (single or double cycle, optionally in groups).

Schedules come from the circle method: one participant stays put while the others rotate, so
every pair meets exactly once per cycle and nobody plays twice in a round; with an odd count,
one participant rests each round. The fixed participant alternates sides and everyone else's
sides alternate with the rotation, so over a cycle nobody plays more than one game more on one
side than on the other; the second cycle repeats the first with sides swapped. Seeds are dealt
into groups by the group ordering (``snake`` by default). Ids: ``R<round>.<n>``, or
``G<group>-R<round>.<n>`` when there are several groups.
"""

from __future__ import annotations

from collections.abc import Sequence

from deltacrown.engine.formats.base import Rules, require
from deltacrown.engine.model import Match, MatchStatus, StageConfig, new_match
from deltacrown.engine.seeding import GROUP_ORDERINGS, order_seeds


def circle_rounds(count: int) -> list[list[tuple[int, int]]]:
    """Pairs of 0-based positions for each round of one cycle; side 1 first in each pair."""
    size = count + count % 2
    wheel = list(range(size))
    rounds = []
    for rnd in range(size - 1):
        pairs = []
        for table in range(size // 2):
            home, away = wheel[table], wheel[size - 1 - table]
            if table == 0 and rnd % 2:
                home, away = away, home
            # Position ``count`` exists only for odd counts: playing it is resting.
            if home < count and away < count:
                pairs.append((home, away))
        rounds.append(pairs)
        wheel = [wheel[0], wheel[-1], *wheel[1:-1]]
    return rounds


def group_label(number: int) -> str:
    """The label of group ``number`` (1-based)."""
    return f"group-{number}"


def build_groups(config: StageConfig, participants: Sequence[str]) -> tuple[tuple[str, ...], ...]:
    """The participants of each group, dealt by ``config.group_ordering``."""
    return tuple(
        tuple(members)
        for members in order_seeds(config.group_ordering, list(participants), config.groups)
    )


def schedule_group(members: Sequence[str], *, label: str, prefix: str, cycles: int) -> list[Match]:
    """Every match of one round-robin group, round by round."""
    rounds = circle_rounds(len(members))
    matches = []
    for cycle in range(cycles):
        for index, pairs in enumerate(rounds):
            rnd = cycle * len(rounds) + index + 1
            for number, (home, away) in enumerate(pairs, start=1):
                sides = (members[home], members[away])
                if cycle % 2:
                    sides = (sides[1], sides[0])
                matches.append(
                    new_match(
                        f"{prefix}R{rnd}.{number}",
                        label,
                        rnd,
                        number,
                        sides,
                        MatchStatus.READY,
                        (),
                        None,
                        None,
                        None,
                        "",
                    )
                )
    return matches


def validate_points(config: StageConfig) -> None:
    """Check the win/draw/loss points of round robin and Swiss."""
    require(
        len(config.points) == 3 and all(isinstance(p, int) for p in config.points),
        "Points are three whole numbers: win, draw, loss.",
    )
    win, draw, loss = config.points
    require(win > draw >= loss, "Points must rank a win above a draw and a draw at least a loss.")


def validate_groups(config: StageConfig, count: int) -> None:
    """Check the group count and ordering for ``count`` participants."""
    require(
        config.group_ordering in GROUP_ORDERINGS,
        f"Unknown group ordering {config.group_ordering!r}.",
        ordering=config.group_ordering,
    )
    require(
        1 <= config.groups <= count // 2,
        "Every group needs at least 2 participants.",
        groups=config.groups,
        participants=count,
    )


class RoundRobin(Rules):
    """Round robin: single or double cycle, optionally in groups."""

    def validate(self, config: StageConfig, count: int) -> None:
        require(count >= 2, "Round robin needs at least 2 participants.", participants=count)
        require(1 <= config.cycles <= 4, "Play 1 to 4 cycles.", cycles=config.cycles)
        validate_groups(config, count)
        validate_points(config)

    def build(
        self, config: StageConfig, participants: tuple[str, ...]
    ) -> tuple[list[Match], tuple[tuple[str, ...], ...]]:
        groups = build_groups(config, participants)
        matches: list[Match] = []
        for number, members in enumerate(groups, start=1):
            prefix = f"G{number}-" if len(groups) > 1 else ""
            matches += schedule_group(
                members, label=group_label(number), prefix=prefix, cycles=config.cycles
            )
        return matches, groups

    def allows_draw(self, config: StageConfig, match: Match) -> bool:
        return config.allow_draws
