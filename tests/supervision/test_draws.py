"""The pure draw engine: deterministic, replayable, never a conflicted person."""

from __future__ import annotations

import random
from typing import Any

import pytest

from skillcert.supervision import draws


def test_same_seed_same_draw() -> None:
    args = ("abc", list(range(1, 41)), list(range(100, 112)), {"3": [100, 101]}, 8, 2)
    first = draws.draw(*args)
    assert all(draws.draw(*args) == first for _n in range(5))
    assert len(first[0]) == 8


def test_different_seeds_draw_differently() -> None:
    outcomes = {
        tuple(draws.draw(seed, list(range(1, 101)), list(range(1, 21)), {}, 10, 2)[0])
        for seed in ("a", "b", "c", "d")
    }
    assert len(outcomes) == 4


def test_input_order_does_not_matter() -> None:
    ordered = draws.draw("s", [1, 2, 3, 4, 5], [7, 8, 9], {"2": [7]}, 3, 2)
    shuffled = draws.draw("s", [5, 3, 1, 4, 2, 3], [9, 7, 8], {"2": [7, 7]}, 3, 2)
    assert shuffled == ordered


def test_v1_is_pinned() -> None:
    """Stored draws are replayed with this algorithm: its outputs must never change."""
    selected, assignments = draws.draw(
        "0123456789abcdef", [10, 20, 30, 40, 50], [1, 2, 3, 4], {"20": [1, 2]}, 3, 2
    )
    assert (selected, assignments) == PINNED


# Computed once with DRAW_ALGORITHM "v1"; a change here breaks every recorded draw.
PINNED: tuple[list[int], dict[str, list[int]]] = (
    [10, 30, 20],
    {"10": [2, 3], "30": [4, 1], "20": [4, 3]},
)


def test_a_conflicted_member_is_never_chosen() -> None:
    selected, assignments = draws.draw("x", [1, 2], [5, 6, 7], {"1": [5, 6]}, 2, 1)
    assert assignments["1"] == [7]
    assert set(selected) == {1, 2}


def test_a_target_without_enough_members_is_skipped() -> None:
    result = draws.draw_detailed("x", [1, 2, 3], [5, 6, 7], {"2": [5, 6]}, 3, 2)
    assert result.skipped == [2]
    assert sorted(result.selected) == [1, 3]
    assert "2" not in result.assignments


def test_a_skipped_target_is_replaced_by_the_next_one() -> None:
    result = draws.draw_detailed("y", list(range(1, 11)), [5, 6], {"4": [5]}, 9, 2)
    assert 4 not in result.selected
    assert len(result.selected) == 9
    assert result.skipped == [4]


def test_load_is_spread() -> None:
    _selected, assignments = draws.draw("z", [1, 2, 3, 4], [7, 8, 9, 10], {}, 4, 2)
    counts = {m: 0 for m in (7, 8, 9, 10)}
    for people in assignments.values():
        for m in people:
            counts[m] += 1
    assert set(counts.values()) == {2}


def test_assignments_name_distinct_people_lead_first() -> None:
    selected, assignments = draws.draw("w", [1, 2, 3], [4, 5, 6, 7, 8], {}, 3, 3)
    assert list(assignments) == [str(t) for t in selected]
    for people in assignments.values():
        assert len(set(people)) == 3


def test_fewer_targets_than_asked_draws_them_all() -> None:
    selected, _assignments = draws.draw("v", [1, 2], [3, 4], {}, 5, 1)
    assert sorted(selected) == [1, 2]


@pytest.mark.parametrize(("count", "per"), [(0, 1), (1, 0)])
def test_counts_must_be_positive(count: int, per: int) -> None:
    with pytest.raises(ValueError, match="must be at least 1"):
        draws.draw("s", [1], [1], {}, count, per)


def test_canonical_inputs_ignore_order_and_empty_conflicts() -> None:
    a = draws.canonical_inputs(
        seed="s",
        targets=[3, 1, 2],
        members=[9, 8],
        conflicts={"1": [9, 8], "2": []},
        target_count=2,
        members_per_target=1,
    )
    b = draws.canonical_inputs(
        seed="s",
        targets=[1, 2, 3],
        members=[8, 9],
        conflicts={"1": [8, 9]},
        target_count=2,
        members_per_target=1,
    )
    assert a == b
    assert b.startswith(b'{"algorithm":"v1"')


def test_the_hash_follows_every_input() -> None:
    base: dict[str, Any] = {
        "seed": "s",
        "targets": [1, 2],
        "members": [3, 4],
        "conflicts": {"1": [3]},
        "target_count": 1,
        "members_per_target": 1,
    }
    digest = draws.inputs_sha256(**base)
    changes: list[dict[str, Any]] = [
        {"seed": "t"},
        {"targets": [1, 2, 5]},
        {"members": [3]},
        {"conflicts": {"1": [4]}},
        {"target_count": 2},
        {"members_per_target": 2},
    ]
    for change in changes:
        assert draws.inputs_sha256(**{**base, **change}) != digest, change


def test_property_many_random_inputs() -> None:
    """Over many generated inputs: conflicted people are never chosen, each target gets
    exactly ``members_per_target`` distinct pool people, and every target that could be
    staffed is drawn until ``target_count`` is reached."""
    maker = random.Random(20250101)
    for case in range(600):
        targets = maker.sample(range(1, 200), maker.randint(0, 25))
        members = maker.sample(range(1000, 1100), maker.randint(1, 12))
        per = maker.randint(1, 4)
        count = maker.randint(1, 30)
        conflicts = {
            str(t): maker.sample(members, maker.randint(0, len(members)))
            for t in targets
            if maker.random() < 0.5
        }
        seed = f"{case}-{maker.getrandbits(64):x}"
        result = draws.draw_detailed(seed, targets, members, conflicts, count, per)
        assert result == draws.draw_detailed(seed, targets, members, conflicts, count, per)
        staffable = {
            t for t in targets if len(set(members) - set(conflicts.get(str(t), []))) >= per
        }
        assert len(result.selected) == min(count, len(staffable)), case
        assert len(set(result.selected)) == len(result.selected)
        assert set(result.selected) <= staffable
        assert set(result.skipped).isdisjoint(staffable)
        for target in result.selected:
            people = result.assignments[str(target)]
            assert len(people) == per == len(set(people)), case
            assert set(people) <= set(members)
            assert not set(people) & set(conflicts.get(str(target), [])), case
