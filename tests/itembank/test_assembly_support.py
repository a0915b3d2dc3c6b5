"""Builders for the assembly tests: a standard level with a theory weight table and a
bank made with the ORM (no item services needed)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from decimal import Decimal
from itertools import count
from typing import Any

from skillcert.catalog.choices import StandardKind, WeightTable
from skillcert.catalog.models import Occupation, Standard, StandardLevel, WeightRow
from skillcert.core.models import Organisation
from skillcert.itembank.blueprint import DIFFICULTIES, BlueprintSpec, difficulty_split
from skillcert.itembank.choices import ItemStatus, ItemType
from skillcert.itembank.models import AssessmentPoint, Blueprint, Item

_codes = count(1)

SMALL_WEIGHTS = (("基本要求·职业道德", 10), ("安全知识", 30), ("设备操作", 60))


def make_level(
    weights: Sequence[tuple[str, int]] = SMALL_WEIGHTS,
    type_plan: list[dict[str, Any]] | None = None,
) -> StandardLevel:
    n = next(_codes)
    occupation = Occupation.objects.create(code=f"9-99-99-{n:02d}", name=f"测试职业{n}", tier=4)
    standard = Standard.objects.create(
        kind=StandardKind.NATIONAL,
        title=f"测试职业{n}国家职业技能标准",
        document_number=f"测{n}",
        year=2024,
        occupation=occupation,
    )
    level = StandardLevel.objects.create(standard=standard, level=4)
    for position, (name, percent) in enumerate(weights, start=1):
        WeightRow.objects.create(
            standard_level=level,
            table=WeightTable.THEORY,
            position=position,
            name=name,
            percent=Decimal(percent),
        )
    # A skill table row must not be taken for a knowledge area.
    WeightRow.objects.create(
        standard_level=level, table=WeightTable.SKILL, position=1, name="操作", percent=100
    )
    if type_plan is not None:
        Blueprint.objects.create(standard_level=level, type_plan=type_plan)
    return level


def small_plan() -> list[dict[str, Any]]:
    """20 items: 16 单选 × 5 + 4 判断 × 5 = 100 points."""
    return [
        {"type": ItemType.SINGLE.value, "count": 16, "points": "5"},
        {"type": ItemType.TRUE_FALSE.value, "count": 4, "points": "5"},
    ]


def fill_bank(
    level: StandardLevel,
    owner: Organisation,
    spec: BlueprintSpec,
    *,
    per_cell: Callable[[str, str, int, int], int] = lambda area, type_, d, needed: needed,
    status: str = ItemStatus.ACTIVE,
) -> int:
    """Create items for every area × type × difficulty: ``per_cell(area name, type,
    difficulty, needed)`` of them (default: exactly what one form needs)."""
    items: list[Item] = []
    for area in spec.areas:
        point = AssessmentPoint.objects.create(
            standard_level=level,
            area_id=area.id,
            code=f"P{area.position:02d}",
            name=f"{area.name}鉴定点",
        )
        for plan in spec.types:
            split = difficulty_split(spec.counts[(area.id, plan.type)])
            for d in DIFFICULTIES:
                for k in range(per_cell(area.name, plan.type, d, split[d])):
                    items.append(
                        Item(
                            owner=owner,
                            standard_level=level,
                            point=point,
                            family=uuid.uuid4(),
                            type=plan.type,
                            stem=f"{area.name}{plan.type}难度{d}第{k + 1}题",
                            options=(
                                [{"key": "A", "text": "甲"}, {"key": "B", "text": "乙"}]
                                if plan.type == ItemType.SINGLE
                                else []
                            ),
                            answer=["A"] if plan.type == ItemType.SINGLE else ["T"],
                            difficulty=d,
                            status=status,
                        )
                    )
    Item.objects.bulk_create(items)
    return len(items)
