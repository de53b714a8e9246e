"""Engine layer, formats: double elimination.

The winners bracket (``W<round>.<n>``) is a single-elimination bracket whose losers drop into
the losers bracket (``L<round>.<n>``) instead of leaving. Losers-bracket round 1 pairs the
winners-bracket round-1 losers; every even losers round takes the survivors against the losers
of the next winners round, who drop in by a *loser ordering* chosen so that they do not meet
someone they have already played; odd rounds after the first pair the survivors among
themselves. The grand final (``GF1``, and ``GF2`` for a reset)
sets the winners-bracket champion (side 1) against the losers-bracket champion (side 2).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from deltacrown.engine.formats.base import require
from deltacrown.engine.formats.elimination import EliminationRules, Tiers
from deltacrown.engine.formats.single_elim import build_single, round_count
from deltacrown.engine.model import (
    GrandFinal,
    Link,
    Match,
    MatchStatus,
    Source,
    SourceKind,
    StageConfig,
    new_match,
    new_source,
)
from deltacrown.engine.seeding import BRACKET_ORDERINGS, next_power_of_two, order_seeds

# Enum members as module names: the builder reads them for every match.
_WINNER = SourceKind.WINNER
_LOSER = SourceKind.LOSER
_WAITING = MatchStatus.WAITING


def default_loser_orderings(rounds: int) -> tuple[str, ...]:
    """The drop-in ordering for each winners round's losers (index 0: round 1).

    Round-1 losers are paired in bracket order. While the losers bracket is wide, ``pair_flip``
    hands each dropping player the survivor of the neighbouring winners-bracket region, which
    they cannot have met; the last three drops (``reverse_half_shift``, ``reverse``, then the
    single winners-final loser) send them across the bracket. With this order, a dropping player
    can only meet someone they have already played in the losers-bracket final (checked for
    every bracket size up to 1,024).
    """
    if rounds <= 3:
        return ("natural", "reverse", "natural")[:rounds]
    return ("natural", *["pair_flip"] * (rounds - 4), "reverse_half_shift", "reverse", "natural")


def build_double(
    entries: Sequence[Source],
    *,
    ordering: str,
    loser_orderings: Sequence[str],
    grand_final: GrandFinal,
    prefix: str = "",
    group: str | None = None,
) -> list[Match]:
    """The matches of a double-elimination bracket whose seed ``i`` is ``entries[i-1]``."""
    rounds = round_count(len(entries))
    size = next_power_of_two(len(entries))
    orders = list(loser_orderings) + list(default_loser_orderings(rounds)[len(loser_orderings) :])
    last = 2 * rounds - 2
    final = Link(f"{prefix}GF1", 0) if grand_final is not GrandFinal.NONE else None

    def wb(rnd: int) -> list[str]:
        return [f"{prefix}W{rnd}.{n}" for n in range(1, (size >> rnd) + 1)]

    # Where each winners-bracket loser drops: round-1 losers pair up in losers round 1; the
    # losers of winners round r + 1 take side 2 of losers round 2r.
    paired = order_seeds(orders[0], wb(1))
    drops = {match_id: Link(f"{prefix}L1.{i // 2 + 1}", i % 2) for i, match_id in enumerate(paired)}
    dropping: dict[int, list[str]] = {}
    for step in range(1, rounds):
        dropping[2 * step] = order_seeds(orders[step], wb(step + 1))
        for number, match_id in enumerate(dropping[2 * step], start=1):
            drops[match_id] = Link(f"{prefix}L{2 * step}.{number}", 1)
    matches = build_single(
        entries,
        ordering=ordering,
        third_place=False,
        prefix=prefix,
        group=group,
        loser_to=drops,
        final_to=final,
    )
    waiting = (None, None)
    for rnd in range(1, last + 1):
        for number in range(1, (size >> ((rnd + 1) // 2 + 1)) + 1):
            if rnd == 1:
                sources = (
                    new_source(_LOSER, paired[2 * number - 2]),
                    new_source(_LOSER, paired[2 * number - 1]),
                )
            elif rnd % 2 == 0:
                sources = (
                    new_source(_WINNER, f"{prefix}L{rnd - 1}.{number}"),
                    new_source(_LOSER, dropping[rnd][number - 1]),
                )
            else:
                sources = (
                    new_source(_WINNER, f"{prefix}L{rnd - 1}.{2 * number - 1}"),
                    new_source(_WINNER, f"{prefix}L{rnd - 1}.{2 * number}"),
                )
            if rnd == last:
                winner_to = Link(f"{prefix}GF1", 1) if final else None
            elif rnd % 2 == 1:
                winner_to = Link(f"{prefix}L{rnd + 1}.{number}", 0)
            else:
                winner_to = Link(f"{prefix}L{rnd + 1}.{(number + 1) // 2}", (number - 1) % 2)
            matches.append(
                new_match(
                    f"{prefix}L{rnd}.{number}",
                    group or "losers",
                    rnd,
                    number,
                    waiting,
                    _WAITING,
                    sources,
                    winner_to,
                    None,
                    None,
                    "losers",
                )
            )
    if final is not None:
        matches.append(
            Match(
                id=f"{prefix}GF1",
                group=group or "grand_final",
                round=1,
                number=1,
                participants=waiting,
                status=MatchStatus.WAITING,
                sources=(
                    Source(SourceKind.WINNER, match=f"{prefix}W{rounds}.1"),
                    Source(SourceKind.WINNER, match=f"{prefix}L{last}.1"),
                ),
                bracket="grand_final",
            )
        )
        if grand_final is GrandFinal.RESET:
            matches.append(
                Match(
                    id=f"{prefix}GF2",
                    group=group or "grand_final",
                    round=2,
                    number=1,
                    participants=waiting,
                    status=MatchStatus.WAITING,
                    sources=(
                        Source(SourceKind.RESET, match=f"{prefix}GF1", number=1),
                        Source(SourceKind.RESET, match=f"{prefix}GF1", number=2),
                    ),
                    bracket="grand_final",
                )
            )
    return matches


def double_tiers(matches: Iterable[Match]) -> Tiers:
    """Placement tiers: a loser of losers round j is at tier j; the grand final decides 1st and
    2nd (without one, the winners-bracket champion is 1st and the losers champion 2nd)."""
    bracket = [m for m in matches if m.bracket in ("winners", "losers", "grand_final")]
    rounds = max(m.round for m in bracket if m.bracket == "winners")
    last = 2 * rounds - 2
    has_final = any(m.bracket == "grand_final" for m in bracket)
    tiers: dict[str, tuple[int, int | None]] = {}
    for match in bracket:
        if match.bracket == "grand_final":
            tiers[match.id] = (last + 1, last + 2)
        elif match.bracket == "losers":
            second = last + 1 if match.round == last and not has_final else None
            tiers[match.id] = (match.round, second)
        else:
            first = last + 2 if match.round == rounds and not has_final else None
            tiers[match.id] = (0, first)
    return tiers


def validate_double(count: int, config: StageConfig) -> None:
    """Check the double-elimination options for ``count`` entries."""
    require(count >= 3, "Double elimination needs at least 3 participants.", participants=count)
    require(
        config.seed_ordering in BRACKET_ORDERINGS,
        f"Unknown seed ordering {config.seed_ordering!r}.",
        ordering=config.seed_ordering,
    )
    rounds = round_count(count)
    require(
        len(config.loser_orderings) <= rounds,
        f"Give at most one loser ordering per winners round ({rounds}).",
    )
    for name in config.loser_orderings:
        require(name in BRACKET_ORDERINGS, f"Unknown loser ordering {name!r}.", ordering=name)


class DoubleElimination(EliminationRules):
    """Double elimination for any N >= 3, grand final none, simple or with a reset."""

    def validate(self, config: StageConfig, count: int) -> None:
        validate_double(count, config)

    def build(
        self, config: StageConfig, participants: tuple[str, ...]
    ) -> tuple[list[Match], tuple[tuple[str, ...], ...]]:
        entries = [Source(SourceKind.SEED, number=i + 1) for i in range(len(participants))]
        matches = build_double(
            entries,
            ordering=config.seed_ordering,
            loser_orderings=config.loser_orderings,
            grand_final=config.grand_final,
        )
        return matches, ()
