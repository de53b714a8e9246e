"""Seed orderings (bracket and groups), first-round layout with byes, and seeding methods."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deltacrown.engine import (
    BRACKET_ORDERINGS,
    InvalidConfiguration,
    StageConfig,
    create_stage,
    first_round,
    order_seeds,
    seed_participants,
)

SEEDS_8 = [1, 2, 3, 4, 5, 6, 7, 8]


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("standard", [1, 8, 4, 5, 2, 7, 3, 6]),
        ("natural", [1, 2, 3, 4, 5, 6, 7, 8]),
        ("reverse", [8, 7, 6, 5, 4, 3, 2, 1]),
        ("half_shift", [5, 6, 7, 8, 1, 2, 3, 4]),
        ("reverse_half_shift", [4, 3, 2, 1, 8, 7, 6, 5]),
        ("pair_flip", [2, 1, 4, 3, 6, 5, 8, 7]),
        ("inner_outer", [1, 8, 4, 5, 2, 7, 3, 6]),
    ],
)
def test_bracket_orderings_place_eight_seeds_as_documented(ordering, expected):
    assert order_seeds(ordering, SEEDS_8) == expected


def test_standard_ordering_of_sixteen_is_the_classic_bracket():
    assert order_seeds("standard", list(range(1, 17))) == [
        1, 16, 8, 9, 4, 13, 5, 12, 2, 15, 7, 10, 3, 14, 6, 11,
    ]  # fmt: skip


def test_inner_outer_differs_from_standard_from_thirty_two_seeds():
    seeds = list(range(1, 33))
    inner_outer = order_seeds("inner_outer", seeds)
    assert inner_outer[:8] == [1, 32, 16, 17, 8, 25, 9, 24]
    assert inner_outer != order_seeds("standard", seeds)
    assert sorted(inner_outer) == seeds


def test_standard_bracket_of_sixteen_pairs_one_with_sixteen_and_eight_with_nine():
    assert first_round(16) == [
        (1, 16), (8, 9), (4, 13), (5, 12), (2, 15), (7, 10), (3, 14), (6, 11),
    ]  # fmt: skip


def test_snake_deals_seeds_back_and_forth_into_groups():
    assert order_seeds("snake", list(range(1, 13)), groups=3) == [
        [1, 6, 7, 12],
        [2, 5, 8, 11],
        [3, 4, 9, 10],
    ]


def test_effort_balanced_deals_every_group_the_same_spread():
    assert order_seeds("effort_balanced", list(range(1, 13)), groups=3) == [
        [1, 4, 7, 10],
        [2, 5, 8, 11],
        [3, 6, 9, 12],
    ]


def test_group_orderings_keep_group_sizes_within_one():
    for ordering in ("snake", "effort_balanced"):
        groups = order_seeds(ordering, list(range(1, 12)), groups=4)
        assert sorted(len(g) for g in groups) == [2, 3, 3, 3]
        assert sorted(s for g in groups for s in g) == list(range(1, 12))


def test_orderings_refuse_unknown_names_and_missing_group_counts():
    with pytest.raises(InvalidConfiguration, match="Unknown seed ordering"):
        order_seeds("alphabetical", SEEDS_8)
    with pytest.raises(InvalidConfiguration, match="group count"):
        order_seeds("snake", SEEDS_8)
    with pytest.raises(InvalidConfiguration, match="takes no group count"):
        order_seeds("standard", SEEDS_8, groups=2)


@settings(max_examples=60, deadline=None)
@given(count=st.integers(2, 256), ordering=st.sampled_from(BRACKET_ORDERINGS))
def test_byes_go_to_the_top_seeds_and_never_meet_each_other(count, ordering):
    pairs = first_round(count, ordering)
    size = 1 << (count - 1).bit_length()
    byes = size - count
    assert len(pairs) == size // 2
    assert sorted(s for pair in pairs for s in pair if s is not None) == list(range(1, count + 1))
    assert all(top is not None for top, _ in pairs)  # a bye never meets a bye
    assert sorted(top for top, bottom in pairs if bottom is None) == list(range(1, byes + 1))


@settings(max_examples=40, deadline=None)
@given(rounds=st.integers(1, 8))
def test_standard_bracket_keeps_top_seeds_apart_until_the_last_rounds(rounds):
    size = 1 << rounds
    order = order_seeds("standard", list(range(1, size + 1)))
    # In every block of size/2^k consecutive slots there is exactly one of the top 2^k seeds,
    # so seeds 1-2 can only meet in the final, 1-4 in the semi-finals, and so on.
    for level in range(rounds + 1):
        block = size >> level
        for start in range(0, size, block):
            top = [s for s in order[start : start + block] if s <= 1 << level]
            assert len(top) == 1


def test_natural_seeding_keeps_the_given_order():
    assert seed_participants(["b", "a", "c"]) == ["b", "a", "c"]


def test_random_seeding_is_reproducible_and_recorded():
    people = [f"p{i}" for i in range(20)]
    first = seed_participants(people, "random", rng_seed=7)
    assert first == seed_participants(people, "random", rng_seed=7)
    assert first != seed_participants(people, "random", rng_seed=8)
    assert sorted(first) == sorted(people)
    stage = create_stage(
        StageConfig(format="single_elimination"), people, seeding="random", rng_seed=7
    )
    assert list(stage.participants) == first
    assert stage.seeding == {"method": "random", "rng_seed": 7}


def test_random_seeding_without_an_rng_seed_is_refused():
    with pytest.raises(InvalidConfiguration, match="RNG seed"):
        seed_participants(["a", "b"], "random")


def test_manual_seeding_uses_the_given_order_and_needs_everyone():
    assert seed_participants(["a", "b", "c"], "manual", order=["c", "a", "b"]) == ["c", "a", "b"]
    with pytest.raises(InvalidConfiguration, match="exactly once"):
        seed_participants(["a", "b", "c"], "manual", order=["c", "a"])


def test_rating_seeding_puts_the_highest_rating_first_and_keeps_ties_in_order():
    ratings = {"a": 1500, "b": 1800, "c": 1500, "d": 1200}
    assert seed_participants(["a", "b", "c", "d"], "rating", ratings=ratings) == [
        "b",
        "a",
        "c",
        "d",
    ]
    with pytest.raises(InvalidConfiguration, match="rating for every"):
        seed_participants(["a", "b"], "rating", ratings={"a": 1})


def test_a_participant_listed_twice_is_refused():
    with pytest.raises(InvalidConfiguration, match="twice"):
        seed_participants(["a", "b", "a"])
