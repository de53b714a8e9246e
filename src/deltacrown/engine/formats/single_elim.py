"""Engine layer, formats: single elimination.

The bracket has the next power of two of slots; the first round is laid out by the seed
ordering (``standard`` by default: 1 v 16, 8 v 9, ... so seeds 1 and 2 can only meet in the
final), and the top seeds receive the byes. Match ids are ``W<round>.<number>``; the optional
third-place match is ``3P`` and is played by the two semi-final losers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from deltacrown.engine.formats.base import require
from deltacrown.engine.formats.elimination import EliminationRules, Tiers
from deltacrown.engine.model import (
    Link,
    Match,
    MatchStatus,
    Source,
    SourceKind,
    StageConfig,
    new_match,
    new_source,
)
from deltacrown.engine.seeding import BRACKET_ORDERINGS, first_round, next_power_of_two

BYE = Source(SourceKind.BYE)
# Enum members as module names: the builders read them for every match.
_WINNER = SourceKind.WINNER
_WAITING = MatchStatus.WAITING


def round_count(count: int) -> int:
    """Rounds of a bracket for ``count`` entries."""
    return max(1, (next_power_of_two(count) - 1).bit_length())


def build_single(
    entries: Sequence[Source],
    *,
    ordering: str,
    third_place: bool,
    prefix: str = "",
    group: str | None = None,
    loser_to: Mapping[str, Link] | None = None,
    final_to: Link | None = None,
) -> list[Match]:
    """The matches of a single-elimination bracket whose seed ``i`` comes from ``entries[i-1]``.

    ``prefix`` is put in front of every match id and ``group`` replaces the group labels (both
    used when the bracket is the playoffs of a groups stage). A double elimination passes
    where each match's loser drops (``loser_to``) and where the bracket winner goes
    (``final_to``).
    """
    pairs = first_round(len(entries), ordering)
    rounds = round_count(len(entries))
    size = next_power_of_two(len(entries))
    drops = loser_to or {}
    label = group or "winners"
    waiting = (None, None)
    matches: list[Match] = []
    for rnd in range(1, rounds + 1):
        for number in range(1, (size >> rnd) + 1):
            match_id = f"{prefix}W{rnd}.{number}"
            if rnd == 1:
                top, bottom = pairs[number - 1]
                sources = (entries[top - 1], entries[bottom - 1] if bottom else BYE)
            else:
                sources = (
                    new_source(_WINNER, f"{prefix}W{rnd - 1}.{2 * number - 1}"),
                    new_source(_WINNER, f"{prefix}W{rnd - 1}.{2 * number}"),
                )
            if rnd < rounds:
                winner_to: Link | None = Link(
                    f"{prefix}W{rnd + 1}.{(number + 1) // 2}", (number - 1) % 2
                )
            else:
                winner_to = final_to
            dropped = drops.get(match_id)
            if third_place and rnd == rounds - 1:
                dropped = Link(f"{prefix}3P", number - 1)
            matches.append(
                new_match(
                    match_id,
                    label,
                    rnd,
                    number,
                    waiting,
                    _WAITING,
                    sources,
                    winner_to,
                    dropped,
                    None,
                    "winners",
                )
            )
    if third_place:
        semis = [m for m in matches if m.round == rounds - 1]
        matches.append(
            Match(
                id=f"{prefix}3P",
                group=group or "third_place",
                round=rounds,
                number=1,
                participants=waiting,
                status=MatchStatus.WAITING,
                sources=tuple(Source(SourceKind.LOSER, match=m.id) for m in semis),
                bracket="third_place",
            )
        )
    return matches


def single_tiers(matches: Iterable[Match]) -> Tiers:
    """Placement tiers: a round-r loser is at tier 2r, the champion above the final's loser;
    the third-place match splits the semi-final losers into 3rd and 4th."""
    bracket = [m for m in matches if m.bracket in ("winners", "third_place")]
    rounds = max(m.round for m in bracket if m.bracket == "winners")
    tiers: dict[str, tuple[int, int | None]] = {}
    for match in bracket:
        if match.bracket == "third_place":
            tiers[match.id] = (2 * rounds - 2, 2 * rounds - 1)
        else:
            champion = 2 * rounds + 2 if match.round == rounds else None
            tiers[match.id] = (2 * match.round, champion)
    return tiers


def validate_single(count: int, config: StageConfig) -> None:
    """Check the single-elimination options for ``count`` entries."""
    require(count >= 2, "Single elimination needs at least 2 participants.", participants=count)
    require(
        config.seed_ordering in BRACKET_ORDERINGS,
        f"Unknown seed ordering {config.seed_ordering!r}.",
        ordering=config.seed_ordering,
    )
    require(
        not config.third_place or count >= 3,
        "A third-place match needs at least 3 participants.",
        participants=count,
    )


class SingleElimination(EliminationRules):
    """Single elimination for any N >= 2, with an optional third-place match."""

    def validate(self, config: StageConfig, count: int) -> None:
        validate_single(count, config)

    def build(
        self, config: StageConfig, participants: tuple[str, ...]
    ) -> tuple[list[Match], tuple[tuple[str, ...], ...]]:
        entries = [Source(SourceKind.SEED, number=i + 1) for i in range(len(participants))]
        matches = build_single(
            entries, ordering=config.seed_ordering, third_place=config.third_place
        )
        return matches, ()
