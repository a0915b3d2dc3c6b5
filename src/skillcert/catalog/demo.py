"""Demo standards for six real occupations of the 2022 大典 (``is_demo=True``).

The occupations, codes, titles and years are real (the standards' notices are named in
``document_number`` after "演示数据"); the weight tables, durations and the functions
are simplified illustrations, not the standards' text. Eligibility is the national
template. Idempotent: what exists is left alone, so a second run writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction

from skillcert.catalog.choices import StandardKind, WeightTable
from skillcert.catalog.eligibility import national_template
from skillcert.catalog.importer import import_catalog
from skillcert.catalog.models import Occupation, Standard, StandardLevel, WorkType
from skillcert.catalog.services import (
    standard_create,
    standard_level_set,
    weight_table_set,
    work_type_add,
)
from skillcert.core.actors import Actor
from skillcert.core.choices import SkillLevel

ALL_LEVELS = (5, 4, 3, 2, 1)
# Per level 5…1: practical minutes (the standards' minimums vary; these are typical).
PRACTICAL_MINUTES = {5: 120, 4: 150, 3: 180, 2: 240, 1: 240}
ETHICS = 5  # 职业道德, % of the theory paper at every level


@dataclass(frozen=True)
class Function:
    """A 职业功能 and its share (%) per level 5…1 in the theory and skill tables (None: —)."""

    name: str
    theory: tuple[int | None, ...]
    skill: tuple[int | None, ...]


@dataclass(frozen=True)
class DemoStandard:
    code: str
    name: str
    year: int
    notice: str
    basics: tuple[int | None, ...]  # 基础知识 % per level 5…1
    functions: list[Function]
    levels: tuple[int, ...] = ALL_LEVELS
    work_types: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        return f"国家职业技能标准 {self.name}（{self.year}年版）"

    @property
    def document_number(self) -> str:
        return f"演示数据（参照{self.notice}）"


TRAINING = "培训与管理"
DEMO_STANDARDS: list[DemoStandard] = [
    DemoStandard(
        "6-18-01-01",
        "车工",
        2018,
        "人社厅发〔2018〕145号",
        basics=(25, 20, 15, 10, 10),
        functions=[
            Function("工艺准备", (20, 20, 20, 15, 10), (25, 25, 20, 15, 10)),
            Function("工件加工", (40, 45, 45, 40, 35), (60, 60, 60, 55, 50)),
            Function("精度检验与误差分析", (10, 10, 15, 15, 15), (15, 15, 20, 15, 15)),
            Function(TRAINING, (None, None, None, 15, 25), (None, None, None, 15, 25)),
        ],
        work_types=["数控车工"],
    ),
    DemoStandard(
        "6-18-02-04",
        "焊工",
        2018,
        "人社厅发〔2018〕145号",
        basics=(25, 20, 15, 10, 10),
        functions=[
            Function("焊前准备", (20, 15, 15, 10, 10), (20, 15, 15, 10, 5)),
            Function("焊接", (40, 45, 45, 40, 35), (65, 70, 65, 55, 50)),
            Function("焊后检查", (10, 15, 20, 20, 15), (15, 15, 20, 20, 20)),
            Function(TRAINING, (None, None, None, 15, 25), (None, None, None, 15, 25)),
        ],
        work_types=["电焊工"],
    ),
    DemoStandard(
        "6-31-01-03",
        "电工",
        2018,
        "人社厅发〔2018〕145号",
        basics=(30, 25, 15, 10, 10),
        functions=[
            Function("电气安装与线路敷设", (30, 20, 15, 10, 5), (40, 25, 15, 10, 5)),
            Function("继电控制电路装调维修", (25, 30, 30, 25, 20), (40, 40, 35, 25, 20)),
            Function("电气设备装调维修", (10, 20, 35, 35, 35), (20, 35, 50, 45, 45)),
            Function(TRAINING, (None, None, None, 15, 25), (None, None, None, 20, 30)),
        ],
    ),
    DemoStandard(
        "4-03-02-01",
        "中式烹调师",
        2018,
        "人社厅发〔2018〕145号",
        basics=(25, 20, 15, 10, 10),
        functions=[
            Function("原料初加工", (25, 15, 10, None, None), (30, 15, 10, None, None)),
            Function("原料切配", (20, 20, 15, 10, None), (25, 25, 15, 10, None)),
            Function("菜肴制作", (25, 40, 45, 40, 35), (45, 60, 60, 50, 40)),
            Function("宴席设计", (None, None, 10, 15, 20), (None, None, 15, 20, 25)),
            Function(TRAINING, (None, None, None, 20, 30), (None, None, None, 20, 35)),
        ],
    ),
    DemoStandard(
        "4-10-01-03",
        "保育师",
        2021,
        "人社厅发〔2021〕92号",
        basics=(25, 20, 15),
        functions=[
            Function("生活照料", (30, 25, 20), (40, 35, 25)),
            Function("安全照护", (20, 20, 20), (30, 25, 25)),
            Function("早期学习支持", (20, 30, 30), (30, 40, 40)),
            Function("指导与培训", (None, None, 10), (None, None, 10)),
        ],
        levels=(5, 4, 3),
    ),
    DemoStandard(
        "4-04-05-01",
        "计算机程序设计员",
        2022,
        "人社厅发〔2022〕31号",
        basics=(25, 20, 15),
        functions=[
            Function("需求分析", (10, 15, 15), (10, 15, 15)),
            Function("程序设计与编码", (45, 40, 35), (60, 50, 40)),
            Function("测试与调试", (15, 20, 20), (30, 35, 35)),
            Function("指导与培训", (None, None, 10), (None, None, 10)),
        ],
        levels=(5, 4, 3),
    ),
]


def _column(values: tuple[int | None, ...], levels: tuple[int, ...], level: int) -> int | None:
    return values[levels.index(level)]


def theory_rows(spec: DemoStandard, level: int) -> list[tuple[str, str, Decimal]]:
    """基本要求 (职业道德, 基础知识) then one 相关知识要求 row per function present at the level."""
    rows = [
        ("1.1", "基本要求·职业道德", Decimal(ETHICS)),
        ("1.2", "基本要求·基础知识", Decimal(_column(spec.basics, spec.levels, level) or 0)),
    ]
    for number, function in enumerate(spec.functions, start=1):
        share = _column(function.theory, spec.levels, level)
        if share is not None:
            rows.append((f"2.{number}", f"相关知识要求·{function.name}", Decimal(share)))
    return rows


def skill_rows(spec: DemoStandard, level: int) -> list[tuple[str, str, Decimal]]:
    return [
        (str(number), function.name, Decimal(share))
        for number, function in enumerate(spec.functions, start=1)
        if (share := _column(function.skill, spec.levels, level)) is not None
    ]


@transaction.atomic
def seed_catalog_demo() -> list[Standard]:
    """Load the catalogue if it is empty, then the demo standards; returns them."""
    system = Actor.system("seed_demo")
    if not Occupation.objects.filter(tier=4).exists():
        import_catalog(actor=system)
    return [_seed_standard(system, spec) for spec in DEMO_STANDARDS]


def _seed_standard(actor: Actor, spec: DemoStandard) -> Standard:
    occupation = Occupation.objects.get(code=spec.code)
    work_types = [_work_type(actor, occupation, name) for name in spec.work_types]
    standard = Standard.objects.filter(
        occupation=occupation, is_demo=True, title=spec.title
    ).first()
    if standard is None:
        standard = standard_create(
            actor=actor,
            kind=StandardKind.NATIONAL,
            title=spec.title,
            document_number=spec.document_number,
            year=spec.year,
            occupation=occupation,
            work_types=work_types,
            is_demo=True,
        )
    present = set(StandardLevel.objects.filter(standard=standard).values_list("level", flat=True))
    for level in spec.levels:
        if level not in present:
            _seed_level(actor, standard, spec, level)
    return standard


def _work_type(actor: Actor, occupation: Occupation, name: str) -> WorkType:
    existing = WorkType.objects.filter(occupation=occupation, name=name).first()
    if existing is not None:
        return existing
    return work_type_add(
        actor=actor, occupation=occupation, name=name, code="", published_by="演示数据"
    )


def _seed_level(actor: Actor, standard: Standard, spec: DemoStandard, level: int) -> None:
    row = standard_level_set(
        actor=actor,
        standard=standard,
        level=level,
        eligibility_routes=national_template(level),
        theory_minutes=90,
        practical_minutes=PRACTICAL_MINUTES[level],
        review_minutes=30 if level <= SkillLevel.TWO else None,
    )
    weight_table_set(
        actor=actor, standard_level=row, table=WeightTable.THEORY, rows=theory_rows(spec, level)
    )
    weight_table_set(
        actor=actor, standard_level=row, table=WeightTable.SKILL, rows=skill_rows(spec, level)
    )
