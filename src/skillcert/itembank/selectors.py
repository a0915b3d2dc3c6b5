"""Scoped reads of the item bank: the bank of one standard level and its coverage."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from skillcert.catalog.models import StandardLevel
from skillcert.core.actors import Actor
from skillcert.core.scoping import ScopedQuerySet
from skillcert.itembank.choices import ItemStatus, ItemType
from skillcert.itembank.models import AssessmentPoint, Item

# DESIGN.md "Rules with numbers": the bank holds at least 4 items per assessment point.
MIN_ITEMS_PER_POINT = 4
DIFFICULTIES = (1, 2, 3, 4, 5)


def bank_items(*, actor: Actor, standard_level: StandardLevel) -> ScopedQuerySet[Item]:
    """The current versions of the items the actor sees for one standard level."""
    return (
        Item.objects.for_actor(actor)
        .filter(standard_level=standard_level, is_current=True)
        .select_related("point__area", "owner")
        .order_by("point__code", "id")
    )


@dataclass(frozen=True)
class CountRow:
    area: str
    type_label: str
    by_difficulty: list[int]
    total: int


def bank_counts(*, actor: Actor, standard_level: StandardLevel) -> list[CountRow]:
    """Usable items (not retired) per knowledge area × type, split by difficulty."""
    rows = (
        bank_items(actor=actor, standard_level=standard_level)
        .exclude(status=ItemStatus.RETIRED)
        .values("point__area__position", "point__area__name", "type", "difficulty")
        .annotate(n=Count("id"))
        .order_by("point__area__position", "type", "difficulty")
    )
    table: dict[tuple[int, str, str], list[int]] = {}
    for r in rows:
        key = (r["point__area__position"], r["point__area__name"], r["type"])
        table.setdefault(key, [0] * len(DIFFICULTIES))[r["difficulty"] - 1] += r["n"]
    labels = dict(ItemType.choices)
    return [
        CountRow(area=name, type_label=str(labels[kind]), by_difficulty=cells, total=sum(cells))
        for (_pos, name, kind), cells in table.items()
    ]


@dataclass(frozen=True)
class PointCoverage:
    point: AssessmentPoint
    items: int

    @property
    def short(self) -> bool:
        return self.items < MIN_ITEMS_PER_POINT


def point_coverage(*, actor: Actor, standard_level: StandardLevel) -> list[PointCoverage]:
    """Every assessment point of the level with its usable items the actor sees."""
    visible = Item.objects.for_actor(actor).filter(standard_level=standard_level, is_current=True)
    points = (
        AssessmentPoint.objects.filter(standard_level=standard_level)
        .select_related("area")
        .annotate(
            n=Count(
                "items",
                filter=Q(items__in=visible.values("pk")) & ~Q(items__status=ItemStatus.RETIRED),
            )
        )
        .order_by("area__position", "code")
    )
    return [PointCoverage(point=p, items=p.n) for p in points]
