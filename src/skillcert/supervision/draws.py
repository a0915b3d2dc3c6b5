"""The draw engine of 双随机一公开 (川人社办发〔2020〕20号 五(一)): pure, no database.

Given a seed, the eligible targets, the people pool and each target's conflicted
people, the engine shuffles the targets with ``random.Random(seed)`` and walks them in
that order, staffing each with ``members_per_target`` people who are not conflicted for
it, until ``target_count`` targets are staffed. People with fewer assignments so far are
preferred (ties broken by the same generator), so the load spreads. A target that cannot
be staffed without a conflicted person is skipped, never given one.

The same inputs always give the same outputs, on any machine: the record of a draw
(:class:`~skillcert.supervision.models.DrawRecord`) keeps the seed and the inputs, and
``manage.py replay_draw`` runs the engine again to show it.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

DRAW_ALGORITHM = "v1"

Conflicts = Mapping[str, Iterable[int]]


@dataclass(frozen=True)
class DrawResult:
    """What a draw produced: the staffed targets in draw order, each target's people (the
    lead first), and the targets passed over for lack of non-conflicted people."""

    selected: list[int]
    assignments: dict[str, list[int]]
    skipped: list[int] = field(default_factory=list)


def _ids(values: Iterable[int]) -> list[int]:
    return sorted({int(v) for v in values})


def normalise_conflicts(conflicts: Conflicts) -> dict[str, list[int]]:
    """Keys as strings, people ascending, targets without conflicts left out."""
    cleaned = {str(int(k)): _ids(v) for k, v in conflicts.items()}
    return {k: cleaned[k] for k in sorted(cleaned, key=int) if cleaned[k]}


def _check_counts(target_count: int, members_per_target: int) -> None:
    if target_count < 1:
        raise ValueError("target_count must be at least 1")
    if members_per_target < 1:
        raise ValueError("members_per_target must be at least 1")


def canonical_inputs(
    *,
    seed: str,
    targets: Iterable[int],
    members: Iterable[int],
    conflicts: Conflicts,
    target_count: int,
    members_per_target: int,
    algorithm: str = DRAW_ALGORITHM,
) -> bytes:
    """The inputs as canonical JSON bytes: what ``inputs_sha256`` hashes."""
    data = {
        "algorithm": algorithm,
        "seed": seed,
        "targets": _ids(targets),
        "members": _ids(members),
        "conflicts": normalise_conflicts(conflicts),
        "target_count": int(target_count),
        "members_per_target": int(members_per_target),
    }
    return json.dumps(data, sort_keys=True, separators=(",", ":")).encode()


def inputs_sha256(
    *,
    seed: str,
    targets: Iterable[int],
    members: Iterable[int],
    conflicts: Conflicts,
    target_count: int,
    members_per_target: int,
    algorithm: str = DRAW_ALGORITHM,
) -> str:
    return hashlib.sha256(
        canonical_inputs(
            seed=seed,
            targets=targets,
            members=members,
            conflicts=conflicts,
            target_count=target_count,
            members_per_target=members_per_target,
            algorithm=algorithm,
        )
    ).hexdigest()


def _pick(rng: random.Random, eligible: list[int], load: dict[int, int], k: int) -> list[int]:
    """``k`` people from ``eligible`` (ascending), the least loaded first; ties by the RNG."""
    chosen: list[int] = []
    remaining = list(eligible)
    for _n in range(k):
        lowest = min(load[m] for m in remaining)
        tied = [m for m in remaining if load[m] == lowest]
        member = tied[0] if len(tied) == 1 else rng.choice(tied)
        chosen.append(member)
        remaining.remove(member)
        load[member] += 1
    return chosen


def draw_detailed(
    seed: str,
    targets: Iterable[int],
    members: Iterable[int],
    conflicts: Conflicts,
    target_count: int,
    members_per_target: int,
) -> DrawResult:
    """Run the engine; see the module docstring."""
    _check_counts(target_count, members_per_target)
    pool = _ids(members)
    blocked = {k: set(v) for k, v in normalise_conflicts(conflicts).items()}
    # Reproducible by design: the seed is random (secrets) and recorded with the draw.
    rng = random.Random(seed)  # noqa: S311
    population = _ids(targets)
    order = rng.sample(population, len(population))
    load = dict.fromkeys(pool, 0)
    selected: list[int] = []
    assignments: dict[str, list[int]] = {}
    skipped: list[int] = []
    for target in order:
        if len(selected) == target_count:
            break
        excluded = blocked.get(str(target), set())
        eligible = [m for m in pool if m not in excluded]
        if len(eligible) < members_per_target:
            skipped.append(target)
            continue
        assignments[str(target)] = _pick(rng, eligible, load, members_per_target)
        selected.append(target)
    return DrawResult(selected, assignments, skipped)


def draw(
    seed: str,
    targets: Iterable[int],
    members: Iterable[int],
    conflicts: Conflicts,
    target_count: int,
    members_per_target: int,
) -> tuple[list[int], dict[str, list[int]]]:
    """(selected targets in draw order, {target id: [member ids, lead first]})."""
    result = draw_detailed(seed, targets, members, conflicts, target_count, members_per_target)
    return result.selected, result.assignments
