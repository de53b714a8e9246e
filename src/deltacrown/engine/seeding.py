"""Engine layer, seeding: how participants get their seeds and how seeds are placed.

Two different questions live here. *Seeding methods* decide the seed order of the participants
(natural, random with a recorded RNG seed, manual, by rating). *Seed orderings* decide where
seeds go: into first-round bracket slots and losers-bracket drop-ins (``standard``, ``natural``,
``reverse``, ``half_shift``, ``reverse_half_shift``, ``pair_flip``, ``inner_outer``) or into
groups (``snake``, ``effort_balanced``). Every ordering is deterministic and documented with an
example in docs/engine.md.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

from deltacrown.engine.errors import InvalidConfiguration

T = TypeVar("T")

BRACKET_ORDERINGS = (
    "standard",
    "natural",
    "reverse",
    "half_shift",
    "reverse_half_shift",
    "pair_flip",
    "inner_outer",
)
GROUP_ORDERINGS = ("snake", "effort_balanced")
SEEDING_METHODS = ("natural", "random", "manual", "rating")


def next_power_of_two(n: int) -> int:
    """The smallest power of two that is >= n (1 for n <= 1)."""
    size = 1
    while size < n:
        size *= 2
    return size


def standard_positions(size: int) -> list[int]:
    """Seed numbers in bracket order for a power-of-two ``size``: 1, size, ... (1-based).

    Built by doubling: each seed s of the half-size bracket is followed by its opponent
    ``2k + 1 - s``. Seeds 1 and 2 can then only meet in the final, seeds 1-4 only from the
    semi-finals on, and so on.
    """
    positions = [1]
    while len(positions) < size:
        mirror = 2 * len(positions) + 1
        positions = [seed for s in positions for seed in (s, mirror - s)]
    return positions


def _inner_outer_positions(size: int) -> list[int]:
    """Outer pairs, then inner pairs, quarter by quarter (the classic brackets-manager order)."""
    if size <= 2:
        return list(range(1, size + 1))
    quarter = size // 4
    seeds = list(range(1, size + 1))
    outer = [seeds[:quarter], seeds[3 * quarter :]]
    inner = [seeds[quarter : 2 * quarter], seeds[2 * quarter : 3 * quarter]]
    result: list[int] = []
    for _ in range(max(1, quarter // 2)):
        if outer[0] and outer[1]:
            result += [outer[0].pop(0), outer[1].pop()]
        if inner[0] and inner[1]:
            result += [inner[0].pop(), inner[1].pop(0)]
        if outer[0] and outer[1]:
            result += [outer[0].pop(), outer[1].pop(0)]
        if inner[0] and inner[1]:
            result += [inner[0].pop(0), inner[1].pop()]
    return result


def _by_positions(items: Sequence[T], positions_for: Callable[[int], list[int]]) -> list[T]:
    # Orderings defined on power-of-two brackets extend to any length by computing the
    # positions for the next power of two and skipping the seeds that do not exist.
    n = len(items)
    return [items[pos - 1] for pos in positions_for(next_power_of_two(n)) if pos <= n]


def _half_shift(items: Sequence[T]) -> list[T]:
    half = len(items) // 2
    return [*items[half:], *items[:half]]


def _reverse_half_shift(items: Sequence[T]) -> list[T]:
    half = len(items) // 2
    return [*reversed(items[:half]), *reversed(items[half:])]


def _pair_flip(items: Sequence[T]) -> list[T]:
    result = list(items)
    for i in range(0, len(result) - 1, 2):
        result[i], result[i + 1] = result[i + 1], result[i]
    return result


_BRACKET: dict[str, Callable[[Sequence[T]], list[T]]] = {
    "standard": lambda items: _by_positions(items, standard_positions),
    "natural": list,
    "reverse": lambda items: list(reversed(items)),
    "half_shift": _half_shift,
    "reverse_half_shift": _reverse_half_shift,
    "pair_flip": _pair_flip,
    "inner_outer": lambda items: _by_positions(items, _inner_outer_positions),
}


def _snake(items: Sequence[T], groups: int) -> list[list[T]]:
    result: list[list[T]] = [[] for _ in range(groups)]
    for index, item in enumerate(items):
        row, column = divmod(index, groups)
        result[column if row % 2 == 0 else groups - 1 - column].append(item)
    return result


def _effort_balanced(items: Sequence[T], groups: int) -> list[list[T]]:
    return [list(items[g::groups]) for g in range(groups)]


def order_seeds(ordering: str, seeds: Sequence[T], groups: int | None = None) -> list:
    """Arrange ``seeds`` (best first) by ``ordering``.

    Bracket orderings return one list: consecutive entries meet in the first round.
    Group orderings (``snake``, ``effort_balanced``) need ``groups`` and return one list per
    group. For example ``order_seeds("standard", [1, 2, 3, 4])`` is ``[1, 4, 2, 3]`` and
    ``order_seeds("snake", [1, 2, 3, 4, 5, 6], groups=2)`` is ``[[1, 4, 5], [2, 3, 6]]``.
    """
    if ordering in _BRACKET:
        if groups is not None:
            raise InvalidConfiguration(
                f"Ordering {ordering!r} places seeds in a bracket and takes no group count.",
                ordering=ordering,
            )
        return _BRACKET[ordering](seeds)
    if ordering in GROUP_ORDERINGS:
        if groups is None or groups < 1:
            raise InvalidConfiguration(
                f"Ordering {ordering!r} distributes seeds into groups: give a group count >= 1.",
                ordering=ordering,
            )
        if ordering == "snake":
            return _snake(seeds, groups)
        return _effort_balanced(seeds, groups)
    raise InvalidConfiguration(
        f"Unknown seed ordering {ordering!r}; known: "
        f"{', '.join(BRACKET_ORDERINGS + GROUP_ORDERINGS)}.",
        ordering=ordering,
    )


def first_round(count: int, ordering: str = "standard") -> list[tuple[int, int | None]]:
    """First-round pairs of seed numbers (1-based) for ``count`` participants; None is a bye.

    The bracket has the next power of two of slots. The ordering arranges seeds 1..size (seeds
    above ``count`` are byes); the byes are then dropped, each of the top ``size - count`` seeds
    receives a bye where it stands, and the remaining seeds play in the order they appear.
    So byes always go to the top seeds and a bye never meets a bye, whatever the ordering.
    With ``standard`` this is the classic bracket: 1 v 16, 8 v 9, ... for 16.
    """
    size = next_power_of_two(count)
    byes = size - count
    ordered = [seed for seed in order_seeds(ordering, list(range(1, size + 1))) if seed <= count]
    pairs: list[tuple[int, int | None]] = []
    waiting: int | None = None
    for seed in ordered:
        if seed <= byes:
            pairs.append((seed, None))
        elif waiting is None:
            waiting = seed
        else:
            pairs.append((waiting, seed))
            waiting = None
    return pairs


def seed_participants(
    participants: Sequence[str],
    method: str = "natural",
    *,
    rng_seed: int | None = None,
    ratings: Mapping[str, float] | None = None,
    order: Sequence[str] | None = None,
) -> list[str]:
    """The participants in seed order (best seed first) by a seeding method.

    ``natural``: as given. ``random``: shuffled by ``rng_seed`` (required, so it can be
    recorded and reproduced). ``manual``: ``order`` lists every participant exactly once.
    ``rating``: highest ``ratings`` first; equal ratings keep the given order.
    """
    given = list(participants)
    if len(set(given)) != len(given):
        raise InvalidConfiguration("A participant is listed twice.")
    if method == "natural":
        return given
    if method == "random":
        if rng_seed is None:
            raise InvalidConfiguration("Random seeding needs an RNG seed so it can be reproduced.")
        random.Random(rng_seed).shuffle(given)  # noqa: S311 - reproducible draw, not security
        return given
    if method == "manual":
        if order is None or sorted(order) != sorted(given):
            raise InvalidConfiguration("Manual seeding must list every participant exactly once.")
        return list(order)
    if method == "rating":
        if ratings is None or any(p not in ratings for p in given):
            raise InvalidConfiguration("Rating seeding needs a rating for every participant.")
        return sorted(given, key=lambda p: -ratings[p])
    raise InvalidConfiguration(
        f"Unknown seeding method {method!r}; known: {', '.join(SEEDING_METHODS)}.",
        method=method,
    )
