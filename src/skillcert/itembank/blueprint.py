"""The 组卷 blueprint of a theory paper: how many items of which type, area and difficulty.

Sources and rules (national-rules.md §4):

* Points per knowledge area follow the standard's 理论知识权重表 for the level: an area's
  share of every item type is its weight percentage.
* Item types, counts and points per type are configured per standard and level in
  :class:`~skillcert.itembank.models.Blueprint` ``type_plan``. Without one, the classic
  标准化试卷 of 初、中级 applies: "200 items = 140–160 选择题 + 60–40 判断题, 90 min", each
  0.5 point — here 160 单项选择题 + 40 判断题 = 100 points (:func:`default_type_plan`).
* Counts are split with the largest-remainder method (Hamilton), so the area counts of
  a type add up exactly to the type's count; ties go to the earlier row.
* Difficulty: within every area × type, the items spread over difficulty 1–5 in the
  shares 1:2:4:2:1 (10 % very easy, 20 % easy, 40 % medium, 20 % hard, 10 % very hard),
  again by largest remainder, ties to the middle. Assembly may move at most
  :data:`DIFFICULTY_TOLERANCE` items of a cell to an adjacent difficulty when the bank
  lacks that exact difficulty; area and type counts are always exact.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from skillcert.catalog.choices import WeightTable
from skillcert.catalog.models import StandardLevel
from skillcert.core.errors import DomainError
from skillcert.itembank.choices import ItemType
from skillcert.itembank.models import Blueprint

CLASSIC_DURATION_MINUTES = 90
CLASSIC_TOTAL_POINTS = Decimal(100)
DIFFICULTIES: tuple[int, ...] = (1, 2, 3, 4, 5)
DIFFICULTY_SHARES: tuple[int, ...] = (1, 2, 4, 2, 1)  # per difficulty 1..5
DIFFICULTY_TOLERANCE = 1  # items per cell that may come from an adjacent difficulty
_DIFFICULTY_TIE_ORDER: tuple[int, ...] = (3, 2, 4, 1, 5)  # remainders tie: middle first


@dataclass(frozen=True)
class TypePlan:
    type: str
    count: int
    points: Decimal  # per item

    @property
    def label(self) -> str:
        return str(ItemType(self.type).label)


@dataclass(frozen=True)
class Area:
    """A row of the theory weight table."""

    id: int
    position: int
    name: str
    percent: Decimal


@dataclass(frozen=True)
class Cell:
    """How many items of one area, type and difficulty one form needs."""

    area: Area
    type: str
    difficulty: int
    needed: int


@dataclass(frozen=True)
class BlueprintSpec:
    standard_level_id: int
    duration_minutes: int
    types: tuple[TypePlan, ...]
    areas: tuple[Area, ...]
    # (area id, type) -> items per form
    counts: Mapping[tuple[int, str], int]
    difficulty_tolerance: int = DIFFICULTY_TOLERANCE

    @property
    def total_items(self) -> int:
        return sum(plan.count for plan in self.types)

    @property
    def total_points(self) -> Decimal:
        return sum((plan.count * plan.points for plan in self.types), Decimal(0))

    def points_for(self, item_type: str) -> Decimal:
        for plan in self.types:
            if plan.type == item_type:
                return plan.points
        raise KeyError(item_type)

    def cells(self) -> list[Cell]:
        return blueprint_cells(self)


def default_type_plan() -> list[dict[str, Any]]:
    """The classic 200-item paper: 160 单项选择题 + 40 判断题, 0.5 point each (§4 [P-KPY])."""
    return [
        {"type": ItemType.SINGLE.value, "count": 160, "points": "0.5"},
        {"type": ItemType.TRUE_FALSE.value, "count": 40, "points": "0.5"},
    ]


def largest_remainder(
    total: int, weights: Sequence[Decimal | int], order: Sequence[int]
) -> list[int]:
    """Split ``total`` in proportion to ``weights``; the parts add up to ``total`` exactly.

    Remainders are handed out largest first; ``order`` (indexes) breaks ties.
    """
    weight_sum = sum((Decimal(w) for w in weights), Decimal(0))
    if total == 0 or weight_sum == 0:
        return [0] * len(weights)
    quotas = [Decimal(total) * Decimal(w) / weight_sum for w in weights]
    parts = [int(q) for q in quotas]  # floor: quotas are not negative
    rank = {index: n for n, index in enumerate(order)}
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(quotas[i] - parts[i]), rank[i]))
    for i in by_remainder[: total - sum(parts)]:
        parts[i] += 1
    return parts


def difficulty_split(count: int) -> dict[int, int]:
    """Items per difficulty 1..5 for ``count`` items (shares 1:2:4:2:1)."""
    order = [DIFFICULTIES.index(d) for d in _DIFFICULTY_TIE_ORDER]
    parts = largest_remainder(count, DIFFICULTY_SHARES, order)
    return dict(zip(DIFFICULTIES, parts, strict=True))


def parse_type_plan(raw: Sequence[Mapping[str, Any]]) -> tuple[TypePlan, ...]:
    plans: list[TypePlan] = []
    for row in raw:
        try:
            item_type = ItemType(str(row["type"])).value
            count = int(row["count"])
            points = Decimal(str(row["points"]))
        except (KeyError, ValueError, TypeError, InvalidOperation) as exc:
            raise DomainError(_("组卷蓝图的题型配置有误：%(row)s") % {"row": row}) from exc
        if count <= 0 or points <= 0:
            raise DomainError(_("组卷蓝图中每种题型的题量和分值都必须大于0。"))
        if any(p.type == item_type for p in plans):
            raise DomainError(_("组卷蓝图中题型重复。"))
        plans.append(TypePlan(type=item_type, count=count, points=points))
    if not plans:
        raise DomainError(_("组卷蓝图没有配置题型。"))
    return tuple(plans)


def blueprint_for(standard_level: StandardLevel) -> BlueprintSpec:
    """The blueprint of ``standard_level``'s theory paper (configured, or the classic one)."""
    configured = Blueprint.objects.filter(standard_level=standard_level).first()
    if configured is not None and configured.type_plan:
        types = parse_type_plan(configured.type_plan)
        duration = configured.duration_minutes
    else:
        types = parse_type_plan(default_type_plan())
        duration = configured.duration_minutes if configured else CLASSIC_DURATION_MINUTES
    total_points = sum((plan.count * plan.points for plan in types), Decimal(0))
    if total_points != CLASSIC_TOTAL_POINTS:
        raise DomainError(
            _("组卷蓝图总分为%(total)s分，应为100分。") % {"total": _plain(total_points)}
        )
    rows = standard_level.weights.filter(table=WeightTable.THEORY).order_by("position")
    areas = tuple(
        Area(id=row.pk, position=row.position, name=row.name, percent=row.percent) for row in rows
    )
    if not areas:
        raise DomainError(_("该职业等级没有理论知识权重表，无法组卷。"))
    percent_total = sum((area.percent for area in areas), Decimal(0))
    if percent_total != 100:
        raise DomainError(
            _("理论知识权重表合计为%(total)s%%，应为100%%。") % {"total": _plain(percent_total)}
        )
    counts: dict[tuple[int, str], int] = {}
    order = list(range(len(areas)))
    for plan in types:
        parts = largest_remainder(plan.count, [area.percent for area in areas], order)
        for area, part in zip(areas, parts, strict=True):
            counts[(area.id, plan.type)] = part
    return BlueprintSpec(
        standard_level_id=standard_level.pk,
        duration_minutes=duration,
        types=types,
        areas=areas,
        counts=counts,
    )


def _plain(value: Decimal) -> str:
    """``10`` for 10.00, ``99.5`` for 99.50 (never ``1E+1``)."""
    return format(value.normalize(), "f")


def blueprint_cells(spec: BlueprintSpec) -> list[Cell]:
    """Every non-empty (area, type, difficulty) requirement of one form, in paper order."""
    cells: list[Cell] = []
    for plan in spec.types:
        for area in spec.areas:
            for difficulty, needed in difficulty_split(spec.counts[(area.id, plan.type)]).items():
                if needed:
                    cells.append(Cell(area, plan.type, difficulty, needed))
    return cells
