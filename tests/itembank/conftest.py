"""The item bank's test kit: a standard level with a theory weight table and points.

``bank.level`` is 车工 level 5 with two knowledge areas (基础知识 1.1.x, 相关知识 2.1.x);
``bank.item(...)`` writes a draft single-choice item in institution A's bank.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from skillcert.catalog.models import Occupation, Standard, StandardLevel, WeightRow
from skillcert.core.actors import Actor
from skillcert.core.models import Organisation
from skillcert.itembank.models import AssessmentPoint, Item
from skillcert.itembank.services import ItemContent, assessment_point_add, item_create
from tests.conftest import Cast


@dataclass
class Bank:
    cast: Cast
    level: StandardLevel
    areas: list[WeightRow]
    points: list[AssessmentPoint]

    @property
    def admin(self) -> Actor:
        return self.cast.actor("institution_a")

    @property
    def owner(self) -> Organisation:
        return self.cast.orgs["institution_a"]

    def item(self, point: int = 0, **overrides: Any) -> Item:
        return item_create(
            actor=self.admin,
            owner=self.owner,
            point=self.points[point],
            content=single(**overrides),
        )


def single(**overrides: Any) -> ItemContent:
    values: dict[str, Any] = {
        "type": "single",
        "stem": "车床主轴转速的单位是（ ）。",
        "options": [{"key": "A", "text": "r/min"}, {"key": "B", "text": "m/s"}],
        "answer": ["A"],
        "difficulty": 2,
    }
    values.update(overrides)
    return ItemContent(**values)


def build_bank(cast: Cast) -> Bank:
    occupation, _ = Occupation.objects.get_or_create(
        code="6-18-01-01", defaults={"name": "车工", "tier": 4}
    )
    standard = Standard.objects.create(
        occupation=occupation, title="车工国家职业技能标准", kind="national",
        document_number="人社厅发〔2018〕145号", year=2018,
    )  # fmt: skip
    level = StandardLevel.objects.create(standard=standard, level=5)
    areas = [
        WeightRow.objects.create(
            standard_level=level, table="theory", position=1, name="基础知识", percent=Decimal(30)
        ),
        WeightRow.objects.create(
            standard_level=level, table="theory", position=2, name="相关知识", percent=Decimal(70)
        ),
    ]
    system = Actor.system("test")
    points = [
        assessment_point_add(
            actor=system, standard_level=level, area=areas[0], code="1.1.1", name="机械制图"
        ),
        assessment_point_add(
            actor=system, standard_level=level, area=areas[1], code="2.1.1", name="车削加工"
        ),
    ]
    return Bank(cast=cast, level=level, areas=areas, points=points)


@pytest.fixture
def bank(cast: Cast) -> Bank:
    return build_bank(cast)
